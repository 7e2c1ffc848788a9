using Dapper;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Inbox;

/// <summary>
/// Purges inbox_events, which the triggers of V0013 write (ReadModels/InboxEventQueries reads them). The window is on
/// the database's clock, like created_at: the rows are stamped by PostgreSQL, not by the service's TimeProvider.
/// </summary>
internal sealed class InboxEventStore
{
    private readonly NpgsqlDataSource _db;

    public InboxEventStore(NpgsqlDataSource db) => _db = db;

    public async Task<int> PurgeAsync(TimeSpan keep, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM inbox_events WHERE created_at < now() - @keep", new { keep = PgArg.Interval(keep) }, cancellationToken: ct));
    }
}
