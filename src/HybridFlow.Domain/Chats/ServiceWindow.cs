namespace HybridFlow.Domain.Chats;

/// <summary>
/// WhatsApp's 24-hour customer service window: free-form messages are allowed until 24 hours after the customer's last
/// message, counted from its WhatsApp timestamp (when it was sent, not when it arrived here); after that only an approved
/// template. No customer message yet means the window is closed. Only Meta Cloud API instances are bound by it.
/// </summary>
public readonly record struct ServiceWindow
{
    public static readonly TimeSpan Length = TimeSpan.FromHours(24);

    private ServiceWindow(DateTimeOffset? closesAt) => ClosesAt = closesAt;

    /// <summary>When free-form messages stop being allowed; null when the customer has not written yet.</summary>
    public DateTimeOffset? ClosesAt { get; }

    public static ServiceWindow After(DateTimeOffset? lastCustomerMessageSentAt) =>
        new(lastCustomerMessageSentAt is { } sentAt ? sentAt + Length : null);

    public bool IsOpenAt(DateTimeOffset now) => ClosesAt is { } closesAt && now < closesAt;
}
