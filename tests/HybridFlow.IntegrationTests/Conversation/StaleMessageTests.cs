using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Conversation;

/// <summary>
/// Old messages (issue 19 item 4): after an outage Evolution and Meta deliver old messages again. One older than the
/// tenant's stale_message_minutes is recorded and shown, not answered (ignored_stale), and the chat needs a person;
/// a fresh message from the same customer is answered as usual.
/// </summary>
public sealed class StaleMessageTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private async Task<JsonElement> ConversationAsync(long sessionId) =>
        await _app.Admin.GetFromJsonAsync<JsonElement>($"/api/inbox/conversations/{sessionId}");

    [Test]
    public async Task MessageFromTwoDaysAgo_IsRecordedNotAnswered_AndNeedsAPerson_AndAFreshOneIsAnswered()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { debounce_seconds = 0 });
        var chat = Payloads.NewChatId();

        var old = Payloads.CustomerText(chat, "Vocês abrem no domingo?", at: DateTimeOffset.UtcNow.AddDays(-2));
        Assert.That(await _app.DeliverAsync(instance, old), Is.EqualTo("ignored_stale"));

        var session = await _app.GetSessionAsync(instance, chat);
        var sessionId = session.GetProperty("id").GetInt64();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.GetProperty("needs_attention").GetBoolean(), Is.True);
            Assert.That(session.GetProperty("is_paused").GetBoolean(), Is.False, "a flag, not a pause");
            Assert.That(await _app.TimelineAsync(instance, chat), Does.Contain("ignored_stale"));
            Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM messages WHERE session_id = $1 AND direction = 'inbound'", sessionId),
                Is.EqualTo(1), "the message is kept");
            Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM reply_jobs WHERE session_id = $1", sessionId), Is.Zero, "no reply queued");
            var conversation = await ConversationAsync(sessionId);
            Assert.That(conversation.GetProperty("needs_attention").GetBoolean(), Is.True, "the inbox shows it");
            var needsPerson = await _app.Admin.GetFromJsonAsync<JsonElement>($"/api/inbox/conversations?status=needs_person&tenant_id={tenantId}");
            Assert.That(needsPerson.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("session_id").GetInt64()), Does.Contain(sessionId));
            var listed = await _app.Admin.GetFromJsonAsync<JsonElement>($"/api/sessions?tenant_id={tenantId}&state=needs_attention");
            Assert.That(listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()), Does.Contain(sessionId));
        }

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi, alguém aí?")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the fresh message answered");
        Assert.That((await _app.GetSessionAsync(instance, chat)).GetProperty("needs_attention").GetBoolean(), Is.True,
            "the old question still waits for a person");

        await ApiAssert.StatusAsync(await _app.Admin.PostAsync($"/api/sessions/{sessionId}/resume?tenant_id={tenantId}", null), 200);
        Assert.That((await _app.GetSessionAsync(instance, chat)).GetProperty("needs_attention").GetBoolean(), Is.False, "a person saw it");
    }

    [Test]
    public async Task StaleMessageMinutes_IsPerTenant_AndAMessageWithinItIsAnswered()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { stale_message_minutes = 180 });
        var tenant = await _app.Admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenantId}");
        Assert.That(tenant.GetProperty("stale_message_minutes").GetInt32(), Is.EqualTo(180));

        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi", at: DateTimeOffset.UtcNow.AddHours(-2))), Is.EqualTo("ai_queued"));
        var later = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(later, "Oi", at: DateTimeOffset.UtcNow.AddHours(-4))), Is.EqualTo("ignored_stale"));

        var (defaultTenant, _) = await _app.CreateTenantWithInstanceAsync();
        var read = await _app.Admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{defaultTenant}");
        Assert.That(read.GetProperty("stale_message_minutes").GetInt32(), Is.EqualTo(30));
    }

    [Test]
    public async Task OldRequestForAPerson_IsNotActedOnByTheBot_ButNeedsAPerson()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "quero falar com um atendente", at: DateTimeOffset.UtcNow.AddHours(-3))),
            Is.EqualTo("ignored_stale"));
        var session = await _app.GetSessionAsync(instance, chat);
        Assert.That(session.GetProperty("needs_attention").GetBoolean(), Is.True);
        Assert.That(session.GetProperty("is_paused").GetBoolean(), Is.False);
    }

    [Test]
    public async Task APersonWritingThroughSendMessage_ClearsTheFlag()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi?", at: DateTimeOffset.UtcNow.AddHours(-1))), Is.EqualTo("ignored_stale"));

        var sent = await _app.Admin.PostAsJsonAsync("/api/evolution/send-message",
            new { instance_name = instance, chat_id = chat, text = "Desculpe a demora! Abrimos às 7h.", @as = "bot" });
        Assert.That((int)sent.StatusCode, Is.EqualTo(201), await sent.Content.ReadAsStringAsync());
        Assert.That((await _app.GetSessionAsync(instance, chat)).GetProperty("needs_attention").GetBoolean(), Is.False);
    }
}
