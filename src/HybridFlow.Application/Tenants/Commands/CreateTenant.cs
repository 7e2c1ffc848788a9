using FluentValidation;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Domain.Tenants;
using MediatR;

namespace HybridFlow.Application.Tenants.Commands;

[RequiresRole(CallerRole.PlatformAdmin)]
public sealed record CreateTenantCommand(
    string? Name,
    string? SystemPrompt,
    string? LlmProvider,
    string? LlmModel,
    string? ReplyMode,
    string? WorkflowUrl,
    string? WorkflowSecret,
    int? ResumeAfterMinutes,
    int? DebounceSeconds,
    int? HistoryMessages,
    bool? ExternalSendsPause) : IRequest<TenantDto>
{
    public ConversationSettingsPatch Conversation { get; init; } = ConversationSettingsPatch.None;
    public string? LlmApiKey { get; init; }
    public string? LlmBaseUrl { get; init; }
    public string? NotifyUrl { get; init; }
    /// <summary>Tokens a month on the platform's model account; null: unlimited.</summary>
    public long? MonthlyTokenBudget { get; init; }
}

public sealed class CreateTenantCommandValidator : AbstractValidator<CreateTenantCommand>
{
    public CreateTenantCommandValidator(HybridFlowSettings settings)
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(TenantLimits.NameMax).OverridePropertyName("name");
        RuleFor(c => c.SystemPrompt).MaximumLength(TenantLimits.SystemPromptMax).OverridePropertyName("system_prompt");
        RuleFor(c => c.LlmProvider).Must(p => p is null || TenantLimits.LlmProviders.Contains(p))
            .WithMessage($"llm_provider must be one of: {string.Join(", ", TenantLimits.LlmProviders)}.").OverridePropertyName("llm_provider");
        RuleFor(c => c.LlmModel).MaximumLength(TenantLimits.ModelMax).OverridePropertyName("llm_model");
        RuleFor(c => c.ReplyMode).Must(m => m is null || ReplyModeNames.All.Contains(m))
            .WithMessage($"reply_mode must be one of: {string.Join(", ", ReplyModeNames.All)}.").OverridePropertyName("reply_mode");
        RuleFor(c => c.WorkflowUrl).MaximumLength(TenantLimits.WorkflowUrlMax).Must(WorkflowTargets.IsHttpUrl)
            .WithMessage("workflow_url must be an absolute http(s) URL.").When(c => !string.IsNullOrWhiteSpace(c.WorkflowUrl))
            .OverridePropertyName("workflow_url");
        RuleFor(c => c.WorkflowSecret).Length(TenantLimits.WorkflowSecretMin, TenantLimits.WorkflowSecretMax).When(c => c.WorkflowSecret is not null)
            .OverridePropertyName("workflow_secret");
        When(c => (c.ReplyMode ?? WorkflowTargets.DefaultReplyMode(settings)) == ReplyModeNames.Workflow, () =>
        {
            RuleFor(c => c.WorkflowUrl).Must(url => WorkflowTargets.HasUrl(url, settings))
                .WithMessage("workflow_url is required for reply_mode workflow (N8N_WEBHOOK_URL is not set).").OverridePropertyName("workflow_url");
            RuleFor(c => c.WorkflowSecret).Must(secret => WorkflowTargets.HasSecret(secret, settings))
                .WithMessage("workflow_secret is required for reply_mode workflow (N8N_API_KEY is not set): it signs what is sent to the workflow.")
                .OverridePropertyName("workflow_secret");
        });
        RuleFor(c => c.MonthlyTokenBudget).InclusiveBetween(0, TokenBudget.MonthlyTokensMax).When(c => c.MonthlyTokenBudget is not null)
            .OverridePropertyName("monthly_token_budget");
        RuleFor(c => c.ResumeAfterMinutes).InclusiveBetween(1, TenantLimits.ResumeAfterMinutesMax).When(c => c.ResumeAfterMinutes is not null)
            .OverridePropertyName("resume_after_minutes");
        RuleFor(c => c.DebounceSeconds).InclusiveBetween(0, TenantLimits.DebounceSecondsMax).When(c => c.DebounceSeconds is not null)
            .OverridePropertyName("debounce_seconds");
        RuleFor(c => c.HistoryMessages).InclusiveBetween(0, TenantLimits.HistoryMessagesMax).When(c => c.HistoryMessages is not null)
            .OverridePropertyName("history_messages");
        ConversationSettingsPatchValidator.AddTo(this, c => c.Conversation);
        RuleFor(c => c.LlmApiKey).Length(TenantLimits.LlmApiKeyMin, TenantLimits.LlmApiKeyMax).When(c => c.LlmApiKey is not null)
            .OverridePropertyName("llm_api_key");
        RuleFor(c => c.LlmBaseUrl).MaximumLength(TenantLimits.WorkflowUrlMax).Must(WorkflowTargets.IsHttpUrl)
            .WithMessage("llm_base_url must be an absolute http(s) URL, e.g. https://api.openai.com/v1.").When(c => !string.IsNullOrWhiteSpace(c.LlmBaseUrl))
            .OverridePropertyName("llm_base_url");
        RuleFor(c => c.NotifyUrl).MaximumLength(TenantLimits.WorkflowUrlMax).Must(WorkflowTargets.IsHttpUrl)
            .WithMessage("notify_url must be an absolute http(s) URL.").When(c => !string.IsNullOrWhiteSpace(c.NotifyUrl))
            .OverridePropertyName("notify_url");
            RuleFor(c => c.WorkflowSecret).Must(secret => WorkflowTargets.HasSecret(secret, settings))
            .WithMessage("notify_url needs a signing secret: set workflow_secret (or N8N_API_KEY).")
            .When(c => !string.IsNullOrWhiteSpace(c.NotifyUrl)).OverridePropertyName("workflow_secret");
    }
}

