using System.Net;
using System.Security.Cryptography;
using System.Text;
using HybridFlow.Application.Common.Interfaces;
using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Identity;

/// <summary>
/// ILoginSessionStore on the login_sessions table (V0016). A login is live while its row exists, has not expired and
/// carries its user's current security stamp: one indexed lookup per request, joined to the user.
/// </summary>
internal sealed class LoginSessionStore : ILoginSessionStore
{
    private const int UserAgentMax = 512;
    private const string Live = "s.expires_at > $2 AND s.security_stamp = u.security_stamp";
    private readonly NpgsqlDataSource _db;

    public LoginSessionStore(NpgsqlDataSource db) => _db = db;

    public async Task<string> StartAsync(NewLoginSession session, CancellationToken ct)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await using var cmd = _db.CreateCommand("""
            INSERT INTO login_sessions (user_id, key_hash, ticket, security_stamp, created_at, last_seen_at, expires_at, user_agent, source_address)
            VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)
            """);
        cmd.Parameters.AddWithValue(session.UserId);
        cmd.Parameters.AddWithValue(Hash(key));
        cmd.Parameters.AddWithValue(session.Ticket);
        cmd.Parameters.AddWithValue(session.SecurityStamp);
        cmd.Parameters.AddWithValue(session.CreatedAt);
        cmd.Parameters.AddWithValue(session.ExpiresAt);
        cmd.Parameters.Add(new NpgsqlParameter { Value = Truncate(session.UserAgent) ?? (object)DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter
        {
            Value = IPAddress.TryParse(session.SourceAddress, out var address) ? address : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Inet,
        });
        await cmd.ExecuteNonQueryAsync(ct);
        return key;
    }

    public async Task<StoredLoginSession?> FindAsync(string key, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand($"""
            SELECT s.id, s.user_id, s.ticket FROM login_sessions s JOIN users u ON u.id = s.user_id
            WHERE s.key_hash = $1 AND {Live}
            """);
        cmd.Parameters.AddWithValue(Hash(key));
        cmd.Parameters.AddWithValue(now);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? new StoredLoginSession(r.GetInt64(r.GetOrdinal("id")), r.GetInt64(r.GetOrdinal("user_id")), (byte[])r["ticket"]) : null;
    }

    public async Task RenewAsync(string key, byte[] ticket, DateTimeOffset lastSeenAt, DateTimeOffset expiresAt, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("UPDATE login_sessions SET ticket = $2, last_seen_at = $3, expires_at = $4 WHERE key_hash = $1");
        cmd.Parameters.AddWithValue(Hash(key));
        cmd.Parameters.AddWithValue(ticket);
        cmd.Parameters.AddWithValue(lastSeenAt);
        cmd.Parameters.AddWithValue(expiresAt);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task RemoveAsync(string key, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("DELETE FROM login_sessions WHERE key_hash = $1");
        cmd.Parameters.AddWithValue(Hash(key));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<bool> IsLiveAsync(long userId, long sessionId, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand($"""
            SELECT EXISTS (SELECT 1 FROM login_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND {Live} AND s.user_id = $3)
            """);
        cmd.Parameters.AddWithValue(sessionId);
        cmd.Parameters.AddWithValue(now);
        cmd.Parameters.AddWithValue(userId);
        return await cmd.ExecuteScalarAsync(ct) is true;
    }

    public async Task<IReadOnlyList<LoginSessionInfo>> ListAsync(long userId, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand($"""
            SELECT s.id, s.created_at, s.last_seen_at, s.user_agent FROM login_sessions s JOIN users u ON u.id = s.user_id
            WHERE s.user_id = $1 AND {Live} ORDER BY s.id
            """);
        cmd.Parameters.AddWithValue(userId);
        cmd.Parameters.AddWithValue(now);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var sessions = new List<LoginSessionInfo>();
        while (await r.ReadAsync(ct))
            sessions.Add(new LoginSessionInfo(r.GetInt64(r.GetOrdinal("id")), r.GetFieldValue<DateTimeOffset>(r.GetOrdinal("created_at")),
                r.GetFieldValue<DateTimeOffset>(r.GetOrdinal("last_seen_at")), r.IsDBNull(r.GetOrdinal("user_agent")) ? null : r.GetString(r.GetOrdinal("user_agent"))));
        return sessions;
    }

    public async Task<bool> EndAsync(long userId, long sessionId, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("DELETE FROM login_sessions WHERE id = $1 AND user_id = $2");
        cmd.Parameters.AddWithValue(sessionId);
        cmd.Parameters.AddWithValue(userId);
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task<int> EndAllAsync(long userId, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("DELETE FROM login_sessions WHERE user_id = $1");
        cmd.Parameters.AddWithValue(userId);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<int> PurgeAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("""
            DELETE FROM login_sessions s USING users u
            WHERE u.id = s.user_id AND (s.expires_at <= $1 OR s.security_stamp IS DISTINCT FROM u.security_stamp)
            """);
        cmd.Parameters.AddWithValue(now);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Only the key's hash is stored: a copy of the table gives no cookie.</summary>
    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string? Truncate(string? value) => value is { Length: > UserAgentMax } ? value[..UserAgentMax] : value;
}
