using System.Globalization;
using System.Text.Json;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Domain.Chats;

namespace HybridFlow.Application.Webhooks.Meta;

/// <summary>One Cloud API delivery: every change of every entry, in order (docs/decisions/ADR-016).</summary>
public sealed record MetaWebhook(IReadOnlyList<MetaChange> Changes);

/// <summary>
/// One change of an entry: its <c>field</c>, the business number it is for (<c>metadata.phone_number_id</c>), and its items.
/// <see cref="Unreadable"/> counts items without what identifies them (an id, a customer): skipped, never an error.
/// </summary>
public sealed record MetaChange(
    string Field, string? PhoneNumberId, IReadOnlyList<MetaMessage> Messages, IReadOnlyList<MetaEcho> Echoes, IReadOnlyList<MetaStatusUpdate> Statuses,
    int Unreadable)
{
    public int ItemCount => Messages.Count + Echoes.Count + Statuses.Count + Unreadable;
}

/// <summary>
/// A customer's message (<c>messages[]</c>). <see cref="MessageType"/> is Meta's type, except a photo and a voice note,
/// stored as <c>imageMessage</c> and <c>audioMessage</c>: the names the reply job knows as media. <see cref="Text"/>: the
/// text, a button's or list reply's title, or a caption. <see cref="IsReaction"/>: not a message of its own (not stored,
/// as with Evolution).
/// </summary>
public sealed record MetaMessage(
    string Id, string ChatId, string MessageType, string? Text, string? MediaId, bool IsAnswerableMedia, bool IsReaction, DateTimeOffset? SentAt,
    string? ContactName, string RawJson);

/// <summary>
/// The owner writing from the WhatsApp Business app or a linked device (<c>smb_message_echoes</c>). <see cref="OriginalMessageId"/>:
/// the message a <c>revoke</c> or an <c>edit</c> is about.
/// </summary>
public sealed record MetaEcho(
    string Id, string ChatId, string MessageType, string? Text, string? MediaId, string? OriginalMessageId, DateTimeOffset? SentAt, string RawJson)
{
    public bool IsRevoke => MessageType == "revoke";
    public bool IsEdit => MessageType == "edit";
}

/// <summary>A status of one of the business's messages (<c>statuses[]</c>); <see cref="Status"/> in lower case as Meta names it.</summary>
public sealed record MetaStatusUpdate(string MessageId, string Status, DateTimeOffset? At, string? CallbackData, MetaError? Error);

/// <summary>The first of a status's <c>errors[]</c>.</summary>
public sealed record MetaError(int? Code, string? Title, string? Details);

/// <summary>
/// Tolerant reader of Cloud API webhooks (shared/meta-cloud-api.md section 3). Anything it does not know (a field, a
/// message type, a missing <c>profile</c> or <c>wa_id</c>) is skipped or read as far as it goes; only a body that is
/// not a JSON object is refused.
/// </summary>
public static class MetaWebhookParser
{
    public const int MaxTextLength = EvolutionWebhookParser.MaxTextLength;
    private const int MaxIdLength = 512;
    private const int MaxTypeLength = 32;

