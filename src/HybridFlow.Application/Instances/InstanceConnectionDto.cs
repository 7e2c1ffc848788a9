using HybridFlow.Domain.Chats;

namespace HybridFlow.Application.Instances;

/// <summary>
/// An Evolution instance's WhatsApp connection for its tenant's admins: <c>state</c> (open, connecting, close, refused, or
/// null when unknown), and while it connects the QR code to scan (<c>qr_code</c>, a PNG data URL) and the pairing code
/// to type instead. <c>created_on_evolution</c>: this call created the instance on Evolution first (its webhook is
/// configured next).
/// </summary>
public sealed record InstanceConnectionDto(string InstanceName, string? State, string? QrCode, string? PairingCode, DateTimeOffset? UpdatedAt,
    bool CreatedOnEvolution = false)
{
    public static InstanceConnectionDto Of(string instanceName, WhatsAppConnection connection, DateTimeOffset now, bool created = false) =>
        new(instanceName, connection.State?.Name(), connection.ScannableQrCode(now), connection.ScannablePairingCode(now), connection.UpdatedAt, created);
}

/// <summary>Evolution's QR code and pairing code as HybridFlow keeps them: checked, so nothing else rides in their place.</summary>
public static class QrCodes
{
    public const string DataUrlPrefix = "data:image/png;base64,";
    /// <summary>A WhatsApp QR code PNG is a few kilobytes; far more is not one.</summary>
    public const int MaxDataUrlLength = 200_000;
    public const int MaxPairingCodeLength = 32;

    /// <summary>A PNG data URL (Evolution's <c>base64</c>, with or without its prefix), or null when it is not one.</summary>
    public static string? DataUrl(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64)) return null;
        var payload = base64.Trim();
        if (payload.StartsWith(DataUrlPrefix, StringComparison.Ordinal)) payload = payload[DataUrlPrefix.Length..];
        if (payload.Length == 0 || payload.Length + DataUrlPrefix.Length > MaxDataUrlLength || payload.Length % 4 != 0) return null;
        foreach (var c in payload)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=')) return null;
        return DataUrlPrefix + payload;
    }

    /// <summary>The pairing code (letters, digits, dashes), or null.</summary>
    public static string? PairingCode(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return null;
        code = code.Trim();
        return code.Length <= MaxPairingCodeLength && code.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ? code : null;
    }
}
