using System.Net.Http.Headers;
using HybridFlow.IntegrationTests.Llm;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Operations;

/// <summary>GET /metrics scraped over HTTP the way Prometheus does, after real webhooks, replies and failures.</summary>
public sealed class MetricsTests
{
    private HybridFlowApp _app = null!;
    private string _instance = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        (_, _instance) = await _app.CreateTenantWithInstanceAsync();
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes()
    {
        _app.Evolution.Reset();
        _app.Llm.Reset();
        _app.Llm.ReplyText = "Olá! Abrimos às 7h.";
    }

    private static async Task<PrometheusText> ScrapeAsync(HttpClient client, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        Assert.That(response.Content.Headers.ContentType?.Parameters.Any(p => p.Name == "version" && p.Value == "0.0.4"), Is.True,
            response.Content.Headers.ContentType?.ToString());
        return PrometheusText.Parse(body);
    }

    [Test]
    public async Task Scrape_CountsWebhooksByAction_AndTimesThem()
    {
        var before = await ScrapeAsync(_app.Client);
        var chat = Payloads.NewChatId();
        var message = Payloads.CustomerText(chat, "Vocês abrem amanhã?");
        Assert.That(await _app.DeliverAsync(_instance, message.DeepClone().AsObject()), Is.EqualTo("ai_queued"));
        Assert.That(await _app.DeliverAsync(_instance, message.DeepClone().AsObject()), Is.EqualTo("duplicate_ignored"));
        Assert.That(await _app.DeliverAsync(_instance, Payloads.OwnerText(Payloads.NewChatId(), "Oi, é o dono")), Is.EqualTo("paused"));
        var forged = Payloads.CustomerText(Payloads.NewChatId(), "Oi");
        forged["apikey"] = "not-the-instance-key";
        var refused = await _app.PostWebhookAsync(_instance, forged, secret: "wrong-secret");
        Assert.That((int)refused.StatusCode, Is.EqualTo(401));

        var after = await ScrapeAsync(_app.Client);
        Assert.That(after.Types["hybridflow_webhooks_total"], Is.EqualTo("counter"));
        Assert.That(after.Help["hybridflow_webhooks_total"], Is.Not.Empty);
        double Delta(string action) =>
            after.ValueOrZero("hybridflow_webhooks_total", ("action", action)) - before.ValueOrZero("hybridflow_webhooks_total", ("action", action));
        Assert.That(Delta("ai_queued"), Is.EqualTo(1));
        Assert.That(Delta("duplicate_ignored"), Is.EqualTo(1));
        Assert.That(Delta("paused"), Is.EqualTo(1));
        Assert.That(Delta("rejected_unauthorized"), Is.EqualTo(1));

        Assert.That(after.Types["hybridflow_webhook_duration_seconds"], Is.EqualTo("histogram"));
        var timed = after.Value("hybridflow_webhook_duration_seconds_count")!.Value - (before.Value("hybridflow_webhook_duration_seconds_count") ?? 0);
        Assert.That(timed, Is.EqualTo(4), "every handled webhook is timed, refused ones included");
        AssertWellFormedHistogram(after, "hybridflow_webhook_duration_seconds");
        Assert.That(after.Value("hybridflow_webhook_duration_seconds_sum"), Is.GreaterThan(0));
    }

