using System.Text;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using MediatR;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Application.Handoffs.Commands;

/// <summary>One pass over the notify outbox: each due POST is made once; a failure is retried with backoff, at least once overall.</summary>
public sealed record DeliverNotificationsCommand : IRequest<int>;

public sealed class DeliverNotificationsCommandHandler : IRequestHandler<DeliverNotificationsCommand, int>
{
    private const int BatchSize = 50;
    /// <summary>Finished deliveries are kept this long for operators to look at.</summary>
    private static readonly TimeSpan KeepFinished = TimeSpan.FromDays(7);
    // Longer than one POST's timeout, so a slow receiver is not posted to twice at once.
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    /// <summary>About a day of attempts: 2 s doubling, capped at 30 minutes.</summary>
    public static readonly ReplyRetryPolicy Retry = new(MaxAttempts: 60, BaseDelay: TimeSpan.FromSeconds(2), MaxDelay: TimeSpan.FromMinutes(30));

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
        foreach (var delivery in due)
        {
            // Signed like the workflow events: the tenant's workflow_secret, else N8N_API_KEY.
            var secret = string.IsNullOrEmpty(delivery.Target.Secret) ? _settings.GlobalWorkflowApiKey : delivery.Target.Secret;
            if (string.IsNullOrEmpty(secret))
            {
                await _outbox.MarkFailedAsync(delivery, "no signing secret: set the tenant's workflow_secret or N8N_API_KEY", null, _time.GetUtcNow(), ct);
                continue;
            }
            var target = new WorkflowTarget(delivery.Target.Url, secret, BearerToken: null, delivery.Target.UrlTrusted);
            try
            {
                await _sender.PostAsync(target, delivery.DeliveryId, Encoding.UTF8.GetBytes(delivery.Body), ct);
                await _outbox.MarkDeliveredAsync(delivery, _time.GetUtcNow(), ct);
                delivered++;
            }
            catch (WorkflowDispatchException e)
            {
                var now = _time.GetUtcNow();
                DateTimeOffset? retryAt = e.IsPermanent || delivery.Attempt >= Retry.MaxAttempts ? null : now + Retry.DelayAfter(delivery.Attempt);
                // The URL stays out of the log: a webhook URL is often a secret in itself.
                _logger.LogWarning("Notify delivery {delivery_id} of tenant {tenant_id} attempt {attempt} failed ({error}); {next}",
                    delivery.DeliveryId, delivery.TenantId, delivery.Attempt, e.Message, retryAt is null ? "given up" : $"retrying at {retryAt:O}");
                await _outbox.MarkFailedAsync(delivery, $"attempt {delivery.Attempt}: {e.Message}", retryAt, now, ct);
            }
        }
        if (due.Count < BatchSize) await _outbox.PurgeFinishedAsync(_time.GetUtcNow() - KeepFinished, ct);
        return delivered;
    }
}
