using System.Net;
using System.Text.Json;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Webhooks.Meta;
using HybridFlow.Infrastructure.Evolution;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Security;
using Microsoft.Extensions.Logging;
using Refit;

namespace HybridFlow.Infrastructure.MetaCloud;

/// <summary>
/// The channel adapter over Meta's WhatsApp Cloud API (ADR-015): texts, templates, read receipts with the typing
/// indicator, the media API, and the proof of a send whose answer was lost. Nothing is retried here: the outbox owns
/// retries, and this says what kind of failure it was (<see cref="Classify"/>). The Cloud API has no idempotency key and
/// cannot be read back, so a lost answer is settled only by a status carrying the send's callback data.
/// </summary>
internal sealed class MetaCloudClient : IWhatsAppGateway, IWhatsAppMediaGateway
{
    /// <summary>Meta's limit for a text body.</summary>
    public const int TextMax = 4096;
    /// <summary>131056: one message every 6 s to one user; a chat's part waits that long before it is tried again.</summary>
    public static readonly TimeSpan PairRateLimitWait = TimeSpan.FromSeconds(6);
    /// <summary>130429 without a Retry-After: the number's throughput is exceeded for now.</summary>
    public static readonly TimeSpan ThroughputWait = TimeSpan.FromSeconds(4);

    private readonly GraphApiFactory _graph;
    private readonly ISendProofStore _proofs;
    private readonly MetaCloudSettings _settings;
    private readonly EvolutionOptions _timeouts;
    private readonly ICorrelationContext _correlation;
    private readonly TimeProvider _time;
    private readonly ILogger<MetaCloudClient> _logger;

    public MetaCloudClient(GraphApiFactory graph, ISendProofStore proofs, MetaCloudSettings settings, EvolutionOptions timeouts,
        ICorrelationContext correlation, TimeProvider time, ILogger<MetaCloudClient> logger)
    {
        _graph = graph;
        _proofs = proofs;
        _settings = settings;
        _timeouts = timeouts;
        _correlation = correlation;
        _time = time;
        _logger = logger;
    }

    public async Task<SentText> SendTextAsync(OutgoingText message, CancellationToken ct)
    {
        var account = AccountOf(message.Instance);
        GraphMessageRequest body;
        if (message.Template is { } template)
        {
            IReadOnlyList<GraphTemplateComponent>? components = template.Variables.Count == 0 ? null
                : [new GraphTemplateComponent("body", [.. template.Variables.Select(v => new GraphTemplateParameter("text", v))])];
            body = new GraphMessageRequest
            {
                RecipientType = "individual", To = Recipient(message.ChatId), Type = "template",
                Template = new GraphTemplate(template.Name, new GraphLanguage(template.Language), components),
                BizOpaqueCallbackData = message.CallbackData,
            };
        }
        else
        {
            if (message.Text.Length > TextMax)
                throw new WhatsAppSendException($"The Cloud API takes at most {TextMax} characters in a text.", SendFailureKind.Permanent);
            body = new GraphMessageRequest
            {
                RecipientType = "individual", To = Recipient(message.ChatId), Type = "text",
                Text = new GraphText(message.Text, PreviewUrl: false), BizOpaqueCallbackData = message.CallbackData,
            };
        }

        // The typing indicator went out before the reply (it shows until the message arrives); the tenant's typing time is
        // spent here, before anything is sent, as Evolution spends it.
        if (message.TypingDelay is { } typing && typing > TimeSpan.Zero) await Task.Delay(typing, _time, ct);

        var api = _graph.For(account.AccessToken!, message.CorrelationId ?? _correlation.CorrelationId);
        using var response = await CallAsync(token => api.SendMessageAsync(account.PhoneNumberId, body, token), mayHaveSent: true, ct);
        if (!response.IsSuccessStatusCode) throw Classify(response);
        // A 200 that was cut off or holds no id: accepted, but there is nothing to record it by; its status settles it.
        var id = response.Error is null ? response.Content?.Messages?.FirstOrDefault()?.Id : null;
        if (string.IsNullOrEmpty(id))
            throw new WhatsAppSendException("The Cloud API accepted the message but returned no id.", SendFailureKind.OutcomeUnknown, upstreamStatus: 200);
        return new SentText(id, JsonSerializer.Serialize(response.Content, GraphApiFactory.Json));
    }

    /// <summary>
    /// Marks the customer's message read, with the typing indicator when <see cref="OutgoingPresence.Duration"/> is set
    /// (Meta shows it up to 25 s or until the reply). Without <see cref="OutgoingPresence.CustomerMessageId"/> there is
    /// nothing to attach it to, and nothing is sent.
    /// </summary>
    public async Task SendPresenceAsync(OutgoingPresence presence, CancellationToken ct)
    {
        if (presence.CustomerMessageId is not { Length: > 0 } messageId) return;
        var account = AccountOf(presence.Instance);
        var body = new GraphMessageRequest
        {
            Status = "read", MessageId = messageId,
            TypingIndicator = presence.Duration > TimeSpan.Zero ? new GraphTypingIndicator("text") : null,
        };
        var api = _graph.For(account.AccessToken!, _correlation.CorrelationId);
        using var response = await CallAsync(token => api.SendMessageAsync(account.PhoneNumberId, body, token), mayHaveSent: false, ct);
        if (!response.IsSuccessStatusCode) throw Classify(response);
    }

