using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Inbox;

/// <summary>The inbox for people who logged in (the auth cookie): agents' visibility, self-assignment, sent_by, unread counts.</summary>
public sealed class InboxUserTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes() => _app.Evolution.Reset();

    private sealed record Person(long Id, HttpClient Client);

    private async Task<Person> LogInAsync(InboxTenant t, string name, string role)
    {
        var email = $"{name.ToLowerInvariant()}.{Guid.NewGuid():N}@example.com";
        var id = await UserSessions.CreateUserAsync(_app, t.TenantId, email, role, displayName: name);
        return new Person(id, await UserSessions.LoginAsync(_app, email));
    }

    [Test]
    public async Task AgentUser_SeesTheirsAndTheUnassigned_AndAnotherAgentsIs404OnEveryEndpoint()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var carla = await LogInAsync(t, "Carla", "agent");
        var bruno = await LogInAsync(t, "Bruno", "agent");
        var mine = await t.NewConversationAsync();
        var brunos = await t.NewConversationAsync();
        var unassigned = await t.NewConversationAsync();
        await t.Admin.PatchOkAsync(mine.SessionId, $$"""{"assignee_user_id": {{carla.Id}}}""");
        await t.Admin.PatchOkAsync(brunos.SessionId, $$"""{"assignee_user_id": {{bruno.Id}}}""");

        Assert.That((await carla.Client.ListAsync("status=all")).SessionIds(), Is.EquivalentTo(new[] { mine.SessionId, unassigned.SessionId }));
        Assert.That((await carla.Client.ListAsync("assigned_to=me")).SessionIds(), Is.EqualTo(new[] { mine.SessionId }));
        Assert.That((await carla.Client.ListAsync($"assigned_to={bruno.Id}")).SessionIds(), Is.Empty);
        Assert.That((await bruno.Client.ListAsync()).SessionIds(), Is.EquivalentTo(new[] { brunos.SessionId, unassigned.SessionId }));
        Assert.That((await t.Agent.ListAsync()).SessionIds(), Has.Count.EqualTo(3), "an agent API key sees the tenant's");

        var theirs = brunos.SessionId;
        var c = carla.Client;
        await ApiAssert.ProblemAsync(await c.GetAsync(InboxCalls.Conversation(theirs)), 404);
        await ApiAssert.ProblemAsync(await c.GetAsync(InboxCalls.Conversation(theirs, "/messages")), 404);
        await ApiAssert.ProblemAsync(await c.PatchJsonAsync(InboxCalls.Conversation(theirs), """{"tags": ["x"]}"""), 404);
        await ApiAssert.ProblemAsync(await c.PatchJsonAsync(InboxCalls.Conversation(theirs), $$"""{"assignee_user_id": {{carla.Id}}}"""), 404);
        await ApiAssert.ProblemAsync(await c.PostJsonAsync(InboxCalls.Conversation(theirs, "/messages"), new { text = "Oi" }), 404);
        await ApiAssert.ProblemAsync(await c.PostJsonAsync(InboxCalls.Conversation(theirs, "/notes"), new { text = "nota" }), 404);
        await ApiAssert.ProblemAsync(await c.PostJsonAsync(InboxCalls.Conversation(theirs, "/read")), 404);
        await ApiAssert.ProblemAsync(await c.PostJsonAsync(InboxCalls.Conversation(theirs, "/typing")), 404);
        await ApiAssert.ProblemAsync(await c.PostJsonAsync(InboxCalls.Conversation(theirs, "/pause"), new { minutes = 5 }), 404);
        await ApiAssert.ProblemAsync(await c.PostJsonAsync(InboxCalls.Conversation(theirs, "/resume")), 404);

        Assert.That(_app.Evolution.Requests, Is.Empty);
        var untouched = await bruno.Client.GetJsonAsync(InboxCalls.Conversation(theirs));
        Assert.That(untouched.GetProperty("is_paused").GetBoolean(), Is.False);
        Assert.That(untouched.GetProperty("tags").GetArrayLength(), Is.Zero);
        Assert.That(untouched.GetProperty("assignee").GetProperty("id").GetInt64(), Is.EqualTo(bruno.Id));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM inbox_notes WHERE session_id = $1", theirs), Is.Zero);
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM inbox_reads WHERE session_id = $1", theirs), Is.Zero);

        // The unassigned one is Carla's to work on.
        await ApiAssert.StatusAsync(await c.GetAsync(InboxCalls.Conversation(unassigned.SessionId, "/messages")), 200);
        await c.PostOkAsync(InboxCalls.Conversation(unassigned.SessionId, "/notes"), new { text = "vejo essa" }, 201);
    }

    [Test]
    public async Task AgentUser_TakesUnassignedOrGivesBackTheirOwn_AndAssignsNobodyElse()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var carla = await LogInAsync(t, "Carla", "agent");
        var bruno = await LogInAsync(t, "Bruno", "agent");
        var (_, session) = await t.NewConversationAsync();

        await ApiAssert.ProblemAsync(await carla.Client.PatchJsonAsync(InboxCalls.Conversation(session), $$"""{"assignee_user_id": {{bruno.Id}}}"""), 403);
        var taken = await carla.Client.PatchOkAsync(session, $$"""{"assignee_user_id": {{carla.Id}}}""");
        Assert.That(taken.GetProperty("assignee").GetProperty("display_name").GetString(), Is.EqualTo("Carla"));
        Assert.That(await _app.ScalarAsync<string>("SELECT detail FROM session_events WHERE session_id = $1 AND action = 'assigned'", session),
            Is.EqualTo("to Carla by Carla"));
        await ApiAssert.ProblemAsync(await bruno.Client.GetAsync(InboxCalls.Conversation(session)), 404, null);
        await ApiAssert.ProblemAsync(await carla.Client.PatchJsonAsync(InboxCalls.Conversation(session), $$"""{"assignee_user_id": {{bruno.Id}}}"""), 403);

        var givenBack = await carla.Client.PatchOkAsync(session, """{"assignee_user_id": null}""");
        Assert.That(givenBack.GetProperty("assignee").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(await _app.ScalarAsync<string>("SELECT detail FROM session_events WHERE session_id = $1 AND action = 'unassigned'", session),
            Is.EqualTo("from Carla by Carla"));
        await ApiAssert.StatusAsync(await bruno.Client.GetAsync(InboxCalls.Conversation(session)), 200);

        // A tenant admin who logged in gives it to anyone of the tenant.
        var ana = await LogInAsync(t, "Ana", "tenant_admin");
        var assigned = await ana.Client.PatchOkAsync(session, $$"""{"assignee_user_id": {{bruno.Id}}, "tags": ["VIP"]}""");
        Assert.That(assigned.GetProperty("assignee").GetProperty("id").GetInt64(), Is.EqualTo(bruno.Id));
        await ApiAssert.ProblemAsync(await carla.Client.GetAsync(InboxCalls.Conversation(session)), 404);
        var assignees = await carla.Client.GetJsonAsync("/api/inbox/assignees");
        Assert.That(assignees.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("display_name").GetString()),
            Is.EqualTo(new[] { "Ana", "Bruno", "Carla" }));
    }

    [Test]
    public async Task Send_ByAPerson_RecordsTheSender_AssignsThem_AndSilencesTheBot()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var carla = await LogInAsync(t, "Carla", "agent");
        var (chat, session) = await t.NewConversationAsync("Meu pedido atrasou");

        var sent = await carla.Client.PostOkAsync(InboxCalls.Conversation(session, "/messages"), new { text = "Oi, é a Carla! Vou ver." }, 201);
        var conversation = sent.GetProperty("conversation");
        Assert.That(conversation.GetProperty("status").GetString(), Is.EqualTo("paused"));
        Assert.That(conversation.GetProperty("assignee").GetProperty("id").GetInt64(), Is.EqualTo(carla.Id), "unassigned: it becomes the sender's");
        var keyId = sent.GetProperty("provider_message_id").GetString()!;
        Assert.That(await _app.ScalarAsync<long>("SELECT sent_by_user_id FROM messages WHERE provider_message_id = $1", keyId), Is.EqualTo(carla.Id));
        Assert.That(await _app.ScalarAsync<string>("SELECT detail FROM session_events WHERE session_id = $1 AND action = 'paused'", session),
            Is.EqualTo("sent by Carla from the inbox"));
        Assert.That(await _app.ScalarAsync<string>("SELECT detail FROM session_events WHERE session_id = $1 AND action = 'assigned'", session),
            Is.EqualTo("to Carla (took the conversation over)"));

        var thread = await carla.Client.GetJsonAsync(InboxCalls.Conversation(session, "/messages"));
        var message = thread.GetProperty("items").EnumerateArray().First(i => i.GetProperty("kind").GetString() == "message");
        Assert.That(message.GetProperty("direction").GetString(), Is.EqualTo("human"));
        Assert.That(message.GetProperty("sent_by").GetProperty("id").GetInt64(), Is.EqualTo(carla.Id));
        Assert.That(message.GetProperty("sent_by").GetProperty("display_name").GetString(), Is.EqualTo("Carla"));

        Assert.That(await t.CustomerWritesAsync(chat, "Obrigada"), Is.EqualTo("ignored_paused"), "no AI reply");

        // Someone else's send keeps the assignee; the echo that beat the answer still gets its sender.
        var ana = await LogInAsync(t, "Ana", "tenant_admin");
        _app.Evolution.BeforeAnswer = async (remoteJid, text, id) => await _app.PostWebhookAsync(t.Instance, Payloads.SendMessageEcho(remoteJid, text, id));
        var second = await ana.Client.PostOkAsync(InboxCalls.Conversation(session, "/messages"), new { text = "Aqui é a Ana, gerente." }, 201);
        _app.Evolution.BeforeAnswer = null;
        Assert.That(second.GetProperty("conversation").GetProperty("assignee").GetProperty("id").GetInt64(), Is.EqualTo(carla.Id));
        Assert.That(await _app.ScalarAsync<long>("SELECT sent_by_user_id FROM messages WHERE provider_message_id = $1",
            second.GetProperty("provider_message_id").GetString()!), Is.EqualTo(ana.Id));
    }

    [Test]
    public async Task UnreadCount_CountsTheCustomersMessagesAfterEachPersonsRead()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var carla = await LogInAsync(t, "Carla", "agent");
        var ana = await LogInAsync(t, "Ana", "tenant_admin");
        var (chat, session) = await t.NewConversationAsync("Oi");
        await t.CustomerWritesAsync(chat, "Tem alguém aí?");
        await carla.Client.PatchOkAsync(session, $$"""{"assignee_user_id": {{carla.Id}}}""");

        async Task<long> UnreadAsync(Person p) => (await p.Client.GetJsonAsync(InboxCalls.Conversation(session))).GetProperty("unread_count").GetInt64();
        Assert.That(await UnreadAsync(carla), Is.EqualTo(2));
        Assert.That(await UnreadAsync(ana), Is.EqualTo(2));

        await ApiAssert.StatusAsync(await carla.Client.PostJsonAsync(InboxCalls.Conversation(session, "/read")), 204);
        Assert.That(await UnreadAsync(carla), Is.Zero);
        Assert.That(await UnreadAsync(ana), Is.EqualTo(2), "read state is per person");

        await t.CustomerWritesAsync(chat, "Olá?");
        Assert.That(await UnreadAsync(carla), Is.EqualTo(1));
        Assert.That(await UnreadAsync(ana), Is.EqualTo(3));
        await ana.Client.PostOkAsync(InboxCalls.Conversation(session, "/messages"), new { text = "Oi! Já vou ver." }, 201);
        Assert.That(await UnreadAsync(carla), Is.EqualTo(1), "only the customer's messages count");
        var listed = (await carla.Client.ListAsync()).GetProperty("items").EnumerateArray().Single(i => i.GetProperty("session_id").GetInt64() == session);
        Assert.That(listed.GetProperty("unread_count").GetInt64(), Is.EqualTo(1), "the list counts the same");

        await ApiAssert.StatusAsync(await ana.Client.PostJsonAsync(InboxCalls.Conversation(session, "/read")), 204);
        await ApiAssert.StatusAsync(await ana.Client.PostJsonAsync(InboxCalls.Conversation(session, "/read")), 204);
        Assert.That(await UnreadAsync(ana), Is.Zero);
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM inbox_reads WHERE session_id = $1", session), Is.EqualTo(2));
    }

    [Test]
    public async Task Note_ByAPerson_CarriesTheirNameAndId()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var carla = await LogInAsync(t, "Carla", "agent");
        var (_, session) = await t.NewConversationAsync();
        var note = await carla.Client.PostOkAsync(InboxCalls.Conversation(session, "/notes"), new { text = "Cliente VIP" }, 201);
        Assert.That(note.GetProperty("author").GetProperty("id").GetInt64(), Is.EqualTo(carla.Id));
        Assert.That(note.GetProperty("author").GetProperty("display_name").GetString(), Is.EqualTo("Carla"));
        Assert.That(_app.Evolution.Requests, Is.Empty);
    }
}
