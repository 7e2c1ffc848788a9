using System.Net;
using System.Text.Json;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Chats;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Security;
using Polly;
using Polly.Timeout;
using Refit;

namespace HybridFlow.Infrastructure.Evolution;

/// <summary>
/// The WhatsApp gateway over Evolution API v2 (POST /message/sendText/{instance}). Only failures that prove nothing
/// was sent (no connection, 429) are retried here; everything else goes back to the outbox, which owns retries. A send
/// whose answer does not prove it went out or not (a timeout, a 5xx, an unexplained 400) is an unknown outcome,
/// settled by proof (<see cref="ClassifySend"/>).
/// </summary>
internal sealed class EvolutionClient : IWhatsAppGateway
{
    private const string SendTextOperation = "send_text";
    private const string FindMessagesOperation = "find_messages";
    private const string SendPresenceOperation = "send_presence";
    private const string Composing = "composing";
    // The newest messages of the chat: our send, if it went out, and the messages that prove the record is kept.
    private const int ReadBackPageSize = 50;
    private readonly EvolutionApiFactory _evolution;
    private readonly ICorrelationContext _correlation;
    private readonly HybridFlowMetrics _metrics;
    private readonly ResiliencePipeline _pipeline;
    private readonly ResiliencePipeline _sendPipeline;
    private readonly EvolutionOptions _options;

    public EvolutionClient(EvolutionApiFactory evolution, EvolutionOptions options, ICorrelationContext correlation, HybridFlowMetrics metrics)
    {
        _evolution = evolution;
        _correlation = correlation;
        _metrics = metrics;
        _options = options;
        _pipeline = EvolutionApiFactory.Pipeline(options, options.Timeout);
        _sendPipeline = EvolutionApiFactory.Pipeline(options, options.Timeout, retryUnavailable: false);
    }

    public async Task<SentText> SendTextAsync(OutgoingText message, CancellationToken ct)
    {
        if (message.Template is not null)
            throw new WhatsAppSendException("Evolution cannot send WhatsApp templates: they belong to the Cloud API.", SendFailureKind.Permanent);
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
        var api = _evolution.For(EvolutionEndpoint.Of(instance), message.CorrelationId ?? _correlation.CorrelationId)
                  ?? throw new WhatsAppSendException("The instance's evo_server_url is not an absolute http(s) URL.", SendFailureKind.Permanent);
        var delayMs = message.TypingDelay is { } typing && typing > TimeSpan.Zero ? (int)typing.TotalMilliseconds : (int?)null;
        var body = new SendTextRequest(ToNumber(message.ChatId), message.Text, delayMs);
        // Evolution answers only after the typing delay: the timeout is the usual one on top of it, or every typed
        // message would look lost.
        var pipeline = delayMs is { } ms
            ? EvolutionApiFactory.Pipeline(_options, _options.Timeout + TimeSpan.FromMilliseconds(ms), retryUnavailable: false)
            : _sendPipeline;

        IApiResponse<SendTextResponse> response;
        try
        {
            response = await _evolution.ExecuteAsync(SendTextOperation, pipeline, token => api.SendTextAsync(instance.InstanceName, body, token), ct);
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
            if (!response.IsSuccessStatusCode) throw ClassifySend(response);
            // A 2xx that was cut off or is not the send.message object: it went out, but there is no id to match the echo by.
            var sent = response.Error is null ? response.Content : null;
            var id = sent?.Key?.Id
                     ?? throw new WhatsAppSendException("Evolution accepted the message but returned no key.id.", SendFailureKind.OutcomeUnknown);
            return new SentText(id, JsonSerializer.Serialize(sent, EvolutionApiFactory.Json));
        }
    }

