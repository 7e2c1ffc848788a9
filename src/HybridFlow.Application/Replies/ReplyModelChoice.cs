using System.Collections.Concurrent;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Tenants;
using Microsoft.Extensions.Logging;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Replies;

/// <summary>
/// The model a reply, vision or transcription call uses (<see cref="PlatformModels"/>): a tenant on the platform's key
/// whose chosen model is no longer allowed (LLM_ALLOWED_MODELS changed) falls back to the default, and the log says so
/// once per tenant, setting and model, not on every reply.
/// </summary>
public sealed class ReplyModelChoice
{
    private const int RememberedFallbacksMax = 10_000;

    private readonly PlatformModels _models;
    private readonly ILogger<ReplyModelChoice> _logger;
    private readonly ConcurrentDictionary<(long TenantId, ModelSetting Setting, string Model), byte> _logged = new();

    public ReplyModelChoice(PlatformModels models, ILogger<ReplyModelChoice> logger)
    {
        _models = models;
        _logger = logger;
    }

    /// <summary>The tenant's model for <paramref name="setting"/> when it may use it, else null (the default).</summary>
    public string? For(ReplyContext context, ModelSetting setting)
    {
        var conversation = context.Instance.Tenant.Conversation;
        var choice = new TenantModelChoice(context.LlmProvider, context.LlmModel, conversation.VisionModel, conversation.TranscriptionModel,
            context.Instance.Tenant.LlmCredentials is { IsEmpty: false });
        var chosen = choice.Model(setting);
        if (string.IsNullOrWhiteSpace(chosen) || _models.IsAllowed(choice, setting)) return _models.Effective(choice, setting);

        if (_logged.Count >= RememberedFallbacksMax) _logged.Clear();
        if (_logged.TryAdd((context.Instance.Tenant.TenantId, setting, chosen), 0))
            _logger.LogWarning("Tenant {tenant_id}: {setting} {model} is not allowed on the platform's model account (LLM_ALLOWED_MODELS); calls use the default model",
                context.Instance.Tenant.TenantId, PlatformModels.Field(setting), chosen);
        return null;
    }
}
