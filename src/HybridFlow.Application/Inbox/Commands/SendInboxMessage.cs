using FluentValidation;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Messages.Commands;
using MediatR;

namespace HybridFlow.Application.Inbox.Commands;

/// <summary>
/// POST /api/inbox/conversations/{session_id}/messages: the logged-in person writes to the customer. It is send-message as
/// agent (a takeover: the bot pauses, unsent replies are cancelled), with the person as the message's sender; an
/// unassigned conversation becomes theirs.
/// </summary>
[RequiresRole(CallerRole.Agent)]
public sealed record SendInboxMessageCommand(long SessionId, string? Text) : IRequest<InboxMessageSentDto>;

public sealed class SendInboxMessageCommandValidator : AbstractValidator<SendInboxMessageCommand>
{
    public SendInboxMessageCommandValidator()
    {
        RuleFor(c => c.SessionId).GreaterThan(0).OverridePropertyName("session_id");
        RuleFor(c => c.Text)
            .Must(t => !string.IsNullOrWhiteSpace(t)).WithMessage("text is required and may not be blank.").WithErrorCode("required")
            .MaximumLength(InboxLimits.TextMax)
            .OverridePropertyName("text");
    }
}

public sealed class SendInboxMessageCommandHandler : IRequestHandler<SendInboxMessageCommand, InboxMessageSentDto>
{
    private readonly InboxSends _sends;

    public SendInboxMessageCommandHandler(InboxSends sends) => _sends = sends;

    public Task<InboxMessageSentDto> Handle(SendInboxMessageCommand c, CancellationToken ct) =>
        _sends.SendAsync(c.SessionId, (conversation, sender) =>
            new SendMessageCommand(conversation.InstanceName, conversation.ChatId, null, c.Text, SendAsNames.Agent) { SentBy = sender }, ct);
}
