using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using HybridFlow.Infrastructure.Persistence.Instances;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.ReplyJobs;
using HybridFlow.Infrastructure.Security;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReadModels;

/// <summary>What the resolver needs to look for the sends it claimed (<see cref="SendLedger"/>): the text, the chat, the instance.</summary>
internal static class UnresolvedSendQueries
{
    private const int KnownMessagesPerChat = 20;
    // Evolution's clock and ours may differ; its record is searched a little before the send began.
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(10);

    /// <summary>The claimed sends <paramref name="ids"/>, by id, in the claimer's connection.</summary>
    public static async Task<IReadOnlyList<UnresolvedSend>> ReadAsync(NpgsqlConnection connection, SecretProtector secrets, List<long> ids,
        DateTimeOffset claimedUntil, CancellationToken ct)
    {
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
