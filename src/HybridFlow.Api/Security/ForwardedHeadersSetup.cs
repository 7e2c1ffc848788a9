using HybridFlow.Infrastructure;
using HybridFlow.Infrastructure.Settings;
using Microsoft.AspNetCore.HttpOverrides;

namespace HybridFlow.Api.Security;

/// <summary>
/// Behind a TLS proxy (TRUSTED_PROXIES): X-Forwarded-For and X-Forwarded-Proto from that proxy, one hop, become the
/// request's client address and scheme, so cookies get Secure, rate limits and login throttles see the client, and HSTS
/// goes out. Without TRUSTED_PROXIES the headers are ignored: anyone could send them.
/// </summary>
public static class ForwardedHeadersSetup
{
    public static IServiceCollection AddHybridFlowForwardedHeaders(this IServiceCollection services, TrustedProxies? proxies)
    {
        if (proxies is not null)
        {
            services.Configure<ForwardedHeadersOptions>(o =>
            {
                o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                o.ForwardLimit = 1;
                // The defaults trust loopback only; * trusts any (an empty list means no check).
                o.KnownProxies.Clear();
                o.KnownIPNetworks.Clear();
                foreach (var address in proxies.Addresses) o.KnownProxies.Add(address);
                foreach (var network in proxies.Networks) o.KnownIPNetworks.Add(network);
            });
        }
        // Only ever sent over HTTPS (which is how it reaches browsers behind the proxy), for any host name.
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.ExcludedHosts.Clear();
        });
        return services;
    }

    /// <summary>First in the pipeline, so everything after it (logs, rate limits, cookies) sees the client's address and scheme.</summary>
    public static WebApplication UseHybridFlowForwardedHeaders(this WebApplication app, TrustedProxies? proxies)
    {
        if (proxies is not null) app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        return app;
    }
}
