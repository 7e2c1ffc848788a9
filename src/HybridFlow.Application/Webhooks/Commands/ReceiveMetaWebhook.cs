using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Timeline;
using HybridFlow.Application.Webhooks.Conversation;
using HybridFlow.Application.Webhooks.Meta;
using HybridFlow.Domain.Chats;
using HybridFlow.Domain.Messages;
using MediatR;

namespace HybridFlow.Application.Webhooks.Commands;

/// <summary>
/// Meta's webhook handshake (GET /webhooks/meta, /webhooks/meta/{instance_name}): answers <paramref name="Challenge"/> when
/// <paramref name="Mode"/> is <c>subscribe</c> and <paramref name="VerifyToken"/> is the app's; 403 otherwise.
/// </summary>
[AllowAnonymousCaller]
public sealed record VerifyMetaWebhookQuery(string? RouteInstance, string? Mode, string? VerifyToken, string? Challenge) : IRequest<string>;

/// <summary>
/// A Cloud API delivery (POST /webhooks/meta: the platform's app; /webhooks/meta/{instance_name}: an instance's own app),
/// the body as it arrives and its <c>X-Hub-Signature-256</c> (docs/decisions/ADR-016).
/// </summary>
[AllowAnonymousCaller]
public sealed record ReceiveMetaWebhookCommand(string? RouteInstance, Stream Body, long? BodyLength, string? Signature, string Source)
    : IRequest<WebhookOutcome>;

public sealed class VerifyMetaWebhookQueryHandler : IRequestHandler<VerifyMetaWebhookQuery, string>
{
    public const int MaxChallengeLength = 1024;
    private readonly IInstanceDirectory _instances;
    private readonly MetaCloudSettings _meta;

    public VerifyMetaWebhookQueryHandler(IInstanceDirectory instances, MetaCloudSettings meta)
    {
        _instances = instances;
        _meta = meta;
    }

    public async Task<string> Handle(VerifyMetaWebhookQuery query, CancellationToken ct)
    {
        var refused = new ForbiddenException("The verify token is wrong, or hub.mode is not subscribe.");
        if (query.Mode != "subscribe" || query.Challenge is not { Length: <= MaxChallengeLength } challenge) throw refused;
        var expected = _meta.VerifyToken;
        if (!string.IsNullOrWhiteSpace(query.RouteInstance))
        {
            // Fresh: the handshake follows a change of the callback URL or token, which may have just been saved.
            var instance = await _instances.FindByNameAsync(query.RouteInstance.Trim(), fresh: true, ct);
            if (instance?.MetaCloud is not { } account) throw refused;
            expected = account.VerifyToken ?? _meta.VerifyToken;
        }
        return SecretComparison.Matches(query.VerifyToken, expected) ? challenge : throw refused;
    }
}

/// <summary>
/// The Cloud API's webhook: the source's refusals, the body cap and the signature come before anything is parsed; then
/// every change is routed to its instance by <c>metadata.phone_number_id</c>, the instances' budgets are spent, and
/// every item is handled in order: customer messages through the same decision as Evolution's, the owner's echoes as a
/// human takeover, statuses forward only. Answered once all of it is stored.
/// </summary>
public sealed class ReceiveMetaWebhookCommandHandler : IRequestHandler<ReceiveMetaWebhookCommand, WebhookOutcome>
{
    /// <summary>Meta's largest delivery (3 MB, shared/meta-cloud-api.md section 2): the signature covers all of it, so all of it is read first.</summary>
    public const int MaxBodyLength = 3 * 1024 * 1024;
    public const string RefusedMessage = "The X-Hub-Signature-256 signature is missing or wrong.";
    /// <summary>The answer to a delivery of several items (each item's own action is on its chat's timeline).</summary>
    public const string BatchAction = "batch";

    private readonly IInstanceDirectory _instances;
    private readonly IWebhookThrottle _throttle;
    private readonly MetaCloudSettings _meta;
    private readonly IChatUnitOfWork _chats;
    private readonly CustomerMessages _customers;
    private readonly WebhookReceipts _receipts;
    private readonly ISendProofStore _proofs;
    private readonly IHybridFlowMetrics _metrics;
    private readonly TimeProvider _time;

    public ReceiveMetaWebhookCommandHandler(
        IInstanceDirectory instances, IWebhookThrottle throttle, MetaCloudSettings meta, IChatUnitOfWork chats, CustomerMessages customers,
        WebhookReceipts receipts, ISendProofStore proofs, IHybridFlowMetrics metrics, TimeProvider time)
    {
        _instances = instances;
        _throttle = throttle;
        _meta = meta;
        _chats = chats;
        _customers = customers;
        _receipts = receipts;
        _proofs = proofs;
        _metrics = metrics;
        _time = time;
    }

