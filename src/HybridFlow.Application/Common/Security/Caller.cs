using System.Globalization;
using HybridFlow.Application.Common.Exceptions;

namespace HybridFlow.Application.Common.Security;

/// <summary>Roles from the most to the least powerful.</summary>
public enum CallerRole
{
    PlatformAdmin = 0,
    TenantAdmin = 1,
    Agent = 2,
}

public static class CallerRoleNames
{
    public const string PlatformAdmin = "platform_admin";
    public const string TenantAdmin = "tenant_admin";
    public const string Agent = "agent";
    public static readonly IReadOnlyList<string> TenantRoles = [TenantAdmin, Agent];

    public static string ToName(this CallerRole role) => role switch
    {
        CallerRole.PlatformAdmin => PlatformAdmin,
        CallerRole.TenantAdmin => TenantAdmin,
        _ => Agent,
    };

    public static CallerRole Parse(string name) => name switch
    {
        PlatformAdmin => CallerRole.PlatformAdmin,
        TenantAdmin => CallerRole.TenantAdmin,
        Agent => CallerRole.Agent,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown role."),
    };
}

/// <summary>The caller is known but may not do this (403).</summary>
public sealed class ForbiddenException : Exception
{
    public ForbiddenException(string message) : base(message) { }
}

/// <summary>
/// Tenant isolation in one place. Another tenant's ids answer 404 (not 403), so a tenant key cannot even
/// learn which ids exist elsewhere.
/// </summary>
public static class CallerScope
{
    /// <summary>The tenant a query is limited to: what was asked for (null = all) for the platform admin, always its own for a tenant key.</summary>
    public static long? TenantFilter(this ICurrentCaller caller, long? requested)
    {
        if (caller.Role == CallerRole.PlatformAdmin) return requested;
        if (requested is { } r && r != caller.TenantId) throw new NotFoundException("Tenant", r);
        return caller.TenantId;
    }

    /// <summary>Throws 404 when the resource belongs to a tenant the caller may not see.</summary>
    public static void EnsureCanSee(this ICurrentCaller caller, long resourceTenantId, string what, object key)
    {
        if (caller.Role != CallerRole.PlatformAdmin && caller.TenantId != resourceTenantId)
            throw new NotFoundException(what, Convert.ToString(key, CultureInfo.InvariantCulture) ?? "");
    }

    public static void RequireAtLeast(this ICurrentCaller caller, CallerRole role)
    {
        if (caller.Role > role)
            throw new ForbiddenException($"This needs the {role.ToName()} role; the key has {caller.Role.ToName()}.");
    }
}
