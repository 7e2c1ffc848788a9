using System.Data;
using DbUp;
using DbUp.Engine;
using DbUp.Engine.Transactions;
using DbUp.Postgresql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Postgres;

/// <summary>
/// Applies the SQL files of migrations/ (embedded in this assembly) with DbUp, in name order, once each, one
/// transaction per script. A PostgreSQL advisory lock held around the upgrade lets several replicas start together;
/// the history stays in <c>schema_migrations</c>, so databases migrated before DbUp was adopted are not migrated again.
/// </summary>
internal sealed class MigrationRunner
{
    /// <summary>How many migrations were applied (the health check's query).</summary>
    public const string AppliedCountSql = "SELECT count(*) FROM schema_migrations";

    private const long AdvisoryLockKey = 0x4879_6272_6964; // "Hybrid"
    internal const string ResourcePrefix = "migrations.";
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<MigrationRunner> _logger;

    public MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
    }

    public async Task<int> MigrateAsync(CancellationToken ct)
    {
        await using var lockConnection = await _dataSource.OpenConnectionAsync(ct);
        await ExecuteAsync(lockConnection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(new PostgresqlConnectionManager(_dataSource))
                .WithScriptsEmbeddedInAssembly(typeof(MigrationRunner).Assembly,
                    name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
                .JournalTo((connectionManager, _) => new SchemaMigrationsJournal(connectionManager))
                .WithTransactionPerScript()
                // Migrations are plain SQL: $name$ is a dollar quote there, not a DbUp variable.
                .WithVariablesDisabled()
                .LogTo(_logger)
                .Build();

            // DbUp is synchronous; startup waits for it either way, so keep it off the caller's thread.
            var result = await Task.Run(upgrader.PerformUpgrade, ct);
            if (!result.Successful)
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed.", result.Error);
            return result.Scripts.Count();
        }
        finally
        {
            await ExecuteAsync(lockConnection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// DbUp's journal over the table the earlier runner kept: one row per applied file, keyed by its name without
    /// the resource prefix and extension (<c>V0001__initial</c>). The row is written in the script's own transaction.
    /// </summary>
    private sealed class SchemaMigrationsJournal : IJournal
    {
        private readonly Func<IConnectionManager> _connectionManager;

        public SchemaMigrationsJournal(Func<IConnectionManager> connectionManager) => _connectionManager = connectionManager;

        public void EnsureTableExistsAndIsLatestVersion(Func<IDbCommand> dbCommandFactory)
        {
            using var cmd = dbCommandFactory();
            cmd.CommandText = """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     text PRIMARY KEY,
                    applied_at  timestamptz NOT NULL DEFAULT now())
                """;
            cmd.ExecuteNonQuery();
        }

        public string[] GetExecutedScripts() => _connectionManager().ExecuteCommandsWithManagedConnection(dbCommandFactory =>
        {
            using (var exists = dbCommandFactory())
            {
                exists.CommandText = "SELECT to_regclass('schema_migrations') IS NOT NULL";
                if (exists.ExecuteScalar() is not true) return Array.Empty<string>();
            }
            using var cmd = dbCommandFactory();
            cmd.CommandText = "SELECT version FROM schema_migrations ORDER BY version";
            var scripts = new List<string>();
            using var reader = cmd.ExecuteReader();
            while (reader.Read()) scripts.Add(ResourcePrefix + reader.GetString(reader.GetOrdinal("version")) + ".sql");
            return scripts.ToArray();
        });

        public void StoreExecutedScript(SqlScript script, Func<IDbCommand> dbCommandFactory)
        {
            EnsureTableExistsAndIsLatestVersion(dbCommandFactory);
            using var cmd = dbCommandFactory();
            cmd.CommandText = "INSERT INTO schema_migrations (version) VALUES (@version)";
            var version = cmd.CreateParameter();
            version.ParameterName = "version";
            version.Value = script.Name[ResourcePrefix.Length..^".sql".Length];
            cmd.Parameters.Add(version);
            cmd.ExecuteNonQuery();
        }
    }
}
