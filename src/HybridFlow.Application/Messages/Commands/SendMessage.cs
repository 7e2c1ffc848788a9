using FluentValidation;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Instances;
using HybridFlow.Application.Sessions;
using HybridFlow.Domain.Chats;
using HybridFlow.Domain.Sessions;
using MediatR;

namespace HybridFlow.Application.Messages.Commands;

/// <summary>
/// POST /api/evolution/send-message: a text sent through the instance's Evolution. <c>as: bot</c> speaks for the bot
/// (a workflow's answer; never pauses), <c>as: agent</c> is a person taking the chat over (pauses it, like the owner typing).
/// </summary>
public sealed record SendMessageCommand(string? InstanceName, string? ChatId, string? Number, string? Text, string? As)
    : IRequest<SentMessageDto>;

public sealed class SendMessageCommandValidator : AbstractValidator<SendMessageCommand>
{
    public SendMessageCommandValidator()
    {
        RuleFor(c => c.InstanceName).NotEmpty().MaximumLength(InstanceLimits.NameMax).OverridePropertyName("instance_name");
        RuleFor(c => c.ChatId)
            .Cascade(CascadeMode.Stop)
            .MaximumLength(ChatId.MaxLength)
            .Must(id => ChatId.TryParse(id, out _))
            .WithMessage("chat_id must be a WhatsApp chat id such as 5511999990001@s.whatsapp.net (or send number instead).")
            .Must(id => ChatId.Parse(id!).Kind == ChatKind.Direct)
            .WithMessage("chat_id must be a one-to-one chat: groups, broadcasts and newsletters are not handled.")
            .When(c => !string.IsNullOrWhiteSpace(c.ChatId))
            .OverridePropertyName("chat_id");
        RuleFor(c => c.Number)
            .Must(ChatId.IsPhoneNumber).WithMessage("number must be the phone number's digits with the country code, e.g. 5511999990001.")
            .When(c => !string.IsNullOrWhiteSpace(c.Number))
            .OverridePropertyName("number");
        RuleFor(c => c)
            .Must(c => !string.IsNullOrWhiteSpace(c.ChatId) || !string.IsNullOrWhiteSpace(c.Number))
            .WithMessage("Either chat_id or number is required.")
            .OverridePropertyName("chat_id");
        RuleFor(c => c)
            .Must(c => string.IsNullOrWhiteSpace(c.ChatId) || string.IsNullOrWhiteSpace(c.Number))
            .WithMessage("Send either chat_id or number, not both.")
            .OverridePropertyName("number");
        RuleFor(c => c.Text)
            .Must(t => !string.IsNullOrWhiteSpace(t)).WithMessage("text is required and may not be blank.")
            .MaximumLength(MessageLimits.TextMax)
            .OverridePropertyName("text");
        RuleFor(c => c.As)
            .NotEmpty().WithMessage($"as is required: one of {string.Join(", ", SendAsNames.All)}.")
            .Must(a => a is null || SendAsNames.All.Contains(a)).WithMessage($"as must be one of: {string.Join(", ", SendAsNames.All)}.")
            .OverridePropertyName("as");
    }
}

public sealed class SendMessageCommandHandler : IRequestHandler<SendMessageCommand, SentMessageDto>
{
    private readonly IInstanceDirectory _instances;
    private readonly IChatStore _chats;
    private readonly IWhatsAppGateway _gateway;
    private readonly ISessionQueries _sessions;
    private readonly ICurrentCaller _caller;
    private readonly TimeProvider _time;

    public SendMessageCommandHandler(
        IInstanceDirectory instances, IChatStore chats, IWhatsAppGateway gateway, ISessionQueries sessions, ICurrentCaller caller, TimeProvider time)
    {
        _instances = instances;
        _chats = chats;
        _gateway = gateway;
        _sessions = sessions;
        _caller = caller;
        _time = time;
    }

