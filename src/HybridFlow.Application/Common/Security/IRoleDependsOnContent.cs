namespace HybridFlow.Application.Common.Security;

/// <summary>A request some of whose contents need more than its <see cref="RequiresRoleAttribute"/> role.</summary>
public interface IRoleDependsOnContent
{
    /// <summary>The stricter role this request's contents need, and why; null when the request's role is enough.</summary>
    StricterRole? StricterRole { get; }
}

/// <summary>A role a request's contents need, with the reason a caller below it is told (403).</summary>
public sealed record StricterRole(CallerRole Role, string Reason);
