using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Api.Security;

/// <summary>The connection's remote address, which the forwarded-headers middleware sets to the client's behind a trusted proxy.</summary>
public sealed class HttpRequestSource : IRequestSource
{
    private readonly IHttpContextAccessor _http;

    public HttpRequestSource(IHttpContextAccessor http) => _http = http;

    public string Address => _http.HttpContext is { } context ? ClientAddress.Of(context) : "unknown";
}