    public async Task<WebhookOutcome> Handle(ReceiveMetaWebhookCommand command, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        if (_throttle.SourceBlockedFor(command.Source) is { } wait)
            throw new TooManyAttemptsException("Too many refused webhook deliveries from this address; retry later.", wait);

        InstanceContext? routeInstance;
        MetaWebhook webhook;
        using (var body = new WebhookBody(command.Body, command.BodyLength))
        {
            try
            {
                if (!await body.ReadAsync(MaxBodyLength, ct))
                    throw new PayloadTooLargeException($"The body may be at most {MaxBodyLength} bytes.");
                routeInstance = await AuthenticateAsync(command.RouteInstance, body.Content, command.Signature, ct);
            }
            catch (Exception e) when (e is AuthenticationFailedException or PayloadTooLargeException)
            {
                _throttle.SourceRefused(command.Source);
                throw;
            }
            webhook = MetaWebhookParser.Parse(body.Content);
        }

        var routed = await RouteAsync(webhook, routeInstance, ct);
        foreach (var instance in routed.Select(r => r.Instance).OfType<InstanceContext>().DistinctBy(i => i.InstanceId))
        {
            if (_throttle.SpendInstanceDelivery(instance.InstanceName) is { } instanceWait)
                throw new TooManyAttemptsException("The instance's webhook rate limit was reached; retry later.", instanceWait);
        }

        var outcomes = new List<WebhookOutcome>();
        foreach (var (change, instance) in routed)
        {
            if (instance is null)
            {
                if (change.PhoneNumberId is null) continue;
                // Signed by Meta for a number nobody connected here (or another app's): 200, or Meta retries it for days.
                _metrics.MetaUnknownPhoneNumber();
                outcomes.Add(new WebhookOutcome(TimelineActions.IgnoredUnknownNumber));
                continue;
            }
            foreach (var message in change.Messages) outcomes.Add(await HandleCustomerMessageAsync(instance, message, now, ct));
            foreach (var echo in change.Echoes) outcomes.Add(await HandleEchoAsync(instance, echo, now, ct));
            foreach (var status in change.Statuses) outcomes.Add(await HandleStatusAsync(instance, status, now, ct));
            for (var i = 0; i < change.Unreadable; i++) outcomes.Add(Outcome(instance, TimelineActions.IgnoredUnsupported));
        }
        return outcomes.Count switch
        {
            0 => new WebhookOutcome(TimelineActions.IgnoredEvent, routeInstance?.Tenant.TenantId, routeInstance?.InstanceName),
            1 => outcomes[0],
            _ => new WebhookOutcome(BatchAction, routeInstance?.Tenant.TenantId, routeInstance?.InstanceName),
        };
    }

    /// <summary>
    /// The route's instance (null for the platform's app) once the signature holds for its app secret, or that of the platform's
    /// app; an unknown instance is refused exactly like a wrong signature.
    /// </summary>
    private async Task<InstanceContext?> AuthenticateAsync(string? routeInstance, ReadOnlyMemory<byte> body, string? signature, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(routeInstance))
            return MetaSignature.IsValid(body.Span, signature, _meta.AppSecret) ? null : throw new AuthenticationFailedException(RefusedMessage);

