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
        // The inbox's views are ES modules in a folder of their own (js/inbox/), imported by js/inbox.js.
        string[] modules = ["/js/inbox.js", "/js/inbox/list.js", "/js/inbox/thread.js", "/js/inbox/composer.js", "/js/inbox/menus.js", "/js/inbox/shared.js"];
        foreach (var path in new[] { "/", "/app.css", "/js/app.js" }.Concat(modules))
        {
            var response = await anonymous.GetAsync(path);
            using (Assert.EnterMultipleScope())
            {
                Assert.That((int)response.StatusCode, Is.EqualTo(200), path);
                if (path.EndsWith(".js", StringComparison.Ordinal))
                    Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/javascript"), $"{path}: a module needs a JavaScript type");
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
