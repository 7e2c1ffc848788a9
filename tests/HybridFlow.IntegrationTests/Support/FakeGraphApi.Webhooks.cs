using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Llm;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// Meta posting webhooks to the app under test (<see cref="WebhookClient"/>, <see cref="WebhookPath"/>): real-shaped bodies
/// from Payloads/meta, written as Meta writes them (non-ASCII as lowercase <c>\u</c> escapes, <c>/</c> as <c>\/</c>) and signed
/// with <c>X-Hub-Signature-256</c> over those exact bytes; statuses of what this fake sent, and the owner's echoes.
/// </summary>
public sealed partial class FakeGraphApi
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static int _wamidSequence = Random.Shared.Next(1_000_000, 9_000_000);

    /// <summary>A Payloads/meta body.</summary>
    public static JsonObject LoadWebhook(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "meta", name + ".json")))!.AsObject();

    /// <summary>A fresh wamid for an inbound message or an echo.</summary>
    public static string NewInboundWamid() =>
        "wamid.HBgL" + Convert.ToBase64String(Encoding.ASCII.GetBytes("in-" + Interlocked.Increment(ref _wamidSequence).ToString(CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..8]));

    /// <summary>A unique customer wa_id per call (a US number, unlike the suite's Brazilian Evolution chats).</summary>
    public static string NewWaId() => "1650" + Random.Shared.NextInt64(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);

    /// <summary>The chat id HybridFlow keys a wa_id on.</summary>
    public static string ChatOf(string waId) => waId + "@s.whatsapp.net";

    /// <summary>The only change's value of a loaded body.</summary>
    public static JsonObject ValueOf(JsonObject webhook, int entry = 0, int change = 0) =>
        webhook["entry"]![entry]!["changes"]![change]!["value"]!.AsObject();

    /// <summary>A customer's text (messages_text) to <paramref name="phoneNumberId"/>, from <paramref name="waId"/>, sent at <paramref name="at"/>.</summary>
    public JsonObject CustomerText(string phoneNumberId, string waId, string text, string? wamid = null, DateTimeOffset? at = null) =>
        CustomerMessage("messages_text", phoneNumberId, waId, wamid, at, m => m["text"]!["body"] = text);

    /// <summary>A customer's message from a Payloads/meta body, addressed and timed for the test; <paramref name="adjust"/> edits the message item.</summary>
    public JsonObject CustomerMessage(string payload, string phoneNumberId, string waId, string? wamid = null, DateTimeOffset? at = null,
        Action<JsonObject>? adjust = null)
    {
        var webhook = LoadWebhook(payload);
        var value = ValueOf(webhook);
        value["metadata"]!["phone_number_id"] = phoneNumberId;
        if (value["contacts"]?[0] is JsonObject contact && contact["wa_id"] is not null) contact["wa_id"] = waId;
        var message = value["messages"]![0]!.AsObject();
        if (message["from"] is not null) message["from"] = waId;
        message["id"] = wamid ?? NewInboundWamid();
        message["timestamp"] = (at ?? Now()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        adjust?.Invoke(message);
        return webhook;
    }

    /// <summary>The owner's text from the WhatsApp Business app to <paramref name="waId"/> (echo_text).</summary>
    public JsonObject OwnerEcho(string phoneNumberId, string waId, string text, string? wamid = null, DateTimeOffset? at = null) =>
        Echo("echo_text", phoneNumberId, waId, wamid, at, e => e["text"]!["body"] = text);

    public JsonObject Echo(string payload, string phoneNumberId, string waId, string? wamid = null, DateTimeOffset? at = null, Action<JsonObject>? adjust = null)
    {
        var webhook = LoadWebhook(payload);
        var value = ValueOf(webhook);
        value["metadata"]!["phone_number_id"] = phoneNumberId;
        var echo = value["message_echoes"]![0]!.AsObject();
        echo["to"] = waId;
        echo["id"] = wamid ?? NewInboundWamid();
        echo["timestamp"] = (at ?? Now()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        adjust?.Invoke(echo);
        return webhook;
    }

    /// <summary>A status of <paramref name="wamid"/> (statuses_sent, or statuses_failed with <paramref name="errorCode"/>).</summary>
    public JsonObject Status(string phoneNumberId, string wamid, string status, string recipient, string? callbackData = null, int? errorCode = null)
    {
        var webhook = LoadWebhook(status == "failed" ? "statuses_failed" : "statuses_sent");
        var value = ValueOf(webhook);
        value["metadata"]!["phone_number_id"] = phoneNumberId;
        var item = value["statuses"]![0]!.AsObject();
        item["id"] = wamid;
        item["status"] = status;
        item["recipient_id"] = recipient;
        item["timestamp"] = Now().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        if (callbackData is null) item.Remove("biz_opaque_callback_data");
        else item["biz_opaque_callback_data"] = callbackData;
        if (errorCode is { } code) item["errors"]![0]!["code"] = code;
        return webhook;
    }

    /// <summary>The status of a send this fake accepted, for its recipient, carrying the send's callback data as Meta echoes it.</summary>
    public JsonObject StatusOf(RecordedRequest send, string phoneNumberId, string status, int? errorCode = null)
    {
        var request = JsonNode.Parse(send.Body)!;
        return Status(phoneNumberId, WamidOf(send)!, status, request["to"]?.GetValue<string>()?.TrimStart('+') ?? "",
            request["biz_opaque_callback_data"]?.GetValue<string>(), errorCode);
    }

    /// <summary>Several bodies' changes as one delivery: one entry per body, as Meta batches them.</summary>
    public static JsonObject Batch(params JsonObject[] webhooks)
    {
        var entries = new JsonArray();
        foreach (var webhook in webhooks)
            foreach (var entry in webhook["entry"]!.AsArray()) entries.Add(entry!.DeepClone());
        return new JsonObject { ["object"] = "whatsapp_business_account", ["entry"] = entries };
    }

    /// <summary>The body as Meta puts it on the wire: non-ASCII as lowercase <c>\uXXXX</c>, <c>/</c> as <c>\/</c>.</summary>
    public static byte[] WireBytes(JsonNode webhook)
    {
        // The encoder writes what it must escape (an emoji's surrogates) in upper case; Meta's hex digits are lower case.
        var text = System.Text.RegularExpressions.Regex.Replace(webhook.ToJsonString(Relaxed), @"(?<!\\)\\u([0-9A-F]{4})", m => "\\u" + m.Groups[1].Value.ToLowerInvariant());
        var wire = new StringBuilder(text.Length + 64);
        foreach (var c in text)
        {
            if (c > 0x7f) wire.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else if (c == '/') wire.Append("\\/");
            else wire.Append(c);
        }
        return Encoding.ASCII.GetBytes(wire.ToString());
    }

    /// <summary>X-Hub-Signature-256 of <paramref name="body"/> with <paramref name="secret"/>.</summary>
    public static string Sign(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Posts <paramref name="webhook"/> signed with <paramref name="secret"/> (the platform app's by default) to <paramref name="path"/> (<see cref="WebhookPath"/>).</summary>
    public Task<HttpResponseMessage> PostWebhookAsync(JsonNode webhook, string? secret = null, string? path = null) =>
        PostWebhookBytesAsync(WireBytes(webhook), Sign(WireBytes(webhook), secret ?? AppSecret), path);

    /// <summary>Posts raw bytes with the given signature header (none when null).</summary>
    public async Task<HttpResponseMessage> PostWebhookBytesAsync(byte[] body, string? signature, string? path = null)
    {
        var client = WebhookClient ?? throw new InvalidOperationException("WebhookClient is not set.");
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path ?? WebhookPath) { Content = content };
        if (signature is not null) request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);
        return await client.SendAsync(request);
    }

    /// <summary>Posts and answers the webhook's action, asserting a 200.</summary>
    public async Task<string> DeliverAsync(JsonNode webhook, string? secret = null, string? path = null)
    {
        using var response = await PostWebhookAsync(webhook, secret, path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("action").GetString()!;
    }
}
