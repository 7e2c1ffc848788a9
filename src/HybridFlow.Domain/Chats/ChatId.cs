using System.Diagnostics.CodeAnalysis;

namespace HybridFlow.Domain.Chats;

/// <summary>
/// A WhatsApp chat as HybridFlow keys its session: a JID, <c>user@server</c>, such as 5511999990001@s.whatsapp.net
/// (a phone), 123456789012345@lid (a hidden number) or 120363025246125888@g.us (a group). Well formed means one '@'
/// with text on both sides, no spaces or control characters, and at most <see cref="MaxLength"/> characters.
/// A Cloud API customer is keyed the same way (<see cref="TryFromMetaUser"/>): by wa_id as its phone chat, or by its
/// business-scoped user id as <c>&lt;user_id&gt;@bsuid</c>.
/// </summary>
public sealed record ChatId
{
    public const int MaxLength = 256;
    public const int PhoneDigitsMin = 6;
    public const int PhoneDigitsMax = 20;
    private const string PhoneServer = "s.whatsapp.net";
    private const string LidServer = "lid";
    private const string MetaUserServer = "bsuid";
    /// <summary>The longest business-scoped user id taken (Meta's are about 20 characters: <c>US.13491208655302741918</c>).</summary>
    public const int MetaUserIdMaxLength = 128;
    private static readonly string[] GroupOrBroadcastServers = ["g.us", "broadcast", "newsletter"];

    private ChatId(string value)
    {
        Value = value;
        Server = value[(value.IndexOf('@', StringComparison.Ordinal) + 1)..];
    }

    public string Value { get; }

    private string Server { get; }

    public ChatKind Kind => GroupOrBroadcastServers.Contains(Server, StringComparer.OrdinalIgnoreCase) ? ChatKind.GroupOrBroadcast : ChatKind.Direct;

    public bool IsPhone => Server.Equals(PhoneServer, StringComparison.OrdinalIgnoreCase);

    public bool IsLid => Server.Equals(LidServer, StringComparison.OrdinalIgnoreCase);

    /// <summary>A Cloud API customer known only by its business-scoped user id (no wa_id).</summary>
    public bool IsMetaUser => Server.Equals(MetaUserServer, StringComparison.OrdinalIgnoreCase);

    /// <summary>A well-formed chat id, surrounding spaces trimmed.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ChatId? chatId)
    {
        chatId = null;
        var value = text?.Trim();
        if (value is null or "" || value.Length > MaxLength) return false;
        var at = value.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == value.Length - 1 || value.IndexOf('@', at + 1) >= 0) return false;
        if (value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) return false;
        chatId = new ChatId(value);
        return true;
    }

    /// <summary>For text already validated with <see cref="TryParse"/>.</summary>
    public static ChatId Parse(string text) =>
        TryParse(text, out var chatId) ? chatId : throw new FormatException("The text is not a WhatsApp chat id (user@server).");

    /// <summary>
    /// The chat of an Evolution message key. A LID-addressed chat (Baileys 7) is keyed, and answered, by its phone JID
    /// when Evolution gives one as <c>remoteJidAlt</c>; otherwise by <c>remoteJid</c> as it is.
    /// </summary>
    public static bool TryFromMessageKey(string? remoteJid, string? remoteJidAlt, [NotNullWhen(true)] out ChatId? chatId)
    {
        if (!TryParse(remoteJid, out chatId)) return false;
        if (chatId.IsLid && TryParse(remoteJidAlt, out var alt) && alt.IsPhone) chatId = alt;
        return true;
    }

    /// <summary>A phone number as the API takes it: its digits with the country code, optionally after a '+'.</summary>
    public static bool IsPhoneNumber(string? number) => TryFromPhoneNumber(number, out _);

    /// <summary>The phone chat of a number (see <see cref="IsPhoneNumber"/>): <c>&lt;digits&gt;@s.whatsapp.net</c>.</summary>
    public static bool TryFromPhoneNumber(string? number, [NotNullWhen(true)] out ChatId? chatId)
    {
        chatId = null;
        var trimmed = number?.Trim();
        var digits = trimmed is not null && trimmed.StartsWith('+') ? trimmed[1..] : trimmed;
        if (digits is not { Length: >= PhoneDigitsMin and <= PhoneDigitsMax } || !digits.All(char.IsAsciiDigit)) return false;
        chatId = new ChatId(digits + "@" + PhoneServer);
        return true;
    }

    /// <summary>For a number already validated with <see cref="IsPhoneNumber"/>.</summary>
    public static ChatId FromPhoneNumber(string number) =>
        TryFromPhoneNumber(number, out var chatId) ? chatId : throw new FormatException("The text is not a phone number with its country code.");

    /// <summary>
    /// The chat of a Cloud API customer: by <paramref name="waId"/> (its phone number's digits) the phone chat, the same
    /// chat Evolution keys for that number; without one, by <paramref name="userId"/>, the business-scoped user id that
    /// usernames bring (<c>&lt;user_id&gt;@bsuid</c>). False when neither is usable.
    /// </summary>
    public static bool TryFromMetaUser(string? waId, string? userId, [NotNullWhen(true)] out ChatId? chatId)
    {
        if (TryFromPhoneNumber(waId, out chatId)) return true;
        var id = userId?.Trim();
        if (id is null or "" || id.Length > MetaUserIdMaxLength || id.Any(c => c == '@' || char.IsWhiteSpace(c) || char.IsControl(c))) return false;
        chatId = new ChatId(id + "@" + MetaUserServer);
        return true;
    }

    /// <summary>Whom the Cloud API addresses for this chat: the phone's digits (<c>to</c>), or the business-scoped user id (<c>recipient</c>); null for other chats.</summary>
    public string? MetaRecipient => IsPhone || IsMetaUser ? Value[..Value.IndexOf('@', StringComparison.Ordinal)] : null;

    /// <summary>
    /// This chat's JID and, for a Brazilian mobile, the same number in its other form: 55 + area + 9 + 8 digits also
    /// without the 9, and 55 + area + 8 digits (a mobile's start, 6 to 9) also with it. WhatsApp and Evolution may know
    /// one number by either (Evolution's createJid drops the 9 for some areas).
    /// </summary>
    public IReadOnlyList<string> WithAndWithoutNinthDigit()
    {
        var digits = Value[..Value.IndexOf('@', StringComparison.Ordinal)];
        if (!IsPhone || !digits.StartsWith("55", StringComparison.Ordinal) || !digits.All(char.IsAsciiDigit)) return [Value];
        var server = Value[digits.Length..];
        if (digits.Length == 13 && digits[4] == '9') return [Value, digits[..4] + digits[5..] + server];
        if (digits.Length == 12 && digits[4] is >= '6' and <= '9') return [Value, digits[..4] + "9" + digits[4..] + server];
        return [Value];
    }

    public override string ToString() => Value;
}
