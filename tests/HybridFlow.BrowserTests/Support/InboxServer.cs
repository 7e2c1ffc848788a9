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
    /// <summary>The platform admin made at startup from ADMIN_EMAIL and ADMIN_PASSWORD, as the README's quickstart does.</summary>
    public const string PlatformAdminEmail = "owner@hybridflow.test";
    public const string BotReply = "Olá! Abrimos amanhã das 7h às 19h.";

    private ApiProcess _api = null!;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _names = new();

    private InboxServer() { }

    public Uri BaseAddress => _api.BaseAddress;
    public FakeEvolutionServer Evolution { get; private set; } = null!;
    public FakeLlmServer Llm { get; private set; } = null!;
    /// <summary>Meta's Graph API (META_GRAPH_URL), for Cloud API instances (<see cref="CreateMetaTenantAsync"/>).</summary>
    public FakeGraphApi Graph { get; private set; } = null!;
    /// <summary>The API's database, for what the tests write straight into it.</summary>
    public string ConnectionString { get; private set; } = "";
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
        server.Graph = await FakeGraphApi.StartAsync();
        server.ConnectionString = database;
        server._api = await ApiProcess.StartAsync(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = database,
            ["ADMIN_API_KEY"] = AdminKey,
            ["ADMIN_EMAIL"] = PlatformAdminEmail,
            ["ADMIN_PASSWORD"] = Password,
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
            ["META_GRAPH_URL"] = server.Graph.GraphUrl.ToString(),
            ["META_APP_SECRET"] = server.Graph.AppSecret,
            ["META_VERIFY_TOKEN"] = server.Graph.VerifyToken,
            ["LLM_PRICES"] = "openai:gpt-test=1.5/6",
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

    /// <summary>A tenant with a Cloud API instance on the fake Graph API; answers its id and the instance name.</summary>
    public async Task<(long TenantId, string Instance)> CreateMetaTenantAsync(string name = "Padaria Cloud")
    {
        var tenant = await Admin.PostAsJsonAsync("api/tenants", new Dictionary<string, object?>
        {
            ["name"] = name, ["system_prompt"] = "Você é o assistente da Padaria Cloud.",
        });
        Assert.That((int)tenant.StatusCode, Is.EqualTo(201), await tenant.Content.ReadAsStringAsync());
        var tenantId = (await tenant.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var instance = "ui-" + string.Concat(Guid.NewGuid().ToString("N")[..10].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))));
        var created = await Admin.PostAsJsonAsync("api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = tenantId, ["instance_name"] = instance, ["provider"] = "meta_cloud",
            ["meta_phone_number_id"] = "1065" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["meta_waba_id"] = "102290129340398", ["meta_access_token"] = FakeGraphApi.DefaultAccessToken,
        });
        Assert.That((int)created.StatusCode, Is.EqualTo(201), await created.Content.ReadAsStringAsync());
        return (tenantId, instance);
    }

    /// <summary>
    /// A customer's message in a Cloud API chat sent at <paramref name="sentAt"/> (WhatsApp's timestamp), written into the
    /// tables as the Meta webhook stores it; answers the conversation's id.
    /// </summary>
    public async Task<string> MetaCustomerWroteAsync(string instance, string chatId, string text, DateTimeOffset sentAt, string contactName = "Maria Souza")
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("""
            WITH i AS (SELECT id, tenant_id FROM instances WHERE instance_name = $1),
            s AS (
                INSERT INTO sessions (tenant_id, instance_id, chat_id, created_at, updated_at, last_message_at, contact_name)
                SELECT i.tenant_id, i.id, $2, $3, $3, $3, $5 FROM i
                ON CONFLICT (instance_id, chat_id) DO UPDATE SET last_message_at = EXCLUDED.last_message_at, updated_at = EXCLUDED.updated_at
                RETURNING id, tenant_id, instance_id)
            INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, sent_at, created_at)
            SELECT s.tenant_id, s.instance_id, s.id, $6, 'inbound', 'conversation', $4, $3, $3 FROM s
            RETURNING session_id
            """, connection);
        cmd.Parameters.AddWithValue(instance);
        cmd.Parameters.AddWithValue(chatId);
        cmd.Parameters.AddWithValue(sentAt.ToUniversalTime());
        cmd.Parameters.AddWithValue(text);
        cmd.Parameters.AddWithValue(contactName);
        cmd.Parameters.AddWithValue("wamid.ui" + Guid.NewGuid().ToString("N"));
        return Convert.ToString(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
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

    /// <summary>Posts a message the owner typed on the phone (fromMe), as Evolution would; answers the webhook's action.</summary>
    public async Task<string> OwnerWritesAsync(string instance, string chatId, string text)
    {
        var payload = Payloads.OwnerText(chatId, text).WithInstance(instance);
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
        if (Graph is not null) await Graph.DisposeAsync();
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
