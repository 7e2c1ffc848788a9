using FluentValidation;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Instances;
using HybridFlow.Application.Replies;
using HybridFlow.Application.Sessions;
using HybridFlow.Application.Timeline;
using HybridFlow.Domain.Chats;
using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Sessions;
using MediatR;
using HybridFlow.Domain.Messages;

namespace HybridFlow.Application.Messages.Commands;

/// <summary>
/// POST /api/evolution/send-message: a text sent through the instance's Evolution. <c>as: bot</c> speaks for the bot
/// (a workflow's answer; never pauses), <c>as: agent</c> is a person taking the chat over (pauses it, like the owner typing).
/// </summary>
[RequiresRole(CallerRole.Agent)]
public sealed record SendMessageCommand(string? InstanceName, string? ChatId, string? Number, string? Text, string? As)
    : IRequest<SentMessageDto>, IRoleDependsOnContent
{
    StricterRole? IRoleDependsOnContent.StricterRole => As == SendAsNames.Agent
        ? null
        : new StricterRole(CallerRole.TenantAdmin, "Sending as the bot needs the tenant_admin role; an agent sends \"as\": \"agent\".");

    /// <summary>Set by the inbox: the person sending as agent (stored as the message's sender, named on the timeline).</summary>
    public InboxSender? SentBy { get; init; }

    /// <summary>
    /// Set by the inbox's template send: the approved template that goes out instead of free text (<see cref="Text"/> is
    /// its body filled in, as recorded). Allowed when WhatsApp's 24-hour window is closed; a Cloud API feature only.
    /// </summary>
    public OutgoingTemplate? Template { get; init; }
}

/// <summary>Who sends from the inbox; <see cref="UserId"/> null for an API key.</summary>
public sealed record InboxSender(long? UserId, string DisplayName)
{
    public string TimelineDetail => UserId is null
        ? TimelineDetails.Format(TimelineDetails.SentAsAgentFromInbox)
        : TimelineDetails.Format(TimelineDetails.SentByPersonFromInbox, ("name", DisplayName));
}

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
    private readonly ReplySendSteps _steps;
    private readonly IWhatsAppGateway _gateway;
    private readonly ISessionQueries _sessions;
    private readonly ICurrentCaller _caller;
    private readonly IServiceWindowQueries _windows;
    private readonly TimeProvider _time;

    public SendMessageCommandHandler(
        IInstanceDirectory instances, ReplySendSteps steps, IWhatsAppGateway gateway, ISessionQueries sessions,
        ICurrentCaller caller, IServiceWindowQueries windows, TimeProvider time)
    {
        _windows = windows;
        _time = time;
        _instances = instances;
        _steps = steps;
        _gateway = gateway;
        _sessions = sessions;
        _caller = caller;
    }

    public async Task<SentMessageDto> Handle(SendMessageCommand c, CancellationToken ct)
    {
        var asAgent = c.As == SendAsNames.Agent;

        var instanceName = c.InstanceName!.Trim();
        var instance = await _instances.FindByNameAsync(instanceName, fresh: true, ct) ?? throw new NotFoundException("Instance", instanceName);
        _caller.EnsureCanSee(instance.Tenant.TenantId, "Instance", instanceName);

        var chatId = (string.IsNullOrWhiteSpace(c.Number) ? ChatId.Parse(c.ChatId!) : ChatId.FromPhoneNumber(c.Number)).Value;
        var text = c.Text!.Trim();
        var kind = asAgent ? ReplyJobKind.ApiAgent : ReplyJobKind.ApiBot;
        await ServiceWindowRule.EnsureMaySendAsync(_windows, instance, chatId, c.Template, _time.GetUtcNow(), ct);

        // Registered under the chat's lock before Evolution is called, so its echo is recognised even if it comes first.
        var (sendId, sessionId) = await _steps.RegisterApiSendAsync(instance, chatId, kind, text, ct)
            ?? throw new ConflictException("The chat is paused, so the bot may not speak in it. Resume the session first, or send as agent.");
        SentText sent;
        try
        {
            sent = await SendHonouringThrottleAsync(new OutgoingText(instance, chatId, text, CallbackData: SendCallbackData.ForApiSend(sendId), Template: c.Template), ct);
        }
        catch (WhatsAppSendException e) when (e.Kind == SendFailureKind.Throttled)
        {
            await _steps.FailApiSendAsync(sendId, $"as {c.As}: {e.Message}", e.Message, ct);
            throw new ServiceUnavailableException($"WhatsApp asked to slow down; nothing was sent. Try again later: {e.Message}");
        }
        catch (WhatsAppSendException e)
        {
            // An unknown outcome stays registered: a late echo or Evolution's record settles it, and it is never resent on its own.
            if (e.Kind == SendFailureKind.OutcomeUnknown) await _steps.MarkOutcomeUnknownAsync(sendId, e.Message, ct);
            else await _steps.FailApiSendAsync(sendId, $"as {c.As}: {e.Message}", e.Message, ct);
            if (instance.Provider == ChannelProvider.MetaCloud)
                throw new BadGatewayException($"The Cloud API did not send the message: {e.Message}", e.UpstreamStatus, Upstream.GraphApi);
            throw new BadGatewayException($"Evolution did not send the message: {e.Message}", e.UpstreamStatus);
        }

        await _steps.CompleteApiSendAsync(sendId, instance.Tenant, text, sent, c.SentBy?.UserId, c.SentBy?.TimelineDetail ?? TimelineDetails.Format(TimelineDetails.SentAsAgentThroughApi), ct);
        var session = await _sessions.FindAsync(SessionLocator.ById(sessionId, instance.Tenant.TenantId), ct)
                      ?? throw new NotFoundException("Session", sessionId);
        return new SentMessageDto(chatId, sent.ProviderMessageId, c.As!, session);
    }

    /// <summary>
    /// The channel asked us to slow down and sent nothing (Meta 130429, 131056): waits as asked and tries again, a few
    /// times and for a few seconds at most, then gives the caller the throttle.
    /// </summary>
    private async Task<SentText> SendHonouringThrottleAsync(OutgoingText message, CancellationToken ct)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await _gateway.SendTextAsync(message, ct);
            }
            catch (WhatsAppSendException e) when (e.Kind == SendFailureKind.Throttled && tries < MaxThrottledTries
                                                  && (e.RetryAfter ?? TimeSpan.Zero) <= MaxThrottleWait)
            {
                await Task.Delay(e.RetryAfter ?? TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    private const int MaxThrottledTries = 3;
    private static readonly TimeSpan MaxThrottleWait = TimeSpan.FromSeconds(10);
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
