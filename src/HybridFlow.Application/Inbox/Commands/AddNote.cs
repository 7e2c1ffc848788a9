using FluentValidation;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Inbox.Commands;

/// <summary>POST /api/inbox/conversations/{session_id}/notes: an internal note on the thread. It never reaches WhatsApp.</summary>
[RequiresRole(CallerRole.Agent)]
public sealed record AddNoteCommand(long SessionId, string? Text) : IRequest<NoteDto>;

public sealed class AddNoteCommandValidator : AbstractValidator<AddNoteCommand>
{
    public AddNoteCommandValidator()
    {
        RuleFor(c => c.SessionId).GreaterThan(0).OverridePropertyName("session_id");
        RuleFor(c => c.Text)
            .Must(t => !string.IsNullOrWhiteSpace(t)).WithMessage("text is required and may not be blank.").WithErrorCode("required")
            .MaximumLength(InboxLimits.NoteMax)
            .OverridePropertyName("text");
    }
}

public sealed class AddNoteCommandHandler : IRequestHandler<AddNoteCommand, NoteDto>
{
    private readonly ConversationAccess _access;
    private readonly IInboxStore _store;
    private readonly TimeProvider _time;

    public AddNoteCommandHandler(ConversationAccess access, IInboxStore store, TimeProvider time)
    {
        _access = access;
        _store = store;
        _time = time;
    }

    public async Task<NoteDto> Handle(AddNoteCommand c, CancellationToken ct)
    {
        var conversation = await _access.RequireVisibleAsync(c.SessionId, ct);
        var author = await _access.CurrentPersonAsync(ct);
        return await _store.AddNoteAsync(conversation.TenantId, conversation.SessionId, author, c.Text!.Trim(), _time.GetUtcNow(), ct);
    }
}
