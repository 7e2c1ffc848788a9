using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Notify;

/// <summary>The notify outbox's write inside a chat's transaction.</summary>
internal static class NotifyCommands
{
    private static readonly System.Text.Json.JsonSerializerOptions NotifyJson = new() { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Queues a notify POST; its target is copied now, the secret encrypted like the other secrets.</summary>
    public static NpgsqlBatchCommand NotifyDeliveryCommand(HandoffNotification n, long sessionId, DateTimeOffset now, Security.SecretProtector secrets) => PgCommands.BatchCommand("""
        INSERT INTO notify_deliveries (tenant_id, session_id, delivery_id, event, url, url_trusted, signing_secret, payload, due_at, created_at, updated_at)
        VALUES ($1, $2, $3::uuid, $4, $5, $6, $7, $8, $9, $9, $9)
        """, n.Event.TenantId, sessionId, n.Event.EventId, n.Event.Event, n.Target.Url, n.Target.UrlTrusted,
        PgCommands.TextOrNull(secrets.Protect(n.Target.Secret, NotifyOutbox.SigningSecretContext(n.Event.EventId))),
        new JsonbText(System.Text.Json.JsonSerializer.Serialize(n.Event, NotifyJson)), now);
}
