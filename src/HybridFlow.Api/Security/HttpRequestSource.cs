using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Api.Security;

/// <summary>The connection's remote address, which the forwarded-headers middleware sets to the client's behind a trusted proxy.</summary>
public sealed class HttpRequestSource : IRequestSource
{
    private readonly IHttpContextAccessor _http;

    public HttpRequestSource(IHttpContextAccessor http) => _http = http;

    public string Address => _http.HttpContext?.Connection.RemoteIpAddress is { } address
        ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
        : "unknown";
}
