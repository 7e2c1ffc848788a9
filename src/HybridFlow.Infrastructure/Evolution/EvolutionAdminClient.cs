using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Security;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace HybridFlow.Infrastructure.Evolution;

/// <summary>
/// Evolution's instance administration: <c>GET /instance/connectionState/{instance}</c> and <c>POST /webhook/set/{instance}</c>.
/// Both are safe to repeat, so they are retried on the same transient failures as sends; Evolution's own errors are
/// reported, not thrown. The webhook body carries the secret header, so bodies are never logged.
/// </summary>
public sealed class EvolutionAdminClient : IEvolutionAdmin
{
    private const int MaxBodyChars = 64 * 1024;
    private const int MaxErrorChars = 300;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IHttpClientFactory _httpClients;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly TimeSpan _timeout;
    private readonly ILogger<EvolutionAdminClient> _logger;

    public EvolutionAdminClient(IHttpClientFactory httpClients, EvolutionOptions options, ILogger<EvolutionAdminClient> logger)
    {
        _httpClients = httpClients;
        _logger = logger;
        _timeout = options.AdminTimeout;
        _pipeline = EvolutionClient.Pipeline(options, options.AdminTimeout);
    }

    public async Task<ConnectionStateReport> GetConnectionStateAsync(EvolutionEndpoint endpoint, CancellationToken ct)
    {
        var url = Url(endpoint, "instance/connectionState");
        var (status, body, failure) = await CallAsync(endpoint, () => new HttpRequestMessage(HttpMethod.Get, url), "connectionState", ct);
        if (failure is not null) return new ConnectionStateReport(false, null, status, failure);
        return new ConnectionStateReport(true, ReadState(body), status, null);
    }

    public async Task<EvolutionCallResult> SetWebhookAsync(EvolutionEndpoint endpoint, WebhookRegistration webhook, CancellationToken ct)
    {
        var url = Url(endpoint, "webhook/set");
        var json = JsonSerializer.Serialize(new SetWebhookBody(new WebhookBody(true, webhook.Url, webhook.Headers, false, false, webhook.Events)), Json);
        var (status, _, failure) = await CallAsync(endpoint,
            () => new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") },
            "webhook/set", ct);
        return new EvolutionCallResult(failure is null, status, failure);
    }

    private static string Url(EvolutionEndpoint endpoint, string operation) =>
        $"{endpoint.ServerUrl.TrimEnd('/')}/{operation}/{Uri.EscapeDataString(endpoint.InstanceName)}";

    /// <summary>Answers the HTTP status (null when none came back), the body, and a readable failure unless Evolution answered 2xx.</summary>
    private async Task<(int? Status, string Body, string? Failure)> CallAsync(
        EvolutionEndpoint endpoint, Func<HttpRequestMessage> newRequest, string operation, CancellationToken ct)
    {
        var client = _httpClients.CreateClient(EvolutionClient.HttpClientName);
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(async token =>
            {
                using var request = newRequest();
                OutboundAddressGuard.MarkOutboundTrust(request, endpoint.Trusted);
                if (!string.IsNullOrEmpty(endpoint.ApiKey)) request.Headers.TryAddWithoutValidation("apikey", endpoint.ApiKey);
                return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            }, ct);
        }
        catch (TimeoutRejectedException)
        {
            return Failed(null, $"Evolution did not answer within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
        }
        catch (HttpRequestException e) when (OutboundAddressGuard.BlockedBy(e) is { } blocked)
        {
            return Failed(null, $"Evolution at {HostOf(endpoint.ServerUrl)} was not called: {blocked.Message}.");
        }
        catch (HttpRequestException e)
        {
            return Failed(null, $"Evolution could not be reached at {HostOf(endpoint.ServerUrl)} ({e.HttpRequestError}).");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            string body;
            try
            {
                body = await ReadLimitedAsync(response.Content, ct);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutRejectedException)
            {
                return Failed(status, $"Evolution's answer ({status}) was cut off.");
            }
            if (response.IsSuccessStatusCode) return (status, body, null);
            return Failed(status, Describe(status, body));
        }

        (int?, string, string?) Failed(int? status, string failure)
        {
            _logger.LogWarning("Evolution {operation} for instance {instance} failed: {status} {failure}", operation, endpoint.InstanceName, status, failure);
            return (status, "", failure);
        }
    }

    private static string Describe(int status, string body)
    {
        var hint = status switch
        {
            401 or 403 => " Check the instance's evo_api_key.",
            404 => " Check that the instance exists in Evolution under this name.",
            _ => "",
        };
        var message = ReadErrorMessage(body);
        var text = $"Evolution answered {status}{(message is null ? "." : ": " + message)}{hint}";
        return text.Length <= MaxErrorChars ? text : text[..MaxErrorChars] + "…";
    }

    /// <summary>Evolution errors look like <c>{"status":404,"error":"Not Found","response":{"message":["…"]}}</c>.</summary>
    private static string? ReadErrorMessage(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object
                && response.TryGetProperty("message", out var message))
            {
                return message.ValueKind switch
                {
                    JsonValueKind.String => message.GetString(),
                    JsonValueKind.Array => string.Join("; ", message.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.String ? m.GetString() : m.GetRawText())),
                    _ => message.GetRawText(),
                };
            }
            return root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary><c>{"instance":{"instanceName":"…","state":"open"}}</c>; the state is missing while Evolution has not loaded the instance.</summary>
    private static string? ReadState(string body) => EvolutionJson.StringAt(body, "instance", "state");

    private static async Task<string> ReadLimitedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[MaxBodyChars];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await reader.ReadAsync(buffer.AsMemory(read), ct)) > 0) read += n;
        return new string(buffer, 0, read);
    }

    private static string HostOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : "the configured evo_server_url";

    private sealed record SetWebhookBody([property: JsonPropertyName("webhook")] WebhookBody Webhook);

    private sealed record WebhookBody(
        [property: JsonPropertyName("enabled")] bool Enabled,
        [property: JsonPropertyName("url")] string Url,
        [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string> Headers,
        [property: JsonPropertyName("byEvents")] bool ByEvents,
        [property: JsonPropertyName("base64")] bool Base64,
        [property: JsonPropertyName("events")] IReadOnlyList<string> Events);
}
