using HybridFlow.Domain.Replies;

namespace HybridFlow.Domain.Handoffs;

public enum NotifyDeliveryStatus
{
    /// <summary>Queued, never tried.</summary>
    Pending,
    /// <summary>A drainer holds it for one attempt, under a lease.</summary>
    Delivering,
    /// <summary>An attempt failed; due again later.</summary>
    Retrying,
    Delivered,
    /// <summary>Given up: a permanent failure or the last attempt.</summary>
    Dead,
}

public enum NotifyDeliveryOutcome
{
    Claimed,
    Delivered,
    Retry,
    Dead,
    /// <summary>The attempt is no longer the caller's (another claim took it, or it finished): nothing changed.</summary>
    Lost,
}

public sealed class NotifyDeliveryStateException(string message) : InvalidOperationException(message);

/// <summary>
/// One POST of a handoff_requested event to a tenant's notify_url, at least once: claimed for one attempt under a lease,
/// then delivered, or retried with backoff until <see cref="Policy"/> gives up. A drainer's transitions carry the attempt
/// it claimed and answer <see cref="NotifyDeliveryOutcome.Lost"/> when it is no longer theirs.
/// </summary>
public sealed class NotifyDelivery
{
    /// <summary>About a day of attempts: 2 s doubling, capped at 30 minutes, 60 attempts.</summary>
    public static readonly ReplyRetryPolicy Policy = new(MaxAttempts: 60, BaseDelay: TimeSpan.FromSeconds(2), MaxDelay: TimeSpan.FromMinutes(30));

    private NotifyDelivery() { }

    public long Id { get; private set; }
    public NotifyDeliveryStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset DueAt { get; private set; }
    public DateTimeOffset? LockedUntil { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public bool IsFinished => Status is NotifyDeliveryStatus.Delivered or NotifyDeliveryStatus.Dead;

    public static NotifyDelivery Queue(DateTimeOffset now) => new() { Status = NotifyDeliveryStatus.Pending, DueAt = now, UpdatedAt = now };

    /// <summary>Rebuilds a stored delivery; only persistence calls this.</summary>
    public static NotifyDelivery Restore(long id, NotifyDeliveryStatus status, int attempts, DateTimeOffset dueAt, DateTimeOffset? lockedUntil,
        string? lastError, DateTimeOffset updatedAt) => new()
    {
        Id = id, Status = status, Attempts = attempts, DueAt = dueAt, LockedUntil = lockedUntil, LastError = lastError, UpdatedAt = updatedAt,
    };

    /// <summary>Due, or held by a drainer that vanished (its lease is over).</summary>
    public bool IsClaimable(DateTimeOffset now) =>
        (Status is NotifyDeliveryStatus.Pending or NotifyDeliveryStatus.Retrying && DueAt <= now)
        || (Status == NotifyDeliveryStatus.Delivering && LockedUntil <= now);

    public NotifyDeliveryOutcome Claim(DateTimeOffset now, TimeSpan lease)
    {
        if (!IsClaimable(now)) throw new NotifyDeliveryStateException($"A {Status} delivery is not due for a claim.");
        Status = NotifyDeliveryStatus.Delivering;
        Attempts++;
        LockedUntil = now + lease;
        UpdatedAt = now;
        return NotifyDeliveryOutcome.Claimed;
    }

    /// <summary>The receiver answered 2xx.</summary>
    public NotifyDeliveryOutcome Delivered(int attempt, DateTimeOffset now)
    {
        if (!Holds(attempt)) return NotifyDeliveryOutcome.Lost;
        Status = NotifyDeliveryStatus.Delivered;
        LockedUntil = null;
        LastError = null;
        UpdatedAt = now;
        return NotifyDeliveryOutcome.Delivered;
    }

    /// <summary>The attempt failed: retried after the policy's delay, or dead when permanent or the last attempt.</summary>
    public NotifyDeliveryOutcome Failed(int attempt, bool permanent, string error, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(error);
        if (!Holds(attempt)) return NotifyDeliveryOutcome.Lost;
        LockedUntil = null;
        LastError = error;
        UpdatedAt = now;
        if (permanent || Attempts >= Policy.MaxAttempts)
        {
            Status = NotifyDeliveryStatus.Dead;
            return NotifyDeliveryOutcome.Dead;
        }
        Status = NotifyDeliveryStatus.Retrying;
        DueAt = now + Policy.DelayAfter(Attempts);
        return NotifyDeliveryOutcome.Retry;
    }

    private bool Holds(int attempt) => Status == NotifyDeliveryStatus.Delivering && attempt == Attempts;
}
