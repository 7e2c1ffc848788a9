using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Media;

/// <summary>Issue 10 item 5 over HTTP: messages.update receipts move a message forward only; deletions hide it from the model.</summary>
public sealed class ReceiptsTests
{
    private HybridFlowApp _app = null!;
    private string _instance = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        (_, _instance) = await _app.CreateTenantWithInstanceAsync();
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes()
    {
        _app.Evolution.Reset();
        _app.Llm.Reset();
        _app.Llm.ReplyText = "Abrimos às 7h.";
    }

    private static JsonObject Receipt(string chat, string keyId, JsonNode? status, bool fromMe = true)
    {
        var p = Payloads.Load("messages_update");
        p["data"]!["keyId"] = keyId;
        p["data"]!["remoteJid"] = chat;
        p["data"]!["fromMe"] = fromMe;
        p["data"]!["status"] = status;
        return p;
    }

    private static JsonObject Deletion(string chat, string id)
    {
        var p = Payloads.Load("messages_delete");
        p["data"]!["remoteJid"] = chat;
        p["data"]!["id"] = id;
        return p;
    }

    private async Task<string> BotReplyIdAsync(string chat, string customerText)
    {
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, customerText));
        string? id = null;
        await HybridFlowApp.EventuallyAsync(async () =>
            (id = await _app.ScalarAsync<string>(
                "SELECT m.provider_message_id FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1 AND m.direction = 'bot'", chat)) is not null,
            "the bot's reply recorded");
        return id!;
    }

    private async Task<JsonElement> MessageItemAsync(string chat, string providerMessageId)
    {
        var session = await _app.GetSessionAsync(_instance, chat);
        var page = await _app.Admin.GetJsonAsync($"/api/events?session_id={session.GetProperty("id").GetInt64()}&page_size=200");
        return page.GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("kind").GetString() == "message" && i.GetProperty("provider_message_id").GetString() == providerMessageId);
    }

    [Test]
    public async Task ReceiptsInOrder_MoveTheBotReplyForward_AndShowOnTheTimeline()
    {
        var chat = Payloads.NewChatId();
        var reply = await BotReplyIdAsync(chat, "Oi");

        Assert.That(await _app.DeliverAsync(_instance, Receipt(chat, reply, "SERVER_ACK")), Is.EqualTo("status_updated"));
        Assert.That((await MessageItemAsync(chat, reply)).GetProperty("status").GetString(), Is.EqualTo("SERVER_ACK"));
        await _app.DeliverAsync(_instance, Receipt(chat, reply, "DELIVERY_ACK"));
        var delivered = await MessageItemAsync(chat, reply);
        Assert.That(delivered.GetProperty("status").GetString(), Is.EqualTo("DELIVERY_ACK"));
        Assert.That(delivered.GetProperty("delivered_at").ValueKind, Is.EqualTo(JsonValueKind.String));
        Assert.That(delivered.GetProperty("read_at").ValueKind, Is.EqualTo(JsonValueKind.Null));

        await _app.DeliverAsync(_instance, Receipt(chat, reply, "READ"));
        var read = await MessageItemAsync(chat, reply);
        Assert.That(read.GetProperty("status").GetString(), Is.EqualTo("READ"));
        Assert.That(read.GetProperty("delivered_at").GetDateTimeOffset(), Is.EqualTo(delivered.GetProperty("delivered_at").GetDateTimeOffset()), "the first delivery is kept");
        Assert.That(read.GetProperty("read_at").ValueKind, Is.EqualTo(JsonValueKind.String));
        Assert.That(read.GetProperty("deleted").GetBoolean(), Is.False);
    }

    [Test]
    public async Task ReadThenDeliveryAck_StaysRead()
    {
        var chat = Payloads.NewChatId();
        var reply = await BotReplyIdAsync(chat, "Oi");

        await _app.DeliverAsync(_instance, Receipt(chat, reply, "READ"));
        await _app.DeliverAsync(_instance, Receipt(chat, reply, "DELIVERY_ACK"));
        await _app.DeliverAsync(_instance, Receipt(chat, reply, "READ"));

        var item = await MessageItemAsync(chat, reply);
        Assert.That(item.GetProperty("status").GetString(), Is.EqualTo("READ"));
        Assert.That(item.GetProperty("delivered_at").GetDateTimeOffset(), Is.EqualTo(item.GetProperty("read_at").GetDateTimeOffset()), "READ implies delivered");
    }

    [Test]
    public async Task NumericStatuses_AreUnderstood()
    {
        var chat = Payloads.NewChatId();
        var reply = await BotReplyIdAsync(chat, "Oi");
        Assert.That(await _app.DeliverAsync(_instance, Receipt(chat, reply, 3)), Is.EqualTo("status_updated"));
        Assert.That((await MessageItemAsync(chat, reply)).GetProperty("status").GetString(), Is.EqualTo("DELIVERY_ACK"));
        await _app.DeliverAsync(_instance, Receipt(chat, reply, 5));
        Assert.That((await MessageItemAsync(chat, reply)).GetProperty("status").GetString(), Is.EqualTo("PLAYED"));
    }

    [Test]
    public async Task ReceiptForTheBotReply_BeforeSendTextAnswers_IsApplied()
    {
        var chat = Payloads.NewChatId();
        // Evolution's receipt can beat its own sendText answer: it arrives while the send is still waiting for it.
        _app.Evolution.BeforeAnswer = async (jid, _, keyId) =>
        {
            if (jid != chat) return;
            Assert.That(await _app.DeliverAsync(_instance, Receipt(chat, keyId, "DELIVERY_ACK")), Is.EqualTo("status_updated"));
        };
        var reply = await BotReplyIdAsync(chat, "Oi");

        var item = await MessageItemAsync(chat, reply);
        Assert.That(item.GetProperty("status").GetString(), Is.EqualTo("DELIVERY_ACK"));
        Assert.That(item.GetProperty("delivered_at").ValueKind, Is.EqualTo(JsonValueKind.String));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM pending_receipts WHERE provider_message_id = $1", reply), Is.Zero);
    }

    [Test]
    public async Task ReceiptBeforeTheCustomersMessage_IsAppliedWhenItArrives()
    {
        var chat = Payloads.NewChatId();
        var id = Payloads.NewMessageId();
        await _app.DeliverAsync(_instance, Receipt(chat, id, "READ", fromMe: false));
        await _app.DeliverAsync(_instance, Receipt(chat, id, "DELIVERY_ACK", fromMe: false));

        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi", messageId: id));
        var item = await MessageItemAsync(chat, id);
        Assert.That(item.GetProperty("status").GetString(), Is.EqualTo("READ"));
        Assert.That(item.GetProperty("read_at").ValueKind, Is.EqualTo(JsonValueKind.String));
        Assert.That(item.GetProperty("delivered_at").ValueKind, Is.EqualTo(JsonValueKind.String), "the earlier receipt's time is kept too");
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM pending_receipts WHERE provider_message_id = $1", id), Is.Zero,
            "the kept receipt is used up");
    }

    [Test]
    public async Task UnknownStatus_IsIgnored_AndBadShapesAre400()
    {
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(_instance, Receipt(chat, Payloads.NewMessageId(), "SEEN_BY_ALIENS")), Is.EqualTo("ignored_event"));
        Assert.That(await _app.DeliverAsync(_instance, Receipt(chat, Payloads.NewMessageId(), 42)), Is.EqualTo("ignored_event"));

        var noId = Receipt(chat, "x", "READ");
        noId["data"]!.AsObject().Remove("keyId");
        Assert.That((int)(await _app.PostWebhookAsync(_instance, noId)).StatusCode, Is.EqualTo(400));
        var badStatus = Receipt(chat, Payloads.NewMessageId(), new JsonObject { ["nested"] = true });
        Assert.That((int)(await _app.PostWebhookAsync(_instance, badStatus)).StatusCode, Is.EqualTo(400));
        var noData = Receipt(chat, "x", "READ");
        noData["data"] = "READ";
        Assert.That((int)(await _app.PostWebhookAsync(_instance, noData)).StatusCode, Is.EqualTo(400));
    }

    [Test]
    public async Task GroupReceipts_AreNotKept()
    {
        var id = Payloads.NewMessageId();
        Assert.That(await _app.DeliverAsync(_instance, Receipt("120363041967849074@g.us", id, "READ")), Is.EqualTo("ignored_group"));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM pending_receipts WHERE provider_message_id = $1", id), Is.Zero);
    }

    [Test]
    public async Task DeletedMessage_IsLeftOutOfTheNextPrompt_AndMarkedOnTheTimeline()
    {
        var chat = Payloads.NewChatId();
        var secretId = Payloads.NewMessageId();
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Minha senha é abacaxi42", messageId: secretId));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the first reply");
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(_instance, chat)).Contains("ai_replied"), "recorded");

        Assert.That(await _app.DeliverAsync(_instance, Deletion(chat, secretId)), Is.EqualTo("message_deleted"));
        // The same revoke also comes as a protocolMessage upsert: harmless, noted once.
        var revoke = Payloads.Load("upsert_protocol_delete");
        revoke["data"]!["key"]!["remoteJid"] = chat;
        revoke["data"]!["key"]!["id"] = Payloads.NewMessageId();
        revoke["data"]!["message"]!["protocolMessage"]!["key"]!["remoteJid"] = chat;
        revoke["data"]!["message"]!["protocolMessage"]!["key"]!["id"] = secretId;
        Assert.That(await _app.DeliverAsync(_instance, revoke), Is.EqualTo("message_deleted"));

        var item = await MessageItemAsync(chat, secretId);
        Assert.That(item.GetProperty("deleted").GetBoolean(), Is.True);
        Assert.That(item.GetProperty("deleted_at").ValueKind, Is.EqualTo(JsonValueKind.String));
        Assert.That((await _app.TimelineAsync(_instance, chat)).Count(a => a == "message_deleted"), Is.EqualTo(1));

        _app.Llm.Reset();
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Vocês abrem amanhã?"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 2, "the second reply");
        var prompt = _app.Llm.Requests.Single().Body;
        Assert.That(prompt, Does.Contain("Vocês abrem amanhã?"));
        Assert.That(prompt, Does.Not.Contain("abacaxi42"));
    }

    [Test]
    public async Task RevokeBeforeItsMessage_IsAppliedWhenItArrives()
    {
        var chat = Payloads.NewChatId();
        var id = Payloads.NewMessageId();
        Assert.That(await _app.DeliverAsync(_instance, Deletion(chat, id)), Is.EqualTo("message_deleted"));
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "apagada", messageId: id));
        Assert.That((await MessageItemAsync(chat, id)).GetProperty("deleted").GetBoolean(), Is.True);
    }

    [Test]
    public async Task OldPendingReceipts_ArePurgedByTheSweep()
    {
        var id = Payloads.NewMessageId();
        await _app.DeliverAsync(_instance, Receipt(Payloads.NewChatId(), id, "READ"));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM pending_receipts WHERE provider_message_id = $1", id), Is.EqualTo(1));

        await _app.ScalarAsync<long>("UPDATE pending_receipts SET received_at = now() - interval '1 hour' WHERE provider_message_id = $1 RETURNING 1", id);
        var sweep = new HttpRequestMessage(HttpMethod.Post, "/cron/auto-resume");
        sweep.Headers.Add("X-Cron-Secret", HybridFlowApp.CronSecret);
        var response = await _app.Client.SendAsync(sweep);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM pending_receipts WHERE provider_message_id = $1", id), Is.Zero);
    }

    [Test]
    public async Task ConcurrentReceipts_EndAtTheFurthestStatus()
    {
        var chat = Payloads.NewChatId();
        var reply = await BotReplyIdAsync(chat, "Oi");
        string[] statuses = ["SERVER_ACK", "DELIVERY_ACK", "READ", "PLAYED", "DELIVERY_ACK", "SERVER_ACK", "READ", "DELIVERY_ACK"];
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).SelectMany(_ => statuses)
            .Select(status => _app.DeliverAsync(_instance, Receipt(chat, reply, status))));

        Assert.That(answers, Is.All.EqualTo("status_updated"));
        var item = await MessageItemAsync(chat, reply);
        Assert.That(item.GetProperty("status").GetString(), Is.EqualTo("PLAYED"));
        Assert.That(item.GetProperty("read_at").ValueKind, Is.EqualTo(JsonValueKind.String));
    }
}
