namespace HybridFlow.Application.Common.Interfaces;

public interface IWhatsAppGateway
{
    Task<SentText> SendTextAsync(OutgoingText message, CancellationToken ct);

    /// <summary>
    /// Shows "typing…" in the chat. Evolution answers only after <see cref="OutgoingPresence.Duration"/>; a refusal or no
    /// answer is a <see cref="WhatsAppSendException"/> (nothing is retried: a presence is not worth it).
    /// </summary>
    Task SendPresenceAsync(OutgoingPresence presence, CancellationToken ct);

    /// <summary>Reads back the gateway's record of the chat to prove whether a send whose answer was lost went out. Never throws for the gateway's trouble: that is <see cref="ReadBackVerdict.Unavailable"/>.</summary>
    Task<SendReadBack> FindSentAsync(SentTextQuery query, CancellationToken ct);
}
