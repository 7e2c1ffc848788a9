using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using MediatR;

namespace HybridFlow.Application.Replies.Commands;

/// <summary>Claims one due reply job and carries it as far as it goes. Answers false when nothing was due.</summary>
public sealed record ProcessNextReplyJobCommand : IRequest<bool>;

public sealed class ProcessNextReplyJobCommandHandler : IRequestHandler<ProcessNextReplyJobCommand, bool>
{
    private readonly IReplyJobStore _jobs;
    private readonly IReplyGenerator _generator;
    private readonly IWhatsAppGateway _gateway;
    private readonly HybridFlowSettings _settings;
    private readonly TimeProvider _time;

    public ProcessNextReplyJobCommandHandler(
        IReplyJobStore jobs, IReplyGenerator generator, IWhatsAppGateway gateway, HybridFlowSettings settings, TimeProvider time)
    {
        _jobs = jobs;
        _generator = generator;
        _gateway = gateway;
        _settings = settings;
        _time = time;
    }

    public async Task<bool> Handle(ProcessNextReplyJobCommand request, CancellationToken ct)
    {
        var job = await _jobs.ClaimNextAsync(_time.GetUtcNow(), _settings.ReplyJobLease, ct);
        if (job is null) return false;
        if (job.Attempt > _settings.ReplyMaxAttempts)
        {
            // Its workers kept vanishing mid-job (crash loop): stop here rather than loop forever.
            await _jobs.RetryOrFailAsync(job, "gave up: the job was abandoned by its worker on every attempt", null, _time.GetUtcNow(), ct);
            return true;
        }

        var context = await _jobs.LoadContextAsync(job, ct);
        if (context is null) return true; // the session or its instance is gone; the store has closed the job

        string text;
        try
        {
            text = (await _generator.GenerateAsync(ToPrompt(context), ct)).Trim();
            if (text.Length == 0) throw new ReplyGenerationException("The model returned an empty reply.");
        }
        catch (ReplyGenerationException e)
        {
            await FailAttemptAsync(job, $"llm: {e.Message}", e.IsPermanent, ct);
            return true;
        }

        var permit = await _jobs.BeginSendAsync(job, text, _time.GetUtcNow(), ct);
        if (permit != SendPermit.Granted) return true;

        try
        {
            var sent = await _gateway.SendTextAsync(new OutgoingText(context.Instance, context.ChatId, text), ct);
            await _jobs.CompleteSendAsync(job, sent.ProviderMessageId, text, sent.RawJson, _time.GetUtcNow(), ct);
        }
        catch (WhatsAppSendException e)
        {
            // OutcomeUnknown is never retried: a second send could be a double reply.
            await FailAttemptAsync(job, $"whatsapp: {e.Message}", e.Kind != SendFailureKind.Transient, ct);
        }
        return true;
    }

    private ReplyPrompt ToPrompt(ReplyContext context) => new(
        context.LlmProvider,
        context.LlmModel,
        string.IsNullOrWhiteSpace(context.SystemPrompt) ? _settings.DefaultSystemPrompt : context.SystemPrompt,
        context.History);

    private Task FailAttemptAsync(ClaimedReplyJob job, string error, bool permanent, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        DateTimeOffset? retryAt = permanent || job.Attempt >= _settings.ReplyMaxAttempts ? null : now + _settings.RetryDelay(job.Attempt);
        return _jobs.RetryOrFailAsync(job, error, retryAt, now, ct);
    }
}
