using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence;

/// <summary>
/// The send protocol's storage: every send is a reply_jobs row (kind reply, api_bot or api_agent), read and written
/// as the Domain's <see cref="ReplyJob"/> inside its chat's transaction (session locked first, then the send).
/// </summary>
public sealed class SendLedger : ISendLedger
{
    private const int KnownMessagesPerChat = 20;
    // Evolution's clock and ours may differ; its record is searched a little before the send began.
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(10);
    private readonly NpgsqlDataSource _db;
    private readonly ChatStore _chats;
    private readonly Security.SecretProtector _secrets;

    public SendLedger(NpgsqlDataSource db, ChatStore chats, Security.SecretProtector secrets)
    {
        _db = db;
        _chats = chats;
        _secrets = secrets;
    }

    public async Task<ISendEntry> OpenForNewSendAsync(InstanceContext instance, string chatId, DateTimeOffset now, CancellationToken ct) =>
        await _chats.OpenChatAsync(instance, chatId, now, ct);

    public async Task<ISendEntry?> OpenAsync(long sendId, CancellationToken ct) => await _chats.OpenSendAsync(sendId, ct);

    public async Task<IReadOnlyList<UnresolvedSend>> ClaimUnresolvedAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        // Whole microseconds, as PostgreSQL stores it: the claim is fenced by comparing this value with the stored one.
        var until = now + lease;
        var claimedUntil = until.AddTicks(-(until.UtcTicks % 10));
        // ReplyJob.IsDueForResolution and ClaimForResolution, in one statement.
        var ids = new List<long>();
        await using (var cmd = connection.Command("""
            UPDATE reply_jobs j SET status = 'unconfirmed', locked_until = $2, updated_at = $1
            WHERE j.id IN (
                SELECT id FROM reply_jobs
                WHERE (status IN ('sending', 'unconfirmed') AND locked_until <= $1)
                   OR (status IN ('unconfirmed', 'needs_attention') AND sent_provider_message_id IS NOT NULL)
                ORDER BY locked_until NULLS FIRST, id
                LIMIT $3
                FOR UPDATE SKIP LOCKED)
            RETURNING j.id
            """, null, now, claimedUntil, limit))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) ids.Add(r.GetInt64(0));
        if (ids.Count == 0) return [];

        var sends = new List<UnresolvedSend>();
        await using (var cmd = connection.Command($"""
            SELECT j.id, j.kind, {SqlMapping.CurrentPartText}, j.sent_provider_message_id, j.created_at, j.correlation_id, s.chat_id,
                   ARRAY(SELECT m.provider_message_id FROM messages m WHERE m.session_id = s.id ORDER BY m.sent_at DESC, m.id DESC LIMIT $2) AS known,
                   j.part_index, {SqlMapping.InstanceColumns}
            FROM reply_jobs j
            JOIN sessions s ON s.id = j.session_id
            JOIN instances i ON i.id = s.instance_id
            JOIN tenants t ON t.id = s.tenant_id
            WHERE j.id = ANY($1)
            ORDER BY j.id
            """, null, ids.ToArray(), KnownMessagesPerChat))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                if (r.IsDBNull(2)) continue; // a send without a text cannot be looked for; its lease keeps it out of the way
                sends.Add(new UnresolvedSend(
                    r.GetInt64(0), ReplyJobNames.ParseKind(r.GetString(1)), claimedUntil, SqlMapping.ReadInstance(r, 9, _secrets), r.GetString(6),
                    r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), SqlMapping.Time(r, 4)!.Value - ClockSlack,
                    r.GetFieldValue<string[]>(7), r.IsDBNull(5) ? null : r.GetString(5), r.GetInt32(8)));
            }
        }
        return sends;
    }
}
