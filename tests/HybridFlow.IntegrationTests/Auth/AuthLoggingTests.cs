using System.Net.Http.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Auth;

/// <summary>Logins, lockouts, resets and the ADMIN_EMAIL bootstrap leave no email, password, hash or cookie in the logs.</summary>
[NonParallelizable] // a log capture gets the lines of every test running beside it (Support/ConsoleCapture)
public sealed class AuthLoggingTests
{
    [Test]
    public async Task TheAuthPaths_LogNoEmailPasswordHashOrCookie()
    {
        const string adminPassword = "bootstrap passphrase 4711";
        const string newPassword = "the reset passphrase 0815";
        var email = $"logged-{Guid.NewGuid():N}@padaria.example";
        var capture = new ConsoleCapture();
        string cookie;
        try
        {
            await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
            {
                ["LOG_LEVEL"] = "debug", ["ADMIN_PASSWORD"] = adminPassword,
            });
            var (tenant, _) = await app.CreateTenantWithInstanceAsync();
            var id = await UserSessions.CreateUserAsync(app, tenant, email, "agent");
            var client = app.CreateCookieClient();
            for (var i = 0; i < 6; i++) await client.PostAsJsonAsync("/api/auth/login", new { email, password = "wrong password " + i });
            await client.PostAsJsonAsync("/api/auth/login", new { email = "unknown@padaria.example", password = "wrong password" });
            await app.Admin.PatchAsJsonAsync($"/api/tenants/{tenant}/users/{id}", new { password = newPassword, locked = false });
            var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password = newPassword });
            Assert.That((int)login.StatusCode, Is.EqualTo(200));
            cookie = login.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("hybridflow_auth=", StringComparison.Ordinal)).Split(';')[0]["hybridflow_auth=".Length..];
            await client.GetAsync("/api/auth/me");
            await client.PostAsync("/api/auth/logout", null);
            // The last request's line: everything checked below was written before it.
            await capture.UntilAsync(l => l.Contains("\"path\":\"/api/auth/logout\"", StringComparison.Ordinal), "the logout request");
        }
        finally
        {
            capture.Dispose();
        }

        var log = capture.Text;
        Assert.That(log, Does.Contain("Created the platform admin user"), "the log is captured at all");
        Assert.That(log, Does.Contain("/api/auth/login"));
        foreach (var secret in new[] { email, "unknown@padaria.example", HybridFlowApp.PlatformAdminEmail, adminPassword, newPassword, UserSessions.DefaultPassword, "wrong password", cookie[..40] })
            Assert.That(log, Does.Not.Contain(secret));
        Assert.That(log, Does.Not.Contain("AQAAAA"), "no Identity password hash");
    }
}
