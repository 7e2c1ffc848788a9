using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Api.Middleware;

/// <summary>The correlation id <see cref="CorrelationIdMiddleware"/> accepted or made for the current request; null outside a request.</summary>
public sealed class HttpCorrelationContext : ICorrelationContext
{
    private readonly IHttpContextAccessor _http;

    public HttpCorrelationContext(IHttpContextAccessor http) => _http = http;

    public string? CorrelationId =>
        _http.HttpContext?.Items.TryGetValue(CorrelationIdMiddleware.CorrelationItem, out var id) == true ? id as string : null;
}
