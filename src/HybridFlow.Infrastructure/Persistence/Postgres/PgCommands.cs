using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence.Postgres;

/// <summary>Builds Npgsql commands with positional parameters ($1, $2, …) from plain values.</summary>
internal static class PgCommands
{
    public static NpgsqlCommand Command(this NpgsqlConnection c, string sql, NpgsqlTransaction? tx, params object?[] args)
    {
        var cmd = new NpgsqlCommand(sql, c, tx);
        foreach (var a in args) cmd.Parameters.Add(Parameter(a));
        return cmd;
    }

    public static NpgsqlBatchCommand BatchCommand(string sql, params object?[] args)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var a in args) command.Parameters.Add(Parameter(a));
        return command;
    }

    public static object TextOrNull(string? s) => s ?? (object)new NullOf(NpgsqlDbType.Text);

    public static object TimeOrNull(DateTimeOffset? t) => t is { } v ? v : new NullOf(NpgsqlDbType.TimestampTz);

    public static object BigintOrNull(long? n) => n is { } v ? v : new NullOf(NpgsqlDbType.Bigint);

    private static NpgsqlParameter Parameter(object? value) => value switch
    {
        null => new NpgsqlParameter { Value = DBNull.Value },
        NpgsqlParameter p => p,
        DateTimeOffset t => new NpgsqlParameter { Value = t.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
        JsonbText j => new NpgsqlParameter { Value = j.Json, NpgsqlDbType = NpgsqlDbType.Jsonb },
        NullOf n => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = n.Type },
        _ => new NpgsqlParameter { Value = value },
    };
}

/// <summary>Typed reads that Npgsql does not offer as such, at an ordinal the caller got by name (GetOrdinal).</summary>
internal static class PgRead
{
    public static DateTimeOffset? GetTimeOrNull(this NpgsqlDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(ordinal), DateTimeKind.Utc));

    public static string? GetTextOrNull(this NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
}

/// <summary>A string sent as jsonb.</summary>
internal sealed record JsonbText(string Json)
{
    /// <summary>PostgreSQL's jsonb refuses the NUL escape that JSON allows (JSON spells escapes with a lowercase u).</summary>
    public static JsonbText Sanitized(string json) =>
        new(json.Contains("\\u0000", StringComparison.Ordinal) ? json.Replace("\\u0000", "\\ufffd", StringComparison.Ordinal) : json);
}

/// <summary>A typed NULL parameter, where PostgreSQL cannot infer the type.</summary>
internal sealed record NullOf(NpgsqlDbType Type);
