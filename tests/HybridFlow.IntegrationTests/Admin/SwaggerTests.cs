using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using HybridFlow.IntegrationTests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.IntegrationTests.Admin;

/// <summary>The OpenAPI document is complete enough for a frontend developer to work from alone.</summary>
public sealed partial class SwaggerTests
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];
    private HybridFlowApp _app = null!;
    private JsonElement _document;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        _document = await _app.Client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private IEnumerable<(string Method, string Path, JsonElement Operation)> Operations() =>
        _document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(o => Methods.Contains(o.Name))
            .Select(o => (o.Name.ToUpperInvariant(), path.Name, o.Value)));

    private static bool IsAdmin(string path) => path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/sessions/", StringComparison.Ordinal);

    /// <summary>Logging in and out take no credentials; nor do asking whether one is logged in and a one-time password link's page.</summary>
    private static bool IsOpen(string path) => path is "/api/auth/login" or "/api/auth/logout"
        or "/api/auth/session" or "/api/auth/password-link" or "/api/auth/password-link/password";

    private JsonElement Resolve(JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference)) return schema;
        var name = reference.GetString()!.Split('/').Last();
        return _document.GetProperty("components").GetProperty("schemas").GetProperty(name);
    }

    [GeneratedRegex(@"\{\**([^}:=?]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    [Test]
    public void Document_ListsEveryRouteTheAppServes()
    {
        var served = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription != true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m =>
                $"{m} /{RouteParameter().Replace(e.RoutePattern.RawText!.TrimStart('/'), "{$1}")}"))
            .ToHashSet();
        var documented = Operations().Select(o => $"{o.Method} {o.Path}").ToHashSet();

        Assert.That(served, Has.Count.GreaterThan(25), "the app's endpoints were found");
        Assert.That(documented, Is.EquivalentTo(served));
        Assert.That(documented, Is.SupersetOf(new[]
        {
            "PATCH /api/tenants/{id}", "DELETE /api/tenants/{id}", "GET /api/instances/{name}", "PATCH /api/instances/{name}",
            "DELETE /api/instances/{name}", "POST /api/instances/{name}/test-webhook", "POST /api/instances/{name}/configure-webhook",
            "GET /api/sessions", "GET /api/events",
        }));
    }

    [Test]
    public void EveryOperation_HasASummary_AndDocumentsItsAnswers()
    {
        foreach (var (method, path, operation) in Operations())
        {
            var where = $"{method} {path}";
            Assert.That(operation.TryGetProperty("summary", out var summary) && summary.GetString()!.Length > 5, Is.True, where + " has a summary");
            var responses = operation.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
            Assert.That(responses.Keys.Any(k => k.StartsWith('2')), Is.True, where + " documents its success");
            // /health answers its report, not a problem document, when a check fails.
            foreach (var (status, response) in responses.Where(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture) >= 400 && path != "/health"))
            {
                Assert.That(response.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out _), Is.True,
                    $"{where} {status} is a problem document");
            }
            if (IsAdmin(path) && !IsOpen(path)) Assert.That(responses.Keys, Does.Contain("401"), where + " documents 401");
            if (operation.TryGetProperty("requestBody", out _) && !path.StartsWith("/webhook", StringComparison.Ordinal))
                Assert.That(responses.Keys, Does.Contain("400"), where + " documents validation errors");
        }
    }

    [Test]
    public void AdminOperations_RequireTheApiKey_AndTheOthersDocumentTheirOwnSecret()
    {
        var schemes = _document.GetProperty("components").GetProperty("securitySchemes");
        Assert.That(schemes.GetProperty("Bearer").GetProperty("scheme").GetString(), Is.EqualTo("bearer"));
        var apiKey = schemes.GetProperty("ApiKeyHeader");
        Assert.That((apiKey.GetProperty("type").GetString(), apiKey.GetProperty("in").GetString(), apiKey.GetProperty("name").GetString()),
            Is.EqualTo(("apiKey", "header", "X-Api-Key")));
        Assert.That(schemes.GetProperty("CronSecret").GetProperty("name").GetString(), Is.EqualTo("X-Cron-Secret"));
        var cookie = schemes.GetProperty("LoginCookie");
        Assert.That((cookie.GetProperty("in").GetString(), cookie.GetProperty("name").GetString()), Is.EqualTo(("cookie", "hybridflow_auth")));
        Assert.That(schemes.GetProperty("WebhookSecret").GetProperty("name").GetString(), Is.EqualTo("X-Webhook-Secret"));
        Assert.That(schemes.GetProperty("WebhookToken").GetProperty("name").GetString(), Is.EqualTo("token"));

        foreach (var (method, path, operation) in Operations())
        {
            var requirements = operation.TryGetProperty("security", out var security)
                ? security.EnumerateArray().Select(r => string.Join("+", r.EnumerateObject().Select(p => p.Name))).ToList()
                : [];
            var expected = IsOpen(path) ? []
                : IsAdmin(path) ? new[] { "Bearer", "ApiKeyHeader", "LoginCookie" }
                : path.StartsWith("/webhooks/meta", StringComparison.Ordinal) ? (method == "POST" ? new[] { "MetaSignature" } : Array.Empty<string>())
                : path.StartsWith("/webhook", StringComparison.Ordinal) ? ["WebhookSecret", "WebhookToken"]
                : path == "/cron/auto-resume" ? ["CronSecret"]
                : path is "/health" or "/metrics" ? [] // /metrics takes METRICS_API_KEY only when it is configured
                : null;
            Assert.That(expected, Is.Not.Null, $"{method} {path}: every route is in one of the known areas");
            Assert.That(requirements, Is.EquivalentTo(expected!), $"{method} {path}");
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SnakeCase();

    [Test]
    public void Schemas_UseSnakeCase_AndRequestBodiesHaveExamples()
    {
        foreach (var schema in _document.GetProperty("components").GetProperty("schemas").EnumerateObject())
        {
            if (!schema.Value.TryGetProperty("properties", out var properties)) continue;
            foreach (var property in properties.EnumerateObject())
                Assert.That(SnakeCase().IsMatch(property.Name), Is.True, $"{schema.Name}.{property.Name} is snake_case");
        }

        var bodies = 0;
        foreach (var (method, path, operation) in Operations())
        {
            if (!operation.TryGetProperty("requestBody", out var body) || path.StartsWith("/webhook", StringComparison.Ordinal)) continue;
            var schema = Resolve(body.GetProperty("content").GetProperty("application/json").GetProperty("schema"));
            Assert.That(schema.TryGetProperty("example", out var example), Is.True, $"{method} {path} has an example body");
            var known = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
            Assert.That(example.EnumerateObject().Select(p => p.Name), Is.SubsetOf(known), $"{method} {path}: the example uses the documented fields");
            bodies++;
        }
        Assert.That(bodies, Is.GreaterThanOrEqualTo(7));
    }

    [Test]
    public void PatchFields_AreNullableOnlyWhereNullClears()
    {
        var tenant = Resolve(JsonDocument.Parse("""{"$ref": "#/components/schemas/UpdateTenantRequest"}""").RootElement).GetProperty("properties");
        Assert.That(tenant.GetProperty("system_prompt").TryGetProperty("nullable", out var clearable) && clearable.GetBoolean(), Is.True);
        Assert.That(tenant.GetProperty("name").TryGetProperty("nullable", out var nameNullable) && nameNullable.GetBoolean(), Is.False);
        Assert.That(tenant.GetProperty("resume_after_minutes").GetProperty("type").GetString(), Is.EqualTo("integer"));
        var instance = Resolve(JsonDocument.Parse("""{"$ref": "#/components/schemas/UpdateInstanceRequest"}""").RootElement).GetProperty("properties");
        Assert.That(instance.GetProperty("webhook_secret").GetProperty("nullable").GetBoolean(), Is.True);
    }

    [Test]
    public async Task ExampleBodies_AreAcceptedByTheApi()
    {
        var schemas = _document.GetProperty("components").GetProperty("schemas");
        string Example(string type) => schemas.GetProperty(type).GetProperty("example").GetRawText();

        var tenant = await ApiAssert.StatusAsync(await _app.Admin.SendJsonAsync(HttpMethod.Post, "/api/tenants", Example("CreateTenantRequest")), 201);
        var tenantId = tenant.GetProperty("id").GetInt64();
        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", Example("UpdateTenantRequest")), 200);
        var instanceBody = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Example("CreateInstanceRequest"))!;
        instanceBody["tenant_id"] = JsonSerializer.SerializeToElement(tenantId);
        await ApiAssert.StatusAsync(await _app.Admin.SendJsonAsync(HttpMethod.Post, "/api/instances", JsonSerializer.Serialize(instanceBody)), 201);
        var instance = instanceBody["instance_name"].GetString();
        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/instances/{instance}", Example("UpdateInstanceRequest")), 200);
        await ApiAssert.StatusAsync(await _app.Admin.SendJsonAsync(HttpMethod.Post, $"/api/tenants/{tenantId}/api-keys", Example("CreateApiKeyRequest")), 201);
    }
}
