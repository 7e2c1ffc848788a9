using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Security;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace HybridFlow.Infrastructure.Evolution;

public sealed record EvolutionOptions
{
    /// <summary>Per attempt; Evolution blocks for the whole send, typing delay included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    public int RetriesBeforeSending { get; init; } = 2;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(300);
    /// <summary>Per attempt for connectionState and webhook/set: an operator is waiting on the answer.</summary>
    public TimeSpan AdminTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Typed client for Evolution API v2 (POST /message/sendText/{instance}). Only failures that prove nothing
/// was sent (no connection, 429, 503) are retried here; everything else goes back to the outbox, which owns retries.
/// </summary>
public sealed class EvolutionClient : IWhatsAppGateway
{
    public const string HttpClientName = "evolution";
    private const string SendTextOperation = "send_text";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IHttpClientFactory _httpClients;
    private readonly ICorrelationContext _correlation;
    private readonly HybridFlowMetrics _metrics;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public EvolutionClient(IHttpClientFactory httpClients, EvolutionOptions options, ICorrelationContext correlation, HybridFlowMetrics metrics)
    {
        _httpClients = httpClients;
        _correlation = correlation;
        _metrics = metrics;
        _pipeline = Pipeline(options, options.Timeout);
    }

    /// <summary>Retries only what proves nothing reached Evolution (no connection, 429, 503), each attempt within <paramref name="timeout"/>.</summary>
    internal static ResiliencePipeline<HttpResponseMessage> Pipeline(EvolutionOptions options, TimeSpan timeout) =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(0, options.RetriesBeforeSending),
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>(e => e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                                                       && OutboundAddressGuard.BlockedBy(e) is null)
                    .HandleResult(r => r.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable),
            })
            .AddTimeout(timeout)
            .Build();

    public async Task<SentText> SendTextAsync(OutgoingText message, CancellationToken ct)
    {
        try
        {
            return await SendTextOnceAsync(message, ct);
        }
        catch (WhatsAppSendException e)
        {
            _metrics.EvolutionCallFailed(SendTextOperation, e.Kind switch
            {
                SendFailureKind.Permanent => "permanent",
                SendFailureKind.OutcomeUnknown => "outcome_unknown",
                SendFailureKind.Blocked => "blocked",
                _ => "transient",
            });
            throw;
        }
    }

    private async Task<SentText> SendTextOnceAsync(OutgoingText message, CancellationToken ct)
    {
        var instance = message.Instance;
        var correlationId = message.CorrelationId ?? _correlation.CorrelationId;
        var url = $"{instance.EvolutionServerUrl.TrimEnd('/')}/message/sendText/{Uri.EscapeDataString(instance.InstanceName)}";
        var client = _httpClients.CreateClient(HttpClientName);

        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url)
                {
                    // Buffered with a Content-Length: some proxies and servers refuse chunked request bodies.
                    Content = new StringContent(JsonSerializer.Serialize(new SendTextBody(ToNumber(message.ChatId), message.Text), Json),
                        System.Text.Encoding.UTF8, "application/json"),
                };
                OutboundAddressGuard.MarkOutboundTrust(request, instance.EvolutionServerUrlTrusted);
                if (!string.IsNullOrEmpty(instance.EvolutionApiKey)) request.Headers.TryAddWithoutValidation("apikey", instance.EvolutionApiKey);
                if (correlationId is not null) request.Headers.TryAddWithoutValidation(OutboundCorrelation.HeaderName, correlationId);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    return await client.SendAsync(request, token);
                }
                finally
                {
                    _metrics.EvolutionCallTimed(SendTextOperation, Stopwatch.GetElapsedTime(started));
                }
            }, ct);
        }
        catch (TimeoutRejectedException e)
        {
            throw new WhatsAppSendException("Evolution did not answer in time; the message may have been sent.", SendFailureKind.OutcomeUnknown, e);
        }
        catch (HttpRequestException e) when (OutboundAddressGuard.BlockedBy(e) is { } blocked)
        {
            throw new WhatsAppSendException(blocked.Message, SendFailureKind.Blocked, e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            throw new WhatsAppSendException($"Evolution unreachable ({e.HttpRequestError}).", SendFailureKind.Transient, e);
        }
        catch (HttpRequestException e)
        {
            throw new WhatsAppSendException($"Evolution connection failed mid-request ({e.HttpRequestError}).", SendFailureKind.OutcomeUnknown, e);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode) throw Classify(response.StatusCode, body);
            var id = ReadKeyId(body)
                     ?? throw new WhatsAppSendException("Evolution accepted the message but returned no key.id.", SendFailureKind.OutcomeUnknown);
            return new SentText(id, body);
        }
    }

    /// <summary>Evolution answers 400 both for "not on WhatsApp" (final) and for Baileys failures such as "Connection Closed" (transient).</summary>
    private static WhatsAppSendException Classify(HttpStatusCode status, string body)
    {
        var code = (int)status;
        if (status == HttpStatusCode.BadRequest && body.Contains("\"exists\":false", StringComparison.OrdinalIgnoreCase))
            return new WhatsAppSendException("Evolution 400: the number is not on WhatsApp.", SendFailureKind.Permanent, upstreamStatus: code);
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            return new WhatsAppSendException($"Evolution {code}: check the instance name and API key.", SendFailureKind.Permanent, upstreamStatus: code);
        return new WhatsAppSendException($"Evolution {code}.", SendFailureKind.Transient, upstreamStatus: code);
    }

    private static string? ReadKeyId(string body) => EvolutionJson.StringAt(body, "key", "id");

    /// <summary>Evolution accepts digits or a full JID; a phone JID is sent as digits, anything else as is.</summary>
    private static string ToNumber(string chatId) =>
        chatId.EndsWith("@s.whatsapp.net", StringComparison.OrdinalIgnoreCase) ? chatId[..chatId.IndexOf('@', StringComparison.Ordinal)] : chatId;

    private sealed record SendTextBody(
        [property: JsonPropertyName("number")] string Number,
        [property: JsonPropertyName("text")] string Text);
}
