using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using HybridFlow.Infrastructure.Persistence.ChatTransactions;
using HybridFlow.Infrastructure.Persistence.Instances;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReplyJobs;

/// <summary>
/// The sends whose outcome needs proof: every send is a reply_jobs row (kind reply, api_bot or api_agent), read and
/// written as the Domain's <see cref="ReplyJob"/> in its chat's unit of work (<see cref="ChatUnitOfWork"/>: session
/// locked first, then the send); the resolver claims the due ones here (<see cref="ReplyJobStore.ClaimUnresolvedSendsAsync"/>).
/// </summary>
internal static class SendLedger
{
    private const int KnownMessagesPerChat = 20;
    // Evolution's clock and ours may differ; its record is searched a little before the send began.
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(10);
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

        var sends = new List<UnresolvedSend>();
        await using (var cmd = connection.Command($"""
            SELECT j.id AS send_id, j.kind, {ReplyJobCommands.CurrentPartText} AS current_part, j.sent_provider_message_id, j.created_at AS send_created_at,
                   j.correlation_id, s.chat_id,
                   ARRAY(SELECT m.provider_message_id FROM messages m WHERE m.session_id = s.id ORDER BY m.sent_at DESC, m.id DESC LIMIT $2) AS known,
                   j.part_index, {InstanceColumns.Select}
            FROM reply_jobs j
            JOIN sessions s ON s.id = j.session_id
            JOIN instances i ON i.id = s.instance_id
            JOIN tenants t ON t.id = s.tenant_id
            WHERE j.id = ANY($1)
            ORDER BY j.id
            """, null, ids.ToArray(), KnownMessagesPerChat))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            int sendId = r.GetOrdinal("send_id"), kind = r.GetOrdinal("kind"), currentPart = r.GetOrdinal("current_part"),
                providerId = r.GetOrdinal("sent_provider_message_id"), createdAt = r.GetOrdinal("send_created_at"), correlationId = r.GetOrdinal("correlation_id"),
                chatId = r.GetOrdinal("chat_id"), known = r.GetOrdinal("known"), partIndex = r.GetOrdinal("part_index");
            var readInstance = InstanceColumns.Reader(r, secrets);
            while (await r.ReadAsync(ct))
            {
                if (r.IsDBNull(currentPart)) continue; // a send without a text cannot be looked for; its lease keeps it out of the way
                sends.Add(new UnresolvedSend(
                    r.GetInt64(sendId), ReplyJobNames.ParseKind(r.GetString(kind)), claimedUntil, readInstance(r), r.GetString(chatId),
                    r.GetString(currentPart), r.GetTextOrNull(providerId), r.GetTimeOrNull(createdAt)!.Value - ClockSlack,
                    r.GetFieldValue<string[]>(known), r.GetTextOrNull(correlationId), r.GetInt32(partIndex)));
            }
        }
        return sends;
    }
}
