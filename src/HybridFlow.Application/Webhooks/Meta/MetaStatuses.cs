using HybridFlow.Domain.Messages;

namespace HybridFlow.Application.Webhooks.Meta;

/// <summary>
/// A Cloud API failure's readable reason, for a failed status on the timeline and for a send the Graph API refused: the
/// error code Meta gives, with what it means (the other statuses map onto HybridFlow's ranks through
/// <see cref="MessageStatus.FromMeta"/>).
/// </summary>
public static class MetaStatuses
{
    public const string Failed = "failed";

    private static readonly Dictionary<int, string> Reasons = new()
    {
        [131047] = "more than 24 hours since the customer's last message: only a template can be sent",
        [131026] = "undeliverable: the number is not on WhatsApp, or cannot receive this message",
        [131049] = "not delivered to keep the WhatsApp ecosystem healthy",
        [131048] = "spam rate limit: too many of the number's messages were blocked or reported",
        [131056] = "too many messages to this customer in a short time",
        [130429] = "throughput limit reached",
        [131051] = "message type not supported",
        [131052] = "the customer's media could not be downloaded",
        [131053] = "the media could not be uploaded",
        [131000] = "something went wrong at Meta",
        [131008] = "a required parameter is missing",
        [131009] = "a parameter value is not valid",
        [131016] = "the service is temporarily unavailable",
        [131021] = "the recipient cannot be the sender",
        [131031] = "the business account is locked",
        [131042] = "a payment problem with the business account",
        [131045] = "the phone number is not registered",
        [132000] = "the template's variables do not match",
        [132001] = "the template does not exist or is not approved in this language",
        [132015] = "the template is paused for low quality",
        [132016] = "the template is disabled",
        [133010] = "the phone number is not registered",
        [190] = "the access token has expired or is invalid: update meta_access_token",
        [100] = "a parameter is not valid",
        [368] = "temporarily blocked for policy violations",
        [10] = "permission denied",
        [4] = "too many API calls",
    };

    /// <summary>What Meta's error <paramref name="code"/> means; null for a code not known here.</summary>
    public static string? Reason(int code) => Reasons.GetValueOrDefault(code);

    /// <summary>What the timeline says of a failure: <c>131047: more than 24 hours since …</c>; Meta's own title when the code is not known here.</summary>
    public static string FailureDetail(MetaError? error)
    {
        if (error is null) return "failed: Meta gave no reason";
        var reason = error.Code is { } code && Reasons.TryGetValue(code, out var known) ? known : error.Title ?? error.Details ?? "no reason given";
        if (reason.Length > 300) reason = reason[..300];
        return error.Code is { } c ? $"{c}: {reason}" : reason;
    }
}
