using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Tenants;

namespace HybridFlow.Application.Replies;

/// <summary>
/// The model request of a reply, from its context: the tenant's prompt (or the default), its allowed model, its history
/// trimmed to history_token_budget, its own account and the <c>request_human</c> tool. The reply job and the preview
/// (try the bot) both build it here, so the preview shows what a customer would get (ADR-019).
/// </summary>
public sealed class ReplyPrompts
{
    private readonly ReplyModelChoice _models;
    private readonly HybridFlowSettings _settings;

    public ReplyPrompts(ReplyModelChoice models, HybridFlowSettings settings)
    {
        _models = models;
        _settings = settings;
    }

    public ReplyPrompt For(ReplyContext context, string correlationId) => new(
        context.LlmProvider,
        _models.For(context, ModelSetting.LlmModel),
        string.IsNullOrWhiteSpace(context.SystemPrompt) ? _settings.DefaultSystemPrompt : context.SystemPrompt,
        HistoryBudget.Trim(context.History, context.Instance.Tenant.Conversation.HistoryTokenBudget),
        correlationId,
        Credentials: context.Instance.Tenant.LlmCredentials,
        OfferHandoffTool: true,
        Language: context.Instance.Tenant.Conversation.Language);
}
