using FluentValidation;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using HybridFlow.Domain.Tenants;
using MediatR;

namespace HybridFlow.Application.Tenants.Commands;

/// <summary>Partial update: absent fields are kept, JSON null clears a nullable field.</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record UpdateTenantCommand(
    long Id,
    Optional<string?> Name,
    Optional<string?> SystemPrompt,
    Optional<string?> LlmProvider,
    Optional<string?> LlmModel,
    Optional<string?> ReplyMode,
    Optional<int?> ResumeAfterMinutes,
    Optional<int?> DebounceSeconds,
    Optional<int?> HistoryMessages,
    Optional<bool?> ExternalSendsPause,
    Optional<string?> WorkflowUrl = default,
    Optional<string?> WorkflowSecret = default) : IRequest<TenantDto>, ITenantRequest, IRoleDependsOnContent
{
    long ITenantRequest.TenantId => Id;

    // The budget limits what the platform pays for: the tenant's own keys cannot lift it.
    StricterRole? IRoleDependsOnContent.StricterRole => MonthlyTokenBudget.HasValue
        ? new StricterRole(CallerRole.PlatformAdmin, "monthly_token_budget can be set by the platform admin only.")
        : null;

    public ConversationSettingsPatch Conversation { get; init; } = ConversationSettingsPatch.None;
    public Optional<string?> LlmApiKey { get; init; }
    public Optional<string?> LlmBaseUrl { get; init; }
    public Optional<string?> NotifyUrl { get; init; }
    /// <summary>Platform admin only; null: unlimited.</summary>
    public Optional<long?> MonthlyTokenBudget { get; init; }
}

public sealed class UpdateTenantCommandValidator : AbstractValidator<UpdateTenantCommand>
{
    public UpdateTenantCommandValidator()
    {
        RuleFor(c => c.Id).GreaterThan(0).OverridePropertyName("id");

        When(c => c.Name.HasValue, () =>
            RuleFor(c => c.Name.Value).NotEmpty().WithMessage("name cannot be empty or null.")
                .MaximumLength(TenantLimits.NameMax).OverridePropertyName("name"));
        When(c => c.SystemPrompt.HasValue, () =>
            RuleFor(c => c.SystemPrompt.Value).MaximumLength(TenantLimits.SystemPromptMax).OverridePropertyName("system_prompt"));
        When(c => c.LlmProvider.HasValue, () =>
            RuleFor(c => c.LlmProvider.Value).Must(p => p is null || TenantLimits.LlmProviders.Contains(p))
                .WithMessage($"llm_provider must be null or one of: {string.Join(", ", TenantLimits.LlmProviders)}.").OverridePropertyName("llm_provider"));
        When(c => c.LlmModel.HasValue, () =>
            RuleFor(c => c.LlmModel.Value).MaximumLength(TenantLimits.ModelMax).OverridePropertyName("llm_model"));
        // ReplyModeNames.All is the one list of modes: a new mode is added there, not here.
        When(c => c.ReplyMode.HasValue, () =>
            RuleFor(c => c.ReplyMode.Value).Must(m => m is not null && ReplyModeNames.All.Contains(m))
                .WithMessage($"reply_mode must be one of: {string.Join(", ", ReplyModeNames.All)}.").OverridePropertyName("reply_mode"));
        When(c => c.ResumeAfterMinutes.HasValue, () =>
            RuleFor(c => c.ResumeAfterMinutes.Value).NotNull().WithMessage("resume_after_minutes cannot be null.")
                .InclusiveBetween(1, TenantLimits.ResumeAfterMinutesMax).OverridePropertyName("resume_after_minutes"));
        When(c => c.DebounceSeconds.HasValue, () =>
            RuleFor(c => c.DebounceSeconds.Value).NotNull().WithMessage("debounce_seconds cannot be null.")
                .InclusiveBetween(0, TenantLimits.DebounceSecondsMax).OverridePropertyName("debounce_seconds"));
        When(c => c.HistoryMessages.HasValue, () =>
            RuleFor(c => c.HistoryMessages.Value).NotNull().WithMessage("history_messages cannot be null.")
                .InclusiveBetween(0, TenantLimits.HistoryMessagesMax).OverridePropertyName("history_messages"));
        When(c => c.WorkflowUrl.HasValue && c.WorkflowUrl.Value is not null, () =>
            RuleFor(c => c.WorkflowUrl.Value).MaximumLength(TenantLimits.WorkflowUrlMax).Must(WorkflowTargets.IsHttpUrl)
                .WithMessage("workflow_url must be an absolute http(s) URL.").OverridePropertyName("workflow_url"));
        When(c => c.WorkflowSecret.HasValue && c.WorkflowSecret.Value is not null, () =>
            RuleFor(c => c.WorkflowSecret.Value).Length(TenantLimits.WorkflowSecretMin, TenantLimits.WorkflowSecretMax)
                .OverridePropertyName("workflow_secret"));
        ConversationSettingsPatchValidator.AddTo(this, c => c.Conversation);
        When(c => c.LlmApiKey.HasValue && c.LlmApiKey.Value is not null, () =>
            RuleFor(c => c.LlmApiKey.Value).Length(TenantLimits.LlmApiKeyMin, TenantLimits.LlmApiKeyMax).OverridePropertyName("llm_api_key"));
        When(c => c.LlmBaseUrl.HasValue && !string.IsNullOrWhiteSpace(c.LlmBaseUrl.Value), () =>
            RuleFor(c => c.LlmBaseUrl.Value).MaximumLength(TenantLimits.WorkflowUrlMax).Must(WorkflowTargets.IsHttpUrl)
                .WithMessage("llm_base_url must be an absolute http(s) URL, e.g. https://api.openai.com/v1.").OverridePropertyName("llm_base_url"));
        When(c => c.NotifyUrl.HasValue && !string.IsNullOrWhiteSpace(c.NotifyUrl.Value), () =>
            RuleFor(c => c.NotifyUrl.Value).MaximumLength(TenantLimits.WorkflowUrlMax).Must(WorkflowTargets.IsHttpUrl)
                .WithMessage("notify_url must be an absolute http(s) URL.").OverridePropertyName("notify_url"));
        When(c => c.MonthlyTokenBudget is { HasValue: true, Value: not null }, () =>
            RuleFor(c => c.MonthlyTokenBudget.Value).InclusiveBetween(0, TokenBudget.MonthlyTokensMax).OverridePropertyName("monthly_token_budget"));
        When(c => c.ExternalSendsPause.HasValue, () =>
            RuleFor(c => c.ExternalSendsPause.Value).NotNull().WithMessage("external_sends_pause cannot be null.")
                .OverridePropertyName("external_sends_pause"));
    }
}

