using System.Text.Json.Serialization;

namespace HybridFlow.Infrastructure.MetaCloud;

/// <summary>
/// The body of <c>POST /{phone_number_id}/messages</c>: a text, a template, or a read receipt (<see cref="Status"/> read,
/// optionally with a typing indicator). Unset fields are left out (snake_case names, <see cref="GraphApiFactory.Json"/>).
/// </summary>
internal sealed record GraphMessageRequest
{
    public string MessagingProduct { get; init; } = "whatsapp";
    public string? RecipientType { get; init; }
    public string? To { get; init; }
    public string? Type { get; init; }
    public GraphText? Text { get; init; }
    public GraphTemplate? Template { get; init; }
    public string? Status { get; init; }
    public string? MessageId { get; init; }
    public GraphTypingIndicator? TypingIndicator { get; init; }
    public string? BizOpaqueCallbackData { get; init; }
}

internal sealed record GraphText(string Body, bool PreviewUrl = false);

internal sealed record GraphTemplate(string Name, GraphLanguage Language, IReadOnlyList<GraphTemplateComponent>? Components);

internal sealed record GraphLanguage(string Code);

internal sealed record GraphTemplateComponent(string Type, IReadOnlyList<GraphTemplateParameter> Parameters);

internal sealed record GraphTemplateParameter(string Type, string Text);

internal sealed record GraphTypingIndicator(string Type);

internal sealed record GraphSendResponse
{
    public string? MessagingProduct { get; init; }
    public IReadOnlyList<GraphSentMessage>? Messages { get; init; }
    public bool? Success { get; init; }
}

internal sealed record GraphSentMessage(string? Id, string? MessageStatus = null);

internal sealed record GraphMediaInfo
{
    public string? Url { get; init; }
    public string? MimeType { get; init; }
    public string? Sha256 { get; init; }
    public long? FileSize { get; init; }
    public string? Id { get; init; }
}

/// <summary>Meta's error body: <c>{"error":{"message","type","code","error_data":{"details"},"error_subcode","fbtrace_id"}}</c>.</summary>
internal sealed record GraphErrorEnvelope(GraphError? Error);

internal sealed record GraphError
{
    public string? Message { get; init; }
    public string? Type { get; init; }
    public int? Code { get; init; }
    public GraphErrorData? ErrorData { get; init; }
    public int? ErrorSubcode { get; init; }
    public string? FbtraceId { get; init; }
}

internal sealed record GraphErrorData
{
    public string? Details { get; init; }
}

/// <summary>Meta's error codes and what each means for a send (facts: pywa's errors, Meta's error-codes page).</summary>
internal static class GraphErrorCodes
{
    public const int ReEngagement = 131047;
    public const int Undeliverable = 131026;
    public const int AccessTokenExpired = 190;
    public const int InvalidParameter = 100;
    public const int TemporarilyBlocked = 368;
    public const int MissingParameter = 131008;
    public const int InvalidParameterValue = 131009;
    public const int Spam = 131048;
    public const int Ecosystem = 131049;
    public const int AccountLocked = 131031;
    public const int ThroughputExceeded = 130429;
    public const int PairRateLimit = 131056;

    /// <summary>Retrying cannot help until someone acts (a template, a new token, a fixed request, a lifted block).</summary>
    public static readonly IReadOnlySet<int> Permanent = new HashSet<int>
    {
        ReEngagement, Undeliverable, AccessTokenExpired, InvalidParameter, TemporarilyBlocked, MissingParameter, InvalidParameterValue,
        Spam, Ecosystem, AccountLocked,
    };

    /// <summary>Slow down: nothing was sent, and the retry uses no attempt.</summary>
    public static readonly IReadOnlySet<int> Throttling = new HashSet<int> { ThroughputExceeded, PairRateLimit };
}
