using HybridFlow.Application.Common;
using HybridFlow.Domain.Sessions;

namespace HybridFlow.Infrastructure.Observability;

/// <summary>
/// Derives the conversation events metric from what a chat transaction writes, in the one place every chat
/// transaction goes through, once it has committed. A takeover is the session becoming paused by a person (from active,
/// or from a handoff request): an owner writing again in a chat already taken over is not a new one, although it writes
/// a <c>paused</c> event too. The other events are their timeline actions.
/// </summary>
internal sealed class ConversationEventTracker
{
    private readonly bool _wasTakenOver;
    private List<string>? _events;

    public ConversationEventTracker(ChatSession opened) => _wasTakenOver = IsTakenOver(opened);

    public void Saw(string action)
    {
        var conversationEvent = action switch
        {
            TimelineActions.AutoResumed => HybridFlowMetrics.ConversationEvents.AutoResumed,
            TimelineActions.Resumed => HybridFlowMetrics.ConversationEvents.Resumed,
            TimelineActions.ManualPause => HybridFlowMetrics.ConversationEvents.ManualPause,
            TimelineActions.HandoffRequested => HybridFlowMetrics.ConversationEvents.HandoffRequested,
            _ => null,
        };
        if (conversationEvent is not null) (_events ??= []).Add(conversationEvent);
    }

    /// <summary>After the commit: counts what the transaction did.</summary>
    public void Report(HybridFlowMetrics metrics, ChatSession committed)
    {
        if (_events is not null)
            foreach (var e in _events) metrics.ConversationEvent(e);
        if (!_wasTakenOver && IsTakenOver(committed)) metrics.ConversationEvent(HybridFlowMetrics.ConversationEvents.HumanTakeover);
    }

    private static bool IsTakenOver(ChatSession s) => s.IsPaused && s.PauseReason == PauseReason.HumanTakeover;
}
