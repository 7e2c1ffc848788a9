using System.Text;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Domain.Handoffs;
using MediatR;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Application.Handoffs.Commands;

/// <summary>One pass over the notify outbox: each due POST is made once; a failure is retried with backoff, at least once overall.</summary>
[AllowAnonymousCaller]
public sealed record DeliverNotificationsCommand : IRequest<int>;

public sealed class DeliverNotificationsCommandHandler : IRequestHandler<DeliverNotificationsCommand, int>
{
    private const int BatchSize = 50;
    /// <summary>Finished deliveries are kept this long for operators to look at.</summary>
    private static readonly TimeSpan KeepFinished = TimeSpan.FromDays(7);
    // Longer than one POST's timeout, so a slow receiver is not posted to twice at once.
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    private readonly INotifyOutbox _outbox;
    private readonly ISignedEventSender _sender;
    private readonly HybridFlowSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<DeliverNotificationsCommandHandler> _logger;

    public DeliverNotificationsCommandHandler(INotifyOutbox outbox, ISignedEventSender sender, HybridFlowSettings settings, TimeProvider time,
        ILogger<DeliverNotificationsCommandHandler> logger)
    {
        _settings = settings;
        _outbox = outbox;
        _sender = sender;
        _time = time;
        _logger = logger;
    }

    public async Task<int> Handle(DeliverNotificationsCommand request, CancellationToken ct)
    {
        var due = await _outbox.ClaimDueAsync(_time.GetUtcNow(), Lease, BatchSize, ct);
        var delivered = 0;
        foreach (var claimed in due)
        {
            // Signed like the workflow events: the tenant's workflow_secret, else N8N_API_KEY.
            var secret = string.IsNullOrEmpty(claimed.Target.Secret) ? _settings.GlobalWorkflowApiKey : claimed.Target.Secret;
            if (string.IsNullOrEmpty(secret))
            {
                await FailAsync(claimed, permanent: true, "no signing secret: set the tenant's workflow_secret or N8N_API_KEY", ct);
                continue;
            }
            var target = new WorkflowTarget(claimed.Target.Url, secret, BearerToken: null, claimed.Target.UrlTrusted);
            try
            {
                await _sender.PostAsync(target, claimed.DeliveryId, Encoding.UTF8.GetBytes(claimed.Body), ct);
                if (claimed.Delivery.Delivered(claimed.Attempt, _time.GetUtcNow()) == NotifyDeliveryOutcome.Delivered)
                {
                    await _outbox.SaveAsync(claimed, null, ct);
                    delivered++;
                }
            }
            catch (WorkflowDispatchException e)
            {
                await FailAsync(claimed, e.IsPermanent, e.Message, ct);
            }
        }
        if (due.Count < BatchSize) await _outbox.PurgeFinishedAsync(_time.GetUtcNow() - KeepFinished, ct);
        return delivered;
    }

    /// <summary>The domain decides retry or dead; a dead delivery goes on the chat's timeline (the reason only: no URL, no body).</summary>
    private async Task FailAsync(PendingNotification claimed, bool permanent, string reason, CancellationToken ct)
    {
        var outcome = claimed.Delivery.Failed(claimed.Attempt, permanent, $"attempt {claimed.Attempt}: {reason}", _time.GetUtcNow());
        if (outcome == NotifyDeliveryOutcome.Lost) return;
        // The URL stays out of the log: a webhook URL is often a secret in itself.
        _logger.LogWarning("Notify delivery {delivery_id} of tenant {tenant_id} attempt {attempt} failed ({error}); {next}",
            claimed.DeliveryId, claimed.TenantId, claimed.Attempt, reason,
            outcome == NotifyDeliveryOutcome.Dead ? "given up" : $"retrying at {claimed.Delivery.DueAt:O}");
        var detail = outcome == NotifyDeliveryOutcome.Dead ? TimelineDetail(claimed.Attempt, reason) : null;
        await _outbox.SaveAsync(claimed, detail, ct);
    }

    private static string TimelineDetail(int attempts, string reason)
    {
        var detail = $"given up after {attempts} attempt{(attempts == 1 ? "" : "s")}: {reason}";
        return detail.Length <= 300 ? detail : detail[..300];
    }
}
