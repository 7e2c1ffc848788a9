using System.Diagnostics;
using Npgsql;

namespace HybridFlow.Benchmarks;

/// <summary>Direct SQL on the API's database: server facts, seeding existing data, housekeeping between runs.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;

    public BenchDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            ApplicationName = "hybridflow-bench",
            CommandTimeout = 600,
            Pooling = true,
        };
        _db = NpgsqlDataSource.Create(builder.ConnectionString);
        DatabaseName = builder.Database ?? "";
    }

    public async Task<string> ScalarTextAsync(string sql)
    {
        await using var cmd = _db.CreateCommand(sql);
        return (await cmd.ExecuteScalarAsync())?.ToString() ?? "";
    }

    public async Task<long> CountAsync(string sql, params object[] args)
    {
        await using var cmd = _db.CreateCommand(sql);
        foreach (var arg in args) cmd.Parameters.Add(new NpgsqlParameter { Value = arg });
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql, params object[] args)
    {
        await using var cmd = _db.CreateCommand(sql);
        foreach (var arg in args) cmd.Parameters.Add(new NpgsqlParameter { Value = arg });
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The server settings that decide write throughput, as the report lists them.</summary>
    public async Task<IReadOnlyList<(string Name, string Value)>> SettingsAsync()
    {
        string[] names = ["shared_buffers", "synchronous_commit", "fsync", "wal_level", "max_wal_size", "checkpoint_timeout", "max_connections", "work_mem"];
        var result = new List<(string, string)>();
        foreach (var name in names) result.Add((name, await ScalarTextAsync($"SHOW {name}")));
        return result;
    }

    /// <summary>Empties the chat tables (tenants and instances stay), so a data size starts from exactly what is seeded.</summary>
    public Task TruncateChatDataAsync() =>
        ExecuteAsync("TRUNCATE session_events, reply_jobs, messages, sessions CASCADE");

    /// <summary>
    /// The raw JSON kept with each seeded message: the message part of a real body (about 300 bytes). The full 2 KB
    /// body would make seeding a million rows take minutes; the indexes, which decide a webhook's cost, are the same.
    /// </summary>
    public const string SeedRawJson = """
        {"event":"messages.upsert","data":{"key":{"remoteJid":"5511700000001@s.whatsapp.net","fromMe":false,"id":"SEED0000000000000000000000000001"},"pushName":"Ana Souza","message":{"conversation":"Oi, vocês abrem amanhã?"},"messageType":"conversation","messageTimestamp":1763766000,"source":"android"}}
        """;

    /// <summary>
    /// Adds <paramref name="sessions"/> chats and <paramref name="messages"/> messages, each with its timeline event,
    /// to <paramref name="tenant"/>'s instance with INSERT ... SELECT generate_series, then VACUUM ANALYZE. The rows
    /// are consistent by construction, so the foreign-key triggers are skipped for the load
    /// (session_replication_role = replica, when the role may set it): it makes seeding several times faster.
    /// </summary>
    public async Task<TimeSpan> SeedAsync(BenchTenant tenant, long sessions, long messages)
    {
        var clock = Stopwatch.StartNew();
        await using (var connection = await _db.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using (var savepoint = new NpgsqlCommand("SAVEPOINT replica; SET LOCAL session_replication_role = replica", connection, tx))
            {
                try
                {
                    await savepoint.ExecuteNonQueryAsync();
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
                {
                    await using var rollback = new NpgsqlCommand("ROLLBACK TO SAVEPOINT replica", connection, tx);
                    await rollback.ExecuteNonQueryAsync();
                }
            }

            await ExecuteAsync(connection, tx, """
                INSERT INTO sessions (tenant_id, instance_id, chat_id, last_message_at, created_at, updated_at)
                SELECT $1, $2, '5511' || (700000000 + g) || '@s.whatsapp.net', now() - interval '1 hour', now(), now()
                FROM generate_series(1, $3::bigint) g
                """, tenant.TenantId, tenant.InstanceId, sessions);

            // Message g belongs to chat (g mod sessions); a third of them are the bot's replies.
            await ExecuteAsync(connection, tx, """
                WITH chats AS (
                    SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM sessions WHERE instance_id = $2
                )
                INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, raw, sent_at, created_at)
                SELECT $1, $2, c.id, 'SEED' || lpad(to_hex(g), 28, '0'),
                       CASE WHEN g % 3 = 0 THEN 'bot' ELSE 'inbound' END, 'conversation', 'mensagem antiga ' || g,
                       $4::jsonb, now() - interval '30 days' + g * interval '1 second', now()
                FROM generate_series(1, $3::bigint) g JOIN chats c ON c.n = g % $5::bigint
                """, tenant.TenantId, tenant.InstanceId, messages, SeedRawJson.Trim(), sessions);

            await ExecuteAsync(connection, tx, """
                INSERT INTO session_events (tenant_id, session_id, message_id, action, detail, created_at)
                SELECT m.tenant_id, m.session_id, m.id, CASE WHEN m.direction = 'bot' THEN 'ai_replied' ELSE 'ai_queued' END, NULL, m.created_at
                FROM messages m WHERE m.instance_id = $1
                """, tenant.InstanceId);
            await tx.CommitAsync();
        }

        await VacuumAnalyzeAsync();
        return clock.Elapsed;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var arg in args) cmd.Parameters.Add(new NpgsqlParameter { Value = arg });
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task VacuumAnalyzeAsync()
    {
        foreach (var table in new[] { "sessions", "messages", "session_events", "reply_jobs" })
            await ExecuteAsync($"VACUUM (ANALYZE) {table}");
    }

    /// <summary>The database this connection string names (the API's).</summary>
    public string DatabaseName { get; }

    /// <summary>Drops (if there) and creates an empty database next to the API's, for an API process of its own.</summary>
    public async Task RecreateDatabaseAsync(string name)
    {
        await DropDatabaseAsync(name);
        await ExecuteAsync($"CREATE DATABASE {Identifier(name)}");
    }

    public Task DropDatabaseAsync(string name) => ExecuteAsync($"DROP DATABASE IF EXISTS {Identifier(name)} WITH (FORCE)");

    /// <summary>
    /// The client connections to <paramref name="database"/> right now: all of them, and those not idle (running a
    /// statement or inside a transaction). The benchmark's own connections are left out.
    /// </summary>
    public async Task<(int Open, int Busy)> ConnectionsAsync(string database)
    {
        await using var cmd = _db.CreateCommand("""
            SELECT count(*)::int, (count(*) FILTER (WHERE state IS DISTINCT FROM 'idle'))::int
            FROM pg_stat_activity
            WHERE datname = $1 AND backend_type = 'client backend' AND application_name <> 'hybridflow-bench'
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = database });
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt32(0), reader.GetInt32(1));
    }

    private static string Identifier(string name) =>
        name.Length is > 0 and < 64 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_')
            ? name
            : throw new ArgumentException($"'{name}' is not a plain database name (a-z, 0-9, _).");

    /// <summary>Both sides of a pair start right after a checkpoint, so neither pays for the other's dirty pages.</summary>
    public Task CheckpointAsync() => ExecuteAsync("CHECKPOINT");

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();
}
