using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Realtime;

/// <summary>
/// The stream under the inbox's visibility rule, for people who logged in with the cookie: an agent gets only the
/// conversations assigned to them or to nobody (and the conversation.updated that takes one away), a tenant admin all
/// of the tenant's, live and replayed alike. Assignments are written with SQL, as the inbox's PATCH writes them.
/// </summary>
public sealed class InboxEventVisibilityTests
{
    private HybridFlowApp _app = null!;
    private long _tenantId;
    private string _instance = "";
    private long _ana;
    private long _bia;
    private HttpClient _anaClient = null!;
    private HttpClient _biaClient = null!;
    private HttpClient _adminClient = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _app = await HybridFlowApp.StartAsync();
        (_tenantId, _instance) = await _app.CreateTenantWithInstanceAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        _ana = await UserSessions.CreateUserAsync(_app, _tenantId, $"ana-{suffix}@example.com", "agent");
        _bia = await UserSessions.CreateUserAsync(_app, _tenantId, $"bia-{suffix}@example.com", "agent");
        await UserSessions.CreateUserAsync(_app, _tenantId, $"carla-{suffix}@example.com", "tenant_admin");
        _anaClient = await UserSessions.LoginAsync(_app, $"ana-{suffix}@example.com");
        _biaClient = await UserSessions.LoginAsync(_app, $"bia-{suffix}@example.com");
        _adminClient = await UserSessions.LoginAsync(_app, $"carla-{suffix}@example.com");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    /// <summary>A chat the owner took over (so no reply job runs), assigned to <paramref name="assignee"/>.</summary>
    private async Task<long> ChatAsync(long? assignee)
    {
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(_instance, Payloads.OwnerText(chat, "Eu atendo")), Is.EqualTo("paused"));
        var sessionId = (await _app.GetSessionAsync(_instance, chat)).GetProperty("id").GetInt64();
        if (assignee is { } user) await AssignAsync(sessionId, user);
        return sessionId;
    }

    /// <summary>
    /// <see cref="ChatAsync"/>, returning once its events are out on this process (they are published in order), so that
    /// a stream opened afterwards only gets what happens from then on.
    /// </summary>
    private async Task<long> SettledChatAsync(long? assignee)
    {
        await using var barrier = await SseStream.OpenAsync(_app.Admin);
        var sessionId = await ChatAsync(assignee);
        await barrier.WaitForAsync(assignee is null ? "session.paused" : "conversation.updated", sessionId);
        return sessionId;
    }

    private Task AssignAsync(long sessionId, long? user) =>
        _app.ScalarAsync<int>("UPDATE sessions SET assignee_user_id = $2 WHERE id = $1 RETURNING 1", sessionId, user ?? (object)DBNull.Value);

    private Task<long> NoteAsync(long sessionId) =>
        _app.ScalarAsync<long>("INSERT INTO inbox_notes (tenant_id, session_id, author_name, text, created_at) VALUES ($1, $2, 'Nota', 'nota interna', now()) RETURNING id",
            _tenantId, sessionId);

    private static IEnumerable<long> Sessions(SseStream stream) => stream.Events.Select(e => e.SessionId).Distinct();

    [Test]
    public async Task Agent_GetsTheirsAndTheUnassigned_NeverAnotherAgentsChat_WhileTheTenantAdminGetsAll()
    {
        var start = await _app.ScalarAsync<long>("SELECT coalesce(max(id), 0) FROM inbox_events");
        var unassigned = await SettledChatAsync(null);
        var anas = await SettledChatAsync(_ana);
        var bias = await SettledChatAsync(_bia);
        await using var ana = await SseStream.OpenAsync(_anaClient);
        await using var bia = await SseStream.OpenAsync(_biaClient);
        await using var admin = await SseStream.OpenAsync(_adminClient);

        await NoteAsync(bias);
        await NoteAsync(anas);
        await NoteAsync(unassigned);
        await ana.WaitForAsync("note.created", unassigned);
        await bia.WaitForAsync("note.created", unassigned);
        await admin.WaitForAsync("note.created", unassigned);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Sessions(ana), Is.EquivalentTo(new[] { anas, unassigned }), "Ana: hers and the unassigned");
            Assert.That(Sessions(bia), Is.EquivalentTo(new[] { bias, unassigned }), "Bia: hers and the unassigned");
            Assert.That(Sessions(admin), Is.EquivalentTo(new[] { anas, bias, unassigned }), "the tenant admin: all");
        }

        // Replayed from the start, the same rule: the events of Bia's chat before and after its assignment are not Ana's.
        await using var anaReplay = await SseStream.OpenAsync(_anaClient, lastEventId: start.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await anaReplay.WaitForAsync("note.created", unassigned);
        Assert.That(anaReplay.Events.Where(e => e.SessionId == bias).Select(e => e.Event), Is.EqualTo(new[] { "message.created", "session.paused", "conversation.updated" }),
            "what happened in Bia's chat while it was unassigned, and the assignment that took it from the queue, not after");
        Assert.That(Sessions(anaReplay), Is.EquivalentTo(new[] { anas, bias, unassigned }));
    }

    [Test]
    public async Task Reassigned_TheAgentWhoLostItHearsOfIt_ThenNothingMore()
    {
        var chat = await SettledChatAsync(_ana);
        await using var ana = await SseStream.OpenAsync(_anaClient);
        await using var bia = await SseStream.OpenAsync(_biaClient);

        await AssignAsync(chat, _bia);
        // The reassignment's own event: the earlier assignment to Ana may still be on its way when the streams open.
        var reassigned = await _app.ScalarAsync<long>(
            "SELECT max(id) FROM inbox_events WHERE session_id = $1 AND type = 'conversation.updated' AND previous_assignee_user_id = $2", chat, _ana);
        var lost = await ana.WaitForAsync(e => e.EventId == reassigned, "the reassignment on Ana's stream");
        var gained = await bia.WaitForAsync(e => e.EventId == reassigned, "the reassignment on Bia's stream");
        Assert.That(gained.Id, Is.EqualTo(lost.Id), "one event, which both may see");

        await NoteAsync(chat);
        await bia.WaitForAsync("note.created", chat);
        // Ana's stream is live (a later unassigned chat reaches it), and Bia's chat's note did not.
        var later = await ChatAsync(null);
        await ana.WaitForAsync("session.paused", later);
        Assert.That(ana.Events.Where(e => e.SessionId == chat && e.EventId >= reassigned).Select(e => e.Event), Is.EqualTo(new[] { "conversation.updated" }),
            "after the reassignment, nothing more of the chat reaches Ana");
    }

    [Test]
    public async Task AgentApiKey_HasNoPerson_SoItGetsTheWholeTenant()
    {
        var key = await _app.CreateApiKeyAsync(_tenantId, "agent");
        await using var stream = await SseStream.OpenAsync(_app.ClientWithKey(key));
        var bias = await ChatAsync(_bia);

        await NoteAsync(bias);
        await stream.WaitForAsync("note.created", bias);
    }
}
