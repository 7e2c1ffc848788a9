using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Operations;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HybridFlow.IntegrationTests.Reliability;

/// <summary>
/// Customer messages of different chats share one transaction (group commit). These tests make a group form for sure:
/// one transaction at a time, whose first webhook waits on a session row the test holds locked, while the others arrive.
/// </summary>
public sealed class SharedTransactionTests
{
    private static readonly Dictionary<string, string?> OneTransactionAtATime = new() { ["WEBHOOK_TRANSACTIONS"] = "1" };

    [Test]
    public async Task WebhooksOfManyChatsArrivingTogether_ShareATransaction_AndEachIsStoredAndAnsweredOnce()
    {
        await using var app = await HybridFlowApp.StartAsync(OneTransactionAtATime);
        // A debounce keeps chats[5]'s first job pending until its second message, in a later transaction, joins it:
        // without it the dispatcher may already be writing the first reply, and the second message rightly gets its own.
        var (_, instance) = await app.CreateTenantWithInstanceAsync(new { debounce_seconds = 1 });
        var before = await ScrapeAsync(app);

        var chats = Enumerable.Range(0, 16).Select(_ => Payloads.NewChatId()).ToList();
        var messages = chats.Select(chat => Payloads.CustomerText(chat, "Vocês abrem amanhã?")).ToList();
        // Evolution's retry of one message, and a second message of another chat: neither may share a transaction with its chat.
        var deliveries = messages.Select(m => m.DeepClone().AsObject()).ToList();
        deliveries.Add(messages[3].DeepClone().AsObject());
        deliveries.Add(Payloads.CustomerText(chats[5], "E no sábado?"));

        var responses = await DeliverWhileAGroupFormsAsync(app, instance, deliveries);

        Assert.That(responses.Select(r => r.Status), Is.All.EqualTo(200), string.Join("; ", responses.Select(r => r.Body)));
        Assert.That(responses.Count(r => r.Action == "ai_queued"), Is.EqualTo(deliveries.Count - 1));
        Assert.That(responses.Count(r => r.Action == "duplicate_ignored"), Is.EqualTo(1));
        // Each distinct message once, plus the blocking chat's two.
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM messages WHERE direction = 'inbound'"), Is.EqualTo(deliveries.Count - 1 + 2));
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM session_events WHERE action = 'ai_queued'"), Is.EqualTo(deliveries.Count - 1 + 2));

        await HybridFlowApp.EventuallyAsync(() => chats.All(c => app.Evolution.SendsTo(c).Count >= 1), "every chat answered");
        var after = await ScrapeAsync(app); // before the marker's own webhook
        await Marker.AnsweredAsync(app, instance);
        foreach (var chat in chats) Assert.That(app.Evolution.SendsTo(chat), Has.Count.EqualTo(1), chat);

        var transactions = Delta(before, after, "hybridflow_webhook_transactions_total", "committed");
        var members = Delta(before, after, "hybridflow_webhook_transaction_members_total", "committed");
        Assert.That(members, Is.EqualTo(deliveries.Count + 2), "every customer webhook went through a transaction (the blocking chat's two too)");
        Assert.That(transactions, Is.LessThan(members), "some webhooks shared a transaction");
        Assert.That(Delta(before, after, "hybridflow_webhook_transactions_total", "rolled_back"), Is.Zero);
    }

    /// <summary>
    /// A webhook the database refuses, inside a shared transaction: when it appends its message (first round trip) or
    /// when its timeline event is written with the commit (second round trip). A trigger stands in for any such failure.
    /// </summary>
    [TestCase("messages", "NEW.provider_message_id = 'POISONED0000000000000001'")]
    [TestCase("session_events", "EXISTS (SELECT 1 FROM messages m WHERE m.id = NEW.message_id AND m.provider_message_id = 'POISONED0000000000000001')")]
    public async Task AWebhookTheDatabaseRefuses_RollsBackItsSharedTransaction_AndTheOthersAreStoredAlone(string table, string condition)
    {
        await using var app = await HybridFlowApp.StartAsync(OneTransactionAtATime);
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        await app.ScalarAsync<int>($"""
            CREATE FUNCTION refuse_poisoned() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF {condition} THEN RAISE EXCEPTION 'poisoned webhook' USING ERRCODE = '22023'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_poisoned BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION refuse_poisoned();
            SELECT 1;
            """);
        var before = await ScrapeAsync(app);

        var chats = Enumerable.Range(0, 10).Select(_ => Payloads.NewChatId()).ToList();
        var deliveries = chats.Select(chat => Payloads.CustomerText(chat, "Oi, tudo bem?")).ToList();
        var poisonedChat = chats[4];
        deliveries[4] = Payloads.CustomerText(poisonedChat, "Oi, tudo bem?", messageId: "POISONED0000000000000001");

        var responses = await DeliverWhileAGroupFormsAsync(app, instance, deliveries);

        for (var i = 0; i < deliveries.Count; i++)
        {
            if (i == 4) Assert.That(responses[i].Status, Is.EqualTo(400), "the refused webhook: " + responses[i].Body);
            else Assert.That((responses[i].Status, responses[i].Action), Is.EqualTo((200, "ai_queued")), responses[i].Body);
        }
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM messages WHERE provider_message_id LIKE 'POISONED%'"), Is.Zero);
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM messages WHERE direction = 'inbound'"), Is.EqualTo(deliveries.Count - 1 + 2),
            "the nine others and the blocking chat's two, each once");

