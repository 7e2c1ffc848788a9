using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Inbox;

/// <summary>A tenant with an instance and keys, and the inbox calls the tests make in it.</summary>
public sealed class InboxTenant
{
    private readonly HybridFlowApp _app;

    private InboxTenant(HybridFlowApp app, long tenantId, string instance, HttpClient admin, HttpClient agent)
    {
        _app = app;
        TenantId = tenantId;
        Instance = instance;
        Admin = admin;
        Agent = agent;
    }

    public long TenantId { get; }
    public string Instance { get; }
    /// <summary>The tenant's tenant_admin API key.</summary>
    public HttpClient Admin { get; }
    /// <summary>The tenant's agent API key (no person: sees the tenant's conversations).</summary>
    public HttpClient Agent { get; }

    /// <summary>A tenant whose replies wait (a long debounce), so threads hold only what a test writes.</summary>
    public static async Task<InboxTenant> CreateAsync(HybridFlowApp app, object? fields = null)
    {
        var (tenantId, instance) = await app.CreateTenantWithInstanceAsync(fields ?? new { debounce_seconds = 600 });
        var admin = app.ClientWithKey(await app.CreateApiKeyAsync(tenantId, "tenant_admin"));
        var agent = app.ClientWithKey(await app.CreateApiKeyAsync(tenantId, "agent"));
        return new InboxTenant(app, tenantId, instance, admin, agent);
    }

    /// <summary>A customer writes in a new chat (pushName "Ana Souza" unless <paramref name="pushName"/>); answers the chat id and session id.</summary>
    public async Task<(string ChatId, long SessionId)> NewConversationAsync(string text = "Oi, vocês abrem amanhã?", string? pushName = null, DateTimeOffset? at = null)
    {
        var chat = Payloads.NewChatId();
        await CustomerWritesAsync(chat, text, pushName, at);
        return (chat, await SessionIdAsync(chat));
    }

    public async Task<string> CustomerWritesAsync(string chat, string text, string? pushName = null, DateTimeOffset? at = null)
    {
        var payload = Payloads.CustomerText(chat, text, at: at);
        if (pushName is not null) payload["data"]!["pushName"] = pushName;
        return await _app.DeliverAsync(Instance, payload);
    }

    public async Task<long> SessionIdAsync(string chat) =>
        await _app.ScalarAsync<long>("SELECT s.id FROM sessions s JOIN instances i ON i.id = s.instance_id WHERE i.instance_name = $1 AND s.chat_id = $2", Instance, chat);

    /// <summary>A user of this tenant written straight into the users table (the inbox only reads users); answers its id.</summary>
    public Task<long> InsertUserAsync(string displayName, string role = "agent") => InboxSql.InsertUserAsync(_app, TenantId, displayName, role);
}

public static class InboxSql
{
    public static async Task<long> InsertUserAsync(HybridFlowApp app, long? tenantId, string displayName, string role)
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        return await app.ScalarAsync<long>("""
            INSERT INTO users (tenant_id, role, display_name, user_name, normalized_user_name, email, normalized_email)
            VALUES (NULLIF($1, 0), $2, $3, $4, upper($4), $4, upper($4)) RETURNING id
            """, tenantId ?? 0L, role, displayName, email);
    }
}

public static class InboxCalls
{
    public static string Conversation(long sessionId, string tail = "") => $"/api/inbox/conversations/{sessionId}{tail}";

    public static async Task<JsonElement> ListAsync(this HttpClient client, string query = "") =>
        await client.GetJsonAsync("/api/inbox/conversations" + (query.Length == 0 ? "" : "?" + query));

    public static IReadOnlyList<long> SessionIds(this JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("session_id").GetInt64())];

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object? body = null) =>
        body is null ? client.PostAsync(path, null) : client.PostAsJsonAsync(path, body);

    public static async Task<JsonElement> PostOkAsync(this HttpClient client, string path, object? body, int status) =>
        await ApiAssert.StatusAsync(await client.PostJsonAsync(path, body), status);

    public static async Task<JsonElement> PatchOkAsync(this HttpClient client, long sessionId, string json) =>
        await ApiAssert.StatusAsync(await client.PatchJsonAsync(Conversation(sessionId), json), 200);

    /// <summary>Every thread item, page by page with <paramref name="limit"/>; asserts each page's size.</summary>
    public static async Task<List<JsonElement>> WholeThreadAsync(this HttpClient client, long sessionId, int limit)
    {
        var items = new List<JsonElement>();
        string? before = null;
        for (var pages = 0; pages < 1000; pages++)
        {
            var page = await client.GetJsonAsync(Conversation(sessionId, $"/messages?limit={limit}" + (before is null ? "" : $"&before={Uri.EscapeDataString(before)}")));
            var got = page.GetProperty("items").EnumerateArray().ToList();
            items.AddRange(got);
            var next = page.GetProperty("next_before");
            if (next.ValueKind == JsonValueKind.Null) return items;
            Assert.That(got, Has.Count.EqualTo(limit), "a page before the last one is full");
            before = next.GetString();
        }
        Assert.Fail("The thread did not end.");
        return items;
    }

    public static string Key(this JsonElement item) => $"{item.GetProperty("kind").GetString()}:{item.GetProperty("id").GetInt64()}";

    public static JsonObject WithPushName(this JsonObject payload, string? name)
    {
        if (name is null) payload["data"]!.AsObject().Remove("pushName");
        else payload["data"]!["pushName"] = name;
        return payload;
    }
}
