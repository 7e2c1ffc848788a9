using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Webhooks.Conversation;
using HybridFlow.Domain.Chats;
using MediatR;
using HybridFlow.Domain.Messages;

namespace HybridFlow.Application.Webhooks.Commands;

/// <summary>
/// An Evolution webhook delivery: the body as it arrives (<paramref name="BodyLength"/> when declared) and the address it came
/// from, so that it is read only as far as the caller has proved itself (see <see cref="WebhookAdmission"/>).
/// <paramref name="RouteInstance"/> is set for POST /webhook/{instance}.
/// </summary>
[AllowAnonymousCaller]
public sealed record ReceiveEvolutionWebhookCommand(string? RouteInstance, Stream Body, long? BodyLength, WebhookCredentials Credentials, string Source)
    : IRequest<WebhookOutcome>;

/// <summary>What the webhook answers: <c>{"ok": true, "action": ...}</c>, plus ids for logging.</summary>
public sealed record WebhookOutcome(string Action, long? TenantId = null, string? InstanceName = null, string? ChatId = null, string? ProviderMessageId = null);

public sealed class ReceiveEvolutionWebhookCommandHandler : IRequestHandler<ReceiveEvolutionWebhookCommand, WebhookOutcome>
{
    private readonly WebhookAdmission _admission;
    private readonly IChatUnitOfWork _chats;
    private readonly CustomerMessages _customers;
    private readonly TimeProvider _time;
    private readonly WebhookReceipts _receipts;
    private readonly WebhookConnections _connections;

    public ReceiveEvolutionWebhookCommandHandler(
        WebhookAdmission admission, IChatUnitOfWork chats, CustomerMessages customers, TimeProvider time, WebhookReceipts receipts,
        WebhookConnections connections)
    {
        _connections = connections;
        _receipts = receipts;
        _admission = admission;
        _chats = chats;
        _customers = customers;
        _time = time;
    }

    public async Task<WebhookOutcome> Handle(ReceiveEvolutionWebhookCommand command, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        InstanceContext instance;
        EvolutionWebhook webhook;
        using (var body = new WebhookBody(command.Body, command.BodyLength))
            (instance, webhook) = await _admission.AdmitAsync(command.RouteInstance, body, command.Credentials, command.Source, now, ct);

        if (webhook.Receipt is { } receipt)
            return new WebhookOutcome(await _receipts.ApplyAsync(instance, receipt, now, ct), instance.Tenant.TenantId, instance.InstanceName,
                ProviderMessageId: receipt.ProviderMessageId);
        if (webhook.DeletedMessageId is { } deleted)
            return new WebhookOutcome(await _receipts.DeleteAsync(instance, deleted, now, ct), instance.Tenant.TenantId, instance.InstanceName,
                ProviderMessageId: deleted);
        if (webhook.Connection is { } connection)
            return new WebhookOutcome(await _connections.ApplyAsync(instance, connection, now, ct), instance.Tenant.TenantId, instance.InstanceName);
        if (webhook.Message is not { } message)
            return new WebhookOutcome(TimelineActions.IgnoredEvent, instance.Tenant.TenantId, instance.InstanceName);

        var outcome = new WebhookOutcome(TimelineActions.IgnoredGroup, instance.Tenant.TenantId, instance.InstanceName, message.ChatId, message.ProviderMessageId);
        if (message.ChatKind == ChatKind.GroupOrBroadcast) return outcome;
        if (message.RevokedMessageId is { } revoked) return outcome with { Action = await _receipts.DeleteAsync(instance, revoked, now, ct) };
        if (message.IsControlMessage) return outcome with { Action = TimelineActions.IgnoredUnsupported };

        var action = message.FromMe || webhook.Kind == WebhookEventKind.MessageSent
            ? await HandleOwnSideAsync(instance, webhook, message, now, ct)
            : await HandleCustomerAsync(instance, webhook, message, now, ct);
        return outcome with { Action = action };
    }

    private Task<string> HandleCustomerAsync(InstanceContext instance, EvolutionWebhook webhook, EvolutionMessage message, DateTimeOffset now, CancellationToken ct) =>
        _customers.RecordAsync(instance, message.ChatId,
            ToNewMessage(webhook, message, MessageDirection.Inbound, message.SentAt ?? now) with { ContactName = message.PushName }, message.Media is not null, now, ct);

    /// <summary>A message from the business side: our own echo, the owner typing, or another API client.</summary>
    private Task<string> HandleOwnSideAsync(InstanceContext instance, EvolutionWebhook webhook, EvolutionMessage message, DateTimeOffset now, CancellationToken ct) =>
        _chats.RunAsync(instance, message.ChatId, now, (chat, token) => OwnerMessages.DecideAsync(
            chat, instance, ToNewMessage(webhook, message, MessageDirection.Human, message.SentAt ?? now),
            matchSendInFlight: true, isExternalApiSend: webhook.Kind == WebhookEventKind.MessageSent, now, token), ct);

    private static NewChatMessage ToNewMessage(EvolutionWebhook webhook, EvolutionMessage message, MessageDirection direction, DateTimeOffset sentAt) =>
        new(message.ProviderMessageId, direction, message.MessageType, message.Text, webhook.RawJson, sentAt);
}
