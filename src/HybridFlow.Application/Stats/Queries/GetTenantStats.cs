using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using HybridFlow.Domain.Tenants;
using MediatR;

namespace HybridFlow.Application.Stats.Queries;

/// <summary>A tenant's stats for [from, to): by default the last 7 days up to now.</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record GetTenantStatsQuery(long TenantId, DateTimeOffset? From, DateTimeOffset? To) : IRequest<TenantStatsDto>, ITenantRequest;

/// <summary>The period the stats cover, from what the caller gave.</summary>
public static class StatsPeriod
{
    public static readonly TimeSpan Default = TimeSpan.FromDays(7);
    public static readonly TimeSpan Longest = TimeSpan.FromDays(366);

    public static (DateTimeOffset From, DateTimeOffset To) Resolve(DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset now)
    {
        var end = to ?? now;
        return (from ?? end - Default, end);
    }
}

public sealed class GetTenantStatsQueryValidator : AbstractValidator<GetTenantStatsQuery>
{
    public GetTenantStatsQueryValidator(TimeProvider time)
    {
        RuleFor(q => q.TenantId).GreaterThan(0).OverridePropertyName("id");
        RuleFor(q => q)
            .Must(q => Period(q, time) is var (from, to) && to > from)
            .WithMessage("to must be after from (from defaults to 7 days before to, to defaults to now).")
            .OverridePropertyName("to");
        RuleFor(q => q)
            .Must(q => Period(q, time) is var (from, to) && to - from <= StatsPeriod.Longest)
            .WithMessage($"The period may be at most {StatsPeriod.Longest.TotalDays:0} days.")
            .OverridePropertyName("from");
    }

    private static (DateTimeOffset, DateTimeOffset) Period(GetTenantStatsQuery q, TimeProvider time) =>
        StatsPeriod.Resolve(q.From, q.To, time.GetUtcNow());
}

public sealed class GetTenantStatsQueryHandler : IRequestHandler<GetTenantStatsQuery, TenantStatsDto>
{
    private readonly ITenantStatsQueries _stats;
    private readonly TimeProvider _time;
    private readonly ITenantStore _tenants;
    private readonly ILlmUsageLedger _usage;

    public GetTenantStatsQueryHandler(ITenantStatsQueries stats, TimeProvider time, ITenantStore tenants, ILlmUsageLedger usage)
    {
        _tenants = tenants;
        _usage = usage;
        _stats = stats;
        _time = time;
    }

    public async Task<TenantStatsDto> Handle(GetTenantStatsQuery query, CancellationToken ct)
    {
        var (from, to) = StatsPeriod.Resolve(query.From, query.To, _time.GetUtcNow());
        var counts = await _stats.ReadAsync(query.TenantId, from, to, ct) ?? throw new NotFoundException("Tenant", query.TenantId);
        return ToDto(query.TenantId, from, to, counts) with { Budget = await BudgetAsync(query.TenantId, ct) };
    }

    private async Task<TokenBudgetStats?> BudgetAsync(long tenantId, CancellationToken ct)
    {
        if (await _tenants.FindAsync(tenantId, ct) is not { } tenant) return null;
        var monthStart = TokenBudget.MonthStart(_time.GetUtcNow());
        var used = await _usage.PlatformTokensAsync(tenantId, monthStart, ct);
        var budget = new TokenBudget(tenant.MonthlyTokenBudget);
        return new TokenBudgetStats(monthStart, tenant.MonthlyTokenBudget, used, budget.Left(used), budget.Check(used) == TokenBudgetState.Exhausted);
    }

    public static TenantStatsDto ToDto(long tenantId, DateTimeOffset from, DateTimeOffset to, TenantStatsCounts c)
    {
        var byModel = c.Tokens
            .Select(t => new ModelTokenStats(t.Provider, t.Model, t.Calls, t.Input, t.Output, t.Cached, Share(t.Cached, t.Input)))
            .ToList();
        long input = byModel.Sum(t => t.Input), cached = byModel.Sum(t => t.Cached);
        var tokens = new TokenStats(byModel.Sum(t => t.Calls), input, byModel.Sum(t => t.Output), cached, Share(cached, input), byModel);
        return new TenantStatsDto(tenantId, from.ToUniversalTime(), to.ToUniversalTime(), c.Conversations, c.CustomerMessages, c.BotReplies, c.BotMessages,
            c.HumanTakeovers, c.HandoffRequests, c.AutoResumes, c.ManualResumes,
            new FirstReplyStats(c.FirstReplyConversations, Round(c.FirstReplyMedianSeconds), Round(c.FirstReplyP90Seconds)),
            c.HandledByBot, Share(c.HandledByBot, c.Conversations), tokens);
    }

    private static double? Share(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    private static double? Round(double? seconds) => seconds is { } s ? Math.Round(s, 3) : null;
}
