using HybridFlow.Api.WebApp;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

public sealed class WebAppServingTests : BrowserTest
{
    [Test]
    public async Task The_inbox_is_served_at_the_root_without_a_key_with_its_security_headers()
    {
        using var anonymous = new HttpClient { BaseAddress = Server.BaseAddress };
        foreach (var path in new[] { "/", "/app.css", "/js/app.js" })
        {
            var response = await anonymous.GetAsync(path);
            using (Assert.EnterMultipleScope())
            {
                Assert.That((int)response.StatusCode, Is.EqualTo(200), path);
                Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Is.EqualTo(InboxWebApp.ContentSecurityPolicy), path);
                Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"), path);
                Assert.That(response.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("no-referrer"), path);
            }
        }
        Assert.That(InboxWebApp.ContentSecurityPolicy, Does.Contain("frame-ancestors 'none'").And.Contain("script-src 'self';"));
        var html = await anonymous.GetStringAsync("/");
        Assert.That(html, Does.Contain("<script type=\"module\" src=\"js/app.js\"></script>"));
        Assert.That(html, Does.Not.Contain("http://").And.Not.Contain("https://"), "nothing is fetched from elsewhere");

        var api = await anonymous.GetAsync("/api/inbox/conversations");
        Assert.That((int)api.StatusCode, Is.EqualTo(401), "the API behind it still asks for a login");
    }

    [Test]
    public async Task A_visitor_who_is_not_logged_in_sees_the_login_page_and_no_request_leaves_the_server()
    {
        var page = await NewPageAsync();
        var foreign = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(Server.BaseAddress.ToString(), StringComparison.Ordinal)) foreign.Add(request.Url);
        };
        await page.GotoAsync("/#/inbox/12");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to the inbox" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Email")).ToBeFocusedAsync();
        Assert.That(page.Url, Does.EndWith("#/login"));
        Assert.That(foreign, Is.Empty);
    }
}
