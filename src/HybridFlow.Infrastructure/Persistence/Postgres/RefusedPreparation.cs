using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Postgres;

/// <summary>
/// Npgsql 10.0.3 keeps a statement as prepared without its result columns when PostgreSQL refuses the use that
/// auto-prepares it (its fifth, at Bind: e.g. a NUL in a text parameter). Later uses on that connection then read no
/// result set, or fail on an unexpected DataRow (ADR-021). After a refused statement, the connection forgets its
/// prepared statements before it goes back to the pool; they are prepared again from their next uses.
/// </summary>
internal static class RefusedPreparation
{
    /// <summary>Call after the transaction was rolled back, with what failed it.</summary>
    public static void ForgetPreparedStatements(NpgsqlConnection connection, Exception failure)
    {
        if (failure is not PostgresException || connection.State != System.Data.ConnectionState.Open) return;
        try
        {
            connection.UnprepareAll();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // A connection that cannot even do this is broken, and Npgsql does not pool a broken connection.
        }
    }
}
