using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Stats;

/// <summary>
/// GET /api/tenants/{id}/stats?interval=day (days in the tenant's time zone, the cost from LLM_PRICES) and
/// GET /api/tenants/{id}/conversations.csv, over HTTP, on seeded conversations whose every figure is known.
/// </summary>
public sealed class StatsPerDayAndExportTests
{
    private const string Zone = "America/Sao_Paulo";
    // Local midnight of 2026-01-10 in São Paulo (UTC-3): the period is that day and the two after it.
    private static readonly DateTimeOffset Start = new(2026, 1, 10, 3, 0, 0, TimeSpan.Zero);
    private const string Period = "from=2026-01-10T03:00:00Z&to=2026-01-13T03:00:00Z";
    private const string HostileText = "=HYPERLINK(\"http://evil.example\",\"ver pedido\")";

    private HybridFlowApp _app = null!;
    private long _tenantId;
    private string _instance = "";
    private readonly Dictionary<string, long> _sessions = [];

    [OneTimeSetUp]
    public async Task StartAndSeed()
    {
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["LLM_PRICES"] = "openai:gpt-test=1.5/6; anthropic:claude-x=3/15" });
        (_tenantId, _instance) = await _app.CreateTenantWithInstanceAsync(new { timezone = Zone });
        await SeedAsync();
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    /// <summary>
    /// A: 10 Jan 10:00 local, answered by the bot in 4 s. B: 10 Jan 23:30 local (already 11 Jan in UTC), answered in 10 s.
    /// Nothing on 11 Jan. C: 12 Jan 09:00 local, a hostile text, a handoff request and a person's answer.
    /// Model calls: A's reply (gpt-test 1000/200), B's (a model LLM_PRICES does not price, 500/100), C's (gpt-test 2000/400).
    /// </summary>
    private async Task SeedAsync()
    {
        await using var seed = await StatsSeed.OpenAsync(_app.ConnectionString, _tenantId, _instance);
        async Task<long> SessionAsync(string name, string contact) => _sessions[name] = await seed.SessionAsync(contact, Start);
        Task MessageAsync(long session, string direction, DateTimeOffset at, string text) => seed.MessageAsync(session, direction, at, text);
        Task ModelCallAsync(long session, DateTimeOffset at, string model, long input, long output) => seed.ModelCallAsync(session, at, model, input, output);

        var a = await SessionAsync("A", "Ana");
        var aAsked = Start.AddHours(10);
        await MessageAsync(a, "inbound", aAsked, "Vocês abrem amanhã?");
        await MessageAsync(a, "bot", aAsked.AddSeconds(4), "Abrimos às 7h.");
        await ModelCallAsync(a, aAsked.AddSeconds(2), "gpt-test", 1000, 200);

        var b = await SessionAsync("B", "Bruno");
        var bAsked = Start.AddHours(23.5);
        await MessageAsync(b, "inbound", bAsked, "Ainda dá pra pedir?");
        await MessageAsync(b, "bot", bAsked.AddSeconds(10), "Dá sim!");
        await ModelCallAsync(b, bAsked.AddSeconds(5), "gpt-unpriced", 500, 100);

        var c = await SessionAsync("C", "@atacante");
        var cAsked = Start.AddDays(2).AddHours(9);
        await MessageAsync(c, "inbound", cAsked, HostileText);
        await ModelCallAsync(c, cAsked.AddSeconds(3), "gpt-test", 2000, 400);
        await seed.EventAsync(c, "handoff_requested", "keyword: pessoa", cAsked.AddSeconds(5));
        await MessageAsync(c, "human", cAsked.AddMinutes(2), "-10% pra você hoje");

        // Outside the period: counted nowhere.
        var outside = await SessionAsync("outside", "Fora");
        await MessageAsync(outside, "inbound", Start.AddMinutes(-1), "Oi?");
    }

    private async Task<JsonElement> StatsAsync(string query)
    {
        var response = await _app.Admin.GetAsync($"/api/tenants/{_tenantId}/stats?{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonDocument.Parse(body).RootElement;
    }

    [Test]
    public async Task Days_AreTheTenantsLocalDays_WithEveryFigureAndTheCost()
    {
        var stats = await StatsAsync($"{Period}&interval=day");
        Assert.That(stats.GetProperty("time_zone").GetString(), Is.EqualTo(Zone));
        var days = stats.GetProperty("days").EnumerateArray().ToList();
        Assert.That(days.Select(d => d.GetProperty("date").GetString()), Is.EqualTo(new[] { "2026-01-10", "2026-01-11", "2026-01-12" }),
            "every local day of the period, the empty one too");

        var tenth = days[0];
        Assert.That(tenth.GetProperty("conversations").GetInt64(), Is.EqualTo(2), "B wrote at 23:30 local: still the 10th");
        Assert.That(tenth.GetProperty("customer_messages").GetInt64(), Is.EqualTo(2));
        Assert.That(tenth.GetProperty("bot_messages").GetInt64(), Is.EqualTo(2));
        Assert.That(tenth.GetProperty("handled_by_bot").GetInt64(), Is.EqualTo(2));
        Assert.That(tenth.GetProperty("handled_by_bot_share").GetDouble(), Is.EqualTo(1.0));
        Assert.That(tenth.GetProperty("first_reply").GetProperty("conversations").GetInt64(), Is.EqualTo(2));
        Assert.That(tenth.GetProperty("first_reply").GetProperty("median_seconds").GetDouble(), Is.EqualTo(7.0));
        Assert.That(tenth.GetProperty("first_reply").GetProperty("p90_seconds").GetDouble(), Is.EqualTo(9.4).Within(0.001));
        Assert.That(tenth.GetProperty("tokens").GetProperty("calls").GetInt64(), Is.EqualTo(2));
        Assert.That(tenth.GetProperty("tokens").GetProperty("input").GetInt64(), Is.EqualTo(1500));
        Assert.That(tenth.GetProperty("tokens").GetProperty("output").GetInt64(), Is.EqualTo(300));
        Assert.That(tenth.GetProperty("tokens").GetProperty("cost").GetDecimal(), Is.EqualTo(0.0027m), "gpt-test only: 1000 × 1.5 + 200 × 6 per million");

        var eleventh = days[1];
        Assert.That(eleventh.GetProperty("conversations").GetInt64(), Is.EqualTo(0));
        Assert.That(eleventh.GetProperty("handled_by_bot_share").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(eleventh.GetProperty("first_reply").GetProperty("median_seconds").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(eleventh.GetProperty("tokens").GetProperty("cost").GetDecimal(), Is.EqualTo(0m));

        var twelfth = days[2];
        Assert.That(twelfth.GetProperty("conversations").GetInt64(), Is.EqualTo(1));
        Assert.That(twelfth.GetProperty("handled_by_bot").GetInt64(), Is.EqualTo(0), "a person wrote in C");
        Assert.That(twelfth.GetProperty("handoff_requests").GetInt64(), Is.EqualTo(1));
        Assert.That(twelfth.GetProperty("tokens").GetProperty("cost").GetDecimal(), Is.EqualTo(0.0054m));

        // The days add up to the period's own figures (no conversation spans two days here).
        Assert.That(days.Sum(d => d.GetProperty("conversations").GetInt64()), Is.EqualTo(stats.GetProperty("conversations").GetInt64()));
        Assert.That(days.Sum(d => d.GetProperty("customer_messages").GetInt64()), Is.EqualTo(stats.GetProperty("customer_messages").GetInt64()));
        Assert.That(days.Sum(d => d.GetProperty("handoff_requests").GetInt64()), Is.EqualTo(stats.GetProperty("handoff_requests").GetInt64()));
        var tokens = stats.GetProperty("tokens");
        Assert.That(days.Sum(d => d.GetProperty("tokens").GetProperty("input").GetInt64()), Is.EqualTo(tokens.GetProperty("input").GetInt64()));
        Assert.That(tokens.GetProperty("cost").GetDecimal(), Is.EqualTo(0.0081m));
        Assert.That(tokens.GetProperty("unpriced_tokens").GetInt64(), Is.EqualTo(600), "gpt-unpriced's 500 + 100");
        var byModel = tokens.GetProperty("by_model").EnumerateArray().ToDictionary(m => m.GetProperty("model").GetString()!);
        Assert.That(byModel["gpt-test"].GetProperty("cost").GetDecimal(), Is.EqualTo(0.0081m));
        Assert.That(byModel["gpt-unpriced"].GetProperty("cost").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task WithoutAnInterval_TheStatsHaveNoDays()
    {
        var stats = await StatsAsync(Period);
        Assert.That(stats.TryGetProperty("days", out var days) && days.ValueKind != JsonValueKind.Null, Is.False);
    }

    [Test]
    public async Task AnUnknownInterval_Is400_NamingIt()
    {
        var response = await _app.Admin.GetAsync($"/api/tenants/{_tenantId}/stats?{Period}&interval=week");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(problem.GetProperty("errors").TryGetProperty("interval", out _), Is.True, problem.ToString());
    }

    private static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else field.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (ch == '\r') { }
            else if (ch == '\n') { row.Add(field.ToString()); field.Clear(); rows.Add([.. row]); row.Clear(); }
            else field.Append(ch);
        }
        if (field.Length > 0 || row.Count > 0) { row.Add(field.ToString()); rows.Add([.. row]); }
        return rows;
    }

    [Test]
    public async Task TheCsv_HasOneRowPerConversation_EscapesFormulas_AndStreams()
    {
        using var response = await _app.Admin.GetAsync($"/api/tenants/{_tenantId}/conversations.csv?{Period}", HttpCompletionOption.ResponseHeadersRead);
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        Assert.That(response.Content.Headers.ContentDisposition?.FileName, Does.Contain("conversations-"));
        Assert.That(response.Content.Headers.ContentLength, Is.Null, "written as it is read, not buffered whole");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(bytes[..3], Is.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }), "a BOM, so spreadsheets read UTF-8");

        var rows = ParseCsv(Encoding.UTF8.GetString(bytes[3..]));
        var header = rows[0];
        Assert.That(header, Is.EqualTo(HybridFlow.Api.Contracts.ConversationsCsvResult.Header));
        var byId = rows.Skip(1).ToDictionary(r => long.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture),
            r => header.Zip(r).ToDictionary(p => p.First, p => p.Second));
        Assert.That(byId.Keys, Is.EquivalentTo(new[] { _sessions["A"], _sessions["B"], _sessions["C"] }), "the period's conversations, in order of their first message");
        Assert.That(rows.Skip(1).Select(r => long.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture)),
            Is.EqualTo(new[] { _sessions["A"], _sessions["B"], _sessions["C"] }));
        var stats = await StatsAsync(Period);
        Assert.That(byId, Has.Count.EqualTo(stats.GetProperty("conversations").GetInt64()), "the stats API's own count");

        var a = byId[_sessions["A"]];
        Assert.That(a["channel"], Is.EqualTo("evolution"));
        Assert.That(a["instance"], Is.EqualTo(_instance));
        Assert.That(a["customer"], Does.StartWith("'+55119"), "a number is text in a spreadsheet, never a formula");
        Assert.That(a["customer_name"], Is.EqualTo("Ana"));
        Assert.That(a["first_message_at"], Is.EqualTo("2026-01-10T13:00:00Z"));
        Assert.That(a["last_message_at"], Is.EqualTo("2026-01-10T13:00:04Z"));
        Assert.That(a["first_message"], Is.EqualTo("Vocês abrem amanhã?"));
        Assert.That(a["last_message"], Is.EqualTo("Abrimos às 7h."));
        Assert.That(a["handled_by"], Is.EqualTo("bot"));
        Assert.That(a["handoff_requested"], Is.EqualTo("no"));
        Assert.That(a["resolution"], Is.EqualTo("open"));
        Assert.That(a["input_tokens"], Is.EqualTo("1000"));
        Assert.That(a["output_tokens"], Is.EqualTo("200"));

        var c = byId[_sessions["C"]];
        Assert.That(c["first_message"], Is.EqualTo("'" + HostileText), "a formula is escaped with a leading apostrophe");
        Assert.That(c["customer_name"], Is.EqualTo("'@atacante"));
        Assert.That(c["last_message"], Is.EqualTo("'-10% pra você hoje"));
        Assert.That(c["handled_by"], Is.EqualTo("person"));
        Assert.That(c["handoff_requested"], Is.EqualTo("yes"));
        Assert.That(c["person_messages"], Is.EqualTo("1"));
    }

    [Test]
    public async Task TheCsv_IsForTenantAdmins_AndChecksItsPeriod()
    {
        var agentKey = await _app.CreateApiKeyAsync(_tenantId, "agent");
        Assert.That((int)(await _app.ClientWithKey(agentKey).GetAsync($"/api/tenants/{_tenantId}/conversations.csv?{Period}")).StatusCode, Is.EqualTo(403));
        var adminKey = await _app.CreateApiKeyAsync(_tenantId, "tenant_admin");
        Assert.That((int)(await _app.ClientWithKey(adminKey).GetAsync($"/api/tenants/{_tenantId}/conversations.csv?{Period}")).StatusCode, Is.EqualTo(200));
        var (otherTenant, _) = await _app.CreateTenantWithInstanceAsync();
        Assert.That((int)(await _app.ClientWithKey(adminKey).GetAsync($"/api/tenants/{otherTenant}/conversations.csv")).StatusCode, Is.AnyOf(403, 404));

        var reversed = await _app.Admin.GetAsync($"/api/tenants/{_tenantId}/conversations.csv?from=2026-01-13T00:00:00Z&to=2026-01-10T00:00:00Z");
        Assert.That((int)reversed.StatusCode, Is.EqualTo(400));
        Assert.That((int)(await _app.Admin.GetAsync("/api/tenants/999999/conversations.csv")).StatusCode, Is.EqualTo(404));
    }
}
