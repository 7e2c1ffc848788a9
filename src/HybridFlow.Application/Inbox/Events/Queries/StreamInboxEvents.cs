using System.Globalization;
using System.Runtime.CompilerServices;
using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Inbox.Events.Queries;

/// <summary>
/// The caller's inbox events as one endless stream: after <paramref name="LastEventId"/> (the Last-Event-ID header or
/// ?last_event_id=) the stored events of the last 10 minutes first, then the live ones, each id once. It ends when the
/// enumeration is cancelled (the browser went away) or the feed drops a reader that fell behind. A caller (user or key)
/// holds at most INBOX_STREAMS_PER_USER streams at once; the next one is 429.
/// </summary>
[RequiresRole(CallerRole.Agent)]
public sealed record StreamInboxEventsQuery(string? LastEventId, long? TenantId = null) : IRequest<IAsyncEnumerable<InboxEventDto>>;

public sealed class StreamInboxEventsQueryValidator : AbstractValidator<StreamInboxEventsQuery>
{
    public StreamInboxEventsQueryValidator()
    {
        RuleFor(q => q.LastEventId)
            .Must(id => StreamInboxEventsQueryHandler.ParseLastEventId(id) is not null)
            .When(q => !string.IsNullOrWhiteSpace(q.LastEventId))
            .WithMessage("last_event_id must be the id of an event (a whole number).")
            .OverridePropertyName("last_event_id");
        RuleFor(q => q.TenantId).GreaterThan(0).When(q => q.TenantId is not null).OverridePropertyName("tenant_id");
    }
}

public sealed class StreamInboxEventsQueryHandler : IRequestHandler<StreamInboxEventsQuery, IAsyncEnumerable<InboxEventDto>>
{
    /// <summary>How far back a reconnecting browser is caught up (the rows themselves are kept an hour).</summary>
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(10);
    private const int ReplayPageSize = 500;

    /// <summary>When a refused caller is told to try again: a closed tab frees its slot at once.</summary>
    private static readonly TimeSpan RetryAfterFull = TimeSpan.FromSeconds(30);

    private readonly IInboxEventFeed _feed;
    private readonly ICurrentCaller _caller;
    private readonly IInboxStreamSlots _slots;

    public StreamInboxEventsQueryHandler(IInboxEventFeed feed, ICurrentCaller caller, IInboxStreamSlots slots)
    {
        _feed = feed;
        _caller = caller;
        _slots = slots;
    }

    public Task<IAsyncEnumerable<InboxEventDto>> Handle(StreamInboxEventsQuery query, CancellationToken ct)
    {
        // Decided now, so another tenant's tenant_id is a 404 (and a full quota a 429) before the stream starts.
        var visibility = InboxEventVisibility.For(_caller, query.TenantId);
        var slot = _slots.TryTake(StreamOwner(_caller)) ?? throw new TooManyAttemptsException(
            $"At most {_slots.PerCaller} live inbox streams may be open per user or key; close one (another tab or client) first.", RetryAfterFull);
        return Task.FromResult<IAsyncEnumerable<InboxEventDto>>(
            new SlotHoldingStream(StreamAsync(visibility, ParseLastEventId(query.LastEventId), CancellationToken.None), slot));
    }

    /// <summary>Whom a stream is counted against: the person, else the tenant key, else ADMIN_API_KEY.</summary>
    private static string StreamOwner(ICurrentCaller caller) =>
        caller.UserId is { } user ? $"user:{user.ToString(CultureInfo.InvariantCulture)}"
        : caller.ApiKeyId is { } key ? $"key:{key.ToString(CultureInfo.InvariantCulture)}"
        : "admin-key";

    public static long? ParseLastEventId(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null
        : long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id
        : null;

    private async IAsyncEnumerable<InboxEventDto> StreamAsync(InboxEventVisibility visibility, long? lastEventId,
        [EnumeratorCancellation] CancellationToken ct)
    {
        // Subscribed before the replay is read, so nothing committed in between is missed; what both see goes out once.
        await using var live = _feed.Subscribe(visibility.CanSee);
        var replayed = new HashSet<long>();
        if (lastEventId is { } after)
        {
            while (true)
            {
                var page = await _feed.ReplayAsync(after, visibility.Scope.TenantId, ReplayWindow, ReplayPageSize, ct);
                foreach (var e in page)
                {
                    after = e.Id;
                    if (!visibility.CanSee(e)) continue;
                    replayed.Add(e.Id);
                    yield return InboxEventDto.From(e);
                }
                if (page.Count < ReplayPageSize) break;
            }
        }

        await foreach (var e in live.Events.ReadAllAsync(ct))
        {
            if (replayed.Count > 0 && replayed.Remove(e.Id)) continue;
            yield return InboxEventDto.From(e);
        }
    }

    /// <summary>The stream, holding its caller's slot until its enumerator is disposed (also when it never started).</summary>
    private sealed class SlotHoldingStream : IAsyncEnumerable<InboxEventDto>
    {
        private readonly IAsyncEnumerable<InboxEventDto> _events;
        private readonly IDisposable _slot;

        public SlotHoldingStream(IAsyncEnumerable<InboxEventDto> events, IDisposable slot)
        {
            _events = events;
            _slot = slot;
        }

        public IAsyncEnumerator<InboxEventDto> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
            new Enumerator(_events.GetAsyncEnumerator(cancellationToken), _slot);

        private sealed class Enumerator : IAsyncEnumerator<InboxEventDto>
        {
            private readonly IAsyncEnumerator<InboxEventDto> _inner;
            private readonly IDisposable _slot;

            public Enumerator(IAsyncEnumerator<InboxEventDto> inner, IDisposable slot)
            {
                _inner = inner;
                _slot = slot;
            }

            public InboxEventDto Current => _inner.Current;

            public ValueTask<bool> MoveNextAsync() => _inner.MoveNextAsync();

            public async ValueTask DisposeAsync()
            {
                try
                {
                    await _inner.DisposeAsync();
                }
                finally
                {
                    _slot.Dispose();
                }
            }
        }
    }
}
