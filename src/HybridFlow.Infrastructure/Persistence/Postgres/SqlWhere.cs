using Dapper;

namespace HybridFlow.Infrastructure.Persistence.Postgres;

/// <summary>
/// A WHERE built from the conditions in use (the inbox's list, the admin session list): each statement carries only
/// those, never "@x IS NULL OR ...", so a prepared plan never hides an index.
/// </summary>
internal static class SqlWhere
{
    /// <summary>Adds a named parameter; answers its placeholder.</summary>
    public static string Arg(DynamicParameters args, string name, object value)
    {
        args.Add(name, value);
        return "@" + name;
    }

    /// <summary>The conditions, joined with AND (true when there are none).</summary>
    public static string All(List<string> conditions) => conditions.Count == 0 ? "true" : string.Join(" AND ", conditions);
}
