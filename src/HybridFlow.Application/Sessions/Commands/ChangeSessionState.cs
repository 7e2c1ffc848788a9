using FluentValidation;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Domain.Sessions;
using MediatR;

namespace HybridFlow.Application.Sessions.Commands;

/// <summary>Pause from the API: for <paramref name="Minutes"/>, or until resumed when null.</summary>
public sealed record PauseSessionCommand(SessionLocator Locator, int? Minutes) : IRequest<SessionDto>;

public sealed class PauseSessionCommandValidator : AbstractValidator<PauseSessionCommand>
{
    public PauseSessionCommandValidator()
    {
        RuleFor(c => c.Locator).SetValidator(new SessionLocatorValidator());
        RuleFor(c => c.Minutes).InclusiveBetween(1, 525_600).When(c => c.Minutes is not null).OverridePropertyName("minutes");
    }
}

public sealed record ResumeSessionCommand(SessionLocator Locator) : IRequest<SessionDto>;

public sealed class ResumeSessionCommandValidator : AbstractValidator<ResumeSessionCommand>
{
    public ResumeSessionCommandValidator() => RuleFor(c => c.Locator).SetValidator(new SessionLocatorValidator());
}

public sealed class ChangeSessionStateHandlers :
    IRequestHandler<PauseSessionCommand, SessionDto>,
    IRequestHandler<ResumeSessionCommand, SessionDto>
{
    private readonly IChatStore _chats;
    private readonly ISessionQueries _sessions;
    private readonly ICurrentCaller _caller;
    private readonly TimeProvider _time;

    public ChangeSessionStateHandlers(IChatStore chats, ISessionQueries sessions, ICurrentCaller caller, TimeProvider time)
    {
        _chats = chats;
        _sessions = sessions;
        _caller = caller;
        _time = time;
    }

    public Task<SessionDto> Handle(PauseSessionCommand command, CancellationToken ct) =>
        ChangeAsync(command.Locator, async (chat, now) =>
        {
            var duration = command.Minutes is { } m ? TimeSpan.FromMinutes(m) : (TimeSpan?)null;
            chat.Session.PauseManually(now, duration);
            await chat.CancelUnsentRepliesAsync("paused manually", now, ct);
            await chat.AcknowledgeUnknownSendsAsync("a person paused the chat", now, ct);
            var detail = duration is null ? "until resumed" : $"for {command.Minutes} minutes";
            await chat.AddTimelineEventAsync(TimelineActions.ManualPause, detail, null, now, ct);
        }, ct);

    public Task<SessionDto> Handle(ResumeSessionCommand command, CancellationToken ct) =>
        ChangeAsync(command.Locator, async (chat, now) =>
        {
            await chat.AcknowledgeUnknownSendsAsync("a person resumed the chat", now, ct);
            if (chat.Session.Resume(now) == SessionOutcome.Resumed)
                await chat.AddTimelineEventAsync(TimelineActions.Resumed, "resumed manually", null, now, ct);
        }, ct);

    private async Task<SessionDto> ChangeAsync(SessionLocator requested, Func<IChatTransaction, DateTimeOffset, Task> change, CancellationToken ct)
    {
        var locator = requested.Within(_caller.TenantFilter(requested.TenantId));
        await using (var chat = await _chats.OpenExistingAsync(locator, ct) ?? throw new NotFoundException("Session", locator.Describe()))
        {
            await change(chat, _time.GetUtcNow());
            await chat.CommitAsync(ct);
        }
        return await _sessions.FindAsync(locator, ct) ?? throw new NotFoundException("Session", locator.Describe());
    }
}