public sealed class UpdateTenantCommandHandler : IRequestHandler<UpdateTenantCommand, TenantDto>
{
    private readonly ITenantStore _tenants;
    private readonly ICurrentCaller _caller;
    private readonly HybridFlowSettings _settings;
    private readonly IOutboundAddressPolicy _outbound;
    private readonly TimeProvider _time;
    private readonly PlatformModels _models;

    public UpdateTenantCommandHandler(ITenantStore tenants, ICurrentCaller caller, HybridFlowSettings settings, IOutboundAddressPolicy outbound, TimeProvider time,
        PlatformModels models)
    {
        _models = models;
        _tenants = tenants;
        _caller = caller;
        _settings = settings;
        _outbound = outbound;
        _time = time;
    }

    public async Task<TenantDto> Handle(UpdateTenantCommand c, CancellationToken ct)
    {
        var current = await _tenants.FindAsync(c.Id, ct) ?? throw new NotFoundException("Tenant", c.Id);

        var patch = new TenantPatch(
            Map(c.Name, n => n!.Trim()),
            Map(c.SystemPrompt, p => string.IsNullOrWhiteSpace(p) ? null : p),
            c.LlmProvider,
            Map(c.LlmModel, m => string.IsNullOrWhiteSpace(m) ? null : m.Trim()),
            Map(c.ReplyMode, m => m!),
            Map(c.ResumeAfterMinutes, v => v!.Value),
            Map(c.DebounceSeconds, v => v!.Value),
            Map(c.HistoryMessages, v => v!.Value),
            Map(c.ExternalSendsPause, v => v!.Value),
            Map(c.WorkflowUrl, u => string.IsNullOrWhiteSpace(u) ? null : u.Trim()),
            c.WorkflowSecret)
        {
            Conversation = c.Conversation,
            LlmApiKey = Map(c.LlmApiKey, k => string.IsNullOrWhiteSpace(k) ? null : k.Trim()),
            LlmBaseUrl = Map(c.LlmBaseUrl, NonBlank),
            NotifyUrl = Map(c.NotifyUrl, NonBlank),
            MonthlyTokenBudget = c.MonthlyTokenBudget,
        };
        if (patch.IsEmpty) return _models.Describe(current);
        EnsureModelsAllowed(current, patch);
        if (patch.WorkflowUrl is { HasValue: true, Value: { } url })
            patch = patch with { WorkflowUrlTrusted = await _outbound.AdmitAsync(_caller, "workflow_url", url, ct) };
        if (patch.LlmBaseUrl is { HasValue: true, Value: { } llmUrl })
            patch = patch with { LlmBaseUrlTrusted = await _outbound.AdmitAsync(_caller, "llm_base_url", llmUrl, ct) };
        if (patch.NotifyUrl is { HasValue: true, Value: { } notifyUrl })
            patch = patch with { NotifyUrlTrusted = await _outbound.AdmitAsync(_caller, "notify_url", notifyUrl, ct) };
        EnsureWorkflowTargetRemains(current, patch);
        EnsureNotifySigningSecret(current, patch);
        return _models.Describe(await _tenants.UpdateAsync(c.Id, patch, _time.GetUtcNow(), ct) ?? throw new NotFoundException("Tenant", c.Id));
    }

