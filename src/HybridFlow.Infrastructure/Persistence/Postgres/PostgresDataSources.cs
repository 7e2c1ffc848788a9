using System.Data.Common;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Postgres;

/// <summary>How the service's Npgsql pools are built from DATABASE_URL.</summary>
internal static class PostgresDataSources
{
    /// <summary>Connections per pool (the webhook hot path has a pool of its own) unless DATABASE_URL sets Maximum Pool Size.</summary>
    public const int DefaultMaxPoolSize = 8;

    public static NpgsqlDataSource Build(string connectionString) => Configure(connectionString).Build();

    /// <summary>
    /// The webhook hot path's pool. Its connections run only whole transactions whose settings are SET LOCAL, so a
    /// connection going back to the pool needs no session reset: Npgsql's reset is six statements (RESET ALL,
    /// DISCARD SEQUENCES, ...) sent with each transaction's first batch (ADR-011).
    /// </summary>
    public static NpgsqlDataSource BuildForWebhooks(string connectionString)
    {
        var builder = Configure(connectionString);
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        return builder.Build();
    }

    private static NpgsqlDataSourceBuilder Configure(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // The hot paths repeat a handful of statements: let Npgsql prepare them (unless DATABASE_URL says otherwise).
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        // Npgsql's default of 100 per pool, times two pools and a few replicas, exceeds PostgreSQL's default
        // max_connections (100); and a burst of replies went faster on 20 connections than on 70 (docs/BENCHMARKS.md, e),
        // and on 8 than on 20: reply jobs on 20 busy backends left the webhooks' two transactions a small share of
        // PostgreSQL's CPU (ADR-012).
        if (!SetsPoolSize(connectionString)) builder.ConnectionStringBuilder.MaxPoolSize = DefaultMaxPoolSize;
        return builder;
    }

    private static bool SetsPoolSize(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return given.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal))
            .Any(k => k.Equals("MaximumPoolSize", StringComparison.OrdinalIgnoreCase) || k.Equals("MaxPoolSize", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// The inbox event poller's own single connection (application_name hybridflow-inbox-poll): it reads every
/// INBOX_POLL_MS, and must neither wait behind a busy pool nor take a connection from one.
/// </summary>
internal sealed class InboxPollerDataSource : IAsyncDisposable
{
    public const string ApplicationName = "hybridflow-inbox-poll";

    public InboxPollerDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.MaxPoolSize = 1;
        builder.ConnectionStringBuilder.ApplicationName = ApplicationName;
        Source = builder.Build();
    }

    public NpgsqlDataSource Source { get; }

    public ValueTask DisposeAsync() => Source.DisposeAsync();
}
