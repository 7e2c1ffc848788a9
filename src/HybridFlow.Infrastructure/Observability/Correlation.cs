using System.ClientModel.Primitives;
using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Infrastructure.Observability;

/// <summary>
/// The correlation id of the outbound call being made on this async flow. SDK clients are singletons built once, so the
/// id cannot be a constructor argument: the caller sets it around the call and the SDKs' pipeline hooks read it.
/// </summary>
internal static class OutboundCorrelation
{
    public const string HeaderName = "X-Correlation-Id";
    private static readonly AsyncLocal<string?> Current = new();

    public static string? Id => Current.Value;

    /// <summary>Sets the id for the calls made until the returned scope is disposed (and, being async-local, only on this flow).</summary>
    public static IDisposable Begin(string? correlationId)
    {
        var previous = Current.Value;
        Current.Value = correlationId;
        return new Scope(previous);
    }

    private sealed class Scope : IDisposable
    {
        private readonly string? _previous;

        public Scope(string? previous) => _previous = previous;

        public void Dispose() => Current.Value = _previous;
    }
}

/// <summary>OpenAI SDK (System.ClientModel) pipeline policy: adds X-Correlation-Id to each request.</summary>
internal sealed class CorrelationIdPipelinePolicy : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Stamp(message);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Stamp(message);
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
    }

    private static void Stamp(PipelineMessage message)
    {
        if (OutboundCorrelation.Id is { } id) message.Request.Headers.Set(OutboundCorrelation.HeaderName, id);
    }
}

/// <summary>HttpClient handler (Anthropic SDK): adds X-Correlation-Id to each request.</summary>
internal sealed class CorrelationIdHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (OutboundCorrelation.Id is { } id && !request.Headers.Contains(OutboundCorrelation.HeaderName))
            request.Headers.TryAddWithoutValidation(OutboundCorrelation.HeaderName, id);
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Outside an HTTP request there is no correlation id; the API host replaces this with one that reads the request.</summary>
internal sealed class NoCorrelationContext : ICorrelationContext
{
    public string? CorrelationId => null;
}
