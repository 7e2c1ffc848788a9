using FluentValidation;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using HybridFlow.Application.Timeline;
using HybridFlow.Domain.Sessions;
using MediatR;

namespace HybridFlow.Application.Sessions.Commands;

/// <summary>
/// Pause from the API: for <paramref name="Minutes"/>, for the tenant's quiet period (<paramref name="For"/> is
/// <see cref="PauseLength.QuietPeriod"/>), or until resumed when neither is given.
/// </summary>
[RequiresRole(CallerRole.Agent)]
public sealed record PauseSessionCommand(SessionLocator Locator, int? Minutes, string? For = null) : IRequest<SessionDto>;

/// <summary>The named lengths of a pause (<c>"for"</c>); the quiet period is the tenant's, read on the server.</summary>
public static class PauseLength
{
    public const string QuietPeriod = "quiet_period";
    public const string UntilResumed = "until_resumed";

    public static readonly IReadOnlyList<string> All = [QuietPeriod, UntilResumed];
}

/// <summary>The rules on <c>minutes</c> and <c>for</c> that both pause commands share.</summary>
public static class PauseLengthRules
{
    public static void Add<T>(AbstractValidator<T> validator, Func<T, int?> minutes, Func<T, string?> forLength)
    {
        validator.RuleFor(c => forLength(c)).Must(f => PauseLength.All.Contains(f!)).When(c => forLength(c) is not null)
            .WithMessage($"for must be one of: {string.Join(", ", PauseLength.All)}.").OverridePropertyName("for");
        validator.RuleFor(c => minutes(c)).Null().When(c => forLength(c) is not null)
            .WithMessage("Give minutes or for, not both.").OverridePropertyName("minutes");
    }
}

public sealed class PauseSessionCommandValidator : AbstractValidator<PauseSessionCommand>
{
    public PauseSessionCommandValidator()
    {
        RuleFor(c => c.Locator).SetValidator(new SessionLocatorValidator());
        RuleFor(c => c.Minutes).InclusiveBetween(1, 525_600).When(c => c.Minutes is not null).OverridePropertyName("minutes");
        PauseLengthRules.Add(this, c => c.Minutes, c => c.For);
    }
}

[RequiresRole(CallerRole.Agent)]
public sealed record ResumeSessionCommand(SessionLocator Locator) : IRequest<SessionDto>;

public sealed class ResumeSessionCommandValidator : AbstractValidator<ResumeSessionCommand>
{
    public ResumeSessionCommandValidator() => RuleFor(c => c.Locator).SetValidator(new SessionLocatorValidator());
}

public sealed class ChangeSessionStateHandlers :
    IRequestHandler<PauseSessionCommand, SessionDto>,
    IRequestHandler<ResumeSessionCommand, SessionDto>
{
    private readonly IChatUnitOfWork _chats;
    private readonly ISessionQueries _sessions;
    private readonly ICurrentCaller _caller;
    private readonly TimeProvider _time;
    private readonly ITenantStore _tenants;

    public ChangeSessionStateHandlers(IChatUnitOfWork chats, ISessionQueries sessions, ICurrentCaller caller, TimeProvider time, ITenantStore tenants)
    {
        _tenants = tenants;
        _chats = chats;
        _sessions = sessions;
        _caller = caller;
        _time = time;
    }

    public Task<SessionDto> Handle(PauseSessionCommand command, CancellationToken ct) =>
        ChangeAsync(command.Locator, async (chat, now) =>
        {
            var minutes = command.For == PauseLength.QuietPeriod ? await QuietPeriodMinutesAsync(chat.Session.TenantId, ct) : command.Minutes;
            var duration = minutes is { } m ? TimeSpan.FromMinutes(m) : (TimeSpan?)null;
            chat.Session.PauseManually(now, duration);
            await chat.CancelUnsentRepliesAsync("paused manually", now, ct);
            await chat.AcknowledgeUnknownSendsAsync("a person paused the chat", now, ct);
            var detail = duration is null ? TimelineDetails.Format(TimelineDetails.PausedUntilResumed)
                : TimelineDetails.Format(command.For == PauseLength.QuietPeriod ? TimelineDetails.PausedQuietPeriod : TimelineDetails.PausedForMinutes, ("minutes", minutes!));
            await chat.AddTimelineEventAsync(TimelineActions.ManualPause, detail, null, now, ct);
        }, ct);

    public Task<SessionDto> Handle(ResumeSessionCommand command, CancellationToken ct) =>
        ChangeAsync(command.Locator, async (chat, now) =>
        {
            await chat.AcknowledgeUnknownSendsAsync("a person resumed the chat", now, ct);
            if (chat.Session.Resume(now) == SessionOutcome.Resumed)
                await chat.AddTimelineEventAsync(TimelineActions.Resumed, "resumed manually", null, now, ct);
        }, ct);

    // Read on the server: agents may pause but cannot read the tenant's settings.
    private async Task<int> QuietPeriodMinutesAsync(long tenantId, CancellationToken ct) =>
        (await _tenants.FindAsync(tenantId, ct) ?? throw new NotFoundException("Tenant", tenantId)).ResumeAfterMinutes;

    private async Task<SessionDto> ChangeAsync(SessionLocator requested, Func<IChatWork, DateTimeOffset, Task> change, CancellationToken ct)
    {
        var locator = requested.Within(_caller.TenantFilter(requested.TenantId));
        var found = await _chats.RunAsync(locator, false, async (chat, _) =>
        {
            await change(chat, _time.GetUtcNow());
            return true;
        }, ct);
        if (!found) throw new NotFoundException("Session", locator.Describe());
        return await _sessions.FindAsync(locator, ct) ?? throw new NotFoundException("Session", locator.Describe());
    }
}
