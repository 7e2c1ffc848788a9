using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Security;

/// <summary>Made-up API keys: once a source has spent its budget of unknown keys, the next ones cost no database query.</summary>
public sealed class ApiKeyGuessingTests
{
    private const int Budget = 10;

    [Test]
    public async Task MadeUpKeys_StopCostingDatabaseQueries_OnceTheSourceIsLimited()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["RATE_LIMIT_API_PER_MINUTE"] = Budget.ToString(CultureInfo.InvariantCulture),
        });

        // Counts the statements on api_keys this process sends to PostgreSQL (Npgsql traces every command it runs).
        var lookups = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TagObjects.Any(t => t.Value is string text && text.Contains("api_keys", StringComparison.Ordinal)))
                    Interlocked.Increment(ref lookups);
            },
        };
        ActivitySource.AddActivityListener(listener);

        // A real key is looked up too: the counter sees lookups.
        var (tenantId, _) = await app.CreateTenantWithInstanceAsync();
        var realKey = await app.CreateApiKeyAsync(tenantId, "agent");
        var counted = Volatile.Read(ref lookups);
        Assert.That((int)(await app.ClientWithKey(realKey).GetAsync("/api/instances")).StatusCode, Is.EqualTo(200));
        Assert.That(Volatile.Read(ref lookups), Is.GreaterThan(counted), "a valid key's lookup is counted");

        counted = Volatile.Read(ref lookups);
        var statuses = new List<int>();
        for (var i = 0; i < 4 * Budget; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tenants");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "hf_madeup" + Guid.NewGuid().ToString("N"));
            statuses.Add((int)(await app.Client.SendAsync(request)).StatusCode);
        }

        Assert.That(Volatile.Read(ref lookups) - counted, Is.EqualTo(Budget), "only the first unknown keys were looked up");
        Assert.That(statuses.Take(Budget), Is.All.EqualTo(401));
        Assert.That(statuses.Skip(Budget), Is.All.EqualTo(429));
    }
}
