using System.Text.Json;
using System.Text.Json.Serialization;

namespace HybridFlow.Infrastructure.Evolution;

// Bodies of the Evolution API v2 calls in IEvolutionApi, with Evolution's own JSON names (evolution.md section 4).
// Optional fields are null and left out of requests: Evolution treats a present null as a filter or a value.

/// <summary>A WhatsApp message key. In a findMessages filter every part is optional (and <c>fromMe: false</c> filters nothing).</summary>
internal sealed record MessageKey(
    [property: JsonPropertyName("remoteJid")] string? RemoteJid,
    [property: JsonPropertyName("fromMe")] bool? FromMe,
    [property: JsonPropertyName("id")] string? Id);

/// <summary><c>number</c>: digits or a full JID; <c>delay</c>: ms of "typing…" before the message (Evolution blocks that long).</summary>
internal sealed record SendTextRequest(
    [property: JsonPropertyName("number")] string Number,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("delay")] int? Delay = null);

/// <summary>The <c>send.message</c> object Evolution answers; fields it adds in other versions are kept in <see cref="Extra"/>.</summary>
internal sealed record SendTextResponse(
    [property: JsonPropertyName("key")] MessageKey? Key,
    [property: JsonPropertyName("pushName")] string? PushName,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("message")] JsonElement? Message,
    [property: JsonPropertyName("contextInfo")] JsonElement? ContextInfo,
    [property: JsonPropertyName("messageType")] string? MessageType,
    [property: JsonPropertyName("messageTimestamp")] long? MessageTimestamp,
    [property: JsonPropertyName("instanceId")] string? InstanceId,
    [property: JsonPropertyName("source")] string? Source)
{
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>All three fields are required by Evolution; <c>presence</c> is composing, recording, paused, available or unavailable.</summary>
internal sealed record SendPresenceRequest(
    [property: JsonPropertyName("number")] string Number,
    [property: JsonPropertyName("presence")] string Presence,
    [property: JsonPropertyName("delay")] int Delay);

internal sealed record SendPresenceResponse([property: JsonPropertyName("presence")] string? Presence);

/// <summary><c>offset</c> is the page size (Evolution's default 50); <c>page</c> starts at 1.</summary>
internal sealed record FindMessagesRequest(
    [property: JsonPropertyName("where")] FindMessagesWhere Where,
    [property: JsonPropertyName("page")] int? Page = null,
    [property: JsonPropertyName("offset")] int? Offset = null);

internal sealed record FindMessagesWhere(
    [property: JsonPropertyName("key")] MessageKey? Key = null,
    [property: JsonPropertyName("messageTimestamp")] TimestampRange? MessageTimestamp = null);

/// <summary>Sent as ISO times, which Evolution compares with the stored epoch seconds.</summary>
internal sealed record TimestampRange(
    [property: JsonPropertyName("gte")] DateTimeOffset? Gte,
    [property: JsonPropertyName("lte")] DateTimeOffset? Lte);

internal sealed record FindMessagesResponse([property: JsonPropertyName("messages")] StoredMessagePage? Messages);

internal sealed record StoredMessagePage(
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("pages")] int Pages,
    [property: JsonPropertyName("currentPage")] int CurrentPage,
    [property: JsonPropertyName("records")] IReadOnlyList<StoredMessage>? Records);

internal sealed record StoredMessage(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("key")] MessageKey? Key,
    [property: JsonPropertyName("pushName")] string? PushName,
    [property: JsonPropertyName("messageType")] string? MessageType,
    [property: JsonPropertyName("message")] JsonElement? Message,
    [property: JsonPropertyName("messageTimestamp")] long? MessageTimestamp,
    [property: JsonPropertyName("instanceId")] string? InstanceId,
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("contextInfo")] JsonElement? ContextInfo,
    [property: JsonPropertyName("MessageUpdate")] IReadOnlyList<StoredMessageUpdate>? MessageUpdate);

/// <summary>A delivery update Evolution stored for the message, e.g. <c>SERVER_ACK</c>, <c>DELIVERY_ACK</c>, <c>READ</c>.</summary>
internal sealed record StoredMessageUpdate([property: JsonPropertyName("status")] string? Status);

/// <summary><c>{"instance":{"instanceName","state"}}</c>; the state is missing while Evolution has not loaded the instance.</summary>
internal sealed record ConnectionStateResponse([property: JsonPropertyName("instance")] InstanceConnection? Instance);

internal sealed record InstanceConnection(
    [property: JsonPropertyName("instanceName")] string? InstanceName,
    [property: JsonPropertyName("state")] string? State);

/// <summary>
/// <c>GET /instance/connect/{instance}</c>: while connecting, the QR code itself (<c>{pairingCode, code, base64, count}</c>);
/// once open, <c>{instance: {instanceName, state: "open"}}</c>; otherwise <c>{instance, qrcode}</c>.
/// </summary>
internal sealed record ConnectResponse(
    [property: JsonPropertyName("pairingCode")] string? PairingCode,
    [property: JsonPropertyName("base64")] string? Base64,
    [property: JsonPropertyName("instance")] InstanceConnection? Instance,
    [property: JsonPropertyName("qrcode")] QrCodeBody? Qrcode);

internal sealed record QrCodeBody(
    [property: JsonPropertyName("pairingCode")] string? PairingCode,
    [property: JsonPropertyName("base64")] string? Base64);

/// <summary><c>POST /instance/create</c> (Baileys): the instance token is the one HybridFlow holds, and a QR code is asked for at once.</summary>
internal sealed record CreateInstanceRequest(
    [property: JsonPropertyName("instanceName")] string InstanceName,
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("qrcode")] bool Qrcode,
    [property: JsonPropertyName("integration")] string Integration);

/// <summary>201 <c>{instance: {instanceName, status}, hash, qrcode: {pairingCode, code, base64, count}, …}</c>.</summary>
internal sealed record CreateInstanceResponse([property: JsonPropertyName("qrcode")] QrCodeBody? Qrcode);

/// <summary>Evolution 2.x wants the webhook nested under <c>webhook</c>.</summary>
internal sealed record SetWebhookRequest([property: JsonPropertyName("webhook")] WebhookSettings Webhook);

internal sealed record WebhookSettings(
    [property: JsonPropertyName("enabled")] bool Enabled,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string> Headers,
    [property: JsonPropertyName("byEvents")] bool ByEvents,
    [property: JsonPropertyName("base64")] bool Base64,
    [property: JsonPropertyName("events")] IReadOnlyList<string> Events);

/// <summary>Evolution's error body: <c>{"status":404,"error":"Not Found","response":{"message":["…"]}}</c>; message is a string or an array.</summary>
internal sealed record EvolutionError(
    [property: JsonPropertyName("status")] int? Status,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("response")] EvolutionErrorResponse? Response);

internal sealed record EvolutionErrorResponse([property: JsonPropertyName("message")] JsonElement? Message);
