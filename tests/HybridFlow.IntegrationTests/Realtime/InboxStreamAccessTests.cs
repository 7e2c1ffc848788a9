using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Realtime;

/// <summary>
/// Who may hold GET /api/inbox/events open: at most INBOX_STREAMS_PER_USER streams per user or key (the next one is 429),
/// and every AUTH_REVALIDATE_SECONDS (1 here) an open stream checks its key or login again and ends when it is gone.
/// </summary>
public sealed class InboxStreamAccessTests
{
    private HybridFlowApp _app = null!;
    private long _tenantId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["AUTH_REVALIDATE_SECONDS"] = "1" });
        (_tenantId, _) = await _app.CreateTenantWithInstanceAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private async Task<(long Id, string Key)> CreateKeyAsync(string role)
    {
        var response = await _app.Admin.PostAsJsonAsync($"/api/tenants/{_tenantId}/api-keys", new { name = "stream key", role });
        var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That((int)response.StatusCode, Is.EqualTo(201), created.ToString());
        return (created.GetProperty("id").GetInt64(), created.GetProperty("key").GetString()!);
    }

    private static Task<HttpResponseMessage> GetStreamAsync(HttpClient client) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/inbox/events"), HttpCompletionOption.ResponseHeadersRead);

    private static Task EndsAsync(SseStream stream, string what) =>
        HybridFlowApp.EventuallyAsync(() => stream.Ended, what, TimeSpan.FromSeconds(10));

    [Test]
    public async Task SixthStreamOfOneKey_Is429Problem_AnotherKeyIsNotAffected_AndClosingOneFreesItsSlot()
    {
        var agent = _app.ClientWithKey((await CreateKeyAsync("agent")).Key);
        var streams = new List<SseStream>();
        try
        {
            for (var i = 0; i < 5; i++) streams.Add(await SseStream.OpenAsync(agent));

            using var sixth = await GetStreamAsync(agent);
            var body = await sixth.Content.ReadAsStringAsync();
            Assert.That((int)sixth.StatusCode, Is.EqualTo(429), body);
            Assert.That(sixth.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(sixth.Headers.RetryAfter?.Delta, Is.Not.Null);
            Assert.That(body, Does.Contain("At most 5 live inbox streams"));

            var other = _app.ClientWithKey((await CreateKeyAsync("agent")).Key);
            await using (await SseStream.OpenAsync(other))
            {
                // Counted per key: another key of the same tenant still gets its own.
            }

            await streams[0].DisposeAsync();
            streams.RemoveAt(0);
            await HybridFlowApp.EventuallyAsync(async () =>
            {
                using var again = await GetStreamAsync(agent);
                return (int)again.StatusCode == 200;
            }, "a slot freed by the closed stream");
        }
        finally
        {
            foreach (var stream in streams) await stream.DisposeAsync();
        }
    }

    [Test]
    public async Task RevokingTheKey_EndsItsOpenStream_WithinTheRevalidationInterval_OtherStreamsGoOn()
    {
        var (keyId, key) = await CreateKeyAsync("agent");
        var client = _app.ClientWithKey(key);
        await using var stream = await SseStream.OpenAsync(client);
        await using var unaffected = await SseStream.OpenAsync(_app.ClientWithKey((await CreateKeyAsync("agent")).Key));

        Assert.That((int)(await _app.Admin.DeleteAsync($"/api/tenants/{_tenantId}/api-keys/{keyId}")).StatusCode, Is.EqualTo(204));
        await EndsAsync(stream, "the revoked key's stream ended");
        Assert.That(unaffected.Ended, Is.False, "a stream whose key is still valid stays open");
        using var reconnect = await GetStreamAsync(client);
        Assert.That((int)reconnect.StatusCode, Is.EqualTo(401), "the browser's reconnect is refused");
    }

    [TestCase("deleted")]
    [TestCase("locked")]
    [TestCase("re-roled")]
    public async Task AUsersStream_Ends_WhenTheUserIs(string change)
    {
        var email = $"stream-{change}-{Guid.NewGuid():N}@hybridflow.test";
        var userId = await UserSessions.CreateUserAsync(_app, _tenantId, email, "tenant_admin");
        var browser = await UserSessions.LoginAsync(_app, email);
        await using var stream = await SseStream.OpenAsync(browser);

        var answer = change switch
        {
            "deleted" => await _app.Admin.DeleteAsync($"/api/tenants/{_tenantId}/users/{userId}"),
            "locked" => await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenantId}/users/{userId}", new { locked = true }),
            _ => await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenantId}/users/{userId}", new { role = "agent" }),
        };
        Assert.That(answer.IsSuccessStatusCode, Is.True, await answer.Content.ReadAsStringAsync());
        await EndsAsync(stream, $"the stream of a user who was {change} ended");
    }
}
