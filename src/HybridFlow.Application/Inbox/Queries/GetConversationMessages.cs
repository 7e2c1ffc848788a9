using FluentValidation;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Inbox.Queries;

/// <summary>
/// GET /api/inbox/conversations/{session_id}/messages: the thread (messages, timeline events and notes), newest first,
/// <paramref name="Limit"/> items from before the cursor <paramref name="Before"/> (a previous page's next_before).
/// </summary>
[RequiresRole(CallerRole.Agent)]
public sealed record GetConversationMessagesQuery(long SessionId, string? Before, int Limit = InboxLimits.ThreadDefaultLimit) : IRequest<ThreadPageDto>;

public sealed class GetConversationMessagesQueryValidator : AbstractValidator<GetConversationMessagesQuery>
{
    public GetConversationMessagesQueryValidator()
    {
        RuleFor(q => q.SessionId).GreaterThan(0).OverridePropertyName("session_id");
        RuleFor(q => q.Limit).InclusiveBetween(1, InboxLimits.ThreadMaxLimit).OverridePropertyName("limit");
        RuleFor(q => q.Before).Must(b => ThreadCursor.TryDecode(b, out _)).When(q => q.Before is not null)
            .WithMessage("before must be a next_before of an earlier page.").OverridePropertyName("before");
    }
}

public sealed class GetConversationMessagesQueryHandler : IRequestHandler<GetConversationMessagesQuery, ThreadPageDto>
{
    private readonly ConversationAccess _access;
    private readonly IInboxQueries _inbox;

    public GetConversationMessagesQueryHandler(ConversationAccess access, IInboxQueries inbox)
    {
        _access = access;
        _inbox = inbox;
    }

    public async Task<ThreadPageDto> Handle(GetConversationMessagesQuery query, CancellationToken ct)
    {
        await _access.RequireVisibleAsync(query.SessionId, ct);
        ThreadCursor.TryDecode(query.Before, out var before);
        // One more than asked says whether an older page exists.
        var items = await _inbox.ThreadAsync(query.SessionId, before, query.Limit + 1, ct);
        if (items.Count <= query.Limit) return new ThreadPageDto(items, null);
        var page = items.Take(query.Limit).ToList();
        return new ThreadPageDto(page, ThreadCursor.After(page[^1]).Encode());
    }
}
