using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Inbox;

/// <summary>
/// GET and PATCH /api/inbox/conversations/{id}/contact over HTTP: the name a person gives a customer wins over WhatsApp's
/// in the inbox (and in its search) until it is given back, notes, the tenant's chats with the customer, and the checks.
/// </summary>
public sealed class ContactTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static Task<HttpResponseMessage> PatchAsync(HttpClient client, long sessionId, string json) =>
        client.PatchAsync($"/api/inbox/conversations/{sessionId}/contact", new StringContent(json, Encoding.UTF8, "application/json"));

    [Test]
    public async Task APersonsNameForTheCustomer_WinsOverWhatsAppsInTheInbox_UntilItIsGivenBack()
    {
        var tenant = await InboxTenant.CreateAsync(_app);
        var (chat, sessionId) = await tenant.NewConversationAsync(pushName: "Carla");

        var contact = await OkAsync(await tenant.Agent.GetAsync($"/api/inbox/conversations/{sessionId}/contact"));
        Assert.That(contact.GetProperty("name").GetString(), Is.EqualTo("Carla"));
        Assert.That(contact.GetProperty("whatsapp_name").GetString(), Is.EqualTo("Carla"));
        Assert.That(contact.GetProperty("name_set_by_person").GetBoolean(), Is.False);
        Assert.That(contact.GetProperty("phone").GetString(), Is.EqualTo(chat.Split('@')[0]), "as the inbox gives it");
        Assert.That(contact.GetProperty("channel").GetString(), Is.EqualTo("evolution"));
        Assert.That(contact.GetProperty("conversations").GetInt64(), Is.EqualTo(1));
        Assert.That(contact.GetProperty("first_seen_at").ValueKind, Is.EqualTo(JsonValueKind.String));
        Assert.That(contact.GetProperty("notes").ValueKind, Is.EqualTo(JsonValueKind.Null));

        var renamed = await OkAsync(await PatchAsync(tenant.Agent, sessionId, """{"name": "  Carla Dias (VIP) ", "notes": "Prefers pickup after 5 pm."}"""));
        Assert.That(renamed.GetProperty("name").GetString(), Is.EqualTo("Carla Dias (VIP)"));
        Assert.That(renamed.GetProperty("name_set_by_person").GetBoolean(), Is.True);
        Assert.That(renamed.GetProperty("notes").GetString(), Is.EqualTo("Prefers pickup after 5 pm."));

        // WhatsApp sends a new push name: the person's name stays, WhatsApp's is kept beside it.
        await tenant.CustomerWritesAsync(chat, "Meu pedido?", pushName: "Carlinha");
        var after = await OkAsync(await tenant.Agent.GetAsync($"/api/inbox/conversations/{sessionId}/contact"));
        Assert.That(after.GetProperty("name").GetString(), Is.EqualTo("Carla Dias (VIP)"));
        Assert.That(after.GetProperty("whatsapp_name").GetString(), Is.EqualTo("Carlinha"));
        var conversation = await OkAsync(await tenant.Agent.GetAsync($"/api/inbox/conversations/{sessionId}"));
        Assert.That(conversation.GetProperty("contact_name").GetString(), Is.EqualTo("Carla Dias (VIP)"), "the inbox shows the person's name");
        var found = await OkAsync(await tenant.Agent.GetAsync("/api/inbox/conversations?status=all&q=VIP"));
        Assert.That(found.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("session_id").GetInt64()), Is.EqualTo(new[] { sessionId }));

        // Only the notes: the name is left as it is. Then the name is given back.
        var notesOnly = await OkAsync(await PatchAsync(tenant.Agent, sessionId, """{"notes": ""}"""));
        Assert.That(notesOnly.GetProperty("name").GetString(), Is.EqualTo("Carla Dias (VIP)"));
        Assert.That(notesOnly.GetProperty("notes").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var givenBack = await OkAsync(await PatchAsync(tenant.Agent, sessionId, """{"name": null}"""));
        Assert.That(givenBack.GetProperty("name").GetString(), Is.EqualTo("Carlinha"));
        Assert.That(givenBack.GetProperty("name_set_by_person").GetBoolean(), Is.False);
    }

    [Test]
    public async Task TheCustomersChatsOnTheTenantsOtherNumbers_ShareTheContact()
    {
        var tenant = await InboxTenant.CreateAsync(_app);
        var (chat, first) = await tenant.NewConversationAsync(pushName: "Davi");
        var second = "inst-" + string.Concat(Guid.NewGuid().ToString("N")[..10].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))));
        var created = await _app.Admin.PostAsJsonAsync("/api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = tenant.TenantId, ["instance_name"] = second, ["evo_server_url"] = _app.Evolution.BaseAddress.ToString(),
            ["evo_api_key"] = HybridFlowApp.EvolutionApiKey, ["webhook_secret"] = HybridFlowApp.WebhookSecret,
        });
        Assert.That((int)created.StatusCode, Is.EqualTo(201), await created.Content.ReadAsStringAsync());
        var payload = Payloads.CustomerText(chat, "Oi pelo outro número");
        Assert.That((int)(await _app.PostWebhookAsync(second, payload)).StatusCode, Is.EqualTo(200));
        var secondSession = await _app.ScalarAsync<long>(
            "SELECT s.id FROM sessions s JOIN instances i ON i.id = s.instance_id WHERE i.instance_name = $1 AND s.chat_id = $2", second, chat);

        await OkAsync(await PatchAsync(tenant.Admin, first, """{"name": "Davi Lima"}"""));
        var other = await OkAsync(await tenant.Admin.GetAsync($"/api/inbox/conversations/{secondSession}/contact"));
        Assert.That(other.GetProperty("name").GetString(), Is.EqualTo("Davi Lima"));
        Assert.That(other.GetProperty("conversations").GetInt64(), Is.EqualTo(2));
    }

    [TestCase("""{"name": ""}""", "name")]
    [TestCase("""{"name": "   "}""", "name")]
    [TestCase("""{"name": "line\nbreak"}""", "name")]
    [TestCase("""{"nickname": "x"}""", null)]
    [TestCase("""{"name": "A\u0000B"}""", null)]
    public async Task BadInput_Is400_AndChangesNothing(string body, string? field)
    {
        var tenant = await InboxTenant.CreateAsync(_app);
        var (_, sessionId) = await tenant.NewConversationAsync(pushName: "Eva");
        var response = await PatchAsync(tenant.Agent, sessionId, body);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)response.StatusCode, Is.EqualTo(400), problem.ToString());
        if (field is not null) Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
        var contact = await OkAsync(await tenant.Agent.GetAsync($"/api/inbox/conversations/{sessionId}/contact"));
        Assert.That(contact.GetProperty("name").GetString(), Is.EqualTo("Eva"));
        var tooLong = await PatchAsync(tenant.Agent, sessionId, JsonSerializer.Serialize(new { name = new string('a', 101) }));
        Assert.That((int)tooLong.StatusCode, Is.EqualTo(400));
    }

    [Test]
    public async Task AnotherTenantsConversation_Is404()
    {
        var tenant = await InboxTenant.CreateAsync(_app);
        var (_, sessionId) = await tenant.NewConversationAsync(pushName: "Fábio");
        var stranger = await InboxTenant.CreateAsync(_app);
        Assert.That((int)(await stranger.Admin.GetAsync($"/api/inbox/conversations/{sessionId}/contact")).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await PatchAsync(stranger.Admin, sessionId, """{"name": "Hacked"}""")).StatusCode, Is.EqualTo(404));
        var contact = await OkAsync(await tenant.Admin.GetAsync($"/api/inbox/conversations/{sessionId}/contact"));
        Assert.That(contact.GetProperty("name").GetString(), Is.EqualTo("Fábio"));
    }
}
