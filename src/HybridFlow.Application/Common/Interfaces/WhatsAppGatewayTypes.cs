namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// A text to send; <see cref="CorrelationId"/> goes out as X-Correlation-Id (the current request's when null).
/// <see cref="TypingDelay"/>: WhatsApp shows "typing…" that long before the message (null: sent at once).
/// <see cref="CallbackData"/>: Meta's <c>biz_opaque_callback_data</c>, echoed in the send's statuses, which prove a send whose
/// answer was lost (<c>&lt;job id&gt;:&lt;part&gt;</c> for a reply, the send's own ledger id for inbox and API sends); Evolution ignores it.
/// <see cref="Template"/>: when set, that approved template goes out instead of <see cref="Text"/> (Evolution refuses it as Permanent).
/// </summary>
public sealed record OutgoingText(
    InstanceContext Instance, string ChatId, string Text, string? CorrelationId = null, TimeSpan? TypingDelay = null,
    string? CallbackData = null, OutgoingTemplate? Template = null);

/// <summary>A WhatsApp message template: its name, language code (e.g. en_US) and the body's <c>{{1}}</c>, <c>{{2}}</c>… in order.</summary>
public sealed record OutgoingTemplate(string Name, string Language, IReadOnlyList<string> Variables);

/// <summary>The gateway accepted the message; <see cref="ProviderMessageId"/> is WhatsApp's key.id.</summary>
public sealed record SentText(string ProviderMessageId, string RawJson);

public enum SendFailureKind
{
    /// <summary>Worth another attempt later (connection closed, 5xx, rate limit).</summary>
    Transient,
    /// <summary>Retrying cannot help (the number is not on WhatsApp, bad credentials).</summary>
    Permanent,
    /// <summary>The request may have reached WhatsApp (timeout after sending): never retried blindly; resolved by proof (the echo, the gateway's record).</summary>
    OutcomeUnknown,
    /// <summary>
    /// The provider asked us to slow down and sent nothing (Meta 130429 throughput, 131056 pair rate limit): tried again
    /// after <see cref="WhatsAppSendException.RetryAfter"/> without using an attempt.
    /// </summary>
    Throttled,
    /// <summary>
    /// The outbound rules stopped the call: the address guard refused the connection (private, loopback, metadata...), or
    /// the server redirected or answered more than its cap. Retrying cannot help.
    /// </summary>
    Blocked,
}

public sealed class WhatsAppSendException : Exception
{
    public WhatsAppSendException(string message, SendFailureKind kind, Exception? inner = null, int? upstreamStatus = null, TimeSpan? retryAfter = null,
        int? providerErrorCode = null)
        : base(message, inner)
    {
        Kind = kind;
        UpstreamStatus = upstreamStatus;
        RetryAfter = retryAfter;
        ProviderErrorCode = providerErrorCode;
    }

    /// <summary>For <see cref="SendFailureKind.Throttled"/>: how long to wait before the next try (null: the caller's own backoff).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The provider's own error code when it gave one (Meta's <c>error.code</c>, e.g. 131047).</summary>
    public int? ProviderErrorCode { get; }

    public SendFailureKind Kind { get; }

    /// <summary>The gateway's HTTP status when it answered with an error.</summary>
    public int? UpstreamStatus { get; }
}

/// <summary>
/// What to look for in the gateway's own record of a chat: a message of ours with <see cref="Text"/>, not older than
/// <see cref="NotBefore"/> and none of <see cref="KnownMessageIds"/> (those are recorded already).
/// </summary>
/// <see cref="CallbackData"/>: the send's <see cref="OutgoingText.CallbackData"/>, by which a Meta send is proved (its status carries it).
public sealed record SentTextQuery(
    InstanceContext Instance, string ChatId, string Text, DateTimeOffset NotBefore, IReadOnlyCollection<string> KnownMessageIds,
    string? CorrelationId = null, string? CallbackData = null);

public enum ReadBackVerdict
{
    /// <summary>The message is in the gateway's record: it went out.</summary>
    Found,
    /// <summary>It is not there, and the same read-back shows the chat's other recent messages: it did not go out.</summary>
    ProvedAbsent,
    /// <summary>The gateway answered, but its record proves neither (it stores no messages).</summary>
    CannotTell,
    /// <summary>The gateway could not be asked (unreachable, timed out, or it answered an error): ask again later.</summary>
    Unavailable,
}

/// <summary>
/// The read-back's answer; for <see cref="ReadBackVerdict.Found"/> the message's key.id, stored record and time. An
/// <see cref="ReadBackVerdict.Unavailable"/> with <see cref="AskAgainAt"/> means the proof may still come (Meta's statuses
/// lag): asked again then, without counting a failed read-back.
/// </summary>
public sealed record SendReadBack(ReadBackVerdict Verdict, string? ProviderMessageId = null, string? RawJson = null, DateTimeOffset? SentAt = null,
    DateTimeOffset? AskAgainAt = null)
{
    public static readonly SendReadBack CannotTell = new(ReadBackVerdict.CannotTell);
    public static readonly SendReadBack ProvedAbsent = new(ReadBackVerdict.ProvedAbsent);
    public static readonly SendReadBack Unavailable = new(ReadBackVerdict.Unavailable);
}

/// <summary>
/// "typing…" shown in a chat for <see cref="Duration"/> (Evolution's sendPresence composing). <see cref="CustomerMessageId"/>:
/// the customer's message being answered; Meta's typing indicator needs it (and marks it read), so a Meta instance shows
/// nothing without it. Send a presence only when the bot will answer.
/// </summary>
public sealed record OutgoingPresence(InstanceContext Instance, string ChatId, TimeSpan Duration, string? CustomerMessageId = null);
