using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace HybridFlow.IntegrationTests;

/// <summary>One PostgreSQL server for the whole run (root namespace, so it covers every test); each test class gets its own database on it.</summary>
[SetUpFixture]
public sealed class TestEnvironment
{
    private static PostgresServer? _postgres;

    public static PostgresServer Postgres => _postgres ?? throw new InvalidOperationException("PostgreSQL was not started.");

    [OneTimeSetUp]
    public async Task StartPostgres()
    {
        _postgres = await PostgresServer.StartAsync();
        // The console logger shows Progress output at normal verbosity (plain test stdout it hides), so CI's log says it.
        TestContext.Progress.WriteLine("tests: " + _postgres.Description);
    }

    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static string? _migratedTemplate;

    /// <summary>
    /// A fresh database with every migration applied, copied from a template migrated once per run: a copy takes about
    /// 0.2 s, where migrating takes a second or more under CI's load, and the suite starts its app some 160 times.
    /// (MigrationTests start on an empty database, so the API's own migration at startup stays tested.)
    /// </summary>
    public static async Task<string> CreateMigratedDatabaseAsync() => await Postgres.CreateDatabaseAsync(await MigratedTemplateAsync());

    private static async Task<string> MigratedTemplateAsync()
    {
        if (Volatile.Read(ref _migratedTemplate) is { } ready) return ready;
        await TemplateGate.WaitAsync();
        try
        {
            if (_migratedTemplate is null)
            {
                var connectionString = await Postgres.CreateDatabaseAsync();
                await using (var source = NpgsqlDataSource.Create(connectionString))
                    await new MigrationRunner(source, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
                Volatile.Write(ref _migratedTemplate, new NpgsqlConnectionStringBuilder(connectionString).Database!);
            }
            return _migratedTemplate!;
        }
        finally
        {
            TemplateGate.Release();
        }
    }

    [OneTimeTearDown]
    public async Task StopPostgres()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
    }
}
