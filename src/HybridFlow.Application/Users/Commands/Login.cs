using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Domain.Logins;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>
/// Checks a person's email and password and sets the auth cookie. A wrong email and a wrong password answer alike.
/// Failed tries are throttled per email from the source address (5 in 15 minutes, then 429 for 1 minute, doubling up to
/// an hour), per address (100 in an hour) and per email (LOGIN_LOCKOUT_FAILURES in an hour, which also locks the account):
/// the right password from another address still works while one address is throttled.
/// </summary>
[AllowAnonymousCaller]
public sealed record LoginCommand(string? Email, string? Password) : IRequest<UserDto>;

public sealed class LoginCommandValidator : AbstractValidator<LoginCommand>
{
    public LoginCommandValidator()
    {
        RuleFor(c => c.Email).NotEmpty().MaximumLength(UserLimits.EmailMax).OverridePropertyName("email");
        RuleFor(c => c.Password).NotEmpty().MaximumLength(UserLimits.PasswordMax).OverridePropertyName("password");
    }
}

public sealed class LoginCommandHandler : IRequestHandler<LoginCommand, UserDto>
{
    private const string TooManyFailures = "Too many failed logins; try again later.";

    private readonly IOperatorAccounts _accounts;
    private readonly IBrowserSession _session;
    private readonly ILoginThrottles _throttles;
    private readonly IRequestSource _source;
    private readonly LoginOptions _options;
    private readonly TimeProvider _time;

    public LoginCommandHandler(IOperatorAccounts accounts, IBrowserSession session, ILoginThrottles throttles, IRequestSource source,
        LoginOptions options, TimeProvider time)
    {
        _accounts = accounts;
        _session = session;
        _throttles = throttles;
        _source = source;
        _options = options;
        _time = time;
    }

    public async Task<UserDto> Handle(LoginCommand command, CancellationToken ct)
    {
        var email = command.Email!.Trim();
        var keys = LoginThrottling.Keys(LoginThrottling.EmailKey(email), _source.Address);
        var rules = LoginThrottling.Rules(_options);

        // The try counts as a failure before the password is checked, so parallel tries cannot pass the limit.
        var admissions = await _throttles.ChangeAsync(keys, throttles => Admit(throttles, rules, _time.GetUtcNow()), ct);
        if (admissions.FirstOrDefault(a => !a.Admitted) is { } refused) throw new TooManyAttemptsException(TooManyFailures, refused.RetryAfter);

        var check = await _accounts.CheckPasswordAsync(email, command.Password!, ct);
        if (check.Outcome != PasswordCheckOutcome.Failed)
        {
            await _throttles.ChangeAsync(keys, throttles => Forgive(throttles, admissions, rules), ct);
            if (check.Outcome == PasswordCheckOutcome.LockedOut) throw LockedOut(check.LockedUntil);
            await _session.SignInAsync(check.Account!, ct);
            return UserDto.From(check.Account!, _time.GetUtcNow());
        }

        if (admissions[2].BlocksIfWrong)
            await _accounts.LockUntilAsync(email, _time.GetUtcNow() + admissions[2].RetryAfter, ct); // the backstop, as Identity's lockout
        var blocks = admissions.Where(a => a.BlocksIfWrong).ToList();
        if (blocks.Count > 0) throw new TooManyAttemptsException(TooManyFailures, blocks.Max(a => a.RetryAfter));
        throw new AuthenticationFailedException("Wrong email or password.");
    }

    /// <summary>Admits the try on every throttle, or on none: a refusal takes back what the earlier ones counted.</summary>
    private static IReadOnlyList<LoginAdmission> Admit(IReadOnlyList<LoginThrottle> throttles, IReadOnlyList<LoginThrottleRule> rules, DateTimeOffset now)
    {
        var admissions = new List<LoginAdmission>();
        for (var i = 0; i < throttles.Count; i++)
        {
            var admission = throttles[i].Admit(now, rules[i]);
            if (!admission.Admitted)
            {
                for (var j = 0; j < admissions.Count; j++) throttles[j].Forgive(admissions[j], rules[j]);
                return [admission];
            }
            admissions.Add(admission);
        }
        return admissions;
    }

    /// <summary>The right password: the email from this address starts over; the address's and the email's counts take the try back.</summary>
    private static bool Forgive(IReadOnlyList<LoginThrottle> throttles, IReadOnlyList<LoginAdmission> admissions, IReadOnlyList<LoginThrottleRule> rules)
    {
        throttles[0].Forgive(admissions[0], rules[0]);
        throttles[1].Reset();
        throttles[2].Forgive(admissions[2], rules[2]);
        return true;
    }

    /// <summary>Only told to whoever knows the password, so a lock does not reveal that an email exists.</summary>
    private TooManyAttemptsException LockedOut(DateTimeOffset? lockedUntil)
    {
        var wait = (lockedUntil ?? _time.GetUtcNow()) - _time.GetUtcNow();
        // Longer than failed logins ever lock for: an admin locked the account until they unlock it.
        if (wait > UserLimits.LockoutDuration + TimeSpan.FromMinutes(1))
            return new TooManyAttemptsException("This account is locked; ask an admin to unlock it.", TimeSpan.FromDays(1));
        return new TooManyAttemptsException(TooManyFailures, wait > TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1));
    }
}
