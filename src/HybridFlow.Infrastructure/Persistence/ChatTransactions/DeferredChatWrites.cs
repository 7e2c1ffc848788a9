using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Sessions;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Persistence.Notify;
using HybridFlow.Infrastructure.Persistence.ReplyJobs;
using HybridFlow.Infrastructure.Persistence.Timeline;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ChatTransactions;

/// <summary>
/// A locked chat's writes that nobody reads back before the commit (<see cref="ILockedChat"/>), kept in the order the
/// decision made them: a timeline event or a queued reply as its row (a group of chats writes those together), any
/// other write as its statement. Both strategies of the chat's unit of work hold their writes here: the chat's own
/// transaction (<see cref="ChatUnitOfWork"/>) and a member of a shared one (<see cref="SharedChatTransactions"/>).
/// </summary>
internal abstract class DeferredChatWrites : ILockedChat
{
    private readonly Security.SecretProtector _secrets;
    /// <summary>Their RecordsAffected, once run, are cancelled jobs for the metric.</summary>
    private readonly List<NpgsqlBatchCommand> _handoffCancels = [];

    protected DeferredChatWrites(Security.SecretProtector secrets) => _secrets = secrets;

    public abstract ChatSession Session { get; }

    /// <summary>In the order they were made: <see cref="TimelineRow"/>, <see cref="ReplyEnqueueRow"/> or a statement.</summary>
    protected List<object> Writes { get; } = [];

    /// <summary>Counts the conversation's events for the metrics after the commit (null until the session is read).</summary>
    protected ConversationEventTracker? ConversationEvents { get; set; }

    /// <summary>The replies and away messages the handoff cancels in this transaction, once it has run.</summary>
    protected int CancelledByHandoff => _handoffCancels.Sum(c => Math.Max(0, c.RecordsAffected));

    public Task EnqueueReplyAsync(long triggerMessageId, DateTimeOffset dueAt, DateTimeOffset now, string? correlationId, CancellationToken ct)
    {
        Writes.Add(new ReplyEnqueueRow(Session.TenantId, Session.Id, triggerMessageId, dueAt, now, correlationId));
        return Task.CompletedTask;
    }

    public Task AddTimelineEventAsync(string action, string? detail, long? messageId, DateTimeOffset now, CancellationToken ct)
    {
        Writes.Add(new TimelineRow(Session.TenantId, Session.Id, messageId, action, detail, now));
        ConversationEvents?.Saw(action);
        return Task.CompletedTask;
    }

    public Task EnqueueNoticeAsync(ReplyJob notice, long? triggerMessageId, string? correlationId, CancellationToken ct)
    {
        Writes.Add(ReplyJobCommands.EnqueueNoticeCommand(notice, triggerMessageId, correlationId));
        return Task.CompletedTask;
    }

    public Task CancelRepliesForHandoffAsync(string cancelledAction, string reason, long? messageId, DateTimeOffset now, CancellationToken ct)
    {
        var cancel = ReplyJobCommands.CancelUnsentCommand(Session.TenantId, Session.Id, ReplyJobKindSets.SilencedByHandoff, reason, cancelledAction, messageId, now);
        Writes.Add(cancel);
        _handoffCancels.Add(cancel);
        return Task.CompletedTask;
    }

    public Task EnqueueNotificationAsync(HandoffNotification notification, DateTimeOffset now, CancellationToken ct)
    {
        Writes.Add(NotifyCommands.NotifyDeliveryCommand(notification, Session.Id, now, _secrets));
        return Task.CompletedTask;
    }

    /// <summary>A write as a statement of its own (a row becomes its owner's one-row statement).</summary>
    protected static NpgsqlBatchCommand AsStatement(object write) => write switch
    {
        TimelineRow t => TimelineEvents.Command(t.TenantId, t.SessionId, t.MessageId, t.Action, t.Detail, t.At),
        ReplyEnqueueRow r => ReplyJobCommands.EnqueueReplyCommand(r),
        _ => (NpgsqlBatchCommand)write,
    };
}
