using System.Text.Json;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Webhooks;
using HybridFlow.Domain.Replies;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Application.Replies;

/// <summary>
/// The reply job's step before the prompt: <paramref name="Handled"/> when the job is finished already (the media could
/// not be understood and nothing else was said, or the attempt failed for a retry); otherwise <paramref name="Context"/>
/// has the voice notes' transcripts in its history and the trigger photos attached, and <paramref name="VisionModel"/>
/// is the model to ask when photos are attached.
/// </summary>
public sealed record PreparedMedia(bool Handled, ReplyContext Context, string? VisionModel, bool HasImages);

/// <summary>
/// Understands a job's voice notes and photos (issue 10 item 4): each trigger media message is fetched through the
/// gateway, a voice note transcribed and its transcript stored as the message's media text, a photo attached to its turn
/// (only the current job's photos go to the model; older ones are text). Limits are checked before downloading when the
/// upsert tells the size or duration, and after. Media that cannot be understood gets the tenant's unsupported_media_reply,
/// or silence when it has none, unless the customer also said something that can be answered.
/// </summary>
public sealed class MediaPreparation
{
    public const string VoiceNotePrefix = "[voice note]";
    public const string PhotoPrefix = "[photo]";

    private readonly IMediaMessageStore _messages;
    private readonly IWhatsAppMediaGateway _gateway;
    private readonly IMediaCapabilities _capabilities;
    private readonly ISpeechTranscriber? _transcriber;
    private readonly IReplyJobStore _jobs;
    private readonly IChatUnitOfWork _chats;
    private readonly ReplySendSteps _steps;
    private readonly IHybridFlowMetrics _metrics;
    private readonly HybridFlowSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<MediaPreparation> _logger;
    private readonly ReplyModelChoice _models;
    // The metric's outcome of the media just handled (the timeline note it got, or unsupported when none).
    private string _lastOutcome = "unsupported";

