using System.Diagnostics;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Replies.Commands;
using HybridFlow.Application.Webhooks.Commands;
using MediatR;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Application.Common.Behaviors;

/// <summary>
/// Logs each request by type name and duration, and a webhook's outcome with masked ids; never the request itself (it holds
/// personal data). Webhooks are also counted by action and timed for the metrics.
/// </summary>
public sealed class LoggingBehavior<TRequest, TResponse> : IPipelineBehavior<TRequest, TResponse>
{
    private readonly ILogger<LoggingBehavior<TRequest, TResponse>> _logger;
    private readonly IHybridFlowMetrics _metrics;

    public LoggingBehavior(ILogger<LoggingBehavior<TRequest, TResponse>> logger, IHybridFlowMetrics metrics)
    {
        _logger = logger;
        _metrics = metrics;
    }

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var started = Stopwatch.GetTimestamp();
        TResponse response;
        try
        {
            response = await next();
        }
        catch (Exception e) when (request is ReceiveEvolutionWebhookCommand or ReceiveMetaWebhookCommand)
        {
            _metrics.WebhookHandled(RefusalAction(e), Stopwatch.GetElapsedTime(started));
            throw;
        }

        var duration = Stopwatch.GetElapsedTime(started);
        var elapsed = duration.TotalMilliseconds;
        if (response is WebhookOutcome o)
        {
            _metrics.WebhookHandled(o.Action, duration);
            if (_logger.IsEnabled(LogLevel.Information))
                _logger.LogInformation(
                    "Webhook {action} tenant_id={tenant_id} instance={instance} chat={chat_id} provider_message_id={provider_message_id} in {duration_ms} ms",
                    o.Action, o.TenantId, o.InstanceName, PersonalData.MaskChatId(o.ChatId), o.ProviderMessageId, Math.Round(elapsed, 2));
        }
        else if (elapsed > 500 && request is not ProcessReplyJobCommand)
        {
            // A reply job waits on the model and Evolution by design: its durations are in the LLM and Evolution metrics.
            _logger.LogWarning("Slow request {request} took {duration_ms} ms", typeof(TRequest).Name, Math.Round(elapsed, 2));
        }
        return response;
    }

    /// <summary>Refused webhooks get their own action labels, distinct from the pipeline's actions.</summary>
    private static string RefusalAction(Exception e) => e switch
    {
        AuthenticationFailedException => "rejected_unauthorized",
        NotFoundException => "rejected_unknown_instance",
        RequestValidationException => "rejected_invalid",
        PayloadTooLargeException => "rejected_too_large",
        TooManyAttemptsException => "rejected_rate_limited",
        OperationCanceledException => "cancelled",
        _ => "failed",
    };
}
