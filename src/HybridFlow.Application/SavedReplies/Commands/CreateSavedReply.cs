using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using MediatR;

namespace HybridFlow.Application.SavedReplies.Commands;

/// <summary>POST /api/tenants/{id}/saved-replies: a tenant admin adds a saved reply.</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record CreateSavedReplyCommand(long TenantId, string? Shortcut, string? Text) : IRequest<SavedReplyDto>, ITenantRequest;

public sealed class CreateSavedReplyCommandValidator : AbstractValidator<CreateSavedReplyCommand>
{
    public CreateSavedReplyCommandValidator()
    {
        RuleFor(c => c.Shortcut).Must(SavedReplyRules.IsShortcut)
            .WithMessage($"shortcut is 1-{SavedReplyRules.ShortcutMax} lower-case letters, digits, '-' or '_', e.g. hours.").OverridePropertyName("shortcut");
        RuleFor(c => c.Text).NotEmpty().WithMessage("text cannot be empty.").MaximumLength(SavedReplyRules.TextMax).OverridePropertyName("text");
        RuleFor(c => c.Text).Must(t => SavedReplyRules.UnknownVariable(t) is null)
            .WithMessage(c => $"text: {SavedReplyRules.UnknownVariable(c.Text)} is not a variable; use {{{{contact_name}}}} or {{{{agent_name}}}}.")
            .OverridePropertyName("text");
    }
}

public sealed class CreateSavedReplyCommandHandler : IRequestHandler<CreateSavedReplyCommand, SavedReplyDto>
{
    private readonly ISavedReplyStore _replies;
    private readonly ITenantStore _tenants;
    private readonly TimeProvider _time;

    public CreateSavedReplyCommandHandler(ISavedReplyStore replies, ITenantStore tenants, TimeProvider time)
    {
        _replies = replies;
        _tenants = tenants;
        _time = time;
    }

    public async Task<SavedReplyDto> Handle(CreateSavedReplyCommand command, CancellationToken ct)
    {
        if (await _tenants.FindAsync(command.TenantId, ct) is null) throw new NotFoundException("Tenant", command.TenantId);
        if ((await _replies.ListAsync(command.TenantId, ct)).Count >= SavedReplyRules.PerTenantMax)
            throw new ConflictException($"A tenant has at most {SavedReplyRules.PerTenantMax} saved replies.");
        var (outcome, reply) = await _replies.CreateAsync(command.TenantId, command.Shortcut!, command.Text!, _time.GetUtcNow(), ct);
        return outcome == SavedReplyWrite.ShortcutTaken
            ? throw new ConflictException($"The shortcut '{command.Shortcut}' is already used by another saved reply.", "shortcut_taken")
            : reply!;
    }
}
