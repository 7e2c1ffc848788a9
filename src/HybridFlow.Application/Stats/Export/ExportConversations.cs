using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Stats.Queries;
using HybridFlow.Application.Tenants;
using MediatR;

namespace HybridFlow.Application.Stats.Export;

/// <summary>One conversation of the export: a chat with a customer message in the period, as the period saw it.</summary>
public sealed record ConversationExportRow(
    long ConversationId,
    /// <summary>evolution or meta_cloud.</summary>
    string Channel,
    string Instance,
    string ChatId,
    string? CustomerName,
    DateTimeOffset FirstMessageAt,
    DateTimeOffset LastMessageAt,
    string? FirstMessage,
    string? LastMessage,
    long CustomerMessages,
    long BotMessages,
    long PersonMessages,
    bool HandoffRequested,
    string? Assignee,
    DateTimeOffset? ResolvedAt,
    long InputTokens,
    long OutputTokens)
{
    /// <summary>bot, person, bot_and_person, or nobody: who wrote to the customer in the period.</summary>
    public string HandledBy => (BotMessages > 0, PersonMessages > 0) switch
    {
        (true, false) => "bot",
        (false, true) => "person",
        (true, true) => "bot_and_person",
        _ => "nobody",
    };

    /// <summary>The customer's number for a phone chat (the chat id's digits), else the chat id.</summary>
    public string Customer => ChatId.EndsWith("@s.whatsapp.net", StringComparison.Ordinal) ? "+" + ChatId[..ChatId.IndexOf('@')] : ChatId;
}

/// <summary>The rows, read from the database as they are written out: a year of conversations is never all in memory.</summary>
public sealed record ConversationExport(long TenantId, DateTimeOffset From, DateTimeOffset To, IAsyncEnumerable<ConversationExportRow> Rows);

/// <summary>The tenant's conversations of [from, to) for a spreadsheet (by default the last 7 days).</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record ExportConversationsQuery(long TenantId, DateTimeOffset? From, DateTimeOffset? To) : IRequest<ConversationExport>, ITenantRequest, IStatsPeriodRequest;

public interface IConversationExportQueries
{
    /// <summary>The period's conversations in the order of their first message, read lazily.</summary>
    IAsyncEnumerable<ConversationExportRow> ReadAsync(long tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
}

public sealed class ExportConversationsQueryValidator(TimeProvider time) : StatsPeriodValidator<ExportConversationsQuery>(time);

public sealed class ExportConversationsQueryHandler(IConversationExportQueries export, ITenantStore tenants, TimeProvider time)
    : IRequestHandler<ExportConversationsQuery, ConversationExport>
{
    public async Task<ConversationExport> Handle(ExportConversationsQuery query, CancellationToken ct)
    {
        if (await tenants.FindAsync(query.TenantId, ct) is null) throw new NotFoundException("Tenant", query.TenantId);
        var (from, to) = StatsPeriod.Resolve(query.From, query.To, time.GetUtcNow());
        return new ConversationExport(query.TenantId, from, to, export.ReadAsync(query.TenantId, from, to, ct));
    }
}
