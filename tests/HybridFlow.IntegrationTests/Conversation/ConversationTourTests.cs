using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Conversation;

/// <summary>
/// One chat through everything issue 10 added, over HTTP with real webhook shapes: a reply in two parts with typing,
/// receipts out of order, the customer asking for a person, a resume, and an away message after closing time.
/// The test prints the chat's timeline (the closing note of issue 10 shows it).
/// </summary>
public sealed class ConversationTourTests
{
    // 2026-12-07 is a Monday; the bakery opens 08:00-18:00 in São Paulo (UTC-3).
    private static readonly DateTimeOffset MondayMorning = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private const string HandoffMessage = "Um momento, já chamo alguém da equipe.";
    private const string AwayMessage = "Estamos fechados agora. Abrimos amanhã às 8h!";

    [Test]
    public async Task OneChat_PartsReceiptsHandoffAndAwayMessage_AllOnItsTimeline()
    {
        await using var app = await HybridFlowApp.StartAsync();
        app.Clock.Advance(MondayMorning - app.Clock.GetUtcNow());
        var (tenantId, instance) = await app.CreateTenantWithInstanceAsync();
        var weekday = new[] { new[] { "08:00", "18:00" } };
        var patched = await app.Admin.PatchAsJsonAsync($"/api/tenants/{tenantId}", new
        {
            timezone = "America/Sao_Paulo",
            business_hours = new { mon = weekday, tue = weekday, wed = weekday, thu = weekday, fri = weekday },
            outside_hours = "away_message",
            away_message = AwayMessage,
            handoff_message = HandoffMessage,
            typing_ms_per_char = 20,
        });
        Assert.That((int)patched.StatusCode, Is.EqualTo(200), await patched.Content.ReadAsStringAsync());
        var chat = Payloads.NewChatId();

        // 1. A reply in two parts, each with its typing delay.
        app.Llm.ReplyText = "Temos sim, bolo de cenoura com cobertura de chocolate! 🥕\n\nQuer encomendar para hoje?";
        Assert.That(await Customer(app, instance, chat, "Oi! Vocês têm bolo de cenoura?"), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 2, "the reply's two parts");
        var parts = app.Evolution.SendsTo(chat);
        Assert.That(parts.Select(p => p.Json.GetProperty("text").GetString()),
            Is.EqualTo(new[] { "Temos sim, bolo de cenoura com cobertura de chocolate! 🥕", "Quer encomendar para hoje?" }));
        Assert.That(parts.Select(p => p.Json.GetProperty("delay").GetInt32()),
            Is.EqualTo(parts.Select(p => Math.Clamp(p.Json.GetProperty("text").GetString()!.Length * 20, 500, 6000))), "20 ms per character, 0.5-6 s");
        var sessionId = await app.ScalarAsync<long>("SELECT id FROM sessions WHERE chat_id = $1", chat);
        await HybridFlowApp.EventuallyAsync(async () =>
            await app.ScalarAsync<long>("SELECT count(*) FROM messages WHERE session_id = $1 AND direction = 'bot'", sessionId) == 2, "both parts recorded");

        // 2. Receipts, out of order for the second part: READ first, then a late DELIVERY_ACK that must not move it back.
        var botIds = await BotMessageIds(app, sessionId);
        foreach (var (id, status) in new[] { (botIds[0], "DELIVERY_ACK"), (botIds[1], "READ"), (botIds[1], "DELIVERY_ACK"), (botIds[0], "READ") })
            Assert.That(await app.DeliverAsync(instance, Receipt(chat, id, status)), Is.EqualTo("status_updated"));

        // 3. A minute later the customer asks for a person inside a longer sentence: paused, the handoff message, no model call.
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var modelCalls = app.Llm.Requests.Count;
        Assert.That(await Customer(app, instance, chat, "Prefiro falar com uma pessoa, por favor"), Is.EqualTo("handoff_requested"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 3, "the handoff message");
        Assert.That(app.Evolution.SendsTo(chat)[2].Json.GetProperty("text").GetString(), Is.EqualTo(HandoffMessage));
        var queue = await app.Admin.GetJsonAsync($"/api/sessions?state=paused&pause_reason=handoff_requested&tenant_id={tenantId}");
        Assert.That(queue.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetInt64()), Does.Contain(sessionId));

        // 4. Five minutes later someone from the team hands the chat back to the bot.
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var resumed = await app.Admin.PostAsync($"/api/sessions/{sessionId}/resume", null);
        Assert.That((int)resumed.StatusCode, Is.EqualTo(200), await resumed.Content.ReadAsStringAsync());

        // 5. After closing time (18:36 in São Paulo): the away message, once, and no model call.
        app.Clock.Advance(TimeSpan.FromHours(9.5));
        Assert.That(await Customer(app, instance, chat, "Ainda dá para encomendar?"), Is.EqualTo("away_message_sent"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 4, "the away message");
        Assert.That(app.Evolution.SendsTo(chat)[3].Json.GetProperty("text").GetString(), Is.EqualTo(AwayMessage));
        // Evolution sees the send before the worker records it: the next message comes after the record, as in the timeline below.
        await HybridFlowApp.EventuallyAsync(async () =>
            await app.ScalarAsync<long>("SELECT count(*) FROM session_events WHERE session_id = $1 AND action = 'notice_sent'", sessionId) == 2,
            "both notices recorded as sent");
        Assert.That(await Customer(app, instance, chat, "Alô?"), Is.EqualTo("ignored_outside_hours"));
        Assert.That(app.Llm.Requests, Has.Count.EqualTo(modelCalls), "neither the handoff nor the away message asked the model");

        var timeline = (await app.Admin.GetJsonAsync($"/api/events?session_id={sessionId}&page_size=200")).GetProperty("items").EnumerateArray().ToList();
        TestContext.Out.WriteLine("The chat's timeline (GET /api/events?session_id=…):");
        foreach (var item in timeline) TestContext.Out.WriteLine(Describe(item));

        var actions = timeline.Where(i => i.GetProperty("kind").GetString() == "event").Select(i => i.GetProperty("action").GetString()).ToList();
        Assert.That(actions, Is.EqualTo(new[]
        {
            "ai_queued", "ai_replied", "handoff_requested", "notice_sent", "resumed", "away_message_sent", "notice_sent", "ignored_outside_hours",
        }));
        Assert.That(timeline.Single(i => i.GetProperty("action").GetString() == "ai_replied").GetProperty("detail").GetString(), Is.EqualTo("2 parts"));
        Assert.That(timeline.Single(i => i.GetProperty("action").GetString() == "handoff_requested").GetProperty("detail").GetString(),
            Does.StartWith("keyword: falar com uma pessoa"));
        var bot = timeline.Where(i => i.GetProperty("direction").GetString() == "bot").ToList();
        Assert.That(bot, Has.Count.EqualTo(4), "two parts, the handoff message and the away message");
        Assert.That(bot.Take(2).Select(b => b.GetProperty("status").GetString()), Is.EqualTo(new[] { "READ", "READ" }));
        Assert.That(bot.Take(2).All(b => b.GetProperty("delivered_at").ValueKind == JsonValueKind.String), Is.True, "READ implies delivered");
    }

    private static Task<string> Customer(HybridFlowApp app, string instance, string chat, string text) =>
        app.DeliverAsync(instance, Payloads.CustomerText(chat, text, at: app.Clock.GetUtcNow()));

    private static async Task<List<string>> BotMessageIds(HybridFlowApp app, long sessionId)
    {
        var ids = await app.ScalarAsync<string[]>(
            "SELECT array_agg(provider_message_id ORDER BY id) FROM messages WHERE session_id = $1 AND direction = 'bot'", sessionId);
        return [.. ids!];
    }

    private static JsonObject Receipt(string chat, string keyId, string status)
    {
        var p = Payloads.Load("messages_update");
        p["data"]!["keyId"] = keyId;
        p["data"]!["remoteJid"] = chat;
        p["data"]!["status"] = status;
        return p;
    }

    private static string Describe(JsonElement item)
    {
        string? S(string name) => item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var at = item.GetProperty("at").GetDateTimeOffset().ToString("HH:mm:ss");
        if (S("kind") == "event") return $"{at}  event    {S("action")}{(S("detail") is { } d ? $"  ({d})" : "")}";
        var status = S("status") is { } st ? $"  [{st}]" : "";
        return $"{at}  {S("direction"),-8} \"{S("text")}\"{status}";
    }
}
