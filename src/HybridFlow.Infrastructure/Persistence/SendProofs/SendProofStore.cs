using Dapper;
using HybridFlow.Application.Common.Interfaces;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.SendProofs;

/// <summary>
/// meta_send_proofs: a Cloud API status that carried our biz_opaque_callback_data (ADR-015). The first proof is kept: any
/// status (sent, delivered, read) proves the send went out, and its wamid does not change.
/// </summary>
internal sealed class SendProofStore : ISendProofStore
{
    private readonly NpgsqlDataSource _db;

    public SendProofStore(NpgsqlDataSource db) => _db = db;

    public async Task RecordAsync(long instanceId, string callbackData, string providerMessageId, string status, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO meta_send_proofs (instance_id, callback_data, provider_message_id, status, received_at)
            VALUES (@instanceId, @callbackData, @providerMessageId, @status, @at)
            ON CONFLICT (instance_id, callback_data) DO NOTHING
            """, new { instanceId, callbackData, providerMessageId, status, at = Postgres.PgArg.Time(at) }, cancellationToken: ct));
    }

    public async Task<SendProof?> FindAsync(long instanceId, string callbackData, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition("""
            SELECT instance_id, callback_data, provider_message_id, status, received_at
            FROM meta_send_proofs WHERE instance_id = @instanceId AND callback_data = @callbackData
            """, new { instanceId, callbackData }, cancellationToken: ct));
        return row is null ? null : new SendProof(row.InstanceId, row.CallbackData, row.ProviderMessageId, row.Status, row.ReceivedAt);
    }

    /// <summary>A meta_send_proofs row by column name (DapperSetup).</summary>
    private sealed class Row
    {
        public long InstanceId { get; init; }
        public string CallbackData { get; init; } = "";
        public string ProviderMessageId { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTimeOffset ReceivedAt { get; init; }
    }
}
