using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace HybridFlow.IntegrationTests.Infrastructure;

/// <summary>The SQL migrations the API applies at startup, on a real PostgreSQL.</summary>
public sealed class MigrationTests
{
    [Test]
    public async Task EveryMigrationFile_IsApplied_AndRawBodiesAreStoredWithLz4()
    {
        // An empty database: the API migrates it as it starts (other tests start on a migrated copy).
        await using var app = await HybridFlowApp.StartAsync(sharedDatabase: await TestEnvironment.Postgres.CreateDatabaseAsync());
        var files = Directory.GetFiles(Path.Combine(RepositoryRoot(), "migrations"), "V*.sql").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        var applied = await app.ScalarAsync<string>("SELECT string_agg(version, ',' ORDER BY version) FROM schema_migrations");
        Assert.That(applied, Is.EqualTo(string.Join(',', files)));

        // A body long enough to be compressed (above ~2 kB), read back whole.
        var (_, instance) = await app.CreateTenantWithInstanceAsync(new { reply_mode = "off" });
        var chat = Payloads.NewChatId();
        var text = string.Concat(Enumerable.Repeat("Quero saber o horário de sábado e domingo. ", 200));
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, text)), Is.EqualTo("recorded"));
        Assert.That(await app.ScalarAsync<string>("SELECT pg_column_compression(raw) FROM messages WHERE text = $1", text), Is.EqualTo("lz4"));
        Assert.That(await app.ScalarAsync<string>("SELECT raw->'data'->'message'->>'conversation' FROM messages WHERE text = $1", text), Is.EqualTo(text));
    }

    /// <summary>A database the hand-written runner migrated (its schema_migrations rows) upgrades without re-running them.</summary>
    [Test]
    public async Task DatabaseMigratedBeforeDbUp_IsNotMigratedAgain()
    {
        var connectionString = await TestEnvironment.Postgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await Execute(connection, "CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
            foreach (var file in MigrationFiles())
            {
                await Execute(connection, await File.ReadAllTextAsync(file));
                await Execute(connection, $"INSERT INTO schema_migrations (version) VALUES ('{Path.GetFileNameWithoutExtension(file)}')");
            }
            await Execute(connection, "INSERT INTO tenants (name, created_at, updated_at) VALUES ('kept', now(), now())");
        }

        var applied = await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);

        Assert.That(applied, Is.Zero, "V0001 would fail on the existing tables if it ran again");
        await using var check = await dataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM tenants WHERE name = 'kept'", check);
        Assert.That(await cmd.ExecuteScalarAsync(), Is.EqualTo(1L));
    }

    /// <summary>Replicas start together: the advisory lock lets one apply each file while the others wait, then find nothing to do.</summary>
    [Test]
    public async Task ThreeRunnersAtOnce_ApplyEachMigrationExactlyOnce()
    {
        var connectionString = await TestEnvironment.Postgres.CreateDatabaseAsync();
        var dataSources = Enumerable.Range(0, 3).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();
        try
        {
            var counts = await Task.WhenAll(dataSources.Select(ds =>
                Task.Run(() => new MigrationRunner(ds, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None))));

            Assert.That(counts.Sum(), Is.EqualTo(MigrationFiles().Count()));
            await using var connection = await dataSources[0].OpenConnectionAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*), count(DISTINCT version) FROM schema_migrations", connection);
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.That((reader.GetInt64(0), reader.GetInt64(1)), Is.EqualTo(((long)MigrationFiles().Count(), (long)MigrationFiles().Count())));
        }
        finally
        {
            foreach (var ds in dataSources) await ds.DisposeAsync();
        }
    }

    private static IEnumerable<string> MigrationFiles() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot(), "migrations"), "V*.sql").Order(StringComparer.Ordinal);

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// V0005 on rows written before it: trusted only where no tenant_admin key of the tenant existed when the row was last
    /// written (only the platform admin could have set the URL then). The file is re-run on rows prepared here.
    /// </summary>
    [Test]
    public async Task V0005_TrustsOnlyUrlsNoTenantKeyCouldHaveSet()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (adminOnly, adminOnlyInstance) = await app.CreateTenantWithInstanceAsync();
        var (keyLater, keyLaterInstance) = await app.CreateTenantWithInstanceAsync();
        var (keyBefore, keyBeforeInstance) = await app.CreateTenantWithInstanceAsync();
        await app.CreateApiKeyAsync(keyLater, "tenant_admin");
        await app.CreateApiKeyAsync(keyBefore, "tenant_admin");
        await app.CreateApiKeyAsync(adminOnly, "agent"); // an agent key cannot set URLs
        await app.ScalarAsync<int>($$"""
            UPDATE instances SET evo_server_url_trusted = false;
            UPDATE tenants SET workflow_url = 'https://n8n.example.com/webhook/x', workflow_url_trusted = false;
            UPDATE api_keys k SET created_at = t.updated_at + CASE WHEN k.tenant_id = {{keyLater}} THEN interval '1 hour' ELSE interval '-1 hour' END
            FROM tenants t WHERE t.id = k.tenant_id;
            UPDATE instances SET updated_at = now() - interval '1 day' WHERE tenant_id = {{keyLater}};
            """);
        await using (var connection = new Npgsql.NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "migrations", "V0005__outbound_url_trust.sql")), connection);
            await cmd.ExecuteNonQueryAsync();
        }

        Task<bool> InstanceTrusted(string name) => app.ScalarAsync<bool>("SELECT evo_server_url_trusted FROM instances WHERE instance_name = $1", name);
        Task<bool> TenantTrusted(long id) => app.ScalarAsync<bool>("SELECT workflow_url_trusted FROM tenants WHERE id = $1", id);
        Assert.That(await InstanceTrusted(adminOnlyInstance), Is.True, "no tenant_admin key ever");
        Assert.That(await TenantTrusted(adminOnly), Is.True);
        Assert.That(await InstanceTrusted(keyLaterInstance), Is.True, "the tenant_admin key came after the last write");
        Assert.That(await InstanceTrusted(keyBeforeInstance), Is.False, "a tenant_admin key existed: it may have set the URL");
        Assert.That(await TenantTrusted(keyBefore), Is.False);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HybridFlow.sln"))) return dir.FullName;
        throw new InvalidOperationException("HybridFlow.sln not found above the test directory.");
    }
}
