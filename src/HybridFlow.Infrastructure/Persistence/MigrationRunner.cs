using Microsoft.Extensions.Logging;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence;

/// <summary>
/// Applies the SQL files of migrations/ (embedded in this assembly) in order, once each,
/// under a PostgreSQL advisory lock so that several replicas can start at the same time.
/// </summary>
public sealed class MigrationRunner
{
    private const long AdvisoryLockKey = 0x4879_6272_6964; // "Hybrid"
    private const string ResourcePrefix = "migrations.";
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<MigrationRunner> _logger;

    public MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
    }

    public static IReadOnlyList<(string Version, string Sql)> LoadMigrations()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return (n[ResourcePrefix.Length..^".sql".Length], reader.ReadToEnd());
            })
            .ToList();
    }

    public async Task<int> MigrateAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await Execute(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            await Execute(connection, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     text PRIMARY KEY,
                    applied_at  timestamptz NOT NULL DEFAULT now())
                """, ct);
            var applied = new HashSet<string>(StringComparer.Ordinal);
            await using (var cmd = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) applied.Add(reader.GetString(0));

            var count = 0;
            foreach (var (version, sql) in LoadMigrations().Where(m => !applied.Contains(m.Version)))
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                await using (var cmd = new NpgsqlCommand(sql, connection, tx)) await cmd.ExecuteNonQueryAsync(ct);
                await using (var cmd = new NpgsqlCommand("INSERT INTO schema_migrations (version) VALUES ($1)", connection, tx))
                {
                    cmd.Parameters.AddWithValue(version);
                    await cmd.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                _logger.LogInformation("Applied migration {Version}", version);
                count++;
            }
            return count;
        }
        finally
        {
            await Execute(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
