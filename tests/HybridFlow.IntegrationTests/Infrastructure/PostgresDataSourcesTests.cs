using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace HybridFlow.IntegrationTests.Infrastructure;

public sealed class PostgresDataSourcesTests
{
    private static int PoolSizeOf(string databaseUrl)
    {
        using var source = PostgresDataSources.Build(DatabaseUrl.ToConnectionString(databaseUrl));
        return new NpgsqlConnectionStringBuilder(source.ConnectionString).MaxPoolSize;
    }

    [Test]
    public void WithoutAPoolSize_EachPoolKeepsToTheDefault() =>
        Assert.That(PoolSizeOf("postgres://app:secret@db.internal:5432/hybridflow"), Is.EqualTo(PostgresDataSources.DefaultMaxPoolSize));

    [TestCase("postgres://app:secret@db.internal:5432/hybridflow?Maximum%20Pool%20Size=7", 7)]
    [TestCase("Host=db.internal;Database=hybridflow;Username=app;Maximum Pool Size=150", 150)]
    [TestCase("Host=db.internal;Database=hybridflow;Username=app;MaxPoolSize=100", 100)]
    public void APoolSizeInDatabaseUrl_IsKept(string databaseUrl, int expected) =>
        Assert.That(PoolSizeOf(databaseUrl), Is.EqualTo(expected));
}
