namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// What WhatsApp's 24-hour customer service window is counted from, read where a send needs it (never written on the
/// webhook's hot path): the WhatsApp timestamp (messages.sent_at) of the customer's last message in a chat.
/// </summary>
public interface IServiceWindowQueries
{
    /// <summary>The newest sent_at of the chat's inbound messages; null when the customer never wrote (or no such chat).</summary>
    Task<DateTimeOffset?> LastCustomerMessageAtAsync(long instanceId, string chatId, CancellationToken ct);
}
