using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Inbox.Commands;

/// <summary>POST /api/inbox/conversations/{session_id}/typing: the customer sees "typing…" for a few seconds (Evolution sendPresence).</summary>
[RequiresRole(CallerRole.Agent)]
public sealed record SendTypingCommand(long SessionId) : IRequest<Unit>;

public sealed class SendTypingCommandValidator : AbstractValidator<SendTypingCommand>
{
    public SendTypingCommandValidator() => RuleFor(c => c.SessionId).GreaterThan(0).OverridePropertyName("session_id");
}

public sealed class SendTypingCommandHandler : IRequestHandler<SendTypingCommand, Unit>
{
    private readonly ConversationAccess _access;
    private readonly IInstanceDirectory _instances;
    private readonly IWhatsAppGateway _gateway;

    public SendTypingCommandHandler(ConversationAccess access, IInstanceDirectory instances, IWhatsAppGateway gateway)
    {
        _access = access;
        _instances = instances;
        _gateway = gateway;
    }

    public async Task<Unit> Handle(SendTypingCommand c, CancellationToken ct)
    {
        var conversation = await _access.RequireVisibleAsync(c.SessionId, ct);
        var instance = await _instances.FindByNameAsync(conversation.InstanceName, fresh: false, ct)
                       ?? throw new NotFoundException("Conversation", c.SessionId);
        try
        {
            await _gateway.SendPresenceAsync(new OutgoingPresence(instance, conversation.ChatId, InboxLimits.TypingDuration), ct);
        }
        catch (WhatsAppSendException e)
        {
            throw new BadGatewayException($"Evolution did not show typing: {e.Message}", e.UpstreamStatus);
        }
        return Unit.Value;
    }
}
