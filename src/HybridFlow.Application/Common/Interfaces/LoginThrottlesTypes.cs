namespace HybridFlow.Application.Common.Interfaces;

public enum LoginThrottleScope
{
    /// <summary>One email string from one address.</summary>
    EmailFromAddress,
    /// <summary>One address, whatever the emails.</summary>
    Address,
    /// <summary>One email string from every address (the lockout backstop).</summary>
    Email,
}

/// <summary>Whose failed logins a throttle counts. <paramref name="EmailKey"/> is a hash of the normalised email ("" when not counted per email).</summary>
public sealed record LoginThrottleKey(LoginThrottleScope Scope, string EmailKey, string Source);
