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
public sealed record GetTenantStatsQuery(long TenantId, DateTimeOffset? From, DateTimeOffset? To, string? Interval = null)
    : IRequest<TenantStatsDto>, ITenantRequest, IStatsPeriodRequest
{
    /// <summary>The one interval there is: <c>day</c> adds a row per day.</summary>
    public const string Day = "day";
}

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

/// <summary>A request for one tenant's stats of a period [from, to) (<see cref="StatsPeriod"/>).</summary>
public interface IStatsPeriodRequest
{
    long TenantId { get; }
    DateTimeOffset? From { get; }
    DateTimeOffset? To { get; }
}

/// <summary>The rules every stats period follows: a tenant, to after from, at most <see cref="StatsPeriod.Longest"/>.</summary>
public abstract class StatsPeriodValidator<T> : AbstractValidator<T> where T : IStatsPeriodRequest
{
    protected StatsPeriodValidator(TimeProvider time)
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

    private static (DateTimeOffset, DateTimeOffset) Period(T q, TimeProvider time) => StatsPeriod.Resolve(q.From, q.To, time.GetUtcNow());
}

public sealed class GetTenantStatsQueryValidator : StatsPeriodValidator<GetTenantStatsQuery>
{
    public GetTenantStatsQueryValidator(TimeProvider time) : base(time)
    {
        RuleFor(q => q.Interval)
            .Must(i => i is null or GetTenantStatsQuery.Day)
            .WithMessage("interval may only be day.")
            .OverridePropertyName("interval");
    }
}

public sealed class GetTenantStatsQueryHandler : IRequestHandler<GetTenantStatsQuery, TenantStatsDto>
{
    private readonly ITenantStatsQueries _stats;
    private readonly TimeProvider _time;
    private readonly ITenantStore _tenants;
    private readonly ILlmUsageLedger _usage;
    private readonly LlmPrices _prices;

    public GetTenantStatsQueryHandler(ITenantStatsQueries stats, TimeProvider time, ITenantStore tenants, ILlmUsageLedger usage, LlmPrices prices)
    {
        _prices = prices;
        _tenants = tenants;
        _usage = usage;
        _stats = stats;
        _time = time;
    }

    public async Task<TenantStatsDto> Handle(GetTenantStatsQuery query, CancellationToken ct)
    {
        var (from, to) = StatsPeriod.Resolve(query.From, query.To, _time.GetUtcNow());
        var counts = await _stats.ReadAsync(query.TenantId, from, to, ct) ?? throw new NotFoundException("Tenant", query.TenantId);
        var stats = ToDto(query.TenantId, from, to, counts, _prices) with { Budget = await BudgetAsync(query.TenantId, ct) };
        if (query.Interval != GetTenantStatsQuery.Day) return stats;
        var timeZone = (await _tenants.FindAsync(query.TenantId, ct))?.Timezone ?? "UTC";
        var days = await _stats.ReadDaysAsync(query.TenantId, from, to, timeZone, ct);
        return stats with { Days = days.Select(d => ToDay(d, _prices)).ToList(), TimeZone = timeZone };
    }

    public static DayStats ToDay(DayCounts d, LlmPrices prices)
    {
        var tokens = new DayTokenStats(d.Tokens.Sum(t => t.Calls), d.Tokens.Sum(t => t.Input), d.Tokens.Sum(t => t.Output), d.Tokens.Sum(t => t.Cached))
        {
            Cost = prices.IsEmpty ? null : d.Tokens.Sum(t => prices.Find(t.Provider, t.Model)?.Cost(t.Input, t.Output) ?? 0m),
        };
        return new DayStats(d.Date, d.Conversations, d.CustomerMessages, d.BotReplies, d.BotMessages, d.HumanTakeovers, d.HandoffRequests,
            new FirstReplyStats(d.FirstReplyConversations, Round(d.FirstReplyMedianSeconds), Round(d.FirstReplyP90Seconds)),
            d.HandledByBot, Share(d.HandledByBot, d.Conversations), tokens);
    }

    private async Task<TokenBudgetStats?> BudgetAsync(long tenantId, CancellationToken ct)
    {
        if (await _tenants.FindAsync(tenantId, ct) is not { } tenant) return null;
        var monthStart = TokenBudget.MonthStart(_time.GetUtcNow());
        var used = await _usage.PlatformTokensAsync(tenantId, monthStart, ct);
        var budget = new TokenBudget(tenant.MonthlyTokenBudget);
        return new TokenBudgetStats(monthStart, tenant.MonthlyTokenBudget, used, budget.Left(used), budget.Check(used) == TokenBudgetState.Exhausted);
    }

    public static TenantStatsDto ToDto(long tenantId, DateTimeOffset from, DateTimeOffset to, TenantStatsCounts c, LlmPrices? prices = null)
    {
        prices ??= LlmPrices.None;
        var byModel = c.Tokens
            .Select(t => new ModelTokenStats(t.Provider, t.Model, t.Calls, t.Input, t.Output, t.Cached, Share(t.Cached, t.Input))
            {
                Cost = prices.Find(t.Provider, t.Model)?.Cost(t.Input, t.Output),
            })
            .ToList();
        long input = byModel.Sum(t => t.Input), cached = byModel.Sum(t => t.Cached);
        var tokens = new TokenStats(byModel.Sum(t => t.Calls), input, byModel.Sum(t => t.Output), cached, Share(cached, input), byModel)
        {
            Cost = prices.IsEmpty ? null : byModel.Sum(t => t.Cost ?? 0m),
            UnpricedTokens = prices.IsEmpty ? null : byModel.Where(t => t.Cost is null).Sum(t => t.Input + t.Output),
        };
        return new TenantStatsDto(tenantId, from.ToUniversalTime(), to.ToUniversalTime(), c.Conversations, c.CustomerMessages, c.BotReplies, c.BotMessages,
            c.HumanTakeovers, c.HandoffRequests, c.AutoResumes, c.ManualResumes,
            new FirstReplyStats(c.FirstReplyConversations, Round(c.FirstReplyMedianSeconds), Round(c.FirstReplyP90Seconds)),
            c.HandledByBot, Share(c.HandledByBot, c.Conversations), tokens);
    }

    private static double? Share(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    private static double? Round(double? seconds) => seconds is { } s ? Math.Round(s, 3) : null;
}
