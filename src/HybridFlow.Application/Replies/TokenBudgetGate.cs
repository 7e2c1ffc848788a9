using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Tenants;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Replies;

/// <summary>
/// Checked before a reply calls the model: a tenant on the platform's key whose monthly token budget is used up gets no
/// model call. One primary-key read, and none for tenants without a budget or with their own account. Calls already in
/// flight when the budget runs out still finish and are counted, so the month may end slightly over budget.
/// </summary>
public sealed class TokenBudgetGate
{
    private readonly ILlmUsageLedger _usage;
    private readonly TimeProvider _time;
    private readonly PlatformModels _models;

    public TokenBudgetGate(ILlmUsageLedger usage, TimeProvider time, PlatformModels models)
    {
        _usage = usage;
        _time = time;
        _models = models;
    }

    public async Task<bool> IsExhaustedAsync(ReplyContext context, CancellationToken ct)
    {
        var tenant = context.Instance.Tenant;
        if (tenant.MonthlyTokenBudget is null || tenant.LlmCredentials is { IsEmpty: false }) return false;
        // The static provider's fixed reply costs nothing.
        if (_models.ProviderFor(context.LlmProvider) is not (PlatformModels.OpenAi or PlatformModels.Anthropic)) return false;
        var used = await _usage.PlatformTokensAsync(tenant.TenantId, TokenBudget.MonthStart(_time.GetUtcNow()), ct);
        return new TokenBudget(tenant.MonthlyTokenBudget).Check(used) == TokenBudgetState.Exhausted;
    }
}
