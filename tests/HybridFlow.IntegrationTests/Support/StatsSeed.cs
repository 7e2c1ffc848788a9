using Npgsql;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// Conversations written straight into a tenant's tables at chosen times, for the stats, the CSV and the dashboard:
/// sessions, messages, a reply job's model call (its llm_usage row) and timeline events.
/// </summary>
public sealed class StatsSeed : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly long _tenantId;
    private readonly long _instanceId;

    private StatsSeed(NpgsqlConnection connection, long tenantId, long instanceId)
    {
        _connection = connection;
        _tenantId = tenantId;
        _instanceId = instanceId;
    }

    public static async Task<StatsSeed> OpenAsync(string connectionString, long tenantId, string instance)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var seed = new StatsSeed(connection, tenantId, 0);
        var instanceId = await seed.ExecAsync("SELECT id FROM instances WHERE instance_name = $1", instance);
        return new StatsSeed(connection, tenantId, instanceId);
    }

    private async Task<long> ExecAsync(string sql, params object?[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, _connection);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a ?? DBNull.Value });
        return await cmd.ExecuteScalarAsync() is long id ? id : 0;
    }

    /// <summary>A new chat of the tenant's instance; answers its session id.</summary>
    public Task<long> SessionAsync(string contactName, DateTimeOffset createdAt) => ExecAsync(
        "INSERT INTO sessions (tenant_id, instance_id, chat_id, contact_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        _tenantId, _instanceId, Payloads.NewChatId(), contactName, createdAt.UtcDateTime);

    /// <summary>A message of <paramref name="direction"/> (inbound, bot, human) sent at <paramref name="at"/>.</summary>
    public Task MessageAsync(long session, string direction, DateTimeOffset at, string text) => ExecAsync("""
        INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, sent_at, created_at)
        VALUES ($1, $2, $3, $4, $5, 'conversation', $6, $7, $7)
        """, _tenantId, _instanceId, session, Payloads.NewMessageId(), direction, text, at.UtcDateTime);

    /// <summary>A sent reply job of the chat and its one OpenAI call's tokens, at <paramref name="at"/>.</summary>
    public async Task ModelCallAsync(long session, DateTimeOffset at, string model, long input, long output)
    {
        var job = await ExecAsync("""
            INSERT INTO reply_jobs (tenant_id, session_id, trigger_message_ids, status, due_at, created_at, updated_at)
            VALUES ($1, $2, '{}', 'sent', $3, $3, $3) RETURNING id
            """, _tenantId, session, at.UtcDateTime);
        await ExecAsync("""
            INSERT INTO llm_usage (tenant_id, reply_job_id, purpose, provider, model, input_tokens, output_tokens, cached_input_tokens, created_at)
            VALUES ($1, $2, 'reply', 'openai', $3, $4, $5, 0, $6)
            """, _tenantId, job, model, input, output, at.UtcDateTime);
    }

    /// <summary>A timeline event (handoff_requested, paused, …) recorded at <paramref name="at"/>.</summary>
    public Task EventAsync(long session, string action, string detail, DateTimeOffset at) => ExecAsync(
        "INSERT INTO session_events (tenant_id, session_id, action, detail, created_at) VALUES ($1, $2, $3, $4, $5)",
        _tenantId, session, action, detail, at.UtcDateTime);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
