using System.Reflection;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Instances;
using MediatR;

namespace HybridFlow.Application.Common.Behaviors;

/// <summary>
/// Who may send a request, checked before its handler runs, from the request's own marker (docs/ARCHITECTURE.md section 1):
/// <see cref="RequiresRoleAttribute"/> or <see cref="AllowAnonymousCallerAttribute"/>. Another tenant's ids answer 404
/// before any 403: a tenant id is compared first (<see cref="ITenantRequest"/>), and an instance name is looked up when
/// the role falls short (<see cref="IInstanceRequest"/>). It runs after validation, so a malformed request is 400 whoever
/// sends it. What a caller sees (tenant filters, the inbox's visibility) stays with the queries.
/// </summary>
public sealed class AuthorizationBehavior<TRequest, TResponse> : IPipelineBehavior<TRequest, TResponse>
{
    private static readonly (bool Marked, CallerRole? Role) Marker = MarkerOf(typeof(TRequest));
    private readonly ICurrentCaller _caller;
    private readonly ServiceFactory _services;

    public AuthorizationBehavior(ICurrentCaller caller, ServiceFactory services)
    {
        _caller = caller;
        _services = services;
    }

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (!Marker.Marked)
            throw new InvalidOperationException(
                $"{typeof(TRequest).Name} says neither who may send it ([RequiresRole]) nor that no caller is checked ([AllowAnonymousCaller]).");
        if (Marker.Role is not { } required) return await next();

        if (request is ITenantRequest tenant) _caller.EnsureCanSee(tenant.TenantId, "Tenant", tenant.TenantId);
        if (_caller.Role > required)
        {
            if (request is IInstanceRequest instance) await EnsureInstanceVisibleAsync(instance, cancellationToken);
            _caller.RequireAtLeast(required);
        }
        if (request is IRoleDependsOnContent { StricterRole: { } stricter } && _caller.Role > stricter.Role)
            throw new ForbiddenException(stricter.Reason);
        return await next();
    }

    // Resolved only on a refusal, so no allowed call (and no webhook) builds the store for it.
    private Task EnsureInstanceVisibleAsync(IInstanceRequest request, CancellationToken ct) =>
        ((IInstanceStore)_services(typeof(IInstanceStore))).FindVisibleAsync(_caller, request.InstanceName ?? "", request.TenantId, ct);

    /// <summary>The request's role (null: no caller to check); a request without a marker is refused, not let through.</summary>
    private static (bool Marked, CallerRole? Role) MarkerOf(Type request) =>
        request.GetCustomAttribute<RequiresRoleAttribute>() is { } role ? (true, role.Role)
        : request.GetCustomAttribute<AllowAnonymousCallerAttribute>() is not null ? (true, null)
        : (false, null);
}
