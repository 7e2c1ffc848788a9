using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using HybridFlow.Domain.Tenants;
using MediatR;

namespace HybridFlow.Application.Tenants.Commands;

/// <summary>Partial update: absent fields are kept, JSON null clears a nullable field.</summary>
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
    Optional<bool?> ExternalSendsPause) : IRequest<TenantDto>;

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
        When(c => c.ExternalSendsPause.HasValue, () =>
            RuleFor(c => c.ExternalSendsPause.Value).NotNull().WithMessage("external_sends_pause cannot be null.")
                .OverridePropertyName("external_sends_pause"));
    }
}

public sealed class UpdateTenantCommandHandler : IRequestHandler<UpdateTenantCommand, TenantDto>
{
    private readonly ITenantStore _tenants;
    private readonly ICurrentCaller _caller;
    private readonly TimeProvider _time;

    public UpdateTenantCommandHandler(ITenantStore tenants, ICurrentCaller caller, TimeProvider time)
    {
        _tenants = tenants;
        _caller = caller;
        _time = time;
    }

    public async Task<TenantDto> Handle(UpdateTenantCommand c, CancellationToken ct)
    {
        _caller.EnsureCanSee(c.Id, "Tenant", c.Id);
        var current = await _tenants.FindAsync(c.Id, ct) ?? throw new NotFoundException("Tenant", c.Id);
        _caller.RequireAtLeast(CallerRole.TenantAdmin);

        var patch = new TenantPatch(
            Map(c.Name, n => n!.Trim()),
            Map(c.SystemPrompt, p => string.IsNullOrWhiteSpace(p) ? null : p),
            c.LlmProvider,
            Map(c.LlmModel, m => string.IsNullOrWhiteSpace(m) ? null : m.Trim()),
            Map(c.ReplyMode, m => m!),
            Map(c.ResumeAfterMinutes, v => v!.Value),
            Map(c.DebounceSeconds, v => v!.Value),
            Map(c.HistoryMessages, v => v!.Value),
            Map(c.ExternalSendsPause, v => v!.Value));
        if (patch.IsEmpty) return current;
        return await _tenants.UpdateAsync(c.Id, patch, _time.GetUtcNow(), ct) ?? throw new NotFoundException("Tenant", c.Id);
    }

    private static Optional<TOut> Map<TIn, TOut>(Optional<TIn> value, Func<TIn, TOut> map) => value.HasValue ? new(map(value.Value)) : default;
}
