using FluentValidation;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Timeline;
using HybridFlow.Domain.Inbox;
using MediatR;

namespace HybridFlow.Application.Inbox.Commands;

/// <summary>
/// PATCH /api/inbox/conversations/{session_id}: only the fields sent change. <c>assignee_user_id</c> a user of the
/// conversation's tenant, or null to unassign (an agent only takes an unassigned one or gives back their own);
/// <c>tags</c> replace the tags (null or [] clears them); <c>status</c> open or resolved.
/// </summary>
[RequiresRole(CallerRole.Agent)]
public sealed record UpdateConversationCommand(
    long SessionId, Optional<long?> AssigneeUserId, Optional<IReadOnlyList<string>?> Tags, Optional<string?> Status) : IRequest<ConversationDto>;

public static class ConversationStatusNames
{
    public const string Open = "open";
    public const string Resolved = "resolved";
}

public sealed class UpdateConversationCommandValidator : AbstractValidator<UpdateConversationCommand>
{
    public UpdateConversationCommandValidator()
    {
        RuleFor(c => c.SessionId).GreaterThan(0).OverridePropertyName("session_id");
        RuleFor(c => c.AssigneeUserId.Value).GreaterThan(0).When(c => c.AssigneeUserId is { HasValue: true, Value: not null })
            .OverridePropertyName("assignee_user_id");
        RuleFor(c => c.Status.Value).Must(s => s is ConversationStatusNames.Open or ConversationStatusNames.Resolved)
            .WithMessage("status must be open or resolved.").When(c => c.Status.HasValue).OverridePropertyName("status");
        RuleFor(c => c.Tags.Value).Must(tags => tags!.All(t => ConversationTags.TryNormalize(t) is not null))
            .WithMessage($"Each tag has 1-{ConversationTags.MaxLength} characters (spaces around it are trimmed) and no control characters.")
            .WithErrorCode("tag_invalid").WithState(_ => ValidationParams.Of(("max_length", ConversationTags.MaxLength)))
            .Must(tags => tags!.Select(ConversationTags.TryNormalize).Distinct().Count() <= ConversationTags.MaxCount)
            .WithMessage($"A conversation has at most {ConversationTags.MaxCount} tags.")
            .WithErrorCode("too_many_tags").WithState(_ => ValidationParams.Of(("max_count", ConversationTags.MaxCount)))
            .When(c => c.Tags is { HasValue: true, Value: not null }).OverridePropertyName("tags");
    }
}

public sealed class UpdateConversationCommandHandler : IRequestHandler<UpdateConversationCommand, ConversationDto>
{
    private readonly ConversationAccess _access;
    private readonly IInboxStore _store;
    private readonly IInboxQueries _inbox;
    private readonly TimeProvider _time;

    public UpdateConversationCommandHandler(ConversationAccess access, IInboxStore store, IInboxQueries inbox, TimeProvider time)
    {
        _access = access;
        _store = store;
        _inbox = inbox;
        _time = time;
    }

    public async Task<ConversationDto> Handle(UpdateConversationCommand c, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var actor = (await _access.CurrentPersonAsync(ct)).DisplayName;
        var found = await _store.UpdateConversationAsync(_access.Scope(), c.SessionId, async (work, ct) =>
        {
            var conversation = work.Conversation;
            if (c.AssigneeUserId.HasValue) await AssignAsync(work, c.AssigneeUserId.Value, actor, now, ct);
            if (c.Tags.HasValue && conversation.Tag(c.Tags.Value ?? []) == ConversationOutcome.Tagged)
                await work.AddTimelineEventAsync(TimelineActions.Tagged,
                    conversation.Tags.Count == 0
                        ? TimelineDetails.Format(TimelineDetails.TagsClearedBy, ("actor", actor))
                        : TimelineDetails.Format(TimelineDetails.TagsSetBy, ("tags", string.Join(", ", conversation.Tags)), ("actor", actor)), now, ct);
            if (c.Status.HasValue)
            {
                var outcome = c.Status.Value == ConversationStatusNames.Resolved ? conversation.Resolve(now) : conversation.Reopen();
                var by = TimelineDetails.Format(TimelineDetails.ByPerson, ("actor", actor));
                if (outcome == ConversationOutcome.Resolved) await work.AddTimelineEventAsync(TimelineActions.Resolved, by, now, ct);
                else if (outcome == ConversationOutcome.Reopened) await work.AddTimelineEventAsync(TimelineActions.Reopened, by, now, ct);
            }
            return true;
        }, ct);
        if (!found) throw new NotFoundException("Conversation", c.SessionId);
        return await _access.RequireVisibleAsync(c.SessionId, ct);
    }

    private async Task AssignAsync(IConversationWork work, long? assignee, string actor, DateTimeOffset now, CancellationToken ct)
    {
        var conversation = work.Conversation;
        InboxUser? user = null;
        if (assignee is { } id)
        {
            user = await _inbox.FindUserAsync(id, ct);
            if (user is null || user.TenantId != conversation.TenantId)
                throw new RequestValidationException("assignee_user_id", "assignee_user_id must be a user of the conversation's tenant.");
        }
        _access.EnsureMayAssign(conversation.AssigneeUserId, assignee);
        var previous = conversation.AssigneeUserId;
        var outcome = conversation.AssignTo(assignee);
        if (outcome == ConversationOutcome.Assigned)
        {
            await work.AddTimelineEventAsync(TimelineActions.Assigned,
                TimelineDetails.Format(TimelineDetails.AssignedBy, ("name", user!.DisplayName), ("actor", actor)), now, ct);
        }
        else if (outcome == ConversationOutcome.Unassigned)
        {
            var detail = previous is { } p && await _inbox.FindUserAsync(p, ct) is { } before
                ? TimelineDetails.Format(TimelineDetails.UnassignedBy, ("name", before.DisplayName), ("actor", actor))
                : TimelineDetails.Format(TimelineDetails.UnassignedDeletedUserBy, ("actor", actor));
            await work.AddTimelineEventAsync(TimelineActions.Unassigned, detail, now, ct);
        }
    }
}