    /// <summary>
    /// The Cloud API cannot be read back: a send is proved by a status (sent or later) that carried its callback data,
    /// which the webhook keeps (<see cref="ISendProofStore"/>). None yet while META_STATUS_WAIT_SECONDS have not passed
    /// since the send: ask again later. None after that: nothing can tell, and a person looks at the chat.
    /// </summary>
    public async Task<SendReadBack> FindSentAsync(SentTextQuery query, CancellationToken ct)
    {
        if (query.CallbackData is not { } callbackData) return SendReadBack.CannotTell;
        SendProof? proof;
        try
        {
            proof = await _proofs.FindAsync(query.Instance.InstanceId, callbackData, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Looking up the send proof failed; asking again later");
            return SendReadBack.Unavailable;
        }
        if (proof is not null)
        {
            var raw = JsonSerializer.Serialize(new { id = proof.ProviderMessageId, status = proof.Status, biz_opaque_callback_data = callbackData });
            return new SendReadBack(ReadBackVerdict.Found, proof.ProviderMessageId, raw, proof.ReceivedAt);
        }
        var waitEnds = query.NotBefore + _settings.StatusWait;
        return _time.GetUtcNow() < waitEnds ? new SendReadBack(ReadBackVerdict.Unavailable, AskAgainAt: waitEnds) : SendReadBack.CannotTell;
    }

    /// <summary><c>GET /{media-id}</c> for the file's URL (valid 5 minutes), then the URL with the bearer token.</summary>
    public async Task<MediaContent> DownloadMediaAsync(InstanceContext instance, MediaReference media, long maxBytes, string? correlationId, CancellationToken ct)
    {
        if (media.ProviderMediaId is not { Length: > 0 } mediaId)
            throw new MediaDownloadException("The message has no Cloud API media id.", MediaDownloadFailure.Permanent);
        if (instance.MetaCloud?.AccessToken is not { Length: > 0 } token)
            throw new MediaDownloadException("The instance has no meta_access_token.", MediaDownloadFailure.Permanent);
        var correlation = correlationId ?? _correlation.CorrelationId;

        GraphMediaInfo info;
        try
        {
            using var response = await WithTimeoutAsync(t => _graph.For(token, correlation).GetMediaAsync(mediaId, t), ct);
            if (!response.IsSuccessStatusCode || response.Error is not null || response.Content?.Url is not { Length: > 0 })
                throw MediaFailure(response.StatusCode ?? 0, GraphApiFactory.ErrorOf(response));
            info = response.Content;
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            throw new MediaDownloadException("The Graph API could not be reached for the media.", MediaDownloadFailure.Transient, e);
        }
        if (info.FileSize is { } size && size > maxBytes) throw new MediaTooLargeException(size);
        if (!Uri.TryCreate(info.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new MediaDownloadException("The Graph API answered a media URL that is not http(s).", MediaDownloadFailure.Permanent);

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Options.Set(new HttpRequestOptionsKey<long>(OutboundHttp.AnswerLimitOption), maxBytes);
            using var client = _graph.Client(token, correlation);
            using var answer = await WithTimeoutAsync(t => client.SendAsync(request, t), ct);
            if (answer.StatusCode == HttpStatusCode.NotFound)
                throw new MediaDownloadException("The media URL is gone (404).", MediaDownloadFailure.NotFound);
            if (!answer.IsSuccessStatusCode)
                throw new MediaDownloadException($"The media URL answered {(int)answer.StatusCode}.",
                    (int)answer.StatusCode >= 500 ? MediaDownloadFailure.Transient : MediaDownloadFailure.Permanent);
            var data = await answer.Content.ReadAsByteArrayAsync(ct);
            if (data.Length > maxBytes) throw new MediaTooLargeException(data.Length);
            var mimeType = info.MimeType ?? answer.Content.Headers.ContentType?.MediaType ?? "application/octet-stream";
            return new MediaContent(mimeType, data);
        }
        catch (HttpRequestException e) when (e.InnerException is OutboundAnswerTooLargeException)
        {
            throw new MediaTooLargeException(maxBytes + 1);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            throw new MediaDownloadException("The media URL could not be read.", MediaDownloadFailure.Transient, e);
        }
    }

    private static MediaDownloadException MediaFailure(HttpStatusCode status, GraphError? error)
    {
        var code = (int)status;
        var what = error?.Code is { } c ? $"Graph API {code}, code {c}" : $"Graph API {code}";
        // An id Meta does not know (expired after 7 days, or never there) is gone for good.
        if (error?.Code == GraphErrorCodes.InvalidParameter || status == HttpStatusCode.NotFound)
            return new MediaDownloadException($"{what}: the media is not available.", MediaDownloadFailure.NotFound);
        return new MediaDownloadException(what, code >= 500 ? MediaDownloadFailure.Transient : MediaDownloadFailure.Permanent);
    }

    /// <summary>
    /// One call within the timeout, its transport failures classified: no connection means nothing was sent (Transient);
    /// a timeout or a connection lost after the request went out may have sent it (OutcomeUnknown when
    /// <paramref name="mayHaveSent"/>).
    /// </summary>
    private async Task<TResponse> CallAsync<TResponse>(Func<CancellationToken, Task<TResponse>> call, bool mayHaveSent, CancellationToken ct)
    {
        try
        {
            return await WithTimeoutAsync(call, ct);
        }
        catch (TimeoutException e)
        {
            throw new WhatsAppSendException("The Graph API did not answer in time; the message may have been sent.",
                mayHaveSent ? SendFailureKind.OutcomeUnknown : SendFailureKind.Transient, e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                                                 or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError)
        {
            throw new WhatsAppSendException($"The Graph API unreachable ({e.HttpRequestError}).", SendFailureKind.Transient, e);
        }
        catch (HttpRequestException e)
        {
            throw new WhatsAppSendException($"The Graph API connection failed mid-request ({e.HttpRequestError}).",
                mayHaveSent ? SendFailureKind.OutcomeUnknown : SendFailureKind.Transient, e);
        }
    }

    /// <summary>Runs <paramref name="call"/> for at most EVOLUTION_TIMEOUT (the channel's timeout); our own timeout is a <see cref="TimeoutException"/>.</summary>
    private async Task<TResponse> WithTimeoutAsync<TResponse>(Func<CancellationToken, Task<TResponse>> call, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeouts.Timeout);
        try
        {
            return await call(timeout.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException("The Graph API did not answer in time.", e);
        }
    }

    /// <summary>
    /// Meta's error, by its code (facts, section 4): the re-engagement rule, undeliverable numbers, bad tokens, bad
    /// parameters and blocks are permanent; throughput and the pair rate limit are throttles (nothing was sent, no attempt
    /// used); a 5xx or an error without a code is transient.
    /// </summary>
    internal static WhatsAppSendException Classify(IApiResponse response)
    {
        var status = (int?)response.StatusCode ?? 0;
        var error = GraphApiFactory.ErrorOf(response);
        var code = error?.Code;
        var what = code is { } c ? $"Graph API {status}, code {c}" : $"Graph API {status}";
        if (code is { } throttled && GraphErrorCodes.Throttling.Contains(throttled))
        {
            var wait = throttled == GraphErrorCodes.PairRateLimit ? PairRateLimitWait : RetryAfterOf(response) ?? ThroughputWait;
            return new WhatsAppSendException($"{what}: WhatsApp asked to slow down.", SendFailureKind.Throttled, upstreamStatus: status,
                retryAfter: wait, providerErrorCode: throttled);
        }
        if (code is { } permanent && GraphErrorCodes.Permanent.Contains(permanent))
            return new WhatsAppSendException($"{what}: {MetaStatuses.Reason(permanent) ?? "refused"}.", SendFailureKind.Permanent, upstreamStatus: status, providerErrorCode: permanent);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
            return new WhatsAppSendException($"{what}: WhatsApp asked to slow down.", SendFailureKind.Throttled, upstreamStatus: status,
                retryAfter: RetryAfterOf(response) ?? ThroughputWait, providerErrorCode: code);
        if (status >= 500 || code is 1 or 2 or 131000 or 131016)
            return new WhatsAppSendException($"{what}: a passing failure.", SendFailureKind.Transient, upstreamStatus: status, providerErrorCode: code);
        // Any other 4xx: Meta validated the request and refused it; the same request would be refused again.
        return new WhatsAppSendException($"{what}: refused.", SendFailureKind.Permanent, upstreamStatus: status, providerErrorCode: code);
    }

    private static TimeSpan? RetryAfterOf(IApiResponse response)
    {
        var retryAfter = response.Headers?.RetryAfter;
        if (retryAfter?.Delta is { } delta) return delta;
        return retryAfter?.Date is { } date && date > DateTimeOffset.UtcNow ? date - DateTimeOffset.UtcNow : null;
    }

    /// <summary>The Cloud API's <c>to</c>: the number's digits (the chat id before its @).</summary>
    private static string Recipient(string chatId)
    {
        var at = chatId.IndexOf('@');
        return at < 0 ? chatId : chatId[..at];
    }

    private static MetaCloudAccount AccountOf(InstanceContext instance) =>
        instance.MetaCloud is { AccessToken.Length: > 0 } account
            ? account
            : throw new WhatsAppSendException("The instance has no meta_phone_number_id or meta_access_token.", SendFailureKind.Permanent);
}
