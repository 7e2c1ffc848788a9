using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;

namespace HybridFlow.Application.Users;

/// <summary>The field rules the user commands share.</summary>
public static class UserFieldRules
{
    public static IRuleBuilderOptions<T, string?> ValidEmail<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().MaximumLength(UserLimits.EmailMax).EmailAddress().OverridePropertyName("email");

    public static IRuleBuilderOptions<T, string?> ValidPassword<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MinimumLength(UserLimits.PasswordMin).MaximumLength(UserLimits.PasswordMax)
            .WithMessage($"password must be {UserLimits.PasswordMin} to {UserLimits.PasswordMax} characters long.")
            .OverridePropertyName("password");

    public static IRuleBuilderOptions<T, string?> ValidDisplayName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(n => n is null || n.Trim().Length is > 0 and <= UserLimits.DisplayNameMax)
            .WithMessage($"display_name must be 1 to {UserLimits.DisplayNameMax} characters long.")
            .OverridePropertyName("display_name");

    public static IRuleBuilderOptions<T, string?> ValidTenantRole<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(r => r is null || CallerRoleNames.TenantRoles.Contains(r))
            .WithMessage($"role must be one of: {string.Join(", ", CallerRoleNames.TenantRoles)}.").OverridePropertyName("role");
}

/// <summary>
/// A tenant's users as their managers reach them (the requests say who may: the tenant's tenant_admin or the platform
/// admin). A missing tenant, or a user of another tenant, answers 404.
/// </summary>
public sealed class TenantUserAccess
{
    private readonly ICurrentCaller _caller;
    private readonly ITenantStore _tenants;
    private readonly IOperatorAccounts _accounts;

    public TenantUserAccess(ICurrentCaller caller, ITenantStore tenants, IOperatorAccounts accounts)
    {
        _caller = caller;
        _tenants = tenants;
        _accounts = accounts;
    }

    public async Task EnsureTenantExistsAsync(long tenantId, CancellationToken ct)
    {
        _ = await _tenants.FindAsync(tenantId, ct) ?? throw new NotFoundException("Tenant", tenantId);
    }

    /// <summary>The tenant's user, after <see cref="EnsureTenantExistsAsync"/>.</summary>
    public async Task<OperatorAccount> UserOfAsync(long tenantId, long userId, CancellationToken ct)
    {
        await EnsureTenantExistsAsync(tenantId, ct);
        var account = await _accounts.FindAsync(userId, ct);
        return account is not null && account.TenantId == tenantId ? account : throw new NotFoundException("User", userId);
    }

    /// <summary>True when the caller is this very user (a tenant admin managing themselves).</summary>
    public bool IsCaller(long userId) => _caller.UserId == userId;
}
