using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>Checks shared by the admin API tests: status codes, problem documents, and raw JSON requests.</summary>
public static class ApiAssert
{
    /// <summary>Asserts the status and answers the JSON body.</summary>
    public static async Task<JsonElement> StatusAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 7807 answer with this status; for a 400, that the errors map names <paramref name="field"/>.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status, string? field = null)
    {
        var problem = await StatusAsync(response, status);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(status));
        if (field is not null)
        {
            Assert.That(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _), Is.True,
                $"the errors map names '{field}': {problem}");
        }
        return problem;
    }

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string path, string json) =>
        client.SendJsonAsync(HttpMethod.Patch, path, json);

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path) =>
        await StatusAsync(await client.GetAsync(path), 200);
}
