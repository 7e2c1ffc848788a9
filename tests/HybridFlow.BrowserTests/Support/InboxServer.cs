using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Infrastructure;
using HybridFlow.IntegrationTests.Llm;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.BrowserTests.Support;

/// <summary>
/// The API as a real process on a 127.0.0.1 port (a browser needs a real socket), on a fresh database, with the fake
/// Evolution and the fake OpenAI-compatible model over real HTTP. Tenants, users and webhooks go through the API.
/// </summary>
public sealed class InboxServer : IAsyncDisposable
{
    public const string AdminKey = "browser-admin-key-0123456789";
    public const string WebhookSecret = "instance-webhook-secret-0123456789";
    public const string EvolutionApiKey = "B6D711FCDE4D4FD5936544120E713976";
    public const string EncryptionKey = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=";
    public const string Password = "Correct-Horse-42!";
    public const string BotReply = "Olá! Abrimos amanhã das 7h às 19h.";

    private ApiProcess _api = null!;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _names = new();

    private InboxServer() { }

    public Uri BaseAddress => _api.BaseAddress;
    public FakeEvolutionServer Evolution { get; private set; } = null!;
    public FakeLlmServer Llm { get; private set; } = null!;
    /// <summary>Calls the API with the admin key.</summary>
    public HttpClient Admin { get; private set; } = null!;
    public string ApiOutput => _api.Output;

    public static async Task<InboxServer> StartAsync(PostgresServer postgres)
    {
        var server = new InboxServer();
        var database = await postgres.CreateDatabaseAsync();
        server.Evolution = await FakeEvolutionServer.StartAsync();
        server.Llm = await FakeLlmServer.StartAsync();
        server.Llm.ReplyText = BotReply;
        server._api = await ApiProcess.StartAsync(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = database,
            ["ADMIN_API_KEY"] = AdminKey,
            ["CRON_SECRET"] = "browser-cron-secret-0123456789",
            ["LLM_PROVIDER"] = "openai",
            ["OPENAI_API_KEY"] = "sk-test-not-a-real-key",
            ["OPENAI_BASE_URL"] = server.Llm.OpenAiBaseUrl.ToString(),
            ["OPENAI_MODEL"] = "gpt-test",
            ["LLM_TIMEOUT"] = "10",
            ["REPLY_POLL_MS"] = "50",
            ["REPLY_RETRY_BASE_SECONDS"] = "0.2",
            ["SEND_ECHO_WAIT_SECONDS"] = "1",
            ["SEND_RESOLVE_SECONDS"] = "0.5",
            ["LOG_LEVEL"] = "warning",
            ["SECRETS_ENCRYPTION_KEY"] = EncryptionKey,
            ["INBOX_KEEPALIVE_SECONDS"] = "2",
        });
        server.Admin = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        server.Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return server;
    }

    /// <summary>A tenant with an instance on the fake Evolution; answers its id and the instance name.</summary>
    public async Task<(long TenantId, string Instance)> CreateTenantAsync(string name = "Padaria Demo")
    {
        var tenant = await Admin.PostAsJsonAsync("api/tenants", new Dictionary<string, object?>
        {
            ["name"] = name, ["system_prompt"] = "Você é o assistente da Padaria Demo.",
        });
        Assert.That((int)tenant.StatusCode, Is.EqualTo(201), await tenant.Content.ReadAsStringAsync());
        var tenantId = (await tenant.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        // Letters only: a run of digits in the name would be masked in logs like a phone number.
        var instance = "ui-" + string.Concat(Guid.NewGuid().ToString("N")[..10].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))));
        var created = await Admin.PostAsJsonAsync("api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = tenantId, ["instance_name"] = instance, ["evo_server_url"] = Evolution.BaseAddress.ToString(),
            ["evo_api_key"] = EvolutionApiKey, ["webhook_secret"] = WebhookSecret,
        });
        Assert.That((int)created.StatusCode, Is.EqualTo(201), await created.Content.ReadAsStringAsync());
        return (tenantId, instance);
    }

    /// <summary>A user of the tenant (POST /api/tenants/{id}/users); answers the user's id.</summary>
    public async Task<string> CreateUserAsync(long tenantId, string email, string displayName, string role, string password = Password)
    {
        var response = await Admin.PostAsJsonAsync($"api/tenants/{tenantId}/users", new { email, display_name = displayName, role, password });
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").ToString();
    }

    /// <summary>Posts a customer's text as Evolution would (with the name given before in this chat when none is given), asserting the webhook was taken; answers the webhook's action.</summary>
    public async Task<string> CustomerWritesAsync(string instance, string chatId, string text, string? pushName = null, DateTimeOffset? at = null)
    {
        var payload = Payloads.CustomerText(chatId, text, at: at).WithInstance(instance);
        // The customer keeps the name they first wrote with (WhatsApp sends it on every message).
        pushName = pushName is null ? _names.GetValueOrDefault(chatId) : _names[chatId] = pushName;
        if (pushName is not null) payload["data"]!["pushName"] = pushName;
        Evolution.RecordReceived(instance, payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"webhook/{instance}")
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Webhook-Secret", WebhookSecret);
        var response = await Admin.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("action").GetString()!;
    }

    /// <summary>The inbox's conversation id for a chat (read with the admin key).</summary>
    public async Task<string> SessionIdAsync(long tenantId, string chatId)
    {
        string? id = null;
        await Eventually.HoldsAsync(async () =>
        {
            var page = await Admin.GetFromJsonAsync<JsonElement>($"api/inbox/conversations?tenant_id={tenantId}&status=all&page_size=200");
            id = page.GetProperty("items").EnumerateArray()
                .Where(c => c.GetProperty("chat_id").GetString() == chatId)
                .Select(c => c.GetProperty("session_id").ToString())
                .FirstOrDefault();
            return id is not null;
        }, "the conversation is in the inbox");
        return id!;
    }

    /// <summary>The texts the fake Evolution was asked to send into a chat, in order.</summary>
    public IReadOnlyList<string> SentTexts(string chatId) =>
        [.. Evolution.SendsTo(chatId).Select(s => s.Json.TryGetProperty("text", out var text) ? text.GetString() ?? "" : "")];

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        if (_api is not null) await _api.DisposeAsync();
        if (Evolution is not null) await Evolution.DisposeAsync();
        if (Llm is not null) await Llm.DisposeAsync();
    }
}

public static class Eventually
{
    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> otherwise.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }
        Assert.Fail($"Timed out waiting for: {what}");
    }

    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        HoldsAsync(() => Task.FromResult(condition()), what, timeout);
}
