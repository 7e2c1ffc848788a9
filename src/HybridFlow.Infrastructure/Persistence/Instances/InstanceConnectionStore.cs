using Dapper;
using HybridFlow.Application.Instances;
using HybridFlow.Domain.Chats;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Instances;

/// <summary>
/// instance_connections: one row per Evolution instance, changed under its row lock so that a QR code and a state change
/// arriving at once (Evolution fires its webhooks unordered, on any replica) are applied one after the other. The QR code
/// and the pairing code are encrypted and bound to the row; one that no longer decrypts (a rotated key) reads as none.
/// </summary>
internal sealed class InstanceConnectionStore : IInstanceConnectionStore
{
    private const string Columns = "state, qr_code, pairing_code, qr_updated_at, updated_at";
    private readonly NpgsqlDataSource _db;
    private readonly Security.SecretProtector _secrets;

    public InstanceConnectionStore(NpgsqlDataSource db, Security.SecretProtector secrets)
    {
        _db = db;
        _secrets = secrets;
    }

    public async Task<WhatsAppConnection> FindAsync(long instanceId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM instance_connections WHERE instance_id = @instanceId", new { instanceId }, cancellationToken: ct));
        return ToConnection(instanceId, row);
    }

    public async Task<(WhatsAppConnection Connection, WhatsAppConnectionOutcome Outcome)> ChangeAsync(long instanceId,
        Func<WhatsAppConnection, WhatsAppConnectionOutcome> change, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The row exists before it is locked: two first reports for one instance still take turns.
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO instance_connections (instance_id, updated_at) VALUES (@instanceId, now()) ON CONFLICT (instance_id) DO NOTHING",
            new { instanceId }, tx, cancellationToken: ct));
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM instance_connections WHERE instance_id = @instanceId FOR UPDATE", new { instanceId }, tx, cancellationToken: ct));
        var current = ToConnection(instanceId, row);
        var outcome = change(current);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE instance_connections
            SET state = @state, qr_code = @qrCode, pairing_code = @pairingCode, qr_updated_at = @qrUpdatedAt, updated_at = @updatedAt
            WHERE instance_id = @instanceId
            """, new
            {
                instanceId,
                state = PgArg.Text(current.State?.Name()),
                qrCode = PgArg.Text(_secrets.Protect(current.QrCode, Context("qr_code", instanceId))),
                pairingCode = PgArg.Text(_secrets.Protect(current.PairingCode, Context("pairing_code", instanceId))),
                qrUpdatedAt = PgArg.Time(current.QrUpdatedAt),
                updatedAt = PgArg.Time(current.UpdatedAt ?? DateTimeOffset.UtcNow),
            }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (current, outcome);
    }

    private WhatsAppConnection ToConnection(long instanceId, Row? row)
    {
        if (row is null) return WhatsAppConnection.Unknown();
        var state = WhatsAppLinkStates.TryParse(row.State, out var s) ? s : (WhatsAppLinkState?)null;
        var qrCode = Readable(row.QrCode, Context("qr_code", instanceId));
        var pairingCode = Readable(row.PairingCode, Context("pairing_code", instanceId));
        return WhatsAppConnection.Restore(state, qrCode, qrCode is null ? null : pairingCode, qrCode is null ? null : row.QrUpdatedAt,
            row.State is null && qrCode is null ? null : row.UpdatedAt);
    }

    private string? Readable(string? stored, string context)
    {
        try
        {
            return _secrets.TryUnprotect(stored, context, out var plaintext) ? plaintext : null;
        }
        catch (Application.Common.Exceptions.ServiceUnavailableException)
        {
            return null; // under a key this process no longer has: the code is long expired anyway
        }
    }

    private static string Context(string column, long instanceId) => Security.SecretProtector.Context("instance_connections", column, instanceId);

    /// <summary>An instance_connections row by column name (DapperSetup).</summary>
    private sealed class Row
    {
        public string? State { get; init; }
        public string? QrCode { get; init; }
        public string? PairingCode { get; init; }
        public DateTimeOffset? QrUpdatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }
}
