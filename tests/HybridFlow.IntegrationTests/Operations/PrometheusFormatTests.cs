using System.Diagnostics.Metrics;
using System.Text;
using HybridFlow.Infrastructure.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.IntegrationTests.Operations;

/// <summary>The exposition format details that real traffic rarely reaches: escaping, bucket edges, one host per registry.</summary>
public sealed class PrometheusFormatTests
{
    private static (ServiceProvider Services, HybridFlowMetrics Metrics, PrometheusMeterBridge Registry) Host()
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new HybridFlowMetrics(services.GetRequiredService<IMeterFactory>());
        return (services, metrics, new PrometheusMeterBridge(metrics, _ => Task.FromResult<ReplyQueueSnapshot?>(null)));
    }

    /// <summary>What prometheus-net serves at GET /metrics (the text format 0.0.4), read from the bridge's registry.</summary>
    private static async Task<string> RenderAsync(PrometheusMeterBridge bridge)
    {
        using var stream = new MemoryStream();
        await bridge.Registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Test]
    public async Task LabelValues_AreEscaped()
    {
        var (services, metrics, registry) = Host();
        using (services)
        using (registry)
        {
            const string action = "say \"hi\"\\now\nplease";
            metrics.WebhookHandled(action, TimeSpan.FromMilliseconds(20));

            var text = await RenderAsync(registry);
            Assert.That(text, Does.Contain("hybridflow_webhooks_total{action=\"say \\\"hi\\\"\\\\now\\nplease\"} 1\n"));
            Assert.That(PrometheusText.Parse(text).Value("hybridflow_webhooks_total", ("action", action)), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task HistogramBuckets_CountValuesUpToTheirBound_Cumulatively()
    {
        var (services, metrics, registry) = Host();
        using (services)
        using (registry)
        {
            metrics.WebhookHandled("ai_queued", TimeSpan.FromMilliseconds(20));   // in le=0.025
            metrics.WebhookHandled("ai_queued", TimeSpan.FromMilliseconds(50));   // exactly on le=0.05
            metrics.WebhookHandled("ai_queued", TimeSpan.FromSeconds(30));        // above every bound

            var scrape = PrometheusText.Parse(await RenderAsync(registry));
            var buckets = scrape.Buckets("hybridflow_webhook_duration_seconds").ToDictionary(b => b.Le, b => b.Count);
            Assert.That(buckets["0.01"], Is.EqualTo(0));
            Assert.That(buckets["0.025"], Is.EqualTo(1));
            Assert.That(buckets["0.05"], Is.EqualTo(2));
            Assert.That(buckets["5"], Is.EqualTo(2));
            Assert.That(buckets["+Inf"], Is.EqualTo(3));
            Assert.That(scrape.Value("hybridflow_webhook_duration_seconds_count"), Is.EqualTo(3));
            Assert.That(scrape.Value("hybridflow_webhook_duration_seconds_sum"), Is.EqualTo(30.07).Within(1e-9));
        }
    }

    [Test]
    public async Task TwoHostsInOneProcess_KeepTheirOwnNumbers()
    {
        var (servicesA, metricsA, registryA) = Host();
        var (servicesB, _, registryB) = Host();
        using (servicesA)
        using (servicesB)
        using (registryA)
        using (registryB)
        {
            metricsA.WebhookHandled("paused", TimeSpan.FromMilliseconds(5));
            metricsA.ReplyJobFinished(HybridFlowMetrics.Outcomes.Sent);

            var a = PrometheusText.Parse(await RenderAsync(registryA));
            var b = PrometheusText.Parse(await RenderAsync(registryB));
            Assert.That(a.Value("hybridflow_webhooks_total", ("action", "paused")), Is.EqualTo(1));
            Assert.That(b.Value("hybridflow_webhooks_total", ("action", "paused")), Is.Null);
            Assert.That(a.Value("hybridflow_reply_jobs_total", ("outcome", "sent")), Is.EqualTo(1));
            Assert.That(b.Value("hybridflow_reply_jobs_total", ("outcome", "sent")), Is.EqualTo(0));
        }
    }

    [Test]
    public async Task QueueGauges_AreReadAtEachScrape_AndLeftOutWhenTheReadFails()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new HybridFlowMetrics(services.GetRequiredService<IMeterFactory>());
        var reads = new Queue<Func<ReplyQueueSnapshot?>>([
            () => new ReplyQueueSnapshot(3, 1, TimeSpan.FromSeconds(42)),
            () => null,
            () => throw new InvalidOperationException("the probe failed"),
            () => new ReplyQueueSnapshot(0, 0, TimeSpan.Zero),
        ]);
        using var bridge = new PrometheusMeterBridge(metrics, _ => Task.FromResult(reads.Dequeue()()));

        var first = PrometheusText.Parse(await RenderAsync(bridge));
        Assert.That(first.Types["hybridflow_reply_queue_depth"], Is.EqualTo("gauge"));
        Assert.That(first.Value("hybridflow_reply_queue_depth"), Is.EqualTo(3));
        Assert.That(first.Value("hybridflow_reply_jobs_in_flight"), Is.EqualTo(1));
        Assert.That(first.Value("hybridflow_reply_queue_oldest_due_age_seconds"), Is.EqualTo(42));

        foreach (var failed in new[] { "the database did not answer", "the read threw" })
        {
            var scrape = PrometheusText.Parse(await RenderAsync(bridge));
            Assert.That(scrape.Value("hybridflow_reply_queue_depth"), Is.Null, failed);
            Assert.That(scrape.Value("hybridflow_reply_jobs_in_flight"), Is.Null, failed);
            Assert.That(scrape.Value("hybridflow_reply_queue_oldest_due_age_seconds"), Is.Null, failed);
        }

        var recovered = PrometheusText.Parse(await RenderAsync(bridge));
        Assert.That(recovered.Value("hybridflow_reply_queue_depth"), Is.EqualTo(0));
        Assert.That(recovered.Value("hybridflow_reply_queue_oldest_due_age_seconds"), Is.EqualTo(0));
    }
}