        return await _instances.FindAuthenticAsync(routeInstance.Trim(), i => IsSignedFor(i, body, signature), ct)
               ?? throw new AuthenticationFailedException(RefusedMessage);
    }

    private bool IsSignedFor(InstanceContext instance, ReadOnlyMemory<byte> body, string? signature) =>
        instance.MetaCloud is { } account && MetaSignature.IsValid(body.Span, signature, account.AppSecret ?? _meta.AppSecret);

    /// <summary>Each change's instance by its phone_number_id; on an instance's own route, only that instance's number.</summary>
    private async Task<List<(MetaChange Change, InstanceContext? Instance)>> RouteAsync(MetaWebhook webhook, InstanceContext? routeInstance, CancellationToken ct)
    {
        var found = new Dictionary<string, InstanceContext?>(StringComparer.Ordinal);
        var routed = new List<(MetaChange, InstanceContext?)>(webhook.Changes.Count);
        foreach (var change in webhook.Changes)
        {
            InstanceContext? instance = null;
            if (change.PhoneNumberId is { } id)
            {
                if (routeInstance is not null) instance = routeInstance.MetaCloud?.PhoneNumberId == id ? routeInstance : null;
                else if (!found.TryGetValue(id, out instance))
                {
                    // A miss is never cached: a number connected a moment ago on another replica is found.
                    instance = await _instances.FindByMetaPhoneNumberIdAsync(id, fresh: false, ct);
                    found[id] = instance;
                }
            }
            routed.Add((change, instance?.MetaCloud is null ? null : instance));
        }
        return routed;
    }

    private async Task<WebhookOutcome> HandleCustomerMessageAsync(InstanceContext instance, MetaMessage message, DateTimeOffset now, CancellationToken ct)
    {
        var outcome = Outcome(instance, TimelineActions.IgnoredUnsupported, message.ChatId, message.Id);
        // A reaction is not a message of its own (Evolution's are not stored either).
        if (message.IsReaction) return outcome;
        var stored = new NewChatMessage(message.Id, MessageDirection.Inbound, message.MessageType, message.Text, message.RawJson, message.SentAt ?? now,
            ContactName: message.ContactName, ProviderMediaId: message.MediaId);
        return outcome with { Action = await _customers.RecordAsync(instance, message.ChatId, stored, message.IsAnswerableMedia, now, ct) };
    }

    /// <summary>
    /// The owner on the WhatsApp Business app or a linked device: a takeover (our own sends are known by their wamid and skipped;
    /// the Cloud API does not echo its sends, so there is no send in flight to match), a revoke, or an edit.
    /// </summary>
    private async Task<WebhookOutcome> HandleEchoAsync(InstanceContext instance, MetaEcho echo, DateTimeOffset now, CancellationToken ct)
    {
        var outcome = Outcome(instance, TimelineActions.IgnoredUnsupported, echo.ChatId, echo.Id);
        if (echo.IsRevoke)
        {
            return echo.OriginalMessageId is { } revoked
                ? outcome with { Action = await _receipts.DeleteAsync(instance, revoked, now, ct), ProviderMessageId = revoked }
                : outcome;
        }
        var message = new NewChatMessage(echo.Id, MessageDirection.Human, echo.MessageType, echo.Text, echo.RawJson, echo.SentAt ?? now,
            ProviderMediaId: echo.MediaId);
        var action = echo.IsEdit
            ? await _chats.RunAsync(instance, echo.ChatId, now, (chat, token) => RecordEditAsync(chat, message, echo.OriginalMessageId, now, token), ct)
            : await _chats.RunAsync(instance, echo.ChatId, now, (chat, token) => OwnerMessages.DecideAsync(
                chat, instance, message, matchSendInFlight: false, isExternalApiSend: false, now, token), ct);
        return outcome with { Action = action };
    }

    /// <summary>The owner's edit, recorded as a message of its own with the new text; it changes nothing else.</summary>
    private static async Task<string> RecordEditAsync(IChatWork chat, NewChatMessage edit, string? originalMessageId, DateTimeOffset now, CancellationToken ct)
    {
        if (await chat.FindMessageDirectionAsync(edit.ProviderMessageId, ct) is not null) return chat.RollBack(TimelineActions.DuplicateIgnored);
        var appended = await chat.AppendMessageAsync(edit, ct);
        if (appended.IsDuplicate) return chat.RollBack(TimelineActions.DuplicateIgnored);
        var detail = originalMessageId is null
            ? TimelineDetails.Format(TimelineDetails.OwnerEdited)
            : TimelineDetails.Format(TimelineDetails.OwnerEditedMessage, ("message_id", originalMessageId));
        await chat.AddTimelineEventAsync(TimelineActions.MessageEdited, detail, appended.MessageId, now, ct);
        return TimelineActions.MessageEdited;
    }

    private async Task<WebhookOutcome> HandleStatusAsync(InstanceContext instance, MetaStatusUpdate status, DateTimeOffset now, CancellationToken ct)
    {
        var outcome = Outcome(instance, TimelineActions.IgnoredEvent, providerMessageId: status.MessageId);
        // The proof for a send whose answer was lost (ADR-015): the status carries the callback data it was sent with.
        if (status.CallbackData is { } callbackData)
            await _proofs.RecordAsync(instance.InstanceId, callbackData, status.MessageId, status.Status, status.At ?? now, ct);
        if (status.Status == MetaStatuses.Failed)
            return outcome with { Action = await _receipts.FailAsync(instance, status.MessageId, MetaStatuses.FailureDetail(status.Error), now, ct) };
        return MessageStatus.FromMeta(status.Status) is { } advanced
            ? outcome with { Action = await _receipts.AdvanceAsync(instance, status.MessageId, advanced, now, ct) }
            : outcome;
    }

    private static WebhookOutcome Outcome(InstanceContext instance, string action, string? chatId = null, string? providerMessageId = null) =>
        new(action, instance.Tenant.TenantId, instance.InstanceName, chatId, providerMessageId);
}
