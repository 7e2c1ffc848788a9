namespace HybridFlow.Application.Common.Security;

/// <summary>
/// A request with no API caller to check: the service's own workers send it, or it proves who sends it by itself
/// (a webhook's secret, a login's password, a login cookie being checked).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class AllowAnonymousCallerAttribute : Attribute;
