using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Handoffs;
using HybridFlow.Application.Tenants;
using HybridFlow.Domain.Chats;
using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Tenants;
using MediatR;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Application.Replies.Commands;

/// <summary>Carries one claimed reply job as far as it goes (the dispatcher claims it and holds its lease).</summary>
[AllowAnonymousCaller]
public sealed record ProcessReplyJobCommand(ClaimedReplyJob Job) : IRequest;

public sealed class ProcessReplyJobCommandHandler : IRequestHandler<ProcessReplyJobCommand>
{
    private const string SendMessagePath = "/api/evolution/send-message";
    private static readonly TimeSpan MetaTypingDuration = TimeSpan.FromSeconds(25);
    private readonly IReplyJobStore _jobs;
    private readonly IReplyGenerator _generator;
    private readonly ILlmUsageLedger _usage;
    private readonly IWorkflowDispatcher _workflows;
    private readonly ReplySendSteps _steps;
    private readonly MediaPreparation _media;
    private readonly ModelHandoffStep _handoff;
    private readonly TokenBudgetGate _budget;
    private readonly ReplyModelChoice _models;
    private readonly HybridFlowSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<ProcessReplyJobCommandHandler> _logger;
    private readonly IWhatsAppGateway _gateway;
    private readonly IMediaMessageStore _triggers;