    public async Task<SentMessageDto> Handle(SendMessageCommand c, CancellationToken ct)
    {
        var asAgent = c.As == SendAsNames.Agent;
        if (!asAgent) _caller.RequireAtLeast(CallerRole.TenantAdmin); // an agent key speaks only as a person

        var instanceName = c.InstanceName!.Trim();
        var instance = await _instances.FindByNameAsync(instanceName, fresh: true, ct) ?? throw new NotFoundException("Instance", instanceName);
        _caller.EnsureCanSee(instance.Tenant.TenantId, "Instance", instanceName);

        var chatId = (string.IsNullOrWhiteSpace(c.Number) ? ChatId.Parse(c.ChatId!) : ChatId.FromPhoneNumber(c.Number)).Value;
        var text = c.Text!.Trim();
        var direction = asAgent ? MessageDirection.Human : MessageDirection.Bot;

        var (sendId, sessionId) = await RegisterAsync(instance, chatId, direction, text, ct);
        SentText sent;
        try
        {
            sent = await _gateway.SendTextAsync(new OutgoingText(instance, chatId, text), ct);
        }
        catch (WhatsAppSendException e)
        {
            // An unknown outcome stays registered: the send sweep settles it from the echo, and a late echo is still ours.
            if (e.Kind != SendFailureKind.OutcomeUnknown) await RecordFailureAsync(instance, chatId, sendId, c.As!, e.Message, ct);
            throw new BadGatewayException($"Evolution did not send the message: {e.Message}", e.UpstreamStatus);
        }

        await RecordSentAsync(instance, chatId, sendId, direction, text, sent, ct);
        var session = await _sessions.FindAsync(SessionLocator.ById(sessionId, instance.Tenant.TenantId), ct)
                      ?? throw new NotFoundException("Session", sessionId);
        return new SentMessageDto(chatId, sent.ProviderMessageId, c.As!, session);
    }

    /// <summary>Registers the send under the chat's lock before Evolution is called, so its echo is recognised even if it comes first.</summary>
    private async Task<(long SendId, long SessionId)> RegisterAsync(
        InstanceContext instance, string chatId, MessageDirection direction, string text, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await using var chat = await _chats.OpenForMessageAsync(instance, chatId, now, ct);
        if (direction == MessageDirection.Bot && chat.Session.IsPaused)
        {
            // The same rule as the worker's re-check: the bot never speaks over a person who took the chat.
            await chat.AddTimelineEventAsync(TimelineActions.BotSendRefused, $"the chat is paused ({chat.Session.PauseReason?.ToName() ?? "paused"})", null, now, ct);
            await chat.CommitAsync(ct);
            throw new ConflictException("The chat is paused, so the bot may not speak in it. Resume the session first, or send as agent.");
        }

        var sendId = await chat.RegisterSendAsync(direction, text, now, ct);
        var sessionId = chat.Session.Id;
        await chat.CommitAsync(ct);
        return (sendId, sessionId);
    }

    private async Task RecordSentAsync(
        InstanceContext instance, string chatId, long sendId, MessageDirection direction, string text, SentText sent, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await using var chat = await _chats.OpenForMessageAsync(instance, chatId, now, ct);
        var messageId = await chat.CompleteSendAsync(
            sendId, new NewChatMessage(sent.ProviderMessageId, direction, "conversation", text, sent.RawJson, now), ct);
        if (direction == MessageDirection.Human)
        {
            await HumanTakeover.ApplyAsync(chat, instance.Tenant, messageId, now, now, "sent as agent through the API", ct);
        }
        else
        {
            chat.Session.ReceiveEcho(now, now);
            await chat.AddTimelineEventAsync(TimelineActions.BotSent, "sent as bot through the API", messageId, now, ct);
        }
        await chat.CommitAsync(ct);
    }

    private async Task RecordFailureAsync(InstanceContext instance, string chatId, long sendId, string sendAs, string error, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await using var chat = await _chats.OpenForMessageAsync(instance, chatId, now, ct);
        await chat.FailSendAsync(sendId, error, now, ct);
        await chat.AddTimelineEventAsync(TimelineActions.SendFailed, $"as {sendAs}: {error}", null, now, ct);
        await chat.CommitAsync(ct);
    }
}

/// <summary>The answer of send-message: where it went, WhatsApp's id for it, and the chat's session afterwards.</summary>
public sealed record SentMessageDto(string ChatId, string ProviderMessageId, string As, SessionDto Session);

public static class SendAsNames
{
    public const string Bot = "bot";
    public const string Agent = "agent";
    public static readonly IReadOnlyList<string> All = [Bot, Agent];
}

public static class MessageLimits
{
    public const int TextMax = 4096;
}
