using HybridFlow.Domain.Messages;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// A message to store. <see cref="ContactName"/>: the customer's WhatsApp name (pushName) on a customer message, kept as the
/// chat's contact_name. <see cref="SentByUserId"/>: the person who sent it from the inbox.
/// </summary>
public sealed record NewChatMessage(
    string ProviderMessageId,
    MessageDirection Direction,
    string MessageType,
    string? Text,
    string RawJson,
    DateTimeOffset SentAt,
    string? ContactName = null,
    long? SentByUserId = null,
    string? ProviderMediaId = null);

/// <summary>Result of appending a message; <see cref="ExistingDirection"/> is set when the provider id was already stored.</summary>
public sealed record MessageAppendResult(long? MessageId, MessageDirection? ExistingDirection)
{
    public bool IsDuplicate => MessageId is null;
}

/// <summary>
/// A send of this chat whose gateway call is under way: a worker's reply (<see cref="MessageDirection.Bot"/>) or a
/// send-message call as bot or as agent (<see cref="MessageDirection.Human"/>). Its echo is recorded with that direction.
/// </summary>
public sealed record SendInFlight(long SendId, MessageDirection Direction);

/// <summary>Where to find an existing session: by id (optionally within a tenant) or by instance and chat.</summary>
public sealed record SessionLocator(long? SessionId, long? TenantId, string? InstanceName, string? ChatId)
{
    public static SessionLocator ById(long id, long? tenantId) => new(id, tenantId, null, null);
    public static SessionLocator ByChat(string instanceName, string chatId, long? tenantId = null) => new(null, tenantId, instanceName, chatId);

    /// <summary>The same place, limited to what the caller may see.</summary>
    public SessionLocator Within(long? tenantId) => this with { TenantId = tenantId };
}
