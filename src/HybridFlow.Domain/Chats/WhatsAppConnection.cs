namespace HybridFlow.Domain.Chats;

/// <summary>An Evolution instance's WhatsApp link, as Evolution reports it (CONNECTION_UPDATE's <c>state</c>).</summary>
public enum WhatsAppLinkState
{
    Connecting,
    Open,
    Close,
    /// <summary>Evolution gave up: the QR codes ran out unscanned.</summary>
    Refused,
}

/// <summary>What a report did to the connection.</summary>
public enum WhatsAppConnectionOutcome
{
    /// <summary>A new QR code (and pairing code) to scan; the state is connecting.</summary>
    QrCodeShown,
    /// <summary>A QR code that came after the link opened (Evolution's events are not ordered): dropped.</summary>
    QrCodeIgnored,
    /// <summary>The state changed (or was confirmed); the QR code is gone once the link is open, closed or refused.</summary>
    StateChanged,
}

/// <summary>
/// The latest connection state of an Evolution instance and the QR code to scan while it connects. A QR code links a
/// WhatsApp account, so it is kept only while it can still be scanned: it goes when the link opens, closes or is refused,
/// and is not shown once older than <see cref="QrCodeLifetime"/> (Evolution renews it about every 40 s).
/// </summary>
public sealed class WhatsAppConnection
{
    public static readonly TimeSpan QrCodeLifetime = TimeSpan.FromMinutes(2);

    private WhatsAppConnection() { }

    public WhatsAppLinkState? State { get; private set; }
    public string? QrCode { get; private set; }
    public string? PairingCode { get; private set; }
    public DateTimeOffset? QrUpdatedAt { get; private set; }
    public DateTimeOffset? UpdatedAt { get; private set; }

    /// <summary>An instance Evolution has told nothing yet.</summary>
    public static WhatsAppConnection Unknown() => new();

    public static WhatsAppConnection Restore(WhatsAppLinkState? state, string? qrCode, string? pairingCode, DateTimeOffset? qrUpdatedAt, DateTimeOffset? updatedAt) =>
        new() { State = state, QrCode = qrCode, PairingCode = pairingCode, QrUpdatedAt = qrUpdatedAt, UpdatedAt = updatedAt };

    /// <summary>
    /// A QR code from Evolution. <paramref name="asked"/>: the answer to our own connect call, which Evolution gives only
    /// while the link is not open; a pushed one (QRCODE_UPDATED) that arrives after the link opened is late and dropped.
    /// </summary>
    public WhatsAppConnectionOutcome ShowQrCode(string qrCode, string? pairingCode, bool asked, DateTimeOffset now)
    {
        if (!asked && State == WhatsAppLinkState.Open) return WhatsAppConnectionOutcome.QrCodeIgnored;
        State = WhatsAppLinkState.Connecting;
        QrCode = qrCode;
        PairingCode = pairingCode;
        QrUpdatedAt = now;
        UpdatedAt = now;
        return WhatsAppConnectionOutcome.QrCodeShown;
    }

    /// <summary>Evolution's state; anything but connecting makes the QR code useless, so it is forgotten.</summary>
    public WhatsAppConnectionOutcome Report(WhatsAppLinkState state, DateTimeOffset now)
    {
        State = state;
        UpdatedAt = now;
        if (state != WhatsAppLinkState.Connecting)
        {
            QrCode = null;
            PairingCode = null;
            QrUpdatedAt = null;
        }
        return WhatsAppConnectionOutcome.StateChanged;
    }

    /// <summary>The QR code while it can still be scanned, else null.</summary>
    public string? ScannableQrCode(DateTimeOffset now) => IsScannable(now) ? QrCode : null;

    public string? ScannablePairingCode(DateTimeOffset now) => IsScannable(now) ? PairingCode : null;

    private bool IsScannable(DateTimeOffset now) =>
        State == WhatsAppLinkState.Connecting && QrCode is not null && QrUpdatedAt is { } at && now - at <= QrCodeLifetime;
}

/// <summary>The stored and wire names of <see cref="WhatsAppLinkState"/> (Evolution's own: open, connecting, close, refused).</summary>
public static class WhatsAppLinkStates
{
    public static string Name(this WhatsAppLinkState state) => state switch
    {
        WhatsAppLinkState.Connecting => "connecting",
        WhatsAppLinkState.Open => "open",
        WhatsAppLinkState.Close => "close",
        WhatsAppLinkState.Refused => "refused",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown link state."),
    };

    public static bool TryParse(string? name, out WhatsAppLinkState state)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "connecting":
                state = WhatsAppLinkState.Connecting;
                return true;
            case "open":
                state = WhatsAppLinkState.Open;
                return true;
            case "close":
                state = WhatsAppLinkState.Close;
                return true;
            case "refused":
                state = WhatsAppLinkState.Refused;
                return true;
            default:
                state = default;
                return false;
        }
    }
}