    /// <summary>
    /// On the platform's key only LLM_ALLOWED_MODELS may be chosen (it is the platform's money). Checked are the model
    /// settings this PATCH names, and all of them when the provider or the tenant's own account changes. A model that
    /// became disallowed later is not refused on unrelated PATCHes: it falls back at reply time.
    /// </summary>
    private void EnsureModelsAllowed(TenantDto current, TenantPatch patch)
    {
        var conversation = patch.Conversation;
        var choice = new TenantModelChoice(
            patch.LlmProvider.HasValue ? patch.LlmProvider.Value : current.LlmProvider,
            patch.LlmModel.HasValue ? patch.LlmModel.Value : current.LlmModel,
            conversation.VisionModel.HasValue ? NonBlank(conversation.VisionModel.Value) : current.VisionModel,
            conversation.TranscriptionModel.HasValue ? NonBlank(conversation.TranscriptionModel.Value) : current.TranscriptionModel,
            (patch.LlmApiKey.HasValue ? patch.LlmApiKey.Value : current.LlmApiKey) is not null
            || (patch.LlmBaseUrl.HasValue ? patch.LlmBaseUrl.Value : current.LlmBaseUrl) is not null);
        var accountChanged = patch.LlmProvider.HasValue || patch.LlmApiKey.HasValue || patch.LlmBaseUrl.HasValue;
        var settings = new List<ModelSetting>();
        if (accountChanged || patch.LlmModel.HasValue) settings.Add(ModelSetting.LlmModel);
        if (accountChanged || conversation.VisionModel.HasValue) settings.Add(ModelSetting.VisionModel);
        if (accountChanged || conversation.TranscriptionModel.HasValue) settings.Add(ModelSetting.TranscriptionModel);
        _models.EnsureAllowed(choice, settings);
    }

    /// <summary>A tenant left in workflow mode must still have somewhere to send events and a secret to sign them.</summary>
    private void EnsureWorkflowTargetRemains(TenantDto current, TenantPatch patch)
    {
        var mode = patch.ReplyMode.HasValue ? patch.ReplyMode.Value : current.ReplyMode;
        if (mode != ReplyModeNames.Workflow) return;
        var url = patch.WorkflowUrl.HasValue ? patch.WorkflowUrl.Value : current.WorkflowUrl;
        var hasOwnSecret = patch.WorkflowSecret.HasValue ? patch.WorkflowSecret.Value is not null : current.WorkflowSecret is not null;
        if (!WorkflowTargets.HasUrl(url, _settings))
            throw new RequestValidationException("workflow_url", "workflow_url is required in workflow mode unless N8N_WEBHOOK_URL is set.");
        if (!hasOwnSecret && !WorkflowTargets.HasSecret(null, _settings))
            throw new RequestValidationException("workflow_secret", "workflow_secret is required in workflow mode unless N8N_API_KEY is set.");
    }

    /// <summary>notify_url's POSTs are signed: the tenant must keep a secret (or the global N8N_API_KEY) while it has one.</summary>
    private void EnsureNotifySigningSecret(TenantDto current, TenantPatch patch)
    {
        var url = patch.NotifyUrl.HasValue ? patch.NotifyUrl.Value : current.NotifyUrl;
        if (url is null) return;
        var hasOwnSecret = patch.WorkflowSecret.HasValue ? patch.WorkflowSecret.Value is not null : current.WorkflowSecret is not null;
        if (!hasOwnSecret && !WorkflowTargets.HasSecret(null, _settings))
            throw new RequestValidationException(patch.NotifyUrl.HasValue ? "notify_url" : "workflow_secret",
                "notify_url needs a signing secret: set workflow_secret (or N8N_API_KEY).");
    }

    private static string? NonBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private static Optional<TOut> Map<TIn, TOut>(Optional<TIn> value, Func<TIn, TOut> map) => value.HasValue ? new(map(value.Value)) : default;
}
