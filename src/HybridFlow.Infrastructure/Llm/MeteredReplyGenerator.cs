using System.Diagnostics;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Observability;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>
/// Wraps the provider router: times every model call, counts failures by kind, and carries the prompt's correlation id
/// to the SDKs (their pipeline hooks add it as X-Correlation-Id).
/// </summary>
internal sealed class MeteredReplyGenerator : IReplyGenerator
{
    private readonly RoutingReplyGenerator _inner;
    private readonly LlmOptions _options;
    private readonly HybridFlowMetrics _metrics;

    public MeteredReplyGenerator(RoutingReplyGenerator inner, LlmOptions options, HybridFlowMetrics metrics)
    {
        _inner = inner;
        _options = options;
        _metrics = metrics;
    }

    public async Task<GeneratedReply> GenerateAsync(ReplyPrompt prompt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        // Tenants may name any provider; unknown names are reported under one label to keep the series bounded.
        var provider = _options.ProviderFor(prompt.Provider) ?? "unknown";
        using var correlation = OutboundCorrelation.Begin(prompt.CorrelationId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var reply = await _inner.GenerateAsync(prompt, ct);
            _metrics.LlmCallFinished(provider, Stopwatch.GetElapsedTime(started), errorKind: null);
            return reply;
        }
        catch (ReplyGenerationException e)
        {
            var kind = e.IsAccountExhausted ? "account"
                : e.IsRateLimited ? "rate_limited"
                : e.InnerException is OperationCanceledException or TimeoutException ? "timeout"
                : e.IsPermanent ? "permanent" : "transient";
            _metrics.LlmCallFinished(provider, Stopwatch.GetElapsedTime(started), kind);
            throw;
        }
    }
}
