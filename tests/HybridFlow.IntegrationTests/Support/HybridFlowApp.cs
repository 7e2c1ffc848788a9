using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Llm;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// The real API (WebApplicationFactory) on a fresh database of the run's PostgreSQL, wired to a fake Evolution
/// and a fake OpenAI-compatible model that both speak real HTTP on 127.0.0.1.
/// </summary>
public sealed class HybridFlowApp : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789";
    public const string CronSecret = "test-cron-secret-0123456789";
    public const string WebhookSecret = "instance-webhook-secret-0123456789";
    public const string EvolutionApiKey = "B6D711FCDE4D4FD5936544120E713976";
    /// <summary>The platform admin user every test app creates at startup (ADMIN_EMAIL / ADMIN_PASSWORD).</summary>
    public const string PlatformAdminEmail = "platform-admin@hybridflow.test";
    public const string PlatformAdminPassword = UserSessions.DefaultPassword;
    /// <summary>A fixed test key for secrets at rest (32 bytes, base64).</summary>
    public const string EncryptionKey = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=";

    private WebApplicationFactory<Program> _factory = null!;
    private readonly List<HttpClient> _keyClients = [];

    private HybridFlowApp() { }

    public string ConnectionString { get; private set; } = "";
    public FakeEvolutionServer Evolution { get; private set; } = null!;
    public FakeLlmServer Llm { get; private set; } = null!;
    /// <summary>Meta's Graph API (META_GRAPH_URL), for Cloud API instances (<see cref="CreateTenantWithMetaInstanceAsync"/>).</summary>
    public FakeGraphApi Graph { get; private set; } = null!;
    public TestClock Clock { get; } = new();
    /// <summary>Calls the API without credentials.</summary>
    public HttpClient Client { get; private set; } = null!;
    /// <summary>Calls the API with the admin key.</summary>
    public HttpClient Admin { get; private set; } = null!;
    public IReadOnlyDictionary<string, string?> Settings { get; private set; } = new Dictionary<string, string?>();
    public IServiceProvider Services { get; private set; } = null!;
    /// <summary>The Kestrel address when started with <c>realHttp</c>; null on the in-memory test server.</summary>
    public Uri? RealAddress { get; private set; }

    /// <summary>Starts the API (as <paramref name="environment"/>) on a fresh migrated database, or on <paramref name="sharedDatabase"/> (a second replica, or an empty database).</summary>
    public static async Task<HybridFlowApp> StartAsync(IDictionary<string, string?>? overrides = null, string? sharedDatabase = null,
        string environment = "Production", bool realHttp = false)
    {
        var app = new HybridFlowApp();
        app.ConnectionString = sharedDatabase ?? await TestEnvironment.CreateMigratedDatabaseAsync();
        app.Evolution = await FakeEvolutionServer.StartAsync();
        // Evolution posts its webhooks (the echo of every send) to the instance's webhook URL: here, the API under test.
        app.Evolution.DeliverWebhook = async (instance, payload) => (await app.PostWebhookAsync(instance, payload)).Dispose();
        app.Evolution.Now = () => app.Clock.GetUtcNow();
        app.Llm = await FakeLlmServer.StartAsync();
        app.Llm.ReplyText = "Olá! Abrimos amanhã das 7h às 19h.";
        app.Graph = await FakeGraphApi.StartAsync();
        app.Graph.Now = () => app.Clock.GetUtcNow();

        var settings = new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = app.ConnectionString,
            ["ADMIN_API_KEY"] = AdminKey,
            ["CRON_SECRET"] = CronSecret,
            ["LLM_PROVIDER"] = "openai",
            ["OPENAI_API_KEY"] = "sk-test-not-a-real-key",
            ["OPENAI_BASE_URL"] = app.Llm.OpenAiBaseUrl.ToString(),
            ["OPENAI_MODEL"] = "gpt-test",
            // The other models the suite's tenants choose on the platform's key (issue 17 F8 allows only listed ones).
            ["LLM_ALLOWED_MODELS"] = "openai:gpt-4o,openai:gpt-4o-mini,openai:m1,openai:gpt-tenant-choice,openai:gpt-someone-elses,openai:gpt-4o-mini-transcribe,openai:gpt-vision-test,anthropic:claude-test",
            ["LLM_TIMEOUT"] = "10",
            ["REPLY_POLL_MS"] = "50",
            ["REPLY_RETRY_BASE_SECONDS"] = "0.2",
            ["SEND_ECHO_WAIT_SECONDS"] = "1",
            ["SEND_RESOLVE_SECONDS"] = "0.5",
            ["LOG_LEVEL"] = "warning",
            ["SECRETS_ENCRYPTION_KEY"] = EncryptionKey,
            ["ADMIN_EMAIL"] = PlatformAdminEmail,
            ["ADMIN_PASSWORD"] = PlatformAdminPassword,
            // Most tests scrape /metrics without a key; MetricsTests checks Production's closed default.
            ["METRICS_PUBLIC"] = "true",
            ["META_GRAPH_URL"] = app.Graph.GraphUrl.ToString(),
            ["META_APP_SECRET"] = app.Graph.AppSecret,
            ["META_VERIFY_TOKEN"] = app.Graph.VerifyToken,
        };
        // Kestrel on a real loopback port, for tests that need real source addresses (SourceAddressClients).
        if (realHttp) settings["URLS"] = "http://127.0.0.1:0";
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>()) settings[k] = v;
        app.Settings = settings;

        app._factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            // Production, as deployed (the factory's default is Development, whose console log is not JSON), with
            // Development's service-provider checks kept.
            b.UseEnvironment(environment);
            b.UseDefaultServiceProvider(o =>
            {
                o.ValidateScopes = true;
                o.ValidateOnBuild = true;
            });
            foreach (var (k, v) in settings) b.UseSetting(k, v);
            b.ConfigureTestServices(s =>
            {
                s.RemoveAll<TimeProvider>();
                s.AddSingleton<TimeProvider>(app.Clock);
            });
        });
        if (realHttp)
        {
            app._factory.UseKestrel(0);
            app._factory.StartServer();
            app.RealAddress = new Uri(app._factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
                .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());
        }
        app.Client = app._factory.CreateClient();
        app.Services = app._factory.Services;
        app.Admin = app._factory.CreateClient();
        app.Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        app.Graph.WebhookClient = app.Client;
        return app;
    }

    /// <summary>A new client of the API without credentials (set your own headers).</summary>
    public HttpClient CreateClient() => _factory.CreateClient();

    /// <summary>
    /// A client that keeps cookies, like a browser, and echoes the XSRF-TOKEN cookie in X-XSRF-TOKEN on every unsafe request
    /// (disposed with the app). <paramref name="sendCsrfHeader"/> false leaves the header out, for CSRF tests; an https
    /// <paramref name="baseAddress"/> makes the requests HTTPS.
    /// </summary>
    public HttpClient CreateCookieClient(bool sendCsrfHeader = true, Uri? baseAddress = null)
    {
        var cookies = new System.Net.CookieContainer();
        var client = _factory.CreateDefaultClient(baseAddress ?? new Uri("http://localhost"),
            new CsrfEchoHandler(cookies, sendCsrfHeader), new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler(cookies));
        lock (_keyClients) _keyClients.Add(client);
        return client;
    }

    /// <summary>Creates a tenant and an instance pointing at the fake Evolution; answers the instance name.</summary>
    public async Task<(long TenantId, string Instance)> CreateTenantWithInstanceAsync(object? tenantFields = null, string? webhookSecret = WebhookSecret, Uri? evolution = null)
    {
        var tenantBody = JsonSerializer.SerializeToNode(tenantFields ?? new { })!.AsObject();
        tenantBody["name"] ??= "Padaria Demo";
        tenantBody["system_prompt"] ??= "Você é o assistente da Padaria Demo.";
        var tenant = await Admin.PostAsJsonAsync("/api/tenants", tenantBody);
        Assert.That((int)tenant.StatusCode, Is.EqualTo(201), await tenant.Content.ReadAsStringAsync());
        var tenantId = (await tenant.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        // Letters only: a run of six digits in a random hex name would be masked in logs like a phone number.
        var name = "inst-" + string.Concat(Guid.NewGuid().ToString("N")[..10].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))));
        var instance = await Admin.PostAsJsonAsync("/api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = tenantId,
            ["instance_name"] = name,
            ["evo_server_url"] = (evolution ?? Evolution.BaseAddress).ToString(),
            ["evo_api_key"] = EvolutionApiKey,
            ["webhook_secret"] = webhookSecret,
        });
        Assert.That((int)instance.StatusCode, Is.EqualTo(201), await instance.Content.ReadAsStringAsync());
        return (tenantId, name);
    }

    /// <summary>
    /// Creates a tenant and a Cloud API instance (provider meta_cloud) on the fake Graph API, with the platform's Meta app;
    /// answers the instance name and its phone_number_id.
    /// </summary>
    public async Task<(long TenantId, string Instance, string PhoneNumberId)> CreateTenantWithMetaInstanceAsync(object? tenantFields = null,
        string? wabaId = "102290129340398")
    {
        var tenantBody = JsonSerializer.SerializeToNode(tenantFields ?? new { })!.AsObject();
        tenantBody["name"] ??= "Padaria Cloud";
        tenantBody["system_prompt"] ??= "Você é o assistente da Padaria Cloud.";
        var tenant = await Admin.PostAsJsonAsync("/api/tenants", tenantBody);
        Assert.That((int)tenant.StatusCode, Is.EqualTo(201), await tenant.Content.ReadAsStringAsync());
        var tenantId = (await tenant.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var name = "meta-" + string.Concat(Guid.NewGuid().ToString("N")[..10].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))));
        var phoneNumberId = "1065" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var instance = await Admin.PostAsJsonAsync("/api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = tenantId,
            ["instance_name"] = name,
            ["provider"] = "meta_cloud",
            ["meta_phone_number_id"] = phoneNumberId,
            ["meta_waba_id"] = wabaId,
            ["meta_access_token"] = FakeGraphApi.DefaultAccessToken,
        });
        Assert.That((int)instance.StatusCode, Is.EqualTo(201), await instance.Content.ReadAsStringAsync());
        return (tenantId, name, phoneNumberId);
    }

    /// <summary>Creates a tenant key (<c>tenant_admin</c> or <c>agent</c>) through the API; answers the key, shown only once.</summary>
    public async Task<string> CreateApiKeyAsync(long tenantId, string role, string name = "test key")
    {
        var response = await Admin.PostAsJsonAsync($"/api/tenants/{tenantId}/api-keys", new { name, role });
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), body);
        var created = JsonDocument.Parse(body).RootElement;
        Assert.That(created.GetProperty("role").GetString(), Is.EqualTo(role));
        return created.GetProperty("key").GetString()!;
    }

    /// <summary>A client that sends <paramref name="apiKey"/> as a Bearer token (disposed with the app).</summary>
    public HttpClient ClientWithKey(string apiKey)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        lock (_keyClients) _keyClients.Add(client);
        return client;
    }

    /// <summary>POSTs a webhook to /webhook/{instance} with the instance's secret header.</summary>
    public Task<HttpResponseMessage> PostWebhookAsync(string instance, JsonObject payload, string? secret = WebhookSecret)
    {
        payload["instance"] = instance;
        // Evolution stores what it receives (when its message store is on): findMessages shows it.
        Evolution.RecordReceived(instance, payload);
        return PostRawWebhookAsync($"/webhook/{instance}", payload.ToJsonString(), secret);
    }

    public Task<HttpResponseMessage> PostRawWebhookAsync(string path, string body, string? secret = WebhookSecret, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (secret is not null) request.Headers.Add("X-Webhook-Secret", secret);
        return Client.SendAsync(request);
    }

    /// <summary>Posts and answers the webhook's <c>action</c>, asserting a 200.</summary>
    public async Task<string> DeliverAsync(string instance, JsonObject payload)
    {
        var response = await PostWebhookAsync(instance, payload);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.That(json.GetProperty("ok").GetBoolean(), Is.True);
        return json.GetProperty("action").GetString()!;
    }

    public async Task<JsonElement> GetSessionAsync(string instance, string chatId)
    {
        var response = await Admin.GetAsync($"/sessions/{instance}/{chatId}");
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> otherwise.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(50);
        }
        Assert.Fail($"Timed out waiting for: {what}");
    }

    public static Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        EventuallyAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Runs a scalar SQL query on the app's database (operators query the tables directly too).</summary>
    public async Task<T?> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        var value = await cmd.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The session's timeline actions, oldest first.</summary>
    public async Task<IReadOnlyList<string>> TimelineAsync(string instance, string chatId)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT e.action FROM session_events e JOIN sessions s ON s.id = e.session_id JOIN instances i ON i.id = s.instance_id
            WHERE i.instance_name = $1 AND s.chat_id = $2 ORDER BY e.id
            """, connection);
        cmd.Parameters.AddWithValue(instance);
        cmd.Parameters.AddWithValue(chatId);
        var actions = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) actions.Add(reader.GetString(0));
        return actions;
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        Admin?.Dispose();
        foreach (var client in _keyClients) client.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        if (Evolution is not null) await Evolution.DisposeAsync();
        if (Llm is not null) await Llm.DisposeAsync();
        if (Graph is not null) await Graph.DisposeAsync();
    }
}
