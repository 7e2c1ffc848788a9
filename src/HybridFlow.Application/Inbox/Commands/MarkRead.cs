using FluentValidation;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Inbox.Commands;

/// <summary>
/// POST /api/inbox/conversations/{session_id}/read: the caller has read the conversation up to its newest message.
/// Read state is per person: for an API key (nobody) it does nothing.
/// </summary>
[RequiresRole(CallerRole.Agent)]
public sealed record MarkReadCommand(long SessionId) : IRequest<Unit>;

public sealed class MarkReadCommandValidator : AbstractValidator<MarkReadCommand>
{
    public MarkReadCommandValidator() => RuleFor(c => c.SessionId).GreaterThan(0).OverridePropertyName("session_id");
}

public sealed class MarkReadCommandHandler : IRequestHandler<MarkReadCommand, Unit>
{
    private readonly ConversationAccess _access;
    private readonly IInboxStore _store;
    private readonly TimeProvider _time;

    public MarkReadCommandHandler(ConversationAccess access, IInboxStore store, TimeProvider time)
    {
        _access = access;
        _store = store;
        _time = time;
    }

    public async Task<Unit> Handle(MarkReadCommand c, CancellationToken ct)
    {
        await _access.RequireVisibleAsync(c.SessionId, ct);
        if (_access.UserId is { } user) await _store.MarkReadAsync(c.SessionId, user, _time.GetUtcNow(), ct);
        return Unit.Value;
    }
}