    public static MetaWebhook Parse(ReadOnlyMemory<byte> body)
    {
        // The JSON reader leaves string contents unchecked: bytes that are not UTF-8 are refused here, as Evolution's are.
        if (!System.Text.Unicode.Utf8.IsValid(body.Span)) throw new RequestValidationException("body", "The body is not valid UTF-8.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw new RequestValidationException("body", "The body is not valid JSON.");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new RequestValidationException("body", "The webhook body must be a JSON object.");
            var changes = new List<MetaChange>();
            if (String(root, "object") is "whatsapp_business_account" && root.TryGetProperty("entry", out var entries) && entries.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in entries.EnumerateArray())
                {
                    if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("changes", out var list) || list.ValueKind != JsonValueKind.Array) continue;
                    foreach (var change in list.EnumerateArray())
                        if (change.ValueKind == JsonValueKind.Object) changes.Add(ParseChange(change));
                }
            }
            return new MetaWebhook(changes);
        }
    }

    private static MetaChange ParseChange(JsonElement change)
    {
        var field = String(change, "field") ?? "";
        var value = change.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Object ? v : default;
        var phoneNumberId = value.ValueKind == JsonValueKind.Object && value.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            ? Id(metadata, "phone_number_id") : null;
        var messages = new List<MetaMessage>();
        var echoes = new List<MetaEcho>();
        var statuses = new List<MetaStatusUpdate>();
        var unreadable = 0;
        if (value.ValueKind != JsonValueKind.Object) return new MetaChange(field, phoneNumberId, messages, echoes, statuses, 0);

        var contacts = Items(value, "contacts").ToList();
        foreach (var item in Items(value, "messages"))
        {
            if (Safely(() => ParseMessage(item, contacts)) is { } message) messages.Add(message);
            else unreadable++;
        }
        foreach (var item in Items(value, "message_echoes"))
        {
            if (Safely(() => ParseEcho(item)) is { } echo) echoes.Add(echo);
            else unreadable++;
        }
        foreach (var item in Items(value, "statuses"))
        {
            if (Safely(() => ParseStatus(item)) is { } status) statuses.Add(status);
            else unreadable++;
        }
        return new MetaChange(field, phoneNumberId, messages, echoes, statuses, unreadable);
    }

    /// <summary>An item the reader cannot use (text that is not valid UTF-8 makes the JSON reader throw) is skipped.</summary>
    private static T? Safely<T>(Func<T?> read) where T : class
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static MetaMessage? ParseMessage(JsonElement item, IReadOnlyList<JsonElement> contacts)
    {
        var id = Id(item, "id");
        if (id is null) return null;
        var from = String(item, "from");
        var contact = ContactOf(contacts, from);
        var userId = String(item, "from_user_id") ?? String(item, "user_id") ?? (contact is { } c ? String(c, "user_id") : null);
        var waId = from ?? (contact is { } c2 ? String(c2, "wa_id") : null);
        if (!ChatId.TryFromMetaUser(waId, userId, out var chat)) return null;

        var type = MessageType(item);
        var content = item.TryGetProperty(type, out var t) && t.ValueKind == JsonValueKind.Object ? t : default;
        var text = type switch
        {
            "text" => StringAt(content, "body"),
            "button" => StringAt(content, "text") ?? StringAt(content, "payload"),
            "interactive" => InteractiveReply(content),
            "image" or "video" or "document" => StringAt(content, "caption"),
            _ => null,
        };
        var mediaId = type is "image" or "audio" or "video" or "document" or "sticker" ? Id(content, "id") : null;
        var answerable = mediaId is not null && type is "image" or "audio";
        var storedType = type switch { "image" => "imageMessage", "audio" => "audioMessage", _ => type };
        return new MetaMessage(id, chat.Value, storedType, Clean(text), mediaId, answerable, type == "reaction", Timestamp(item),
            contact is { } named ? ContactName(named) : null, item.GetRawText());
    }

    private static MetaEcho? ParseEcho(JsonElement item)
    {
        var id = Id(item, "id");
        if (id is null) return null;
        if (!ChatId.TryFromMetaUser(String(item, "to"), String(item, "to_user_id") ?? String(item, "recipient_user_id"), out var chat)) return null;
        var type = MessageType(item);
        var content = item.TryGetProperty(type, out var t) && t.ValueKind == JsonValueKind.Object ? t : default;
        var original = Id(item, "original_message_id") ?? Id(content, "original_message_id") ?? Id(content, "message_id");
        var text = type switch
        {
            "text" => StringAt(content, "body"),
            "image" or "video" or "document" => StringAt(content, "caption"),
            // An edit carries the new text: under edit.text, edit.message.text or the item's own text, as the shape settles.
            "edit" => StringAt(Object(content, "text"), "body") ?? StringAt(Object(Object(content, "message"), "text"), "body")
                      ?? StringAt(Object(item, "text"), "body"),
            _ => null,
        };
        var mediaId = type is "image" or "video" or "document" or "audio" ? Id(content, "id") : null;
        return new MetaEcho(id, chat.Value, type, Clean(text), mediaId, original, Timestamp(item), item.GetRawText());
    }

    private static MetaStatusUpdate? ParseStatus(JsonElement item)
    {
        var id = Id(item, "id");
        var status = String(item, "status")?.Trim().ToLowerInvariant();
        if (id is null || string.IsNullOrEmpty(status)) return null;
        MetaError? error = null;
        if (item.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
            && errors[0] is { ValueKind: JsonValueKind.Object } first)
        {
            int? code = first.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) ? n
                : int.TryParse(String(first, "code"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : null;
            error = new MetaError(code, Clean(String(first, "title") ?? String(first, "message")), Clean(StringAt(Object(first, "error_data"), "details")));
        }
        var callback = String(item, "biz_opaque_callback_data");
        return new MetaStatusUpdate(id, status, Timestamp(item), string.IsNullOrEmpty(callback) || callback.Length > MaxIdLength || callback.Any(char.IsControl) ? null : callback, error);
    }

    private static string? InteractiveReply(JsonElement content)
    {
        foreach (var kind in (string[])["button_reply", "list_reply", "nfm_reply"])
            if (StringAt(Object(content, kind), "title") is { } title) return title;
        return null;
    }

    /// <summary>The contact of the sender: the one whose wa_id is <paramref name="from"/>, or the only one (Meta sends one per message).</summary>
    private static JsonElement? ContactOf(IReadOnlyList<JsonElement> contacts, string? from)
    {
        foreach (var contact in contacts)
            if (from is not null && String(contact, "wa_id") == from) return contact;
        return contacts.Count == 1 ? contacts[0] : null;
    }

    private static string? ContactName(JsonElement contact)
    {
        var name = StringAt(Object(contact, "profile"), "name")?.Replace("\0", "", StringComparison.Ordinal).Trim();
        if (string.IsNullOrEmpty(name)) return null;
        return name.Length > EvolutionWebhookParser.MaxPushNameLength ? name[..EvolutionWebhookParser.MaxPushNameLength] : name;
    }

    private static IEnumerable<JsonElement> Items(JsonElement value, string name) =>
        value.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object)
            : [];

    private static JsonElement Object(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : default;

    private static string? StringAt(JsonElement parent, string name) => parent.ValueKind == JsonValueKind.Object ? String(parent, name) : null;

    /// <summary>
    /// A string property; numbers are read as their text (a phone number id may come either way); null for anything else,
    /// and for an escaped lone surrogate, which is no text at all.
    /// </summary>
    private static string? String(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var v)) return null;
        try
        {
            return v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                _ => null,
            };
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>An identifier: present, not blank, no longer than 512 characters, without control characters.</summary>
    private static string? Id(JsonElement obj, string name)
    {
        var value = String(obj, name)?.Trim();
        if (string.IsNullOrEmpty(value) || value.Length > MaxIdLength || value.Any(char.IsControl)) return null;
        return value;
    }

    /// <summary>
    /// The item's <c>type</c> (text, image, reaction, …), stored as the message's type: anything but a short lower-case
    /// word is "unknown", so that no hostile type reaches PostgreSQL (a NUL in it was refused there, see ADR-021).
    /// </summary>
    private static string MessageType(JsonElement item)
    {
        var type = String(item, "type");
        return type is { Length: > 0 and <= MaxTypeLength } && type.All(c => c is >= 'a' and <= 'z' or '_') ? type : "unknown";
    }

    private static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        text = text.Replace("\0", "", StringComparison.Ordinal);
        return text.Length > MaxTextLength ? text[..MaxTextLength] : text;
    }

    /// <summary>WhatsApp's <c>timestamp</c>: Unix seconds as a string (or a number); null when absent or absurd.</summary>
    private static DateTimeOffset? Timestamp(JsonElement item)
    {
        if (!long.TryParse(String(item, "timestamp"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0) return null;
        if (seconds > 100_000_000_000) seconds /= 1000;
        return seconds > 253_402_300_799 ? null : DateTimeOffset.FromUnixTimeSeconds(seconds);
    }
}
