using System.Globalization;
using System.Text.Json;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Domain.Chats;

namespace HybridFlow.Application.Webhooks;

public enum WebhookEventKind
{
    /// <summary>messages.upsert: a message received by the instance, from a customer or typed by the owner.</summary>
    MessageUpsert,
    /// <summary>send.message: a message sent through the instance's REST API (ours or another client's).</summary>
    MessageSent,
    /// <summary>Anything else: receipts and deletes (see <see cref="EvolutionWebhook.Receipt"/>, <see cref="EvolutionWebhook.DeletedMessageId"/>), connection updates.</summary>
    Other,
}

/// <summary>The message part of a webhook, normalized from every Evolution shape HybridFlow knows.</summary>
public sealed record EvolutionMessage(
    string ProviderMessageId,
    string ChatId,
    ChatKind ChatKind,
    bool FromMe,
    string MessageType,
    string? Text,
    bool IsControlMessage,
    DateTimeOffset? SentAt,
    EvolutionMedia? Media = null,
    string? RevokedMessageId = null,
    string? PushName = null);

public sealed record EvolutionWebhook(
    string EventName,
    WebhookEventKind Kind,
    string? InstanceName,
    string? BodyApiKey,
    EvolutionMessage? Message,
    string RawJson,
    EvolutionReceipt? Receipt = null,
    string? DeletedMessageId = null,
    EvolutionConnectionReport? Connection = null);

/// <summary>
/// qrcode.updated (<see cref="QrCode"/>: a checked PNG data URL, with the pairing code) or connection.update (<see cref="State"/>).
/// A report whose QR code or state is not one HybridFlow knows is null: the webhook acknowledges it and changes nothing.
/// </summary>
public sealed record EvolutionConnectionReport(HybridFlow.Domain.Chats.WhatsAppLinkState? State, string? QrCode, string? PairingCode);

/// <summary>
/// Tolerant reader of Evolution API v2 webhook bodies (see shared/evolution.md section 2).
/// Unknown events and content are fine; a message event without the fields that identify it is not.
/// </summary>
public static class EvolutionWebhookParser
{
    public const int MaxTextLength = 65_536;
    public const int MaxPushNameLength = 200;

    private static readonly string[] ControlMessageKeys =
        ["protocolMessage", "reactionMessage", "editedMessage", "pollUpdateMessage", "keepInChatMessage", "senderKeyDistributionMessage"];

    // Wrappers whose inner `message` holds the real content.
    private static readonly string[] WrapperKeys =
        ["ephemeralMessage", "viewOnceMessage", "viewOnceMessageV2", "viewOnceMessageV2Extension", "documentWithCaptionMessage"];

    private static readonly string[] CaptionedKeys = ["imageMessage", "videoMessage", "documentMessage"];

    public static EvolutionWebhook Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw new RequestValidationException("body", "The webhook body must be a JSON object.");

        // First, as it also proves the whole body is valid UTF-8 (the JSON reader leaves string contents unchecked).
        var raw = RawText(body);
        var eventName = NormalizeEventName(OptionalString(body, "event", "event"))
            ?? throw new RequestValidationException("event", "The event name is required.");
        var instance = OptionalString(body, "instance", "instance");
        var apiKey = body.TryGetProperty("apikey", out var k) && k.ValueKind == JsonValueKind.String ? ReadString(k, "apikey") : null;

