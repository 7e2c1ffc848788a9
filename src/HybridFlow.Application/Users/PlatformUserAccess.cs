using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;

namespace HybridFlow.Application.Users;

/// <summary>
/// Users without a tenant (platform admins), managed by the platform admin only (their requests say so). A tenant's user
/// is not found here (404); it is managed under its tenant.
/// </summary>
public sealed class PlatformUserAccess
{
    private readonly ICurrentCaller _caller;
    private readonly IOperatorAccounts _accounts;

    public PlatformUserAccess(ICurrentCaller caller, IOperatorAccounts accounts)
    {
        _caller = caller;
        _accounts = accounts;
    }

    public async Task<OperatorAccount> UserAsync(long userId, CancellationToken ct)
    {
        var account = await _accounts.FindAsync(userId, ct);
        return account is { TenantId: null } ? account : throw new NotFoundException("User", userId);
    }

    /// <summary>True when the caller is this very user (a platform admin managing themselves).</summary>
    public bool IsCaller(long userId) => _caller.UserId == userId;
}