        var others = chats.Where(c => c != poisonedChat).ToList();
        await HybridFlowApp.EventuallyAsync(() => others.All(c => app.Evolution.SendsTo(c).Count >= 1), "every other chat answered");
        var after = await ScrapeAsync(app); // before the marker's own webhook
        await Marker.AnsweredAsync(app, instance);
        foreach (var chat in others) Assert.That(app.Evolution.SendsTo(chat), Has.Count.EqualTo(1), chat);
        Assert.That(app.Evolution.SendsTo(poisonedChat), Is.Empty);

        Assert.That(Delta(before, after, "hybridflow_webhook_transaction_members_total", "rolled_back"), Is.GreaterThan(1),
            "a shared transaction rolled back, and the refused webhook alone once more");
    }

    private sealed record Answer(int Status, string? Action, string Body);

    /// <summary>
    /// Holds the lock of one more chat's session while its webhook and then <paramref name="deliveries"/> arrive, so that the
    /// only transaction waits and the deliveries queue up behind it; then lets go and collects the answers in order.
    /// </summary>
    private static async Task<IReadOnlyList<Answer>> DeliverWhileAGroupFormsAsync(HybridFlowApp app, string instance, IReadOnlyList<JsonObject> deliveries)
    {
        var blockerChat = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(blockerChat, "Primeira mensagem")), Is.EqualTo("ai_queued"));

        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var hold = await connection.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT id FROM sessions WHERE chat_id = $1 FOR UPDATE", connection, hold))
        {
            lockRow.Parameters.AddWithValue(blockerChat);
            Assert.That(await lockRow.ExecuteScalarAsync(), Is.Not.Null);
        }

        using var started = new RequestsStarted(app);
        var blocked = app.PostWebhookAsync(instance, Payloads.CustomerText(blockerChat, "Segunda mensagem"));
        await HybridFlowApp.EventuallyAsync(async () => await app.ScalarAsync<long>(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = current_database()") > 0,
            "the transaction waiting on the held session");
        var pending = deliveries.Select(d => app.PostWebhookAsync(instance, d)).ToList();
        await HybridFlowApp.EventuallyAsync(() => started.Count >= 1 + deliveries.Count, "every delivery is being handled by the app");
        await HybridFlowApp.EventuallyAsync(async () => (await ScrapeAsync(app)).Samples
            .Where(s => s.Name == "hybridflow_webhook_waiting").Sum(s => s.Value) >= deliveries.Count,
            "every delivery waits for the next shared transaction");
        Assert.That(pending.Any(p => p.IsCompleted), Is.False, "nothing is answered before its commit");

        await hold.CommitAsync();
        Assert.That((int)(await blocked).StatusCode, Is.EqualTo(200));
        var answers = new List<Answer>();
        foreach (var response in await Task.WhenAll(pending))
        {
            var body = await response.Content.ReadAsStringAsync();
            string? action = null;
            if (response.IsSuccessStatusCode) action = JsonDocument.Parse(body).RootElement.GetProperty("action").GetString();
            answers.Add(new Answer((int)response.StatusCode, action, body));
        }
        return answers;
    }

    /// <summary>
    /// Counts the HTTP requests the app started handling (ASP.NET Core's http.server.active_requests going up), from this
    /// app's own meters only: other apps of the test run have meters of their own.
    /// </summary>
    private sealed class RequestsStarted : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public RequestsStarted(HybridFlowApp app)
        {
            var meters = app.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == meters && instrument is { Name: "http.server.active_requests", Meter.Name: "Microsoft.AspNetCore.Hosting" })
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, change, _, _) =>
            {
                if (change > 0) Interlocked.Add(ref _count, change);
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    private static async Task<PrometheusText> ScrapeAsync(HybridFlowApp app)
    {
        var response = await app.Client.GetAsync("/metrics");
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    private static double Delta(PrometheusText before, PrometheusText after, string name, string outcome)
    {
        double Value(PrometheusText t) => t.Samples.Where(s => s.Name == name && s.Labels.GetValueOrDefault("outcome") == outcome).Sum(s => s.Value);
        return Value(after) - Value(before);
    }
}