    [Test]
    public async Task Scrape_ShowsReplyOutcomes_AndModelAndEvolutionLatencyAndErrors()
    {
        var before = await ScrapeAsync(_app.Client);

        // One reply that goes out, one whose model call fails once and is retried, one that Evolution refuses for good.
        var happy = Payloads.NewChatId();
        await _app.DeliverAsync(_instance, Payloads.CustomerText(happy, "Oi"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(happy).Count == 1, "the first reply sent");

        var flaky = Payloads.NewChatId();
        var modelCalls = 0;
        _app.Llm.Responder = request => Interlocked.Increment(ref modelCalls) == 1
            ? new FakeResponse(500, FakeLlmServer.OpenAiErrorJson(500))
            : new FakeResponse(200, FakeLlmServer.OpenAiCompletionJson("gpt-test", "Olá de novo!"));
        await _app.DeliverAsync(_instance, Payloads.CustomerText(flaky, "Oi"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(flaky).Count == 1, "the retried reply sent");
        _app.Llm.Responder = null;

        var absent = Payloads.NewChatId();
        _app.Evolution.FailNext((400, """{"status":400,"error":"Bad Request","response":{"message":[{"exists":false,"jid":"x","number":"x"}]}}"""));
        await _app.DeliverAsync(_instance, Payloads.CustomerText(absent, "Oi"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(_instance, absent)).Contains("ai_failed"), "the refused reply dead");

        PrometheusText after = null!;
        await HybridFlowApp.EventuallyAsync(async () =>
        {
            after = await ScrapeAsync(_app.Client);
            return Delta(after, before, "hybridflow_reply_jobs_total", ("outcome", "sent")) >= 2;
        }, "two sent outcomes counted");

        Assert.That(after.Types["hybridflow_reply_jobs_total"], Is.EqualTo("counter"));
        Assert.That(Delta(after, before, "hybridflow_reply_jobs_total", ("outcome", "sent")), Is.EqualTo(2));
        Assert.That(Delta(after, before, "hybridflow_reply_jobs_total", ("outcome", "retry")), Is.EqualTo(1));
        Assert.That(Delta(after, before, "hybridflow_reply_jobs_total", ("outcome", "dead")), Is.EqualTo(1));
        foreach (var outcome in new[] { "sent", "retry", "dead", "discarded", "cancelled" })
            Assert.That(after.Value("hybridflow_reply_jobs_total", ("outcome", outcome)), Is.Not.Null, $"the {outcome} series exists from the start");

        Assert.That(after.Types["hybridflow_llm_request_duration_seconds"], Is.EqualTo("histogram"));
        Assert.That(Delta(after, before, "hybridflow_llm_request_duration_seconds_count", ("provider", "openai")), Is.EqualTo(4),
            "four model calls: one each, plus the failed first attempt");
        AssertWellFormedHistogram(after, "hybridflow_llm_request_duration_seconds", ("provider", "openai"));
        Assert.That(after.Types["hybridflow_llm_errors_total"], Is.EqualTo("counter"));
        Assert.That(Delta(after, before, "hybridflow_llm_errors_total", ("kind", "transient"), ("provider", "openai")), Is.EqualTo(1));

        Assert.That(after.Types["hybridflow_evolution_request_duration_seconds"], Is.EqualTo("histogram"));
        Assert.That(Delta(after, before, "hybridflow_evolution_request_duration_seconds_count", ("operation", "send_text")), Is.EqualTo(3));
        var buckets = AssertWellFormedHistogram(after, "hybridflow_evolution_request_duration_seconds", ("operation", "send_text"));
        Assert.That(buckets.Count, Is.GreaterThan(5), "latency is spread over several buckets");
        Assert.That(Delta(after, before, "hybridflow_evolution_errors_total", ("kind", "permanent"), ("operation", "send_text")), Is.EqualTo(1));
    }

    [Test]
    public async Task Scrape_ReportsQueueDepthAndOldestDueAge_FromTheDatabase_AndCanRequireAKey()
    {
        const string metricsKey = "metrics-key-0123456789abcdef";
        // No workers: the queue stays exactly as the webhooks leave it.
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["WORKERS_ENABLED"] = "false",
            ["METRICS_API_KEY"] = metricsKey,
        });
        var (_, instance) = await app.CreateTenantWithInstanceAsync();

        Assert.That((int)(await app.Client.GetAsync("/metrics")).StatusCode, Is.EqualTo(401), "no key");
        var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-key");
        Assert.That((int)(await app.Client.SendAsync(wrong)).StatusCode, Is.EqualTo(401), "wrong key");

        var empty = await ScrapeAsync(app.Client, metricsKey);
        Assert.That(empty.Types["hybridflow_reply_queue_depth"], Is.EqualTo("gauge"));
        Assert.That(empty.Value("hybridflow_reply_queue_depth"), Is.EqualTo(0));
        Assert.That(empty.Value("hybridflow_reply_jobs_in_flight"), Is.EqualTo(0));
        Assert.That(empty.Value("hybridflow_reply_queue_oldest_due_age_seconds"), Is.EqualTo(0));

        foreach (var _ in Enumerable.Range(0, 3))
            Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(Payloads.NewChatId(), "Oi")), Is.EqualTo("ai_queued"));
        app.Clock.Advance(TimeSpan.FromSeconds(90));

        var queued = await ScrapeAsync(app.Client, metricsKey);
        Assert.That(queued.Value("hybridflow_reply_queue_depth"),
            Is.EqualTo(await app.ScalarAsync<long>("SELECT count(*) FROM reply_jobs WHERE status IN ('pending', 'retrying')")).And.EqualTo(3));
        Assert.That(queued.Value("hybridflow_reply_queue_oldest_due_age_seconds"), Is.InRange(90, 90 + 60),
            "the jobs were due when queued and the clock moved 90 s on");
        Assert.That(queued.Value("hybridflow_reply_jobs_in_flight"), Is.EqualTo(0));
    }

    [Test]
    public async Task Scrape_AfterTraffic_ShowsEverySeriesTheOperationsGuideDocuments_WithItsTypeAndLabels()
    {
        var documented = DocumentedSeries();
        Assert.That(documented, Has.Count.GreaterThanOrEqualTo(12), "the metrics table of docs/OPERATIONS.md was read");

        // Traffic that reaches every series: a model call that fails once and is retried, and a send Evolution refuses.
        var flaky = Payloads.NewChatId();
        var modelCalls = 0;
        _app.Llm.Responder = request => Interlocked.Increment(ref modelCalls) == 1
            ? new FakeResponse(500, FakeLlmServer.OpenAiErrorJson(500))
            : new FakeResponse(200, FakeLlmServer.OpenAiCompletionJson("gpt-test", "Olá de novo!"));
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(flaky, "Oi")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(flaky).Count == 1, "the retried reply sent");
        _app.Llm.Responder = null;
        var absent = Payloads.NewChatId();
        _app.Evolution.FailNext((400, """{"status":400,"error":"Bad Request","response":{"message":[{"exists":false,"jid":"x","number":"x"}]}}"""));
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(absent, "Oi")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(_instance, absent)).Contains("ai_failed"), "the refused reply dead");

        var scrape = await ScrapeAsync(_app.Client);
        foreach (var (name, type, labels) in documented)
        {
            Assert.That(scrape.Types.GetValueOrDefault(name), Is.EqualTo(type), $"{name} is exposed as a {type}");
            var sampleName = type == "histogram" ? name + "_count" : name;
            var samples = scrape.Samples.Where(s => s.Name == sampleName).ToList();
            Assert.That(samples, Is.Not.Empty, $"{name} has a value after the traffic");
            foreach (var sample in samples)
                Assert.That(sample.Labels.Keys, Is.EquivalentTo(labels), $"{name}'s labels");
        }
        // prometheus-net's process and GC figures are kept beside the service's own series.
        Assert.That(scrape.Types.GetValueOrDefault("process_cpu_seconds_total"), Is.EqualTo("counter"));
        Assert.That(scrape.Types.GetValueOrDefault("dotnet_collection_count_total"), Is.EqualTo("counter"));
    }

    /// <summary>
    /// The table of series in docs/OPERATIONS.md (moved there from the README): name, type, and the label names (the backticked words of the labels cell before its
    /// first explanation, which starts with '(', ':' or '—').
    /// </summary>
    private static List<(string Name, string Type, string[] Labels)> DocumentedSeries()
    {
        var root = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "HybridFlow.sln"))) root = root.Parent;
        Assert.That(root, Is.Not.Null, "HybridFlow.sln above the test directory");
        var series = new List<(string, string, string[])>();
        foreach (var line in File.ReadLines(Path.Combine(root!.FullName, "docs", "OPERATIONS.md")))
        {
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (cells.Length != 3 || !cells[0].StartsWith("`hybridflow_", StringComparison.Ordinal)) continue;
            var labelCell = cells[2];
            var end = labelCell.IndexOfAny(['(', ':', '—']);
            var labels = labelCell[..(end < 0 ? labelCell.Length : end)].Split('`').Where((_, i) => i % 2 == 1).ToArray();
            series.Add((cells[0].Trim('`'), cells[1], labels));
        }
        return series;
    }

    /// <summary>Buckets are cumulative, end with +Inf, and +Inf equals _count.</summary>
    private static IReadOnlyList<(string Le, double Count)> AssertWellFormedHistogram(PrometheusText scrape, string family, params (string Key, string Value)[] labels)
    {
        var buckets = scrape.Buckets(family, labels);
        Assert.That(buckets, Is.Not.Empty, family);
        Assert.That(buckets[^1].Le, Is.EqualTo("+Inf"), family);
        var bounds = buckets.Take(buckets.Count - 1).Select(b => double.Parse(b.Le, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.That(bounds, Is.Ordered.Ascending, family);
        Assert.That(buckets.Select(b => b.Count), Is.Ordered.Ascending, $"{family} buckets are cumulative");
        Assert.That(buckets[^1].Count, Is.EqualTo(scrape.Value(family + "_count", labels)), $"{family}: +Inf bucket equals _count");
        Assert.That(scrape.Value(family + "_sum", labels), Is.Not.Null, family);
        return buckets;
    }

    private static double Delta(PrometheusText after, PrometheusText before, string name, params (string Key, string Value)[] labels) =>
        after.ValueOrZero(name, labels) - before.ValueOrZero(name, labels);

    [Test]
    public async Task InProduction_WithoutAKey_MetricsAre401_UnlessMetricsPublic_AndOutsideProductionOpen()
    {
        await using var closed = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["METRICS_PUBLIC"] = null });
        var refused = await closed.Client.GetAsync("/metrics");
        var body = await refused.Content.ReadAsStringAsync();
        Assert.That((int)refused.StatusCode, Is.EqualTo(401), body);
        Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(body, Does.Contain("METRICS_API_KEY").And.Contain("METRICS_PUBLIC"), "the answer says how to open it");
        Assert.That(body, Does.Not.Contain("hybridflow_"));

        // METRICS_PUBLIC=true is the test apps' default.
        Assert.That(await ScrapeAsync(_app.Client), Is.Not.Null);

        await using var development = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["METRICS_PUBLIC"] = null }, environment: "Development");
        Assert.That(await ScrapeAsync(development.Client), Is.Not.Null);
    }
}
