using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>
/// The dashboard (issue 23) on seeded conversations of the last days: every chart's numbers are the stats API's own,
/// the CSV downloads, and it passes axe on a desktop and a phone. The desktop run saves the README's screenshot.
/// </summary>
public sealed class DashboardTests : BrowserTest
{
    private const string Zone = "America/Sao_Paulo";

    /// <summary>A tenant in São Paulo with a week of conversations: answered ones, a takeover, a handoff, model calls.</summary>
    private static async Task<(long TenantId, string AdminEmail)> SeedTenantAsync()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync($"Padaria Painel {Guid.NewGuid().ToString("N")[..6]}");
        var zoned = await Server.Admin.PatchAsJsonAsync($"api/tenants/{tenantId}", new { timezone = Zone });
        Assert.That((int)zoned.StatusCode, Is.EqualTo(200), await zoned.Content.ReadAsStringAsync());
        var email = NewEmail("painel");
        await Server.CreateUserAsync(tenantId, email, "Dona do Painel", "tenant_admin");

        await using var seed = await StatsSeed.OpenAsync(Server.ConnectionString, tenantId, instance);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Zone);
        var localToday = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).Date;
        var random = new Random(23);
        for (var daysAgo = 6; daysAgo >= 0; daysAgo--)
        {
            var day = localToday.AddDays(-daysAgo);
            for (var n = 0; n < 2 + (6 - daysAgo) % 4; n++)
            {
                var asked = new DateTimeOffset(day.AddHours(9 + n), zone.GetUtcOffset(day.AddHours(9 + n)));
                if (asked > DateTimeOffset.UtcNow) asked = DateTimeOffset.UtcNow.AddMinutes(-30 - n);
                var session = await seed.SessionAsync($"Cliente {daysAgo}-{n}", asked);
                await seed.MessageAsync(session, "inbound", asked, "Vocês têm pão de queijo?");
                await seed.MessageAsync(session, "bot", asked.AddSeconds(3 + random.Next(20)), "Temos sim!");
                await seed.ModelCallAsync(session, asked.AddSeconds(2), "gpt-test", 800 + random.Next(400), 100 + random.Next(100));
                if (n == 1)
                {
                    await seed.EventAsync(session, "handoff_requested", "keyword: atendente", asked.AddMinutes(1));
                    await seed.EventAsync(session, "paused", "typed by hand", asked.AddMinutes(2));
                    await seed.MessageAsync(session, "human", asked.AddMinutes(2), "Oi, aqui é a Ana!");
                }
            }
        }
        return (tenantId, email);
    }

    /// <summary>The stats the page asks for by default: the tenant's last 7 local days up to the end of today.</summary>
    private static async Task<JsonElement> LastSevenDaysAsync(long tenantId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Zone);
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).Date;
        string Midnight(DateTime day) => new DateTimeOffset(day, zone.GetUtcOffset(day)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var response = await Server.Admin.GetAsync($"api/tenants/{tenantId}/stats?from={Midnight(today.AddDays(-6))}&to={Midnight(today.AddDays(1))}&interval=day");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task AssertChartAsync(IPage page, string chart, string series, IReadOnlyList<JsonElement> days, Func<JsonElement, double?> expected)
    {
        var cells = page.GetByTestId($"{chart}-table").Locator($"td[data-series='{series}']");
        await Expect(cells).ToHaveCountAsync(days.Count);
        for (var i = 0; i < days.Count; i++)
        {
            var shown = await cells.Nth(i).GetAttributeAsync("data-value");
            var want = expected(days[i]);
            if (want is null) Assert.That(shown, Is.Empty, $"{chart} {series} on {days[i].GetProperty("date")}");
            else Assert.That(double.Parse(shown!, CultureInfo.InvariantCulture), Is.EqualTo(want.Value).Within(1e-9), $"{chart} {series} on {days[i].GetProperty("date")}");
        }
    }

    private static double? Number(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();

    [TestCase(1280, 900)]
    [TestCase(390, 844)]
    public async Task TheDashboard_DrawsTheStatsApisOwnNumbers_AndDownloadsTheCsv(int width, int height)
    {
        var (tenantId, email) = await SeedTenantAsync();
        var page = await NewPageAsync(width: width, height: height);
        await LoginAsync(page, email);
        await page.GotoAsync("/#/dashboard");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("chart-conversations")).ToBeVisibleAsync();

        var stats = await LastSevenDaysAsync(tenantId);
        var days = stats.GetProperty("days").EnumerateArray().ToList();
        Assert.That(days, Has.Count.EqualTo(7));
        Assert.That(days.Sum(d => d.GetProperty("conversations").GetInt64()), Is.GreaterThan(10), "the seed is in the period");

        await Expect(page.GetByTestId("card-conversations").Locator(".stat-value")).ToHaveTextAsync(stats.GetProperty("conversations").GetInt64().ToString(CultureInfo.InvariantCulture));
        await AssertChartAsync(page, "chart-conversations", "conversations", days, d => d.GetProperty("conversations").GetInt64());
        await AssertChartAsync(page, "chart-bot-share", "handled_by_bot_share", days,
            d => Number(d.GetProperty("handled_by_bot_share")) is { } share ? Math.Round(share * 1000) / 10 : null);
        await AssertChartAsync(page, "chart-first-reply", "median_seconds", days, d => Number(d.GetProperty("first_reply").GetProperty("median_seconds")));
        await AssertChartAsync(page, "chart-first-reply", "p90_seconds", days, d => Number(d.GetProperty("first_reply").GetProperty("p90_seconds")));
        await AssertChartAsync(page, "chart-people", "human_takeovers", days, d => d.GetProperty("human_takeovers").GetInt64());
        await AssertChartAsync(page, "chart-people", "handoff_requests", days, d => d.GetProperty("handoff_requests").GetInt64());
        await AssertChartAsync(page, "chart-tokens", "input", days, d => d.GetProperty("tokens").GetProperty("input").GetInt64());
        await AssertChartAsync(page, "chart-tokens", "output", days, d => d.GetProperty("tokens").GetProperty("output").GetInt64());
        await AssertChartAsync(page, "chart-cost", "cost", days, d => (double)d.GetProperty("tokens").GetProperty("cost").GetDecimal());
        // A bar per day, drawn for the same numbers.
        var bars = page.Locator("[data-testid='chart-conversations'] rect.chart-bar");
        await Expect(bars).ToHaveCountAsync(days.Count);
        for (var i = 0; i < days.Count; i++)
            Assert.That(await bars.Nth(i).GetAttributeAsync("data-value"), Is.EqualTo(days[i].GetProperty("conversations").GetInt64().ToString(CultureInfo.InvariantCulture)));

        await AssertNoSeriousAxeViolationsAsync(page);
        if (width >= 1280)
        {
            await page.SetViewportSizeAsync(1280, 1500);
            await ScreenshotAsync(page, "dashboard");
        }

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-csv").ClickAsync());
        var path = await download.PathAsync();
        var lines = (await File.ReadAllLinesAsync(path)).Where(l => l.Length > 0).ToList();
        Assert.That(lines[0], Does.Contain("conversation_id,channel,instance"));
        Assert.That(lines.Count - 1, Is.EqualTo(stats.GetProperty("conversations").GetInt64()), "one row per conversation of the period");
    }

    [Test]
    public async Task AnAgent_HasNoDashboard()
    {
        var (tenantId, _) = await Server.CreateTenantAsync($"Padaria Agente {Guid.NewGuid().ToString("N")[..6]}");
        var email = NewEmail("agente-painel");
        await Server.CreateUserAsync(tenantId, email, "Agente", "agent");
        var page = await NewPageAsync();
        await LoginAsync(page, email);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Dashboard" })).ToHaveCountAsync(0);
        await page.GotoAsync("/#/dashboard");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Only the tenant's admins see its dashboard.");
    }
}