        var kind = eventName switch
        {
            "messages.upsert" => WebhookEventKind.MessageUpsert,
            "send.message" => WebhookEventKind.MessageSent,
            _ => WebhookEventKind.Other,
        };
        var message = kind == WebhookEventKind.Other ? null : ParseMessage(body, kind);
        var receipt = eventName == "messages.update" ? EvolutionReceiptParser.ParseReceipt(body) : null;
        var deleted = eventName == "messages.delete" ? EvolutionReceiptParser.ParseDeletion(body) : null;
        var connection = eventName switch
        {
            "qrcode.updated" => ParseQrCode(body),
            "connection.update" => ParseConnectionState(body),
            _ => null,
        };
        return new EvolutionWebhook(eventName, kind, instance, apiKey, message, raw, receipt, deleted, connection);
    }

    /// <summary><c>data.qrcode: {instance, pairingCode, code, base64}</c> (Evolution's QRCODE_UPDATED).</summary>
    private static EvolutionConnectionReport? ParseQrCode(JsonElement body)
    {
        if (!body.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
            || !data.TryGetProperty("qrcode", out var qr) || qr.ValueKind != JsonValueKind.Object) return null;
        var image = HybridFlow.Application.Instances.QrCodes.DataUrl(StringAt(qr, "base64"));
        return image is null ? null
            : new EvolutionConnectionReport(null, image, HybridFlow.Application.Instances.QrCodes.PairingCode(StringAt(qr, "pairingCode")));
    }

    /// <summary><c>data: {instance, state, statusReason, wuid?, profileName?}</c> (Evolution's CONNECTION_UPDATE).</summary>
    private static EvolutionConnectionReport? ParseConnectionState(JsonElement body) =>
        body.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
        && HybridFlow.Domain.Chats.WhatsAppLinkStates.TryParse(StringAt(data, "state"), out var state)
            ? new EvolutionConnectionReport(state, null, null)
            : null;

    private static string RawText(JsonElement body)
    {
        try
        {
            return body.GetRawText();
        }
        catch (InvalidOperationException)
        {
            throw new RequestValidationException("body", "The body is not valid UTF-8.");
        }
    }

    private static string? NormalizeEventName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        // Subscription names (MESSAGES_UPSERT) and by-event slugs (messages-upsert) both mean messages.upsert.
        return name.Trim().ToLowerInvariant().Replace('_', '.').Replace('-', '.');
    }

    private static EvolutionMessage ParseMessage(JsonElement body, WebhookEventKind kind)
    {
        if (!body.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            throw new RequestValidationException("data", "A message event needs a data object.");
        if (!data.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.Object)
            throw new RequestValidationException("data.key", "A message event needs data.key.");

        var id = RequiredString(key, "id", "data.key.id");
        var remoteJid = RequiredString(key, "remoteJid", "data.key.remoteJid");
        var remoteJidAlt = OptionalString(key, "remoteJidAlt", "data.key.remoteJidAlt");
        var fromMe = OptionalBool(key, "fromMe", "data.key.fromMe") ?? kind == WebhookEventKind.MessageSent;

        if (!ChatId.TryFromMessageKey(remoteJid, remoteJidAlt, out var chat))
            throw new RequestValidationException("data.key.remoteJid", "data.key.remoteJid must be a WhatsApp chat id (user@server).");

        var content = data.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? Unwrap(m) : (JsonElement?)null;
        var messageType = OptionalString(data, "messageType", "data.messageType") ?? ContentType(content) ?? "unknown";
        var isControl = ControlMessageKeys.Contains(messageType, StringComparer.Ordinal)
                        || (content is { } c && ControlMessageKeys.Any(key2 => c.TryGetProperty(key2, out _)));
        var text = isControl ? null : ExtractText(content);
        var sentAt = ReadTimestamp(data);

        var media = isControl ? null : EvolutionReceiptParser.Media(content);
        return new EvolutionMessage(id, chat.Value, chat.Kind, fromMe, messageType, text, isControl, sentAt, media,
            EvolutionReceiptParser.RevokedMessageId(content), fromMe ? null : PushName(data));
    }

    /// <summary>The sender's WhatsApp name; on a fromMe message it is the owner's (or "Você"), so only the customer's is read. Never fails the webhook.</summary>
    private static string? PushName(JsonElement data)
    {
        if (!data.TryGetProperty("pushName", out var v) || v.ValueKind != JsonValueKind.String) return null;
        string? name;
        try
        {
            name = v.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        name = name?.Replace("\0", "", StringComparison.Ordinal).Trim();
        if (string.IsNullOrEmpty(name)) return null;
        return name.Length > MaxPushNameLength ? name[..MaxPushNameLength] : name;
    }

    private static JsonElement Unwrap(JsonElement message)
    {
        for (var depth = 0; depth < 4; depth++)
        {
            var inner = WrapperKeys
                .Select(w => message.TryGetProperty(w, out var wrapper) && wrapper.ValueKind == JsonValueKind.Object
                             && wrapper.TryGetProperty("message", out var innerMessage) && innerMessage.ValueKind == JsonValueKind.Object
                    ? innerMessage : (JsonElement?)null)
                .FirstOrDefault(e => e is not null);
            if (inner is null) return message;
            message = inner.Value;
        }
        return message;
    }

    private static string? ContentType(JsonElement? content)
    {
        if (content is not { } c) return null;
        foreach (var p in c.EnumerateObject())
            if (p.Name != "messageContextInfo" && p.Name != "base64" && p.Name != "mediaUrl") return p.Name;
        return null;
    }

    private static string? ExtractText(JsonElement? content)
    {
        if (content is not { } c) return null;
        var text = StringAt(c, "conversation")
                   ?? (c.TryGetProperty("extendedTextMessage", out var ext) && ext.ValueKind == JsonValueKind.Object ? StringAt(ext, "text") : null);
        if (text is null)
        {
            foreach (var captioned in CaptionedKeys)
            {
                if (c.TryGetProperty(captioned, out var media) && media.ValueKind == JsonValueKind.Object && StringAt(media, "caption") is { } caption)
                {
                    text = caption;
                    break;
                }
            }
        }
        if (string.IsNullOrWhiteSpace(text)) return null;
        text = text.Replace("\0", "", StringComparison.Ordinal);
        return text.Length > MaxTextLength ? text[..MaxTextLength] : text;
    }

    private static string? StringAt(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? ReadString(v, name) : null;

    /// <summary>JSON may escape a lone surrogate, which is no text at all: that is the sender's error.</summary>
    private static string? ReadString(JsonElement value, string path)
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

    private static DateTimeOffset? ReadTimestamp(JsonElement data)
    {
        if (!data.TryGetProperty("messageTimestamp", out var ts)) return null;
        long? seconds = ts.ValueKind switch
        {
            JsonValueKind.Number when ts.TryGetInt64(out var n) => n,
            JsonValueKind.Number when ts.TryGetDouble(out var d) && double.IsFinite(d) && Math.Abs(d) < 1e15 => (long)d,
            JsonValueKind.String when long.TryParse(ReadString(ts, "data.messageTimestamp"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) => s,
            // protobuf Long serialized as {low, high, unsigned}
            JsonValueKind.Object when ts.TryGetProperty("low", out var low) && low.ValueKind == JsonValueKind.Number && low.TryGetInt32(out var lo) =>
                ((long)(ts.TryGetProperty("high", out var high) && high.ValueKind == JsonValueKind.Number && high.TryGetInt32(out var hi) ? hi : 0) << 32) | (uint)lo,
            _ => null,
        };
        if (seconds is not { } value || value <= 0) return null;
        if (value > 100_000_000_000) value /= 1000; // milliseconds from some producers
        if (value > 253_402_300_799) return null;   // beyond year 9999
        return DateTimeOffset.FromUnixTimeSeconds(value);
    }

    private static string RequiredString(JsonElement obj, string name, string path)
    {
        var value = OptionalString(obj, name, path);
        if (string.IsNullOrWhiteSpace(value))
            throw new RequestValidationException(path, $"{path} is required.");
        if (value.Length > 512)
            throw new RequestValidationException(path, $"{path} is too long.");
        return value;
    }

    private static string? OptionalString(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String)
            throw new RequestValidationException(path, $"{path} must be a string.");
        var s = ReadString(v, path);
        return s is null ? null : s.Replace("\0", "", StringComparison.Ordinal);
    }

    private static bool? OptionalBool(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new RequestValidationException(path, $"{path} must be true or false."),
        };
    }
}
