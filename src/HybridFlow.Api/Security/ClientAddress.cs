namespace HybridFlow.Api.Security;

/// <summary>
/// The caller's address as the connection reports it (forwarded headers, when trusted, have rewritten it by then), with an
/// IPv4-mapped IPv6 address written as IPv4 so that every budget counts one client under one key.
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress is { } address
        ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
        : "unknown";
}
