using Microsoft.Extensions.FileProviders;

namespace HybridFlow.Api.WebApp;

/// <summary>
/// Serves the web inbox (wwwroot: plain HTML, CSS and ES modules, no build step) at <c>/</c>, without a key:
/// the data behind it comes from /api, which asks for the login cookie.
/// </summary>
public static class InboxWebApp
{
    /// <summary>Only this origin's scripts, styles, images and connections; no inline script, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseInboxWebApp(this WebApplication app)
    {
        var files = WebRootFiles(app.Environment);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context => AddSecurityHeaders(context.Context.Response.Headers),
        });
        return app;
    }

    /// <summary>
    /// The configured web root when it holds the inbox (dotnet run, WebApplicationFactory), else the copy next to the
    /// assembly: <c>dotnet out/HybridFlow.Api.dll</c> from another folder, and the API run as a process by the tests.
    /// </summary>
    private static IFileProvider WebRootFiles(IWebHostEnvironment environment)
    {
        if (environment.WebRootFileProvider.GetFileInfo("index.html").Exists) return environment.WebRootFileProvider;
        var besideAssembly = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return Directory.Exists(besideAssembly) ? new PhysicalFileProvider(besideAssembly) : environment.WebRootFileProvider;
    }

    private static void AddSecurityHeaders(IHeaderDictionary headers)
    {
        // Stricter than the API's CSP; nosniff, no framing and no referrer come from SecurityHeadersMiddleware.
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        // Small, unversioned files: the browser revalidates (ETag) so a deploy shows up on the next load.
        headers.CacheControl = "no-cache";
    }
}
