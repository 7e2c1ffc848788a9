using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Security;
using Polly;
using Polly.Timeout;
using Refit;

namespace HybridFlow.Infrastructure.Evolution;

/// <summary><c>{"message": {"key": {"id": …}}}</c>: Evolution loads the message from its own store.</summary>
internal sealed record MediaBase64Request(
    [property: JsonPropertyName("message")] MediaMessageRef Message,
    [property: JsonPropertyName("convertToMp4")] bool ConvertToMp4 = false);

internal sealed record MediaMessageRef([property: JsonPropertyName("key")] MessageKey Key);

internal sealed record MediaBase64Response(
    [property: JsonPropertyName("mediaType")] string? MediaType,
    [property: JsonPropertyName("fileName")] string? FileName,
    [property: JsonPropertyName("mimetype")] string? MimeType,
    [property: JsonPropertyName("base64")] string? Base64);

/// <summary>
/// POST /chat/getBase64FromMediaMessage/{instance} (evolution.md section 4), under the instance's trust and the outbound
/// address guard like sendText. Nothing is sent by it, so every failure before an answer is simply transient.
/// </summary>
internal sealed class EvolutionMediaClient : IWhatsAppMediaGateway
{
    private const string Operation = "get_media";
    private readonly EvolutionApiFactory _evolution;
    private readonly ICorrelationContext _correlation;
    private readonly HybridFlowMetrics _metrics;
    private readonly ResiliencePipeline _pipeline;

    public EvolutionMediaClient(EvolutionApiFactory evolution, EvolutionOptions options, ICorrelationContext correlation, HybridFlowMetrics metrics)
    {
        _evolution = evolution;
        _correlation = correlation;
        _metrics = metrics;
        // Decrypting and encoding 25 MB takes Evolution a while: more time than a sendText.
        _pipeline = EvolutionApiFactory.Pipeline(options, options.Timeout * 3);
    }

    public async Task<MediaContent> DownloadMediaAsync(InstanceContext instance, MediaReference media, long maxBytes, string? correlationId, CancellationToken ct)
    {
        try
        {
            return await DownloadOnceAsync(instance, media.ProviderMessageId, maxBytes, correlationId, ct);
        }
        catch (MediaDownloadException e)
        {
            _metrics.EvolutionCallFailed(Operation, e.Failure switch
            {
                MediaDownloadFailure.NotFound => "not_found",
                MediaDownloadFailure.Permanent => "permanent",
                _ => "transient",
            });
            throw;
        }
    }

    private async Task<MediaContent> DownloadOnceAsync(InstanceContext instance, string providerMessageId, long maxBytes, string? correlationId, CancellationToken ct)
    {
        var api = _evolution.For(EvolutionEndpoint.Of(instance), correlationId ?? _correlation.CorrelationId)
                  ?? throw new MediaDownloadException("The instance's evo_server_url is not an absolute http(s) URL.", MediaDownloadFailure.Permanent);
        var body = new MediaBase64Request(new MediaMessageRef(new MessageKey(null, null, providerMessageId)));
        IApiResponse<MediaBase64Response> response;
        try
        {
            response = await _evolution.ExecuteAsync(Operation, _pipeline,
                token => api.GetBase64FromMediaMessageAsync(instance.InstanceName, body, AnswerLimit(maxBytes), token), ct);
        }
        catch (TimeoutRejectedException e)
        {
            throw new MediaDownloadException("Evolution did not answer in time.", MediaDownloadFailure.Transient, e);
        }
        catch (HttpRequestException e) when (OutboundAddressGuard.BlockedBy(e) is { } blocked)
        {
            throw new MediaDownloadException(blocked.Message, MediaDownloadFailure.Permanent, e);
        }
        catch (HttpRequestException e)
        {
            throw new MediaDownloadException($"Evolution unreachable ({e.HttpRequestError}).", MediaDownloadFailure.Transient, e);
        }

        using (response)
        {
            var code = (int?)response.StatusCode;
            if (response.StatusCode is HttpStatusCode.NotFound)
                throw new MediaDownloadException("Evolution 404: it no longer has this media.", MediaDownloadFailure.NotFound);
            if (response.StatusCode is HttpStatusCode.BadRequest && !MentionsInstance(response))
                throw new MediaDownloadException("Evolution 400: it cannot find or decrypt this media.", MediaDownloadFailure.NotFound);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                throw new MediaDownloadException($"Evolution {code}: check the instance's API key.", MediaDownloadFailure.Permanent);
            if (!response.IsSuccessStatusCode || response.Error is not null)
                throw new MediaDownloadException($"Evolution {code}.", MediaDownloadFailure.Transient);
            return Decode(response.Content, maxBytes);
        }
    }

    /// <summary>The file as base64 (4/3 of its bytes) plus room for the JSON around it.</summary>
    public static long AnswerLimit(long maxBytes) => maxBytes / 3 * 4 + 4 + 64 * 1024;

    private static bool MentionsInstance(IApiResponse response) =>
        EvolutionApiFactory.ErrorOf(response)?.Response?.Message is { } m && m.ToString().Contains("instance", StringComparison.OrdinalIgnoreCase);

    private static MediaContent Decode(MediaBase64Response? media, long maxBytes)
    {
        var base64 = media?.Base64;
        if (string.IsNullOrWhiteSpace(base64))
            throw new MediaDownloadException("Evolution answered without the media.", MediaDownloadFailure.Permanent);
        // Some versions answer a data URI.
        var comma = base64.StartsWith("data:", StringComparison.Ordinal) ? base64.IndexOf(',', StringComparison.Ordinal) : -1;
        if (comma >= 0) base64 = base64[(comma + 1)..];
        if ((long)base64.Length / 4 * 3 > maxBytes + 3) throw new MediaTooLargeException(base64.Length / 4L * 3);
        byte[] data;
        try
        {
            data = Convert.FromBase64String(base64);
        }
        catch (FormatException e)
        {
            throw new MediaDownloadException("Evolution answered media that is not base64.", MediaDownloadFailure.Permanent, e);
        }
        if (data.Length > maxBytes) throw new MediaTooLargeException(data.Length);
        var mime = string.IsNullOrWhiteSpace(media!.MimeType) ? "application/octet-stream" : media.MimeType.Trim();
        return new MediaContent(mime, data, media.FileName);
    }
}
