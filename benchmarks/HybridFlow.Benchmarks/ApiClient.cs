using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace HybridFlow.Benchmarks;

/// <summary>A tenant with one instance, created through the admin API; DebounceSeconds as the API stored it.</summary>
public sealed record BenchTenant(long TenantId, long InstanceId, string Instance, string WebhookSecret, int? DebounceSeconds = null);

/// <summary>The API over real HTTP: the admin calls that set the benchmark up, and the webhook sender.</summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _adminKey;

    public ApiClient(Uri baseAddress, string adminKey, int maxConnections)
    {
        _adminKey = adminKey;
        // Closed-loop load: one kept-alive HTTP/1.1 connection per concurrent sender, no proxy, no cookies.
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>Waits (bounded) until GET /health answers 200.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, int? apiPid)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (apiPid is { } pid && !ProcFs.IsAlive(pid)) throw new InvalidOperationException("The API process exited before it became healthy.");
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                using var response = await _http.GetAsync(new Uri("health", UriKind.Relative), cts.Token);
                if (response.StatusCode == HttpStatusCode.OK) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cts.Token)}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (OperationCanceledException)
            {
                last = "timed out";
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The API at {BaseAddress} did not become healthy within {timeout.TotalSeconds:0} s: {last}");
    }

    /// <param name="debounceSeconds">The tenant's reply debounce; null leaves the API's default.</param>
    public async Task<BenchTenant> CreateTenantAsync(string name, string replyMode, string instance, Uri evolution, int? debounceSeconds = null)
    {
        var settings = new Dictionary<string, object?>
        {
            ["name"] = name,
            ["system_prompt"] = "Você é o assistente da Padaria Benchmark.",
            ["reply_mode"] = replyMode,
        };
        if (debounceSeconds is { } debounce) settings["debounce_seconds"] = debounce;
        var tenant = await AdminPostAsync("api/tenants", settings);
        var tenantId = tenant.GetProperty("id").GetInt64();
        var secret = "bench-webhook-secret-" + Guid.NewGuid().ToString("N");
        var created = await AdminPostAsync("api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = tenantId,
            ["instance_name"] = instance,
            ["evo_server_url"] = evolution.ToString(),
            ["evo_api_key"] = "BENCH" + Guid.NewGuid().ToString("N").ToUpperInvariant(),
            ["webhook_secret"] = secret,
        });
        int? storedDebounce = tenant.TryGetProperty("debounce_seconds", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : null;
        return new BenchTenant(tenantId, created.GetProperty("id").GetInt64(), instance, secret, storedDebounce);
    }

    private async Task<JsonElement> AdminPostAsync(string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _adminKey);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"POST /{path} answered {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>POST /webhook/{instance} with the X-Webhook-Secret header; answers the status and the body.</summary>
    /// <param name="correlationId">Sent as X-Correlation-Id: the API passes it on to the model and Evolution calls of the reply.</param>
    public async Task<(int Status, string Body)> PostWebhookAsync(BenchTenant tenant, byte[] body, CancellationToken ct, string? correlationId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("webhook/" + tenant.Instance, UriKind.Relative));
        if (correlationId is not null) request.Headers.Add("X-Correlation-Id", correlationId);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Webhook-Secret", tenant.WebhookSecret);
        using var response = await _http.SendAsync(request, ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    /// <summary>
    /// The committed customer-message transactions and the webhooks they served so far, from GET /metrics
    /// (the group-commit figures); null when the API does not expose them.
    /// </summary>
    public async Task<(double Transactions, double Webhooks)?> ReadWebhookTransactionsAsync()
    {
        using var response = await _http.GetAsync(new Uri("metrics", UriKind.Relative));
        if (!response.IsSuccessStatusCode) return null;
        double? transactions = null, webhooks = null;
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (line.StartsWith("hybridflow_webhook_transactions_total{outcome=\"committed\"}", StringComparison.Ordinal)) transactions = LastNumber(line);
            else if (line.StartsWith("hybridflow_webhook_transaction_members_total{outcome=\"committed\"}", StringComparison.Ordinal)) webhooks = LastNumber(line);
        }
        return transactions is { } t && webhooks is { } w ? (t, w) : null;

        static double LastNumber(string line) => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>GET /metrics as text (the bench API runs with METRICS_PUBLIC=true).</summary>
    public async Task<string> ReadMetricsTextAsync()
    {
        using var response = await _http.GetAsync(new Uri("metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    public void Dispose() => _http.Dispose();
}
