using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence.Postgres;

/// <summary>
/// Dapper's settings for this schema, applied once at startup: a row type's properties match the snake_case columns
/// (<c>tenant_id</c> fills <c>TenantId</c>), so rows are read by column name, never by position (ADR-014).
/// </summary>
internal static class DapperSetup
{
    private static int _applied;

    public static void Apply()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }
}

/// <summary>
/// A Dapper parameter with the PostgreSQL type stated, where Dapper's own guess is wrong (an interval, a timestamptz)
/// or where a NULL needs a type.
/// </summary>
internal sealed record PgArg(object? Value, NpgsqlDbType Type) : SqlMapper.ICustomQueryParameter
{
    public static PgArg Time(DateTimeOffset? at) => new(at?.UtcDateTime, NpgsqlDbType.TimestampTz);

    public static PgArg Interval(TimeSpan span) => new(span, NpgsqlDbType.Interval);

    public static PgArg Bigint(long? value) => new(value, NpgsqlDbType.Bigint);

    public static PgArg Text(string? value) => new(value, NpgsqlDbType.Text);

    public void AddParameter(System.Data.IDbCommand command, string name) =>
        command.Parameters.Add(new NpgsqlParameter(name, Type) { Value = Value ?? DBNull.Value });
}