    /// <summary>POST /chat/sendPresence (evolution.md section 4): blocks for the delay, so the timeout is the usual one on top of it.</summary>
    public async Task SendPresenceAsync(OutgoingPresence presence, CancellationToken ct)
    {
        var instance = presence.Instance;
        var api = _evolution.For(EvolutionEndpoint.Of(instance), _correlation.CorrelationId)
                  ?? throw new WhatsAppSendException("The instance's evo_server_url is not an absolute http(s) URL.", SendFailureKind.Permanent);
        var delayMs = (int)Math.Max(0, presence.Duration.TotalMilliseconds);
        var body = new SendPresenceRequest(ToNumber(presence.ChatId), Composing, delayMs);
        var pipeline = EvolutionApiFactory.Pipeline(_options, _options.AdminTimeout + TimeSpan.FromMilliseconds(delayMs));
        IApiResponse<SendPresenceResponse> response;
        try
        {
            response = await _evolution.ExecuteAsync(SendPresenceOperation, pipeline, token => api.SendPresenceAsync(instance.InstanceName, body, token), ct);
        }
        catch (Exception e) when (e is TimeoutRejectedException or HttpRequestException)
        {
            _metrics.EvolutionCallFailed(SendPresenceOperation, "unreachable");
            var kind = e is HttpRequestException h && OutboundAddressGuard.BlockedBy(h) is not null ? SendFailureKind.Blocked : SendFailureKind.Transient;
            throw new WhatsAppSendException(e is TimeoutRejectedException ? "Evolution did not answer in time." : "Evolution unreachable.", kind, e);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode) return;
            _metrics.EvolutionCallFailed(SendPresenceOperation, "failed");
            throw Classify(response);
        }
    }

    /// <summary>
    /// POST /chat/findMessages (evolution.md section 4): the chat's newest stored messages. Ours is there (fromMe, same
    /// text, not one we recorded already): it went out. It is not, but the same page shows messages of the chat we know
    /// (the customer's that triggered it): it did not. An empty page proves nothing: Evolution may store no messages.
    /// </summary>
    public async Task<SendReadBack> FindSentAsync(SentTextQuery query, CancellationToken ct)
    {
        var api = _evolution.For(EvolutionEndpoint.Of(query.Instance), query.CorrelationId ?? _correlation.CorrelationId);
        if (api is null) return SendReadBack.CannotTell;
        var known = query.KnownMessageIds.ToHashSet(StringComparer.Ordinal);
        var text = query.Text.Trim();
        var evidenceSeen = false;
        foreach (var jid in ChatJids(query.ChatId))
        {
            var body = new FindMessagesRequest(new FindMessagesWhere(new MessageKey(jid, null, null)), Page: 1, Offset: ReadBackPageSize);
            IApiResponse<FindMessagesResponse> response;
            try
            {
                response = await _evolution.ExecuteAsync(FindMessagesOperation, _pipeline, token => api.FindMessagesAsync(query.Instance.InstanceName, body, token), ct);
            }
            catch (Exception e) when (e is TimeoutRejectedException or HttpRequestException)
            {
                _metrics.EvolutionCallFailed(FindMessagesOperation, "unreachable");
                return SendReadBack.Unavailable;
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode || response.Error is not null || response.Content?.Messages?.Records is not { } records)
                {
                    _metrics.EvolutionCallFailed(FindMessagesOperation, "failed");
                    return SendReadBack.Unavailable;
                }
                foreach (var record in records)
                {
                    if (record.Key?.Id is not { } id) continue;
                    if (known.Contains(id))
                    {
                        evidenceSeen = true;
                        continue;
                    }
                    var sentAt = record.MessageTimestamp is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null;
                    if (record.Key.FromMe == true && TextOf(record.Message) == text && (sentAt is null || sentAt >= query.NotBefore))
                        return new SendReadBack(ReadBackVerdict.Found, id, JsonSerializer.Serialize(record, EvolutionApiFactory.Json), sentAt);
                }
            }
        }
        return evidenceSeen ? SendReadBack.ProvedAbsent : SendReadBack.CannotTell;
    }

    private static string? TextOf(JsonElement? message)
    {
        if (message is not { ValueKind: JsonValueKind.Object } m) return null;
        if (m.TryGetProperty("conversation", out var c) && c.ValueKind == JsonValueKind.String) return c.GetString()?.Trim();
        return m.TryGetProperty("extendedTextMessage", out var e) && e.ValueKind == JsonValueKind.Object
               && e.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()?.Trim()
            : null;
    }

    /// <summary>
    /// The chat's JID, and for a Brazilian mobile number also its form with or without the ninth digit: Evolution may store
    /// a send under the other one (createJid's normalisation), and missing it there would look like an absence.
    /// </summary>
    private static IReadOnlyList<string> ChatJids(string chatId) =>
        ChatId.TryParse(chatId, out var parsed) ? parsed.WithAndWithoutNinthDigit() : [chatId];

    /// <summary>Evolution answers 400 both for "not on WhatsApp" (final) and for Baileys failures such as "Connection Closed" (transient).</summary>
    private static WhatsAppSendException Classify(IApiResponse response)
    {
        var code = (int?)response.StatusCode;
        var status = response.StatusCode;
        if (status == HttpStatusCode.BadRequest && NotOnWhatsApp(EvolutionApiFactory.ErrorOf(response)))
            return new WhatsAppSendException("Evolution 400: the number is not on WhatsApp.", SendFailureKind.Permanent, upstreamStatus: code);
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            return new WhatsAppSendException($"Evolution {code}: check the instance name and API key.", SendFailureKind.Permanent, upstreamStatus: code);
        return new WhatsAppSendException($"Evolution {code}.", SendFailureKind.Transient, upstreamStatus: code);
    }

    /// <summary>
    /// A sendText error once the request reached Evolution. Its handler sends first and then does more work (store the
    /// message, fire the webhook) inside one try that answers 400, and a proxy in front may answer 5xx after the message
    /// went out: so a 5xx or a 400 proves nothing, and is an unknown outcome. Only what proves nothing was sent is
    /// retried: the number not on WhatsApp (final), or WhatsApp's connection closed before sending.
    /// </summary>
    private static WhatsAppSendException ClassifySend(IApiResponse response)
    {
        var code = (int?)response.StatusCode ?? 0;
        if (code != (int)HttpStatusCode.BadRequest && code < 500) return Classify(response);
        var error = EvolutionApiFactory.ErrorOf(response);
        if (code == (int)HttpStatusCode.BadRequest && NotOnWhatsApp(error)) return Classify(response);
        if (ConnectionClosed(error))
            return new WhatsAppSendException($"Evolution {code}: WhatsApp's connection was closed; nothing was sent.", SendFailureKind.Transient, upstreamStatus: code);
        return new WhatsAppSendException($"Evolution {code} after the request reached it; the message may have been sent.",
            SendFailureKind.OutcomeUnknown, upstreamStatus: code);
    }

    /// <summary>Baileys' "Connection Closed" (as <c>Error: Connection Closed</c> in <c>response.message</c>): the socket was down, nothing went out.</summary>
    private static bool ConnectionClosed(EvolutionError? error)
    {
        static bool Says(JsonElement e) => e.ValueKind == JsonValueKind.String
                                           && e.GetString()!.Contains("Connection Closed", StringComparison.OrdinalIgnoreCase);
        return error?.Response?.Message is { } message
               && (Says(message) || message.ValueKind == JsonValueKind.Array && message.EnumerateArray().Any(Says));
    }

    /// <summary><c>response.message: [{"exists": false, "jid": "…", "number": "…"}]</c>, from the onWhatsApp check before sending.</summary>
    private static bool NotOnWhatsApp(EvolutionError? error) =>
        error?.Response?.Message is { ValueKind: JsonValueKind.Array } messages
        && messages.EnumerateArray().Any(m => m.ValueKind == JsonValueKind.Object
                                              && m.TryGetProperty("exists", out var exists) && exists.ValueKind == JsonValueKind.False);

    /// <summary>Evolution accepts digits or a full JID; a phone JID is sent as digits, anything else as is.</summary>
    private static string ToNumber(string chatId) =>
        chatId.EndsWith("@s.whatsapp.net", StringComparison.OrdinalIgnoreCase) ? chatId[..chatId.IndexOf('@', StringComparison.Ordinal)] : chatId;
}