    public MediaPreparation(
        IMediaMessageStore messages, IWhatsAppMediaGateway gateway, IMediaCapabilities capabilities, IEnumerable<ISpeechTranscriber> transcribers,
        IReplyJobStore jobs, IChatUnitOfWork chats, ReplySendSteps steps, IHybridFlowMetrics metrics, HybridFlowSettings settings,
        TimeProvider time, ILogger<MediaPreparation> logger, ReplyModelChoice models)
    {
        _models = models;
        _messages = messages;
        _gateway = gateway;
        _capabilities = capabilities;
        // None registered: no speech-to-text in this deployment.
        _transcriber = transcribers.LastOrDefault();
        _jobs = jobs;
        _chats = chats;
        _steps = steps;
        _metrics = metrics;
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    private enum Understood
    {
        /// <summary>Text the model can answer (plain text, a caption, a transcript, a photo).</summary>
        Yes,
        /// <summary>A voice note or photo the bot cannot understand, with nothing else to answer.</summary>
        No,
    }

    /// <summary>Thrown inside the step for a failure the job's retry policy handles.</summary>
    private sealed class RetryLater(string message, bool permanent) : Exception(message)
    {
        public bool Permanent { get; } = permanent;
    }

    public async Task<PreparedMedia> PrepareAsync(ClaimedReplyJob job, ReplyContext context, string correlationId, CancellationToken ct)
    {
        // Most replies answer text: their messages are not read a second time.
        if (!context.HasMediaTriggers) return new PreparedMedia(false, context, null, false);
        var triggers = await _messages.LoadTriggerMessagesAsync(job.JobId, ct);
        if (!triggers.Any(t => t.RawJson is not null && !t.Deleted)) return new PreparedMedia(false, context, null, false);

        var images = new Dictionary<long, ConversationImage>();
        var answerable = 0;
        var notUnderstood = 0;
        var textsChanged = false;
        try
        {
            foreach (var trigger in triggers)
            {
                if (trigger.Deleted) continue;
                var media = trigger.RawJson is null ? null
                    : trigger.ProviderMediaId is { } mediaId ? CloudApiMediaOf(trigger.RawJson, mediaId) : MediaOf(trigger.RawJson);
                if (media is null)
                {
                    if (trigger.Text is not null) answerable++;
                    continue;
                }
                _lastOutcome = "unsupported";
                var (understood, changed) = media.Kind == MediaKind.Audio
                    ? await TranscribeAsync(trigger, media, context, correlationId, ct)
                    : await AttachPhotoAsync(trigger, media, context, correlationId, images, ct);
                if (changed || understood == Understood.No) _metrics.MediaHandled(KindName(media.Kind), _lastOutcome);
                textsChanged |= changed;
                if (understood == Understood.Yes) answerable++;
                else notUnderstood++;
            }
        }
        catch (RetryLater e)
        {
            await _steps.FailAsync(job.JobId, job.Attempt, ReplyChannel.Ai, e.Message, e.Permanent, ct);
            return new PreparedMedia(true, context, null, false);
        }

        if (answerable == 0 && notUnderstood > 0)
        {
            await AnswerUnsupportedAsync(job, context, correlationId, ct);
            return new PreparedMedia(true, context, null, false);
        }

        if (textsChanged) context = await _jobs.LoadContextAsync(job, ct) ?? context;
        if (images.Count == 0) return new PreparedMedia(false, context, null, false);
        var history = context.History
            .Select(turn => turn.MessageId is { } id && images.TryGetValue(id, out var image) ? turn with { Image = image } : turn)
            .ToList();
        var visionModel = context.Instance.Tenant.Conversation.VisionModel;
        return new PreparedMedia(false, context with { History = history }, string.IsNullOrWhiteSpace(visionModel) ? null : visionModel, true);
    }

    /// <summary>
    /// Nothing the bot understood: the tenant's unsupported_media_reply goes out through the send protocol (the
    /// collision re-check, exactly once), or, without one, the job ends in silence with <c>ignored_unsupported</c>.
    /// </summary>
    public async Task AnswerUnsupportedAsync(ClaimedReplyJob job, ReplyContext context, string correlationId, CancellationToken ct)
    {
        var reply = context.Instance.Tenant.Conversation.UnsupportedMediaReply;
        if (string.IsNullOrWhiteSpace(reply))
        {
            await EndInSilenceAsync(job, ct);
            return;
        }
        var first = await _steps.BeginReplyAsync(job, reply, [reply], ct);
        await _steps.SendPartsAsync(job, context.Instance, context.ChatId, correlationId, first, TimelineActions.UnsupportedMediaReplied, ct);
    }

    private async Task EndInSilenceAsync(ClaimedReplyJob job, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var cancelled = await _chats.RunOnSendAsync(job.JobId, false, async (chat, reply, token) =>
        {
            if (reply.Attempts != job.Attempt || reply.Status != ReplyJobStatus.Processing) return chat.RollBack(false); // no longer ours
            reply.Cancel("no reply: media the bot cannot understand", now);
            await chat.AddTimelineEventAsync(TimelineActions.IgnoredUnsupported, "media the bot cannot understand; no unsupported_media_reply set", null, now, token);
            return true;
        }, ct);
        if (cancelled) _metrics.ReplyJobChanged(ReplyJobOutcome.Cancelled);
    }

    private async Task<(Understood, bool Changed)> TranscribeAsync(TriggerMessage trigger, EvolutionMedia media, ReplyContext context, string correlationId, CancellationToken ct)
    {
        if (trigger.MediaText is not null) return (Understood.Yes, false); // an earlier attempt transcribed it
        if (_transcriber is null || !_capabilities.CanTranscribe(context)) return (Understood.No, false);

        var now = _time.GetUtcNow();
        if (media.Seconds > _settings.MediaMaxAudioSeconds)
        {
            await NoteAsync(trigger, TimelineActions.MediaTooLarge, $"voice note of {media.Seconds} s; the limit is {_settings.MediaMaxAudioSeconds} s", now, ct);
            return (Understood.No, false);
        }
        if (await DownloadAsync(trigger, media, context, _settings.MediaMaxAudioBytes, "voice note", correlationId, ct) is not { } audio)
            return (Understood.No, false);

        Transcript transcript;
        try
        {
            transcript = await _transcriber.TranscribeAsync(
                new TranscriptionRequest(audio, _models.For(context, Tenants.ModelSetting.TranscriptionModel), _capabilities.TranscriptionCredentials(context), correlationId), ct);
        }
        catch (ReplyGenerationException e) when (e.IsPermanent)
        {
            // The provider refused it (4xx: a model without speech, a format it does not take): not understood.
            await NoteAsync(trigger, TimelineActions.IgnoredUnsupported, Truncate($"transcription refused: {e.Message}"), _time.GetUtcNow(), ct);
            return (Understood.No, false);
        }
        catch (ReplyGenerationException e)
        {
            throw new RetryLater($"transcription: {e.Message}", permanent: false);
        }

        var text = transcript.Text.Trim();
        if (text.Length == 0)
        {
            await NoteAsync(trigger, TimelineActions.IgnoredUnsupported, "the transcript is empty", _time.GetUtcNow(), ct);
            return (Understood.No, false);
        }
        await _messages.SaveMediaTextAsync(trigger.MessageId, $"{VoiceNotePrefix} {text}", ct);
        await NoteAsync(trigger, TimelineActions.MediaTranscribed, media.Seconds is { } s ? $"{s} s" : null, _time.GetUtcNow(), ct);
        return (Understood.Yes, true);
    }

    /// <summary>A photo for a model that sees; for one that does not, its caption alone is answered (as before media were understood).</summary>
    private async Task<(Understood, bool Changed)> AttachPhotoAsync(
        TriggerMessage trigger, EvolutionMedia media, ReplyContext context, string correlationId, Dictionary<long, ConversationImage> images, CancellationToken ct)
    {
        var captioned = trigger.Text is not null ? Understood.Yes : Understood.No;
        if (!_capabilities.CanSee(context)) return (captioned, false);
        if (await DownloadAsync(trigger, media, context, _settings.MediaMaxImageBytes, "photo", correlationId, ct) is not { } photo)
            return (captioned, false);

        images[trigger.MessageId] = new ConversationImage(photo.MimeType, photo.Data);
        if (trigger.MediaText is not null) return (Understood.Yes, false); // attached on an earlier attempt; the history has its text
        var text = trigger.Text is null ? PhotoPrefix : $"{PhotoPrefix} {trigger.Text}";
        await _messages.SaveMediaTextAsync(trigger.MessageId, text, ct);
        await NoteAsync(trigger, TimelineActions.MediaAttached, null, _time.GetUtcNow(), ct);
        return (Understood.Yes, true);
    }

    /// <summary>The file, or null when it is over the limit or gone (noted on the timeline); a transient failure is retried by the job.</summary>
    private async Task<MediaContent?> DownloadAsync(
        TriggerMessage trigger, EvolutionMedia media, ReplyContext context, long maxBytes, string what, string correlationId, CancellationToken ct)
    {
        if (media.FileLength > maxBytes)
        {
            await NoteAsync(trigger, TimelineActions.MediaTooLarge, $"{what} of {media.FileLength} bytes; the limit is {maxBytes}", _time.GetUtcNow(), ct);
            return null;
        }
        try
        {
            return await _gateway.DownloadMediaAsync(context.Instance, new MediaReference(trigger.ProviderMessageId, trigger.ProviderMediaId), maxBytes, correlationId, ct);
        }
        catch (MediaTooLargeException e)
        {
            await NoteAsync(trigger, TimelineActions.MediaTooLarge, $"{what} of {e.Bytes} bytes; the limit is {maxBytes}", _time.GetUtcNow(), ct);
            return null;
        }
        catch (MediaDownloadException e) when (e.Failure == MediaDownloadFailure.NotFound)
        {
            await NoteAsync(trigger, TimelineActions.MediaUnavailable, Truncate(e.Message), _time.GetUtcNow(), ct);
            return null;
        }
        catch (MediaDownloadException e)
        {
            _logger.LogWarning("Media of message {message_id} not downloaded: {error}", trigger.MessageId, e.Message);
            throw new RetryLater($"media download: {e.Message}", e.Failure == MediaDownloadFailure.Permanent);
        }
    }

    private Task NoteAsync(TriggerMessage trigger, string action, string? detail, DateTimeOffset now, CancellationToken ct)
    {
        _lastOutcome = action switch
        {
            TimelineActions.MediaTranscribed => "transcribed",
            TimelineActions.MediaAttached => "attached",
            TimelineActions.MediaTooLarge => "too_large",
            TimelineActions.MediaUnavailable => "unavailable",
            _ => "unsupported",
        };
        return _messages.AddTimelineEventAsync(trigger.MessageId, action, detail, now, ct);
    }

    private static string KindName(MediaKind kind) => kind == MediaKind.Audio ? "audio" : "image";

    /// <summary>The stored webhook body, read again with the webhook's own parser.</summary>
    private static EvolutionMedia? MediaOf(string rawJson)
    {
        try
        {
            using var body = JsonDocument.Parse(rawJson);
            return EvolutionWebhookParser.Parse(body.RootElement).Message?.Media;
        }
        catch (Exception e) when (e is JsonException or Common.Exceptions.RequestValidationException)
        {
            return null;
        }
    }

    /// <summary>
    /// A Cloud API message's audio or image (<c>{"type":"audio","audio":{"id","mime_type","voice"}}</c>, the image with its
    /// caption), found by its media id wherever the stored body holds it (the message item, or the whole delivery).
    /// </summary>
    private static EvolutionMedia? CloudApiMediaOf(string rawJson, string mediaId)
    {
        try
        {
            using var body = JsonDocument.Parse(rawJson);
            return Find(body.RootElement, 0);
        }
        catch (JsonException)
        {
            return null;
        }

        EvolutionMedia? Find(JsonElement element, int depth)
        {
            if (depth > 8) return null;
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                    if (Find(item, depth + 1) is { } found) return found;
                return null;
            }
            if (element.ValueKind != JsonValueKind.Object) return null;
            foreach (var (name, kind) in new[] { ("audio", MediaKind.Audio), ("image", MediaKind.Image) })
            {
                if (element.TryGetProperty(name, out var m) && m.ValueKind == JsonValueKind.Object
                    && m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == mediaId)
                    return new EvolutionMedia(kind, Text(m, "mime_type"), null, null, Text(m, "caption"));
            }
            foreach (var property in element.EnumerateObject())
                if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array && Find(property.Value, depth + 1) is { } found) return found;
            return null;
        }

        static string? Text(JsonElement obj, string name) =>
            obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString()) ? v.GetString() : null;
    }

    private static string Truncate(string s) => s.Length <= 500 ? s : s[..500];
}
