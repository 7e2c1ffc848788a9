namespace HybridFlow.Application.Common.Security;

/// <summary>
/// The least role that may send this request (<see cref="CallerRole.Agent"/>: any caller). <c>AuthorizationBehavior</c>
/// checks it before the handler runs. Every request carries this or <see cref="AllowAnonymousCallerAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RequiresRoleAttribute : Attribute
{
    public RequiresRoleAttribute(CallerRole role) => Role = role;

    public CallerRole Role { get; }
}
