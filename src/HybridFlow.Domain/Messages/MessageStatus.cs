namespace HybridFlow.Domain.Messages;

/// <summary>
/// A message's delivery status as WhatsApp reports it (Evolution's messages.update). Statuses only move forward:
/// <c>SERVER_ACK</c>, then <c>DELIVERY_ACK</c>, then <c>READ</c>, then <c>PLAYED</c>; <see cref="Rank"/> orders them
/// (the database keeps it next to the name, so one UPDATE can compare).
/// </summary>
public sealed record MessageStatus
{
    public static readonly MessageStatus Error = new("ERROR", 1);
    public static readonly MessageStatus Pending = new("PENDING", 1);
    public static readonly MessageStatus ServerAck = new("SERVER_ACK", 2);
    public static readonly MessageStatus DeliveryAck = new("DELIVERY_ACK", 3);
    public static readonly MessageStatus Read = new("READ", 4);
    public static readonly MessageStatus Played = new("PLAYED", 5);

    // Baileys' WebMessageInfo.Status numbers, which some Evolution versions send instead of the names.
    private static readonly MessageStatus[] ByNumber = [Error, Pending, ServerAck, DeliveryAck, Read, Played];

    private MessageStatus(string name, short rank)
    {
        Name = name;
        Rank = rank;
    }

    public string Name { get; }

    /// <summary>Higher is further along; 0 is "no status yet".</summary>
    public short Rank { get; }

    public bool IsDelivered => Rank >= DeliveryAck.Rank;

    public bool IsRead => Rank >= Read.Rank;

    /// <summary>A status name (any case) or Baileys' number; null for anything else (DELETED is a deletion, not a status).</summary>
    public static MessageStatus? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var trimmed = value.Trim();
        if (int.TryParse(trimmed, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            return FromNumber(number);
        return trimmed.ToUpperInvariant() switch
        {
            "ERROR" => Error,
            "PENDING" => Pending,
            "SERVER_ACK" => ServerAck,
            "DELIVERY_ACK" => DeliveryAck,
            "READ" => Read,
            "PLAYED" => Played,
            _ => null,
        };
    }

    /// <summary>
    /// Meta's Cloud API status names on the same ranks: sent, delivered, read, played. <c>failed</c> is not a rank (null
    /// here): it is an outcome of its own that the webhook records.
    /// </summary>
    public static MessageStatus? FromMeta(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "sent" => ServerAck,
        "delivered" => DeliveryAck,
        "read" => Read,
        "played" => Played,
        _ => null,
    };

    public static MessageStatus? FromNumber(long number) => number >= 0 && number < ByNumber.Length ? ByNumber[number] : null;

    public override string ToString() => Name;
}

/// <summary>Where a message stands: its furthest status and when it was first delivered and first read.</summary>
public sealed record MessageDelivery(MessageStatus? Status, DateTimeOffset? DeliveredAt, DateTimeOffset? ReadAt)
{
    public static readonly MessageDelivery None = new(null, null, null);

    /// <summary>
    /// A receipt arrived at <paramref name="at"/>. The status moves forward only; a late, older receipt changes nothing.
    /// The first delivered and read times are kept; READ implies delivered.
    /// </summary>
    public MessageDelivery Advance(MessageStatus receipt, DateTimeOffset at)
    {
        var status = Status is null || receipt.Rank > Status.Rank ? receipt : Status;
        return new MessageDelivery(
            status,
            DeliveredAt ?? (receipt.IsDelivered ? at : null),
            ReadAt ?? (receipt.IsRead ? at : null));
    }
}
