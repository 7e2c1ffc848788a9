namespace HybridFlow.Application.Common.Interfaces;

/// <summary>The logged-in browser: the auth cookie and the CSRF token that goes with it (the Api layer implements it).</summary>
public interface IBrowserSession
{
    /// <summary>Sets the auth cookie for <paramref name="account"/> and a fresh CSRF token for it.</summary>
    Task SignInAsync(OperatorAccount account, CancellationToken ct);
    /// <summary>Ends the current login in the session store and clears the cookies.</summary>
    Task SignOutAsync(CancellationToken ct);
    /// <summary>Puts a fresh CSRF request token in the readable cookie, for the current user.</summary>
    void RefreshCsrfToken();
}
