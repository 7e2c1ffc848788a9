using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence.Postgres;

/// <summary>
/// One array parameter per column of a group's rows, read back with <c>unnest</c>: the group-commit statements
/// (ADR-011, "One statement per table") are built from these by the tables' owners.
/// </summary>
internal static class PgArrays
{
    public static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Array<TRow, TValue>(IReadOnlyList<TRow> rows, Func<TRow, TValue> column, NpgsqlDbType type)
    {
        var values = new TValue[rows.Count];
        for (var i = 0; i < values.Length; i++) values[i] = column(rows[i]);
        return new NpgsqlParameter { Value = values, NpgsqlDbType = NpgsqlDbType.Array | type };
    }

    public static NpgsqlParameter Longs<T>(IReadOnlyList<T> rows, Func<T, long> column) => Array(rows, column, NpgsqlDbType.Bigint);

    public static NpgsqlParameter NullableLongs<T>(IReadOnlyList<T> rows, Func<T, long?> column) => Array(rows, column, NpgsqlDbType.Bigint);

    public static NpgsqlParameter Texts<T>(IReadOnlyList<T> rows, Func<T, string?> column) => Array(rows, column, NpgsqlDbType.Text);

    public static NpgsqlParameter Times<T>(IReadOnlyList<T> rows, Func<T, DateTimeOffset> column) =>
        Array(rows, r => column(r).UtcDateTime, NpgsqlDbType.TimestampTz);
}
