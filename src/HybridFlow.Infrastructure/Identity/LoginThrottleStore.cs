using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Logins;
using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Identity;

/// <summary>
/// The login throttles in PostgreSQL (login_throttles), so every replica counts the same tries. A change creates the
/// missing rows and locks them in key order (two replicas never wait on each other in a circle), then writes them back.
/// </summary>
internal sealed class LoginThrottleStore : ILoginThrottles
{
    /// <summary>Longer than any window plus the longest block: an older row says nothing a new one would not.</summary>
    private static readonly TimeSpan Forgotten = TimeSpan.FromHours(3);
    private const int PrunedPerChange = 20;

    private readonly NpgsqlDataSource _db;
    private readonly TimeProvider _time;

    public LoginThrottleStore(NpgsqlDataSource db, TimeProvider time)
    {
        _db = db;
        _time = time;
    }

    public async Task<T> ChangeAsync<T>(IReadOnlyList<LoginThrottleKey> keys, Func<IReadOnlyList<LoginThrottle>, T> change, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var ordered = keys.Distinct().OrderBy(k => ScopeName(k.Scope), StringComparer.Ordinal)
            .ThenBy(k => k.EmailKey, StringComparer.Ordinal).ThenBy(k => k.Source, StringComparer.Ordinal).ToList();
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        var throttles = new Dictionary<LoginThrottleKey, LoginThrottle>();
        foreach (var key in ordered)
        {
            await using var upsert = new NpgsqlCommand("""
                INSERT INTO login_throttles (scope, email_key, source, updated_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (scope, email_key, source) DO UPDATE SET updated_at = EXCLUDED.updated_at
                RETURNING failures, window_started_at, strikes, blocked_until
                """, connection, tx);
            AddKey(upsert, key);
            upsert.Parameters.AddWithValue(now);
            await using var reader = await upsert.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            throttles[key] = new LoginThrottle(reader.GetInt32(reader.GetOrdinal("failures")), NullableTime(reader, "window_started_at"),
                reader.GetInt32(reader.GetOrdinal("strikes")), NullableTime(reader, "blocked_until"));
        }

        var result = change([.. keys.Select(k => throttles[k])]);

        foreach (var key in ordered)
        {
            var throttle = throttles[key];
            await using var update = new NpgsqlCommand("""
                UPDATE login_throttles SET failures = $4, window_started_at = $5, strikes = $6, blocked_until = $7
                WHERE scope = $1 AND email_key = $2 AND source = $3
                """, connection, tx);
            AddKey(update, key);
            update.Parameters.AddWithValue(throttle.Failures);
            update.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)throttle.WindowStartedAt ?? DBNull.Value });
            update.Parameters.AddWithValue(throttle.Strikes);
            update.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)throttle.BlockedUntil ?? DBNull.Value });
            await update.ExecuteNonQueryAsync(ct);
        }

        await using (var prune = new NpgsqlCommand("""
            DELETE FROM login_throttles WHERE ctid = ANY (ARRAY(
                SELECT ctid FROM login_throttles WHERE updated_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED))
            """, connection, tx))
        {
            prune.Parameters.AddWithValue(now - Forgotten);
            prune.Parameters.AddWithValue(PrunedPerChange);
            await prune.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        return result;
    }

    public async Task ForgetEmailAsync(string emailKey, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("DELETE FROM login_throttles WHERE email_key = $1");
        cmd.Parameters.AddWithValue(emailKey);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void AddKey(NpgsqlCommand command, LoginThrottleKey key)
    {
        command.Parameters.AddWithValue(ScopeName(key.Scope));
        command.Parameters.AddWithValue(key.EmailKey);
        command.Parameters.AddWithValue(key.Source);
    }

    private static DateTimeOffset? NullableTime(NpgsqlDataReader reader, string column) =>
        reader.IsDBNull(reader.GetOrdinal(column)) ? null : reader.GetFieldValue<DateTimeOffset>(reader.GetOrdinal(column));

    private static string ScopeName(LoginThrottleScope scope) => scope switch
    {
        LoginThrottleScope.EmailFromAddress => "email_from_address",
        LoginThrottleScope.Address => "address",
        _ => "email",
    };
}
