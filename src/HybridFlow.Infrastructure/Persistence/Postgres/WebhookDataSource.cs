using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Postgres;

/// <summary>
/// The customer-message hot path's own connection pool. Its transactions start with <c>SET LOCAL enable_seqscan = off</c>:
/// every statement on them finds its rows through a unique index, and their prepared plans, cached per connection,
/// were measured scanning the whole sessions table in a young database (~4,800 rows read per webhook, 3 ms of
/// PostgreSQL CPU instead of 0.6 ms; ADR-005). A pool of its own, so that every plan on these connections is made
/// under that setting. (A SET LOCAL rather than a startup option: connection poolers such as PgBouncer refuse those.)
/// </summary>
internal sealed class WebhookDataSource : IAsyncDisposable
{
    public WebhookDataSource(NpgsqlDataSource source) => Source = source;

    public NpgsqlDataSource Source { get; }

    public ValueTask DisposeAsync() => Source.DisposeAsync();
}
