using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Infrastructure;

/// <summary>The SQL migrations the API applies at startup, on a real PostgreSQL.</summary>
public sealed class MigrationTests
{
    [Test]
    public async Task EveryMigrationFile_IsApplied_AndRawBodiesAreStoredWithLz4()
    {
        await using var app = await HybridFlowApp.StartAsync();
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

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HybridFlow.sln"))) return dir.FullName;
        throw new InvalidOperationException("HybridFlow.sln not found above the test directory.");
    }
}
