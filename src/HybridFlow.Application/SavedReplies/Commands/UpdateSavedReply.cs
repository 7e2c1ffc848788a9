using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.SavedReplies.Commands;

/// <summary>PATCH /api/tenants/{id}/saved-replies/{reply_id}: absent fields are kept.</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record UpdateSavedReplyCommand(long TenantId, long ReplyId, string? Shortcut, string? Text) : IRequest<SavedReplyDto>, ITenantRequest;

public sealed class UpdateSavedReplyCommandValidator : AbstractValidator<UpdateSavedReplyCommand>
{
    public UpdateSavedReplyCommandValidator()
    {
        RuleFor(c => c.ReplyId).GreaterThan(0).OverridePropertyName("reply_id");
        RuleFor(c => c).Must(c => c.Shortcut is not null || c.Text is not null)
            .WithMessage("Send shortcut, text or both.").OverridePropertyName("body");
        RuleFor(c => c.Shortcut).Must(SavedReplyRules.IsShortcut).When(c => c.Shortcut is not null)
            .WithMessage($"shortcut is 1-{SavedReplyRules.ShortcutMax} lower-case letters, digits, '-' or '_', e.g. hours.").OverridePropertyName("shortcut");
        RuleFor(c => c.Text).NotEmpty().WithMessage("text cannot be empty.").MaximumLength(SavedReplyRules.TextMax)
            .When(c => c.Text is not null).OverridePropertyName("text");
        RuleFor(c => c.Text).Must(t => SavedReplyRules.UnknownVariable(t) is null).When(c => c.Text is not null)
            .WithMessage(c => $"text: {SavedReplyRules.UnknownVariable(c.Text)} is not a variable; use {{{{contact_name}}}} or {{{{agent_name}}}}.")
            .OverridePropertyName("text");
    }
}

public sealed class UpdateSavedReplyCommandHandler : IRequestHandler<UpdateSavedReplyCommand, SavedReplyDto>
{
    private readonly ISavedReplyStore _replies;
    private readonly TimeProvider _time;

    public UpdateSavedReplyCommandHandler(ISavedReplyStore replies, TimeProvider time)
    {
        _replies = replies;
        _time = time;
    }

    public async Task<SavedReplyDto> Handle(UpdateSavedReplyCommand command, CancellationToken ct)
    {
        var (outcome, reply) = await _replies.UpdateAsync(command.TenantId, command.ReplyId, command.Shortcut, command.Text, _time.GetUtcNow(), ct);
        return outcome switch
        {
            SavedReplyWrite.NotFound => throw new NotFoundException("Saved reply", command.ReplyId),
            SavedReplyWrite.ShortcutTaken => throw new ConflictException($"The shortcut '{command.Shortcut}' is already used by another saved reply.", "shortcut_taken"),
            _ => reply!,
        };
    }
}
