using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>Calls made with a tenant's own API keys, the way an operator hands them out.</summary>
public static class ApiCalls
{
    public const string SendMessagePath = "/api/evolution/send-message";

    /// <summary>Creates a key of <paramref name="role"/> (tenant_admin or agent) for the tenant with the admin key; answers the key.</summary>
    public static async Task<string> CreateApiKeyAsync(this HybridFlowApp app, long tenantId, string role)
    {
        var response = await app.Admin.PostAsJsonAsync($"/api/tenants/{tenantId}/api-keys", new { name = $"{role} for tests", role });
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
    }

    /// <summary>POSTs <paramref name="body"/> as JSON with <paramref name="key"/> as Bearer token (none when null).</summary>
    public static Task<HttpResponseMessage> PostWithKeyAsync(this HybridFlowApp app, string path, object body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return app.Client.SendAsync(request);
    }

    /// <summary>send-message with <paramref name="key"/>; asserts the 201 and answers its body.</summary>
    public static async Task<JsonElement> SendMessageAsync(this HybridFlowApp app, string key, object body)
    {
        var response = await app.PostWithKeyAsync(SendMessagePath, body, key);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
