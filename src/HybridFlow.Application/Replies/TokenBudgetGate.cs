using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Tenants;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Replies;

/// <summary>
/// Checked before a reply calls the model: a tenant on the platform's key whose monthly token budget is used up gets no
/// model call. The month's count is read with the reply's context (no round trip of its own). Calls already in flight
/// when the budget runs out still finish and are counted, so the month may end slightly over budget.
/// </summary>
public sealed class TokenBudgetGate
{
    private readonly PlatformModels _models;

    public TokenBudgetGate(PlatformModels models) => _models = models;

    public bool IsExhausted(ReplyContext context)
    {
        if (context.MonthlyTokenBudget is null || context.Instance.Tenant.LlmCredentials is { IsEmpty: false }) return false;
        // The static provider's fixed reply costs nothing.
        if (_models.ProviderFor(context.LlmProvider) is not (PlatformModels.OpenAi or PlatformModels.Anthropic)) return false;
        return new TokenBudget(context.MonthlyTokenBudget).Check(context.PlatformTokensThisMonth) == TokenBudgetState.Exhausted;
    }
}
