using HybridFlow.IntegrationTests.Infrastructure;

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

    [OneTimeTearDown]
    public async Task StopPostgres()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
    }
}
