namespace HybridFlow.Api.Security;

/// <summary>The caller's address as the connection reports it (forwarded headers, when trusted, have rewritten it by then).</summary>
public static class ClientAddress
{
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
