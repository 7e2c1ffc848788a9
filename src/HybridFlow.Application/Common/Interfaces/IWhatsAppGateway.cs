namespace HybridFlow.Application.Common.Interfaces;

/// <summary>A text to send; <see cref="CorrelationId"/> goes out as X-Correlation-Id (the current request's when null).</summary>
public sealed record OutgoingText(InstanceContext Instance, string ChatId, string Text, string? CorrelationId = null);

/// <summary>The gateway accepted the message; <see cref="ProviderMessageId"/> is WhatsApp's key.id.</summary>
public sealed record SentText(string ProviderMessageId, string RawJson);

public enum SendFailureKind
{
    /// <summary>Worth another attempt later (connection closed, 5xx, rate limit).</summary>
    Transient,
    /// <summary>Retrying cannot help (the number is not on WhatsApp, bad credentials).</summary>
    Permanent,
    /// <summary>The request may have reached WhatsApp (timeout after sending): never retried, to avoid a double reply.</summary>
    OutcomeUnknown,
    /// <summary>The outbound address guard refused the connection (private, loopback, metadata...): nothing was sent, retrying cannot help.</summary>
    Blocked,
}

public sealed class WhatsAppSendException : Exception
{
    public WhatsAppSendException(string message, SendFailureKind kind, Exception? inner = null, int? upstreamStatus = null)
        : base(message, inner)
    {
        Kind = kind;
        UpstreamStatus = upstreamStatus;
    }

    public SendFailureKind Kind { get; }

    /// <summary>The gateway's HTTP status when it answered with an error.</summary>
    public int? UpstreamStatus { get; }
}

public interface IWhatsAppGateway
{
    Task<SentText> SendTextAsync(OutgoingText message, CancellationToken ct);
}
