using System.Text.Json;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Domain.Chats;
using HybridFlow.Domain.Messages;

namespace HybridFlow.Application.Webhooks;

/// <summary>
/// A messages.update receipt. <see cref="Status"/> null: a status HybridFlow does not know (acknowledged, not stored).
/// <see cref="IsDeletion"/>: Evolution reports a revoke as the status DELETED.
/// </summary>
public sealed record EvolutionReceipt(string ProviderMessageId, MessageStatus? Status, bool IsDeletion, bool IsGroup = false);

/// <summary>What a voice note or photo is, as far as the upsert tells before it is downloaded.</summary>
public enum MediaKind
{
    Audio,
    Image,
}

/// <summary>
/// A media message's metadata from the upsert: <see cref="FileLength"/> (fileLength, a protobuf Long) and
/// <see cref="Seconds"/> (audio) are what the sender's WhatsApp claims, checked against the limits before any download.
/// </summary>
public sealed record EvolutionMedia(MediaKind Kind, string? MimeType, long? FileLength, int? Seconds, string? Caption);

/// <summary>Reads receipts (messages.update), deletions (messages.delete, a REVOKE protocolMessage) and media metadata.</summary>
public static class EvolutionReceiptParser
{
    public const string DeletedStatus = "DELETED";

    /// <summary>messages.update: flat <c>{keyId, remoteJid, fromMe, status}</c>; older shapes carry <c>key.id</c> and <c>update.status</c>.</summary>
    public static EvolutionReceipt ParseReceipt(JsonElement body)
    {
        var data = Data(body);
        var id = NonBlankString(data, "keyId")
                 ?? (data.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.Object ? NonBlankString(key, "id") : null)
                 ?? throw new RequestValidationException("data.keyId", "A messages.update needs data.keyId.");
        CheckId(id, "data.keyId");

        var status = data.TryGetProperty("status", out var s) ? s
            : data.TryGetProperty("update", out var update) && update.ValueKind == JsonValueKind.Object && update.TryGetProperty("status", out var us) ? us
            : default;
        string? raw = status.ValueKind switch
        {
            JsonValueKind.String => Read(status, "data.status"),
            JsonValueKind.Number when status.TryGetInt64(out var n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
            JsonValueKind.Undefined or JsonValueKind.Null => null,
            _ => throw new RequestValidationException("data.status", "data.status must be a string or a number."),
        };
        var isDeletion = string.Equals(raw?.Trim(), DeletedStatus, StringComparison.OrdinalIgnoreCase);
        return new EvolutionReceipt(id, isDeletion ? null : MessageStatus.Parse(raw), isDeletion, IsGroup(data));
    }

    /// <summary>messages.delete: <c>data</c> is the revoked message's key <c>{remoteJid, fromMe, id}</c> (or holds it as <c>key</c>).</summary>
    public static string ParseDeletion(JsonElement body)
    {
        var data = Data(body);
        var id = NonBlankString(data, "id")
                 ?? (data.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.Object ? NonBlankString(key, "id") : null)
                 ?? throw new RequestValidationException("data.id", "A messages.delete needs data.id.");
        CheckId(id, "data.id");
        return id;
    }

    /// <summary>The message a <c>protocolMessage</c> of type REVOKE (0) deletes; null for other protocol messages.</summary>
    public static string? RevokedMessageId(JsonElement? content)
    {
        if (content is not { } c || !c.TryGetProperty("protocolMessage", out var p) || p.ValueKind != JsonValueKind.Object) return null;
        p.TryGetProperty("type", out var t);
        var isRevoke = (t.ValueKind == JsonValueKind.String && string.Equals(t.GetString(), "REVOKE", StringComparison.OrdinalIgnoreCase))
                       || (t.ValueKind == JsonValueKind.Number && t.TryGetInt32(out var n) && n == 0);
        if (!isRevoke || !p.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.Object) return null;
        var id = NonBlankString(key, "id");
        return id is { Length: <= 512 } ? id : null;
    }

    /// <summary>An audioMessage or imageMessage (after unwrapping); null for any other content.</summary>
    public static EvolutionMedia? Media(JsonElement? content)
    {
        if (content is not { } c) return null;
        foreach (var (name, kind) in new[] { ("audioMessage", MediaKind.Audio), ("imageMessage", MediaKind.Image) })
        {
            if (!c.TryGetProperty(name, out var m) || m.ValueKind != JsonValueKind.Object) continue;
            var seconds = m.TryGetProperty("seconds", out var sec) && sec.ValueKind == JsonValueKind.Number && sec.TryGetInt32(out var v) ? v : (int?)null;
            var caption = NonBlankString(m, "caption");
            return new EvolutionMedia(kind, NonBlankString(m, "mimetype"), Long(m, "fileLength"), seconds, caption);
        }
        return null;
    }

    /// <summary>A plain number, a numeric string, or a protobuf Long <c>{low, high, unsigned}</c>.</summary>
    private static long? Long(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetInt64(out var n) => n,
            JsonValueKind.String when long.TryParse(v.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) => s,
            JsonValueKind.Object when v.TryGetProperty("low", out var low) && low.ValueKind == JsonValueKind.Number && low.TryGetInt64(out var lo) =>
                ((v.TryGetProperty("high", out var high) && high.ValueKind == JsonValueKind.Number && high.TryGetInt64(out var hi) ? hi : 0) << 32) | (uint)lo,
            _ => null,
        };
    }

    /// <summary>Group messages are never recorded: their receipts would only fill pending_receipts.</summary>
    private static bool IsGroup(JsonElement data) =>
        NonBlankString(data, "remoteJid") is { } jid && ChatId.TryFromMessageKey(jid, null, out var chat) && chat.Kind == ChatKind.GroupOrBroadcast;

    private static JsonElement Data(JsonElement body) =>
        body.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            ? data
            : throw new RequestValidationException("data", "This event needs a data object.");

    private static void CheckId(string id, string path)
    {
        if (id.Length > 512) throw new RequestValidationException(path, $"{path} is too long.");
    }

    private static string? NonBlankString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && Read(v, name) is { } s && !string.IsNullOrWhiteSpace(s)
            ? s.Replace("\0", "", StringComparison.Ordinal).Trim()
            : null;

    private static string? Read(JsonElement value, string path)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            throw new RequestValidationException(path, $"{path} is not valid text.");
        }
    }
}
