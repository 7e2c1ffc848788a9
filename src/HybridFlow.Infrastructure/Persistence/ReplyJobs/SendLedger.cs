using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using HybridFlow.Infrastructure.Persistence.ChatTransactions;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.ReadModels;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReplyJobs;

/// <summary>
/// The sends whose outcome needs proof: every send is a reply_jobs row (kind reply, api_bot or api_agent), read and
/// written as the Domain's <see cref="ReplyJob"/> in its chat's unit of work (<see cref="ChatUnitOfWork"/>: session
/// locked first, then the send); the resolver claims the due ones here (<see cref="ReplyJobStore.ClaimUnresolvedSendsAsync"/>)
/// and reads what it needs to look for them through <see cref="UnresolvedSendQueries"/>.
/// </summary>
internal static class SendLedger
{
    /// <summary>
    /// The resolver's claim: <see cref="ReplyJob.IsDueForResolution"/> for many sends at once, each taken to unconfirmed
    /// with a lease. The scan spells the Domain's sets out so that PostgreSQL proves reply_jobs_unresolved_idx usable
    /// in any plan (see <see cref="ReplyJobSql"/>).
    /// </summary>
    internal static readonly string ClaimUnresolvedSql = $"""
        UPDATE reply_jobs j SET status = $4, locked_until = $2, updated_at = $1
        WHERE j.id IN (
            SELECT id FROM reply_jobs
            WHERE (status IN ({ReplyJobSql.In(ReplyJobStatuses.ResolvedAfterLease)}) AND locked_until <= $1)
               OR (status IN ({ReplyJobSql.In(ReplyJobStatuses.ResolvedByEcho)}) AND sent_provider_message_id IS NOT NULL)
            ORDER BY locked_until NULLS FIRST, id
            LIMIT $3
            FOR UPDATE SKIP LOCKED)
        RETURNING j.id
        """;

    internal static NpgsqlCommand ClaimUnresolvedCommand(NpgsqlConnection connection, DateTimeOffset now, DateTimeOffset claimedUntil, int limit) =>
        connection.Command(ClaimUnresolvedSql, null, now, claimedUntil, limit, ReplyJobStatus.Unconfirmed.ToName());

    public static async Task<IReadOnlyList<UnresolvedSend>> ClaimUnresolvedAsync(
        NpgsqlDataSource db, Security.SecretProtector secrets, DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        // Whole microseconds, as PostgreSQL stores it: the claim is fenced by comparing this value with the stored one.
        var until = now + lease;
        var claimedUntil = until.AddTicks(-(until.UtcTicks % 10));
        var ids = new List<long>();
        await using (var cmd = ClaimUnresolvedCommand(connection, now, claimedUntil, limit))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            var id = r.GetOrdinal("id");
            while (await r.ReadAsync(ct)) ids.Add(r.GetInt64(id));
        }
        if (ids.Count == 0) return [];

        return await UnresolvedSendQueries.ReadAsync(connection, secrets, ids, claimedUntil, ct);
    }
}