public sealed class CreateTenantCommandHandler : IRequestHandler<CreateTenantCommand, TenantDto>
{
    private readonly ITenantStore _tenants;
    private readonly HybridFlowSettings _settings;
    private readonly ICurrentCaller _caller;
    private readonly IOutboundAddressPolicy _outbound;
    private readonly TimeProvider _time;
    private readonly PlatformModels _models;

    public CreateTenantCommandHandler(ITenantStore tenants, HybridFlowSettings settings, ICurrentCaller caller, IOutboundAddressPolicy outbound, TimeProvider time,
        PlatformModels models)
    {
        _models = models;
        _tenants = tenants;
        _caller = caller;
        _settings = settings;
        _outbound = outbound;
        _time = time;
    }

    public async Task<TenantDto> Handle(CreateTenantCommand c, CancellationToken ct)
    {
        var conversation = c.Conversation.ForNewTenant();
        var llmModel = string.IsNullOrWhiteSpace(c.LlmModel) ? null : c.LlmModel.Trim();
        _models.EnsureAllowed(
            new TenantModelChoice(c.LlmProvider, llmModel, conversation.VisionModel, conversation.TranscriptionModel,
                !string.IsNullOrWhiteSpace(c.LlmApiKey) || !string.IsNullOrWhiteSpace(c.LlmBaseUrl)),
            Enum.GetValues<ModelSetting>());
        var workflowUrlTrusted = await _outbound.AdmitAsync(_caller, "workflow_url", c.WorkflowUrl, ct);
        var llmBaseUrl = NonBlank(c.LlmBaseUrl);
        var notifyUrl = NonBlank(c.NotifyUrl);
        var llmBaseUrlTrusted = await _outbound.AdmitAsync(_caller, "llm_base_url", llmBaseUrl, ct);
        var notifyUrlTrusted = await _outbound.AdmitAsync(_caller, "notify_url", notifyUrl, ct);
        return _models.Describe(await _tenants.CreateAsync(
        new NewTenant(
            c.Name!.Trim(),
            string.IsNullOrWhiteSpace(c.SystemPrompt) ? null : c.SystemPrompt,
            c.LlmProvider,
            llmModel,
            c.ReplyMode ?? WorkflowTargets.DefaultReplyMode(_settings),
            string.IsNullOrWhiteSpace(c.WorkflowUrl) ? null : c.WorkflowUrl.Trim(),
            c.WorkflowSecret,
            c.ResumeAfterMinutes ?? (int)_settings.DefaultQuietPeriod.TotalMinutes,
            c.DebounceSeconds ?? 0,
            c.HistoryMessages ?? TenantLimits.DefaultHistoryMessages,
            c.ExternalSendsPause ?? true,
            workflowUrlTrusted)
        {
            Conversation = conversation,
            LlmApiKey = string.IsNullOrWhiteSpace(c.LlmApiKey) ? null : c.LlmApiKey.Trim(),
            LlmBaseUrl = llmBaseUrl,
            LlmBaseUrlTrusted = llmBaseUrlTrusted,
            NotifyUrl = notifyUrl,
            NotifyUrlTrusted = notifyUrlTrusted,
            MonthlyTokenBudget = c.MonthlyTokenBudget,
        },
        _time.GetUtcNow(), ct));
    }

    private static string? NonBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
