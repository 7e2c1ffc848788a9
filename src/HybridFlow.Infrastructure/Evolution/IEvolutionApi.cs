using Refit;

namespace HybridFlow.Infrastructure.Evolution;

/// <summary>
/// Evolution API v2 as Refit sees it (evolution.md sections 1.5 and 4). A client is bound to one instance's server and
/// apikey: get it from <see cref="EvolutionApiFactory"/>, never from DI. Every call answers an <see cref="IApiResponse"/>
/// (dispose it), so HTTP errors come back with their status and body instead of being thrown; a failure before any answer
/// (refused, dropped, timed out) is thrown as is.
/// </summary>
internal interface IEvolutionApi
{
    /// <summary>201 with the <c>send.message</c> object; 400 both for "not on WhatsApp" and for transient Baileys failures.</summary>
    [Post("/message/sendText/{instance}")]
    Task<IApiResponse<SendTextResponse>> SendTextAsync(string instance, [Body] SendTextRequest body, CancellationToken ct);

    /// <summary>201 <c>{presence}</c>; blocks for <c>delay</c> ms, then Evolution sends <c>paused</c> itself.</summary>
    [Post("/chat/sendPresence/{instance}")]
    Task<IApiResponse<SendPresenceResponse>> SendPresenceAsync(string instance, [Body] SendPresenceRequest body, CancellationToken ct);

    /// <summary>200 with a page of Evolution's stored messages, newest first; empty when the instance stores none.</summary>
    [Post("/chat/findMessages/{instance}")]
    Task<IApiResponse<FindMessagesResponse>> FindMessagesAsync(string instance, [Body] FindMessagesRequest body, CancellationToken ct);

    /// <summary>
    /// 201 (200 in some versions) <c>{mediaType, fileName, mimetype, size, base64}</c>; 400/404 when Evolution does not have
    /// the message. The answer is read up to <paramref name="answerLimit"/> bytes.
    /// </summary>
    [Post("/chat/getBase64FromMediaMessage/{instance}")]
    Task<IApiResponse<MediaBase64Response>> GetBase64FromMediaMessageAsync(string instance, [Body] MediaBase64Request body,
        [Property(Security.OutboundHttp.AnswerLimitOption)] long answerLimit, CancellationToken ct);

    [Get("/instance/connectionState/{instance}")]
    Task<IApiResponse<ConnectionStateResponse>> ConnectionStateAsync(string instance, CancellationToken ct);

    /// <summary>200 with the QR code to scan (a PNG data URL and a pairing code), or the state when already open. Never logged.</summary>
    [Get("/instance/connect/{instance}")]
    Task<IApiResponse<ConnectResponse>> ConnectAsync(string instance, CancellationToken ct);

    /// <summary>201 with the instance and its first QR code; 403 when the name is in use. Needs Evolution's global key as apikey.</summary>
    [Post("/instance/create")]
    Task<IApiResponse<CreateInstanceResponse>> CreateInstanceAsync([Body] CreateInstanceRequest body, CancellationToken ct);

    /// <summary>201; the answer echoes the secret header, so its body is never read.</summary>
    [Post("/webhook/set/{instance}")]
    Task<IApiResponse> SetWebhookAsync(string instance, [Body] SetWebhookRequest body, CancellationToken ct);
}
