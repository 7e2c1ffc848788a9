namespace HybridFlow.Domain.Logins;

/// <summary>
/// How many failed logins one key may have: <see cref="MaxFailures"/> within <see cref="Window"/>, then a block of
/// <see cref="FirstBlock"/>. An escalating rule doubles the block, up to <see cref="MaxBlock"/>, for each failure that
/// follows a block within the window (one try per block); otherwise the count starts over when a block ends.
/// </summary>
public sealed record LoginThrottleRule(int MaxFailures, TimeSpan Window, TimeSpan FirstBlock, TimeSpan MaxBlock, bool Escalates)
{
    /// <summary>One email from one address: 5 in 15 minutes, then 1 minute doubling up to 1 hour.</summary>
    public static readonly LoginThrottleRule EmailFromAddress =
        new(5, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), Escalates: true);

    /// <summary>One address, whatever the emails: 100 in an hour, then that address waits an hour.</summary>
    public static readonly LoginThrottleRule Address = new(100, TimeSpan.FromHours(1), TimeSpan.FromHours(1), TimeSpan.FromHours(1), Escalates: false);

    /// <summary>One email from every address (the account-lockout backstop): <paramref name="maxFailures"/> in an hour locks it for an hour.</summary>
    public static LoginThrottleRule Email(int maxFailures) => new(maxFailures, TimeSpan.FromHours(1), TimeSpan.FromHours(1), TimeSpan.FromHours(1), Escalates: false);

    public TimeSpan BlockFor(int strikes)
    {
        if (!Escalates || strikes <= 1) return FirstBlock;
        var doubled = FirstBlock.Ticks * Math.Pow(2, Math.Min(strikes - 1, 30));
        return doubled >= MaxBlock.Ticks ? MaxBlock : TimeSpan.FromTicks((long)doubled);
    }
}

/// <summary>What <see cref="LoginThrottle.Admit"/> decided for one login try.</summary>
public sealed record LoginAdmission(
    bool Admitted, TimeSpan RetryAfter, bool BlocksIfWrong, DateTimeOffset? PreviousWindowStartedAt, DateTimeOffset? PreviousBlockedUntil, int PreviousStrikes)
{
    public static LoginAdmission Refused(TimeSpan retryAfter) => new(false, retryAfter, false, null, null, 0);
}

/// <summary>
/// The failed-login count of one key (an email from an address, an address, or an email). A try is counted when it
/// is admitted, before the password is checked, so parallel tries cannot slip past the limit; a right password then
/// takes it back (<see cref="Forgive"/>) or clears the count (<see cref="Reset"/>).
/// </summary>
public sealed class LoginThrottle
{
    public LoginThrottle(int failures, DateTimeOffset? windowStartedAt, int strikes, DateTimeOffset? blockedUntil)
    {
        Failures = failures;
        WindowStartedAt = windowStartedAt;
        Strikes = strikes;
        BlockedUntil = blockedUntil;
    }

    public LoginThrottle() { }

    /// <summary>Failures in the current window, tries still being checked included.</summary>
    public int Failures { get; private set; }
    public DateTimeOffset? WindowStartedAt { get; private set; }
    /// <summary>Blocks in a row (an escalating rule doubles each).</summary>
    public int Strikes { get; private set; }
    public DateTimeOffset? BlockedUntil { get; private set; }

    /// <summary>Refused while blocked; otherwise counts the try as a failure, and blocks at once when it reaches the limit.</summary>
    public LoginAdmission Admit(DateTimeOffset now, LoginThrottleRule rule)
    {
        if (BlockedUntil is { } until && until > now) return LoginAdmission.Refused(until - now);
        var (previousBlock, previousStrikes) = (BlockedUntil, Strikes);

        var recentlyBlocked = BlockedUntil is { } ended && now - ended < rule.Window;
        if (rule.Escalates && Strikes > 0 && recentlyBlocked)
        {
            // Soon after a block: this one try decides the next, longer block.
            Failures = rule.MaxFailures - 1;
            WindowStartedAt = now;
        }
        else if (WindowStartedAt is not { } started || now - started >= rule.Window || BlockedUntil is not null)
        {
            WindowStartedAt = now;
            Failures = 0;
            if (!recentlyBlocked) Strikes = 0;
            if (!rule.Escalates || !recentlyBlocked) BlockedUntil = null;
        }

        var window = WindowStartedAt;
        Failures++;
        if (Failures < rule.MaxFailures) return new LoginAdmission(true, TimeSpan.Zero, false, window, previousBlock, previousStrikes);
        Strikes++;
        var block = rule.BlockFor(Strikes);
        BlockedUntil = now + block;
        Failures = 0;
        WindowStartedAt = null;
        return new LoginAdmission(true, block, true, window, previousBlock, previousStrikes);
    }

    /// <summary>The admitted try had the right password: it is not a failure, and a block it set is lifted.</summary>
    public void Forgive(LoginAdmission admission, LoginThrottleRule rule)
    {
        if (!admission.Admitted) return;
        if (admission.BlocksIfWrong)
        {
            BlockedUntil = admission.PreviousBlockedUntil;
            Strikes = admission.PreviousStrikes;
            WindowStartedAt = admission.PreviousWindowStartedAt;
            Failures = WindowStartedAt is null ? 0 : rule.MaxFailures - 1;
            return;
        }
        if (Failures > 0) Failures--;
    }

    /// <summary>A login succeeded or an admin unlocked: the count and the blocks start over.</summary>
    public void Reset()
    {
        Failures = 0;
        WindowStartedAt = null;
        Strikes = 0;
        BlockedUntil = null;
    }
}