    public ProcessReplyJobCommandHandler(
        IReplyJobStore jobs, IReplyGenerator generator, IWorkflowDispatcher workflows, ReplySendSteps steps,
        HybridFlowSettings settings, TimeProvider time, ILogger<ProcessReplyJobCommandHandler> logger, ILlmUsageLedger usage, MediaPreparation media,
        ModelHandoffStep handoff, TokenBudgetGate budget, ReplyModelChoice models, IWhatsAppGateway gateway, IMediaMessageStore triggers)
    {
        _gateway = gateway;
        _triggers = triggers;
        _budget = budget;
        _models = models;
        _usage = usage;
        _media = media;
        _handoff = handoff;
        _steps = steps;
        _jobs = jobs;
        _generator = generator;
        _workflows = workflows;
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    public async Task<Unit> Handle(ProcessReplyJobCommand request, CancellationToken ct)
    {
        await ProcessAsync(request.Job, ct);
        return Unit.Value;
    }

    private async Task ProcessAsync(ClaimedReplyJob job, CancellationToken ct)
    {
        // The webhook's correlation id follows the job into this worker's logs and onto the outbound calls.
        // Jobs queued without one (older rows, API callers that sent none) get a fresh id so their lines still group.
        var correlationId = job.CorrelationId ?? Guid.NewGuid().ToString("N");
        using var scope = _logger.BeginScope(new Dictionary<string, object>
        {
            ["correlation_id"] = correlationId,
            ["reply_job_id"] = job.JobId,
        });

        var context = await _jobs.LoadContextAsync(job, ct);
        if (context is null) return; // the session or its instance is gone; the store has closed the job

        var channel = context.Instance.Tenant.ReplyMode == ReplyMode.Workflow ? ReplyChannel.Workflow : ReplyChannel.Ai;
        if (job.Attempt > _settings.ReplyMaxAttempts)
        {
            // Its workers kept vanishing mid-job (crash loop): stop here rather than loop forever.
            await FailAttemptAsync(job, channel, "gave up: the job was abandoned by its worker on every attempt", permanent: true, ct);
            return;
        }

        // WhatsApp's 24-hour rule (Cloud API chats): past it no free-form reply or notice may go out. A workflow's event
        // is still delivered: its answer comes through send-message, which applies the same rule.
        if ((context.Kind.IsNotice() || channel == ReplyChannel.Ai) && context.Instance.Provider == ChannelProvider.MetaCloud
            && ServiceWindow.After(context.LastCustomerMessageAt) is var window && !window.IsOpenAt(_time.GetUtcNow()))
        {
            await _steps.EndOutsideServiceWindowAsync(job, window.ClosesAt, ct);
            return;
        }

        if (context.Kind.IsNotice()) await SendNoticeAsync(job, context, correlationId, ct);
        else if (channel == ReplyChannel.Workflow) await DeliverToWorkflowAsync(job, context, ct);
        else await ReplyWithModelAsync(job, context, correlationId, ct);
    }

    private async Task ReplyWithModelAsync(ClaimedReplyJob job, ReplyContext context, string correlationId, CancellationToken ct)
    {
        // Some of its parts went out before a crash, a failed send or a resolved one: the rest follow, nothing is written again.
        var next = job.HasSentParts ? await _steps.BeginNextPartAsync(job, ct) : await WriteReplyAsync(job, context, correlationId, ct);
        if (next is null) return;
        if (!job.HasSentParts && next.MaySend && context.Instance.Provider == ChannelProvider.MetaCloud) await ShowTypingAsync(job, context, ct);
        await _steps.SendPartsAsync(job, context.Instance, context.ChatId, correlationId, next, TimelineActions.AiReplied, ct);
    }

    /// <summary>
    /// The Cloud API's read receipt with its typing indicator (when the tenant shows typing): only now that the bot will
    /// answer (the reply is written and its send begun). Evolution types through the send's own delay instead. A failure
    /// is not worth a retry.
    /// </summary>
    private async Task ShowTypingAsync(ClaimedReplyJob job, ReplyContext context, CancellationToken ct)
    {
        try
        {
            var triggers = await _triggers.LoadTriggerMessagesAsync(job.JobId, ct);
            if (triggers.LastOrDefault(t => !t.Deleted) is not { } last) return;
            // Meta shows typing for up to 25 s or until the reply; a zero duration marks the message read only.
            var typing = context.Instance.Tenant.Conversation.TypingIndicator ? MetaTypingDuration : TimeSpan.Zero;
            await _gateway.SendPresenceAsync(new OutgoingPresence(context.Instance, context.ChatId, typing, last.ProviderMessageId), ct);
        }
        catch (WhatsAppSendException e)
        {
            _logger.LogWarning("Reply job {reply_job_id}: the typing indicator was not shown: {error}", job.JobId, e.Message);
        }
    }

    /// <summary>The model writes the reply; the tenant's settings cut it into parts, and the first part's send is begun.</summary>
    private async Task<BegunPart?> WriteReplyAsync(ClaimedReplyJob job, ReplyContext context, string correlationId, CancellationToken ct)
    {
        // Budget used up: a person takes the chat, and nothing (not even a transcription) is spent on the platform's key.
        if (_budget.IsExhausted(context))
        {
            await _handoff.HandOffForBudgetAsync(job, context, correlationId, ct);
            return null;
        }

        // Voice notes and photos first: transcripts into the history, the job's photos attached (or the media answered as unsupported).
        var media = await _media.PrepareAsync(job, context, correlationId, ct);
        if (media.Handled) return null;
        context = media.Context;

        string text;
        string? truncation = null;
        try
        {
            var prompt = ToPrompt(context, correlationId);
            if (media.VisionModel is not null && _models.For(context, ModelSetting.VisionModel) is { } visionModel) prompt = prompt with { Model = visionModel };
            var reply = await _generator.GenerateAsync(prompt, ct);
            await _usage.RecordAsync(LlmCall.ForReply(context, prompt), reply.Usage, ct);
            if (reply.Handoff is null && reply.Truncated)
            {
                // Cut at LLM_MAX_TOKENS: never sent half-written. Written once more with twice the room.
                truncation = TruncatedReplies.Regenerated;
                var longer = prompt with { MaxTokensScale = 2 };
                reply = await _generator.GenerateAsync(longer, ct);
                await _usage.RecordAsync(LlmCall.ForReply(context, longer), reply.Usage, ct);
                if (reply.Handoff is null && reply.Truncated)
                {
                    truncation = TruncatedReplies.Cut;
                    reply = reply with { Text = TruncatedReply.CutAtLastSentence(reply.Text) };
                }
            }
            if (reply.Handoff is { } handoff)
            {
                // request_human: a person is asked for, and whatever text came with the call is not sent.
                await _handoff.HandOffAsync(job, context, handoff, correlationId, ct);
                return null;
            }
            text = reply.Text.Trim();
            if (text.Length == 0) throw new ReplyGenerationException("The model returned an empty reply.");
        }
        catch (ReplyGenerationException e) when (e.IsRateLimited)
        {
            await _steps.PostponeAsync(job, _time.GetUtcNow() + (e.RetryAfter ?? _settings.ReplyRetryBaseDelay), $"llm: {e.Message}", ct);
            return null;
        }
        catch (ReplyGenerationException e) when (e.IsAccountExhausted)
        {
            // Not a rate limit: no retry helps until someone pays, so the job fails now and the chat needs a person.
            await _steps.FailAsync(job.JobId, job.Attempt, ReplyChannel.Ai, $"llm account: {e.Message}", permanent: true, ct, needsPerson: true);
            return null;
        }
        catch (ReplyGenerationException e) when (e.IsPermanent && media.HasImages)
        {
            // The model refused the photo (4xx): the customer gets unsupported_media_reply, or silence.
            _logger.LogWarning("Reply job {reply_job_id}: the model refused the media: {error}", job.JobId, e.Message);
            await _media.AnswerUnsupportedAsync(job, context, correlationId, ct);
            return null;
        }
        catch (ReplyGenerationException e)
        {
            await FailAttemptAsync(job, ReplyChannel.Ai, $"llm: {e.Message}", e.IsPermanent, ct);
            return null;
        }

        var parts = ReplySplitter.Split(text, context.Instance.Tenant.Conversation);
        return await _steps.BeginReplyAsync(job, text, parts, ct, truncation is null ? null : new TimelineNote(TimelineActions.AiTruncated, truncation));
    }

    /// <summary>A fixed text (the handoff or the away message): the same re-check and send as a reply, without the model.</summary>
    private async Task SendNoticeAsync(ClaimedReplyJob job, ReplyContext context, string correlationId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(context.PresetText))
        {
            await FailAttemptAsync(job, ReplyChannel.Ai, "notice without a text", permanent: true, ct);
            return;
        }
        var next = await _steps.BeginReplyAsync(job, context.PresetText, [context.PresetText], ct);
        var which = context.Kind == ReplyJobKind.HandoffNotice ? "handoff message" : "away message";
        await _steps.SendPartsAsync(job, context.Instance, context.ChatId, correlationId, next, TimelineActions.NoticeSent, ct, which);
    }

