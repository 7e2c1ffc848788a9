using System.Diagnostics;
using HybridFlow.Application.Webhooks.Commands;
using MediatR;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Application.Common.Behaviors;

/// <summary>Logs each request by type name and duration, and a webhook's outcome with masked ids; never the request itself (it holds personal data).</summary>
public sealed class LoggingBehavior<TRequest, TResponse> : IPipelineBehavior<TRequest, TResponse>
{
    private readonly ILogger<LoggingBehavior<TRequest, TResponse>> _logger;

    public LoggingBehavior(ILogger<LoggingBehavior<TRequest, TResponse>> logger) => _logger = logger;

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await next();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (response is WebhookOutcome o)
        {
            _logger.LogInformation(
                "Webhook {action} tenant_id={tenant_id} instance={instance} chat={chat_id} provider_message_id={provider_message_id} in {duration_ms} ms",
                o.Action, o.TenantId, o.InstanceName, PersonalData.MaskChatId(o.ChatId), o.ProviderMessageId, Math.Round(elapsed, 2));
        }
        else if (elapsed > 500)
        {
            _logger.LogWarning("Slow request {request} took {duration_ms} ms", typeof(TRequest).Name, Math.Round(elapsed, 2));
        }
        return response;
    }
}
