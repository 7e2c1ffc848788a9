namespace HybridFlow.Application.Common.Interfaces;

public interface IMediaMessageStore
{
    /// <summary>The job's trigger messages, oldest first.</summary>
    Task<IReadOnlyList<TriggerMessage>> LoadTriggerMessagesAsync(long jobId, CancellationToken ct);

    /// <summary>Stores a voice note's transcript or what was sent for a photo.</summary>
    Task SaveMediaTextAsync(long messageId, string mediaText, CancellationToken ct);

    /// <summary>Puts an event about the message on its session's timeline.</summary>
    Task AddTimelineEventAsync(long messageId, string action, string? detail, DateTimeOffset now, CancellationToken ct);
}