    /// <summary>The workflow gets the event and answers later through send-message; a POST may be repeated (same delivery id).</summary>
    private async Task DeliverToWorkflowAsync(ClaimedReplyJob job, ReplyContext context, CancellationToken ct)
    {
        var workflowJob = await _jobs.LoadWorkflowJobAsync(job, ct);
        if (workflowJob is null) return;

        var target = WorkflowTargets.Resolve(workflowJob.WorkflowUrl, workflowJob.WorkflowSecret, _settings, workflowJob.WorkflowUrlTrusted);
        if (target is null)
        {
            await FailAttemptAsync(job, ReplyChannel.Workflow,
                "workflow: no target; set the tenant's workflow_url and workflow_secret, or N8N_WEBHOOK_URL and N8N_API_KEY", permanent: true, ct);
            return;
        }

        if (await _steps.BeginDispatchAsync(job, ct) != ReplyJobOutcome.DispatchBegun) return;

        var workflowEvent = new WorkflowEvent(
            workflowJob.DeliveryId,
            context.Instance.Tenant.TenantId,
            context.Instance.InstanceName,
            context.ChatId,
            context.SessionId,
            workflowJob.Messages,
            workflowJob.History,
            _settings.PublicBaseUrl is { } baseUrl ? baseUrl + SendMessagePath : null);
        try
        {
            var status = await _workflows.DispatchAsync(new WorkflowDispatch(target, workflowJob.DeliveryId, workflowEvent), ct);
            await _steps.CompleteDispatchAsync(job, $"attempt {job.Attempt}: HTTP {status}", ct);
        }
        catch (WorkflowDispatchException e)
        {
            await FailAttemptAsync(job, ReplyChannel.Workflow, $"workflow: {e.Message}", e.IsPermanent, ct);
        }
    }

    private ReplyPrompt ToPrompt(ReplyContext context, string correlationId) => new(
        context.LlmProvider,
        _models.For(context, ModelSetting.LlmModel),
        string.IsNullOrWhiteSpace(context.SystemPrompt) ? _settings.DefaultSystemPrompt : context.SystemPrompt,
        HistoryBudget.Trim(context.History, context.Instance.Tenant.Conversation.HistoryTokenBudget),
        correlationId,
        Credentials: context.Instance.Tenant.LlmCredentials,
        OfferHandoffTool: true,
        Language: context.Instance.Tenant.Conversation.Language);

    private Task FailAttemptAsync(ClaimedReplyJob job, ReplyChannel channel, string error, bool permanent, CancellationToken ct) =>
        _steps.FailAsync(job.JobId, job.Attempt, channel, error, permanent, ct);
}
