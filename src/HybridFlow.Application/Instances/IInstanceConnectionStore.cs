using HybridFlow.Domain.Chats;

namespace HybridFlow.Application.Instances;

/// <summary>The latest WhatsApp connection of each Evolution instance (instance_connections), shared by every replica.</summary>
public interface IInstanceConnectionStore
{
    /// <summary>The stored connection; <see cref="WhatsAppConnection.Unknown"/> when Evolution has told nothing yet.</summary>
    Task<WhatsAppConnection> FindAsync(long instanceId, CancellationToken ct);

    /// <summary>Applies <paramref name="change"/> to the instance's connection under a row lock, stores it, and answers both.</summary>
    Task<(WhatsAppConnection Connection, WhatsAppConnectionOutcome Outcome)> ChangeAsync(long instanceId,
        Func<WhatsAppConnection, WhatsAppConnectionOutcome> change, CancellationToken ct);
}
