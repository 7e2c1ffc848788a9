using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Domain.Handoffs;
using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Tenants;
using MediatR;

namespace HybridFlow.Application.Replies.Commands;

/// <summary>
/// POST /api/tenants/{id}/preview-reply (try the bot): what the bot would answer a customer who wrote <see cref="Text"/>
/// after <see cref="History"/>, through the reply job's own prompt, history rules, tool and splitting (ADR-019). Nothing
/// is sent and no conversation is written; the model call counts toward the tenant's token budget, and previews are
/// rate limited per tenant.
/// </summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record PreviewReplyCommand(long TenantId, string? Text, IReadOnlyList<PreviewTurn?>? History) : IRequest<PreviewReplyDto>, ITenantRequest;

/// <summary>One earlier line: <c>customer</c>, <c>bot</c> or <c>person</c> (an agent's message, which the model sees as the business's).</summary>
public sealed record PreviewTurn(string? Role, string? Text);

/// <summary>
/// <see cref="Parts"/>: the messages the customer would get (the handoff message when <see cref="Handoff"/>).
/// <see cref="HandoffReason"/>: <c>keyword</c>, <c>model</c> (request_human) or <c>budget</c> (the month's tokens are used up).
/// </summary>
public sealed record PreviewReplyDto(IReadOnlyList<string> Parts, bool Handoff, string? HandoffReason, PreviewTokensDto Tokens, string? Model);

public sealed record PreviewTokensDto(long Input, long Output, long Cached);

public static class PreviewReplyLimits
{
    public const int TextMax = 4_096;
    public const int HistoryMax = 50;
    public static readonly IReadOnlyList<string> Roles = ["customer", "bot", "person"];
}

public sealed class PreviewReplyCommandValidator : AbstractValidator<PreviewReplyCommand>
{
    public PreviewReplyCommandValidator()
    {
        RuleFor(c => c.Text).NotEmpty().WithMessage("text cannot be empty.").MaximumLength(PreviewReplyLimits.TextMax).OverridePropertyName("text");
        RuleFor(c => c.History!.Count).LessThanOrEqualTo(PreviewReplyLimits.HistoryMax).When(c => c.History is not null)
            .WithMessage($"history holds at most {PreviewReplyLimits.HistoryMax} lines.").OverridePropertyName("history");
        RuleForEach(c => c.History).Must(t => t is not null && PreviewReplyLimits.Roles.Contains(t.Role))
            .WithMessage($"each history line's role is one of: {string.Join(", ", PreviewReplyLimits.Roles)}.").OverridePropertyName("history");
        RuleForEach(c => c.History).Must(t => t is null || (!string.IsNullOrWhiteSpace(t.Text) && t.Text.Length <= PreviewReplyLimits.TextMax))
            .WithMessage($"each history line has a text of 1-{PreviewReplyLimits.TextMax} characters.").OverridePropertyName("history");
    }
}

public sealed class PreviewReplyCommandHandler : IRequestHandler<PreviewReplyCommand, PreviewReplyDto>
{
    private readonly IReplyPreviewSource _source;
    private readonly IPreviewReplyThrottle _throttle;
    private readonly IReplyGenerator _generator;
    private readonly ILlmUsageLedger _usage;
    private readonly ReplyPrompts _prompts;
    private readonly TokenBudgetGate _budget;

    public PreviewReplyCommandHandler(IReplyPreviewSource source, IPreviewReplyThrottle throttle, IReplyGenerator generator, ILlmUsageLedger usage,
        ReplyPrompts prompts, TokenBudgetGate budget)
    {
        _source = source;
        _throttle = throttle;
        _generator = generator;
        _usage = usage;
        _prompts = prompts;
        _budget = budget;
    }

    public async Task<PreviewReplyDto> Handle(PreviewReplyCommand command, CancellationToken ct)
    {
        var context = await _source.LoadAsync(command.TenantId, ct) ?? throw new NotFoundException("Tenant", command.TenantId);
        var tenant = context.Instance.Tenant;
        if (tenant.ReplyMode != ReplyMode.Ai)
            throw new ConflictException($"reply_mode is {tenant.ReplyMode.ToName()}: the bot writes no replies to preview.", "not_ai_mode");
        if (_throttle.Spend(command.TenantId) is { } wait)
            throw new TooManyAttemptsException($"Too many previews for this tenant; retry in {Math.Ceiling(wait.TotalSeconds)} s.", wait);

        var handoffMessage = tenant.Conversation.EffectiveHandoffMessage;
        // As the webhook does: a customer asking for a person gets the handoff message, at any hour, without a model call.
        if (HandoffKeywordMatcher.FindMatch(command.Text, tenant.Conversation.HandoffKeywords) is not null)
            return HandedOff("keyword", handoffMessage, TokenUsage.None, null);
        if (_budget.IsExhausted(context)) return HandedOff("budget", handoffMessage, TokenUsage.None, null);

        context = context with { History = History(command, tenant.HistoryMessages) };
        var prompt = _prompts.For(context, Guid.NewGuid().ToString("N"));
        GeneratedReply reply;
        try
        {
            reply = await _generator.GenerateAsync(prompt, ct);
        }
        catch (ReplyGenerationException e) when (e.IsRateLimited)
        {
            throw new TooManyAttemptsException($"The model is rate limiting: {e.Message}", e.RetryAfter ?? TimeSpan.FromSeconds(5));
        }
        catch (ReplyGenerationException e)
        {
            throw new ServiceUnavailableException($"The model did not answer: {e.Message}", e);
        }
        await _usage.RecordAsync(new LlmCall(command.TenantId, null, LlmCallPurpose.Reply, prompt.Provider, prompt.Model)
        {
            PlatformAccount = prompt.Credentials is null or { IsEmpty: true },
        }, reply.Usage, ct);

        if (reply.Handoff is not null) return HandedOff("model", handoffMessage, reply.Usage, prompt.Model);
        // A reply cut at LLM_MAX_TOKENS is shown as the job would send it at last: up to its last whole sentence.
        var text = (reply.Truncated ? TruncatedReply.CutAtLastSentence(reply.Text) : reply.Text).Trim();
        var parts = text.Length == 0 ? [] : ReplySplitter.Split(text, tenant.Conversation);
        return new PreviewReplyDto(parts, false, null, Tokens(reply.Usage), prompt.Model);
    }

    /// <summary>The given lines and the new message, limited to history_messages as a chat's history is (the newest kept).</summary>
    private static IReadOnlyList<ConversationTurn> History(PreviewReplyCommand command, int historyMessages)
    {
        var turns = (command.History ?? []).Select(t => new ConversationTurn(
            t!.Role == "customer" ? ConversationRole.Customer : ConversationRole.Assistant, t.Text!)).ToList();
        turns.Add(new ConversationTurn(ConversationRole.Customer, command.Text!));
        var limit = Math.Max(1, historyMessages);
        return turns.Count <= limit ? turns : turns[^limit..];
    }

    private static PreviewReplyDto HandedOff(string reason, string message, TokenUsage usage, string? model) =>
        new([message], true, reason, Tokens(usage), model);

    private static PreviewTokensDto Tokens(TokenUsage usage) => new(usage.InputTokens, usage.OutputTokens, usage.CachedInputTokens);
}
