using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.IntegrationTests.Support;
using Npgsql;

namespace HybridFlow.IntegrationTests.Infrastructure;

/// <summary>
/// The Npgsql behaviour behind ADR-021, on the webhook pool's own settings (auto-prepare, no reset on close) and one
/// connection: PostgreSQL refuses the use of an INSERT … RETURNING that auto-prepares it (a NUL in a text parameter).
/// </summary>
public sealed class RefusedPreparationTests
{
    private const string Insert = "INSERT INTO refused_preparation (key, note) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING id";

    private static async Task<NpgsqlDataSource> OneConnectionPoolAsync()
    {
        var connectionString = await TestEnvironment.Postgres.CreateDatabaseAsync();
        var source = PostgresDataSources.BuildForWebhooks(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 1 }.ConnectionString);
        await using var connection = await source.OpenConnectionAsync();
        await using var create = new NpgsqlCommand("CREATE TABLE refused_preparation (id bigserial PRIMARY KEY, key text UNIQUE NOT NULL, note text)", connection);
        await create.ExecuteNonQueryAsync();
        return source;
    }

    /// <summary>Runs the insert on the pool's connection: whether it gave a result set, and its rows.</summary>
    private static async Task<(bool HasResultSet, int Rows)> InsertAsync(NpgsqlDataSource source, string key, string note, bool forgetAfterRefusal = false)
    {
        await using var connection = await source.OpenConnectionAsync();
        try
        {
            await using var command = new NpgsqlCommand(Insert, connection) { Parameters = { new() { Value = key }, new() { Value = note } } };
            await using var reader = await command.ExecuteReaderAsync();
            var rows = 0;
            while (await reader.ReadAsync()) rows++;
            return (reader.FieldCount > 0, rows);
        }
        catch (PostgresException e) when (forgetAfterRefusal)
        {
            RefusedPreparation.ForgetPreparedStatements(connection, e);
            throw;
        }
    }

    /// <summary>Four uses, then the fifth (the one that prepares the statement) is refused.</summary>
    private static async Task RefuseThePreparingUseAsync(NpgsqlDataSource source, bool forgetAfterRefusal)
    {
        for (var i = 1; i <= 4; i++) Assert.That(await InsertAsync(source, $"k{i}", "fine"), Is.EqualTo((true, 1)));
        var refused = await Assert.ThrowsAsync<PostgresException>(() => InsertAsync(source, "k5", "nul \0 here", forgetAfterRefusal));
        Assert.That(refused!.SqlState, Is.EqualTo(PostgresErrorCodes.CharacterNotInRepertoire));
    }

    [Test]
    public async Task AfterTheRepair_TheStatementStillReadsItsColumns()
    {
        await using var source = await OneConnectionPoolAsync();
        await RefuseThePreparingUseAsync(source, forgetAfterRefusal: true);

        Assert.That(await InsertAsync(source, "k1", "duplicate"), Is.EqualTo((true, 0)), "a duplicate still gives its (empty) result set");
        Assert.That(await InsertAsync(source, "k6", "new"), Is.EqualTo((true, 1)));
        for (var i = 7; i <= 12; i++) Assert.That(await InsertAsync(source, $"k{i}", "prepared again"), Is.EqualTo((true, 1)));
    }

    /// <summary>
    /// The canary: Npgsql still loses the statement's columns. When an upgrade makes this fail, the bug is fixed upstream
    /// and <see cref="RefusedPreparation"/> can go (ADR-021).
    /// </summary>
    [Test]
    public async Task WithoutTheRepair_NpgsqlLosesTheStatementsColumns()
    {
        await using var source = await OneConnectionPoolAsync();
        await RefuseThePreparingUseAsync(source, forgetAfterRefusal: false);

        Assert.That(await InsertAsync(source, "k1", "duplicate"), Is.EqualTo((false, 0)), "the duplicate's result set is gone");
        Assert.That(async () => await InsertAsync(source, "k6", "new"), Throws.Exception.With.Message.Contains("DataRow"));
    }
}
