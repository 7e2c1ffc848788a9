using HybridFlow.Domain.Logins;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// The failed-login throttles, shared by every replica (PostgreSQL). A change runs with the keys' throttles locked, so
/// parallel tries from any replica are counted one after another.
/// </summary>
public interface ILoginThrottles
{
    /// <summary>Runs <paramref name="change"/> on the throttles of <paramref name="keys"/> (in that order; new ones start empty) and stores them.</summary>
    Task<T> ChangeAsync<T>(IReadOnlyList<LoginThrottleKey> keys, Func<IReadOnlyList<LoginThrottle>, T> change, CancellationToken ct);

    /// <summary>Forgets every count and block of one email (an admin unlocked the account or reset its password).</summary>
    Task ForgetEmailAsync(string emailKey, CancellationToken ct);
}
