using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// POST /chat/getBase64FromMediaMessage/{instance} <c>{message:{key:{id}}}</c>: the scripted file of that message id
/// (<see cref="SetMedia"/>), a scripted error (<see cref="FailMedia"/>), or 400 "Message not found" as Evolution answers.
/// </summary>
public sealed partial class FakeEvolutionServer
{
    public const string MediaPath = "/chat/getBase64FromMediaMessage/";
    private readonly ConcurrentDictionary<string, (int Status, string MimeType, byte[] Data)> _media = new();

    public void SetMedia(string messageId, string mimeType, byte[] data) => _media[messageId] = (201, mimeType, data);

    /// <summary>Every request for the media of <paramref name="messageId"/> answers <paramref name="status"/>.</summary>
    public void FailMedia(string messageId, int status) => _media[messageId] = (status, "", []);

    /// <summary>The message ids whose media was asked for, in order.</summary>
    public IReadOnlyList<string> MediaRequests =>
    [
        .. CallsTo(MediaPath).Select(r => JsonNode.Parse(r.Body)?["message"]?["key"]?["id"]?.GetValue<string>() ?? ""),
    ];

    private async Task MediaAsync(HttpContext context, Dictionary<string, string> headers, string body)
    {
        var id = JsonNode.Parse(body)?["message"]?["key"]?["id"]?.GetValue<string>();
        if (id is null || !_media.TryGetValue(id, out var media))
        {
            await AnswerAsync(context, headers, body, 400,
                JsonSerializer.Serialize(new { status = 400, error = "Bad Request", response = new { message = new[] { "Message not found" } } }));
            return;
        }
        if (media.Status != 201)
        {
            await AnswerAsync(context, headers, body, media.Status,
                JsonSerializer.Serialize(new { status = media.Status, error = "Error", response = new { message = new[] { "media error" } } }));
            return;
        }
        await AnswerAsync(context, headers, body, 201, JsonSerializer.Serialize(new
        {
            mediaType = media.MimeType.StartsWith("audio", StringComparison.Ordinal) ? "audioMessage" : "imageMessage",
            fileName = id + (media.MimeType.StartsWith("audio", StringComparison.Ordinal) ? ".oga" : ".jpeg"),
            caption = (string?)null,
            size = new { fileLength = media.Data.Length },
            mimetype = media.MimeType,
            base64 = Convert.ToBase64String(media.Data),
        }));
    }
}
