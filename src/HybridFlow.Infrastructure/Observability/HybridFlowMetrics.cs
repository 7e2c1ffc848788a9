using System.Diagnostics.Metrics;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;

namespace HybridFlow.Infrastructure.Observability;

/// <summary>What the reply queue looked like at the last scrape (read from PostgreSQL by <see cref="ReplyQueueProbe"/>).</summary>
internal sealed record ReplyQueueSnapshot(long Waiting, long InFlight, TimeSpan OldestDueAge);

/// <summary>
/// The service's instruments on one <see cref="Meter"/> named "HybridFlow", created through the host's
/// <see cref="IMeterFactory"/> so that each host (and each test host) has its own. <see cref="PrometheusMeterBridge"/>
/// publishes them for GET /metrics; any other System.Diagnostics.Metrics listener (dotnet-counters, OpenTelemetry) sees them too.
/// </summary>
internal sealed class HybridFlowMetrics : IHybridFlowMetrics
{
    public const string MeterName = "HybridFlow";

    public static class Outcomes
    {
        public const string Sent = "sent";
        public const string Retry = "retry";
        public const string Dead = "dead";
        public const string Discarded = "discarded";
        public const string Cancelled = "cancelled";
        /// <summary>Put back without using an attempt: the model provider rate limited it.</summary>
        public const string Postponed = "postponed";
        /// <summary>A send whose answer was lost, proved by its echo or Evolution's record.</summary>
        public const string Confirmed = "confirmed";
        /// <summary>A send whose answer was lost, proved absent and sent once more.</summary>
        public const string Resent = "resent";
        /// <summary>A send nothing could prove either way: a person has to look (state=needs_attention).</summary>
        public const string OutcomeUnknown = "outcome_unknown";

        public static readonly IReadOnlyList<string> All = [Sent, Retry, Dead, Discarded, Cancelled, Confirmed, Resent, OutcomeUnknown, Postponed];
    }

    /// <summary>What happened to a conversation, as <c>hybridflow_conversation_events_total{event}</c> counts it (<see cref="ConversationEventTracker"/>).</summary>
    public static class ConversationEvents
    {
        public const string HumanTakeover = "human_takeover";
        public const string HandoffRequested = "handoff_requested";
        public const string AutoResumed = "auto_resumed";
        public const string Resumed = "resumed";
        public const string ManualPause = "manual_pause";

        public static readonly IReadOnlyList<string> All = [HumanTakeover, HandoffRequested, AutoResumed, Resumed, ManualPause];
    }

    private static readonly double[] WebhookBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
    private static readonly double[] LlmBuckets = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];
    private static readonly double[] EvolutionBuckets = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Counter<long> _webhooks;
    private readonly Histogram<double> _webhookDuration;
    private readonly Counter<long> _replyJobs;
    private readonly Histogram<double> _llmDuration;
    private readonly Counter<long> _llmErrors;
    private readonly Histogram<double> _evolutionDuration;
    private readonly Counter<long> _evolutionErrors;
    private readonly Counter<long> _sharedTransactions;
    private readonly Counter<long> _llmTokens;
    private readonly Counter<long> _conversationEvents;
    private readonly Counter<long> _media;
    private readonly Counter<long> _sharedTransactionWebhooks;
    private readonly Counter<long> _handoffs;
    private readonly Counter<long> _outsideHours;
    private readonly Counter<long> _budgetHandoffs;
    private readonly Counter<long> _metaUnknownPhoneNumbers;
    private volatile ReplyQueueSnapshot? _queue;
    private int _inboxStreams;
    private volatile Func<int>? _webhooksWaitingForTransaction;

    public HybridFlowMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _webhooks = Meter.CreateCounter<long>("hybridflow.webhooks", "{webhook}",
            "Evolution webhooks handled, by action (refused ones as rejected_*).");
        _webhookDuration = Meter.CreateHistogram("hybridflow.webhook.duration", "s",
            "Time to handle an Evolution webhook, from the parsed body to the answer.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = WebhookBuckets });
        _replyJobs = Meter.CreateCounter<long>("hybridflow.reply_jobs", "{job}",
            "Reply jobs finished or put back, by outcome (sent, retry, dead, discarded, cancelled, postponed; for sends whose answer was lost: confirmed, resent, outcome_unknown).");
        _llmDuration = Meter.CreateHistogram("hybridflow.llm.request.duration", "s",
            "Time the LLM provider took to write a reply, by provider.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LlmBuckets });
        _llmErrors = Meter.CreateCounter<long>("hybridflow.llm.errors", "{error}",
            "Failed LLM calls, by provider and kind (timeout, transient, permanent, rate_limited).");
        _evolutionDuration = Meter.CreateHistogram("hybridflow.evolution.request.duration", "s",
            "Time of each HTTP call to Evolution API, by operation.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = EvolutionBuckets });
        _evolutionErrors = Meter.CreateCounter<long>("hybridflow.evolution.errors", "{error}",
            "Failed Evolution API calls, by operation and kind (transient, permanent, outcome_unknown).");

        _llmTokens = Meter.CreateCounter<long>("hybridflow.llm.tokens", "{token}",
            "Tokens the model providers reported, by provider, model (the configured ones; others as \"other\") and kind (input, output, cached; cached is part of input).");
        _conversationEvents = Meter.CreateCounter<long>("hybridflow.conversation_events", "{event}",
            "What happened to conversations, by event (human_takeover, handoff_requested, auto_resumed, resumed, manual_pause).");

        _sharedTransactions = Meter.CreateCounter<long>("hybridflow.webhook.transactions", "{transaction}",
            "Database transactions that recorded customer messages, by outcome (committed, rolled_back); one may serve many webhooks.");
        _sharedTransactionWebhooks = Meter.CreateCounter<long>("hybridflow.webhook.transaction_members", "{webhook}",
            "Customer-message webhooks those transactions served, by outcome: divided by hybridflow_webhook_transactions, the average group size.");

        _media = Meter.CreateCounter<long>("hybridflow.media", "{message}",
            "Voice notes and photos of reply jobs, by kind (audio, image) and outcome (transcribed, attached, too_large, unavailable, unsupported).");
        _handoffs = Meter.CreateCounter<long>("hybridflow.handoffs", "{handoff}",
            "Chats paused because a person was requested, by trigger (keyword, model, budget).");
        _budgetHandoffs = Meter.CreateCounter<long>("hybridflow.budget_handoffs", "{handoff}",
            "Chats handed to a person instead of answered because the tenant's monthly token budget is used up.");
        _outsideHours = Meter.CreateCounter<long>("hybridflow.outside_hours", "{message}",
            "Customer messages outside business hours, by decision (away_message_sent, ignored_outside_hours).");
        _metaUnknownPhoneNumbers = Meter.CreateCounter<long>("hybridflow.meta.unknown_phone_numbers", "{change}",
            "Validly signed Cloud API webhook changes for a phone_number_id no instance has (answered 200 so that Meta does not retry them).");

        Meter.CreateObservableGauge("hybridflow.reply_queue.depth",
            () => Observe(q => q.Waiting), "{job}", "Reply jobs waiting to be processed (pending or retrying), due or scheduled.");
        Meter.CreateObservableGauge("hybridflow.reply_jobs.in_flight",
            () => Observe(q => q.InFlight), "{job}", "Reply jobs a worker is processing or sending right now.");
        Meter.CreateObservableGauge("hybridflow.reply_queue.oldest_due_age",
            () => Observe(q => q.OldestDueAge.TotalSeconds), "s", "How long the oldest due reply job has been waiting past its due time (0 when none).");
        Meter.CreateObservableGauge("hybridflow.webhook.waiting",
            () => _webhooksWaitingForTransaction is { } count ? [new Measurement<int>(count())] : Array.Empty<Measurement<int>>(), "{webhook}",
            "Customer-message webhooks on this process waiting for a shared transaction to take them.");
        Meter.CreateObservableGauge("hybridflow.inbox.streams",
            () => Volatile.Read(ref _inboxStreams), "{stream}", "Open GET /api/inbox/events streams (server-sent events) on this process.");
    }

    public Meter Meter { get; }

    public void WebhookHandled(string action, TimeSpan duration)
    {
        _webhooks.Add(1, new KeyValuePair<string, object?>("action", action));
        _webhookDuration.Record(duration.TotalSeconds);
    }

    public void ReplyJobFinished(string outcome, long count = 1)
    {
        if (count > 0) _replyJobs.Add(count, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void ReplyJobChanged(ReplyJobOutcome outcome)
    {
        var name = outcome switch
        {
            ReplyJobOutcome.Sent => Outcomes.Sent,
            ReplyJobOutcome.Retry => Outcomes.Retry,
            ReplyJobOutcome.Dead => Outcomes.Dead,
            ReplyJobOutcome.Discarded => Outcomes.Discarded,
            ReplyJobOutcome.Confirmed => Outcomes.Confirmed,
            ReplyJobOutcome.Resent => Outcomes.Resent,
            ReplyJobOutcome.NeedsAttention => Outcomes.OutcomeUnknown,
            ReplyJobOutcome.Postponed => Outcomes.Postponed,
            _ => null,
        };
        if (name is not null) ReplyJobFinished(name);
    }

    public void HandoffRequested(string trigger) => _handoffs.Add(1, new KeyValuePair<string, object?>("trigger", trigger));

    public void BudgetHandoff() => _budgetHandoffs.Add(1);

    public void OutsideHours(string decision) => _outsideHours.Add(1, new KeyValuePair<string, object?>("decision", decision));

    public void MetaUnknownPhoneNumber() => _metaUnknownPhoneNumbers.Add(1);

    /// <summary>One model call; <paramref name="errorKind"/> is null when it succeeded.</summary>
    public void LlmCallFinished(string provider, TimeSpan duration, string? errorKind)
    {
        var providerTag = new KeyValuePair<string, object?>("provider", provider);
        _llmDuration.Record(duration.TotalSeconds, providerTag);
        if (errorKind is not null) _llmErrors.Add(1, providerTag, new KeyValuePair<string, object?>("kind", errorKind));
    }

    /// <summary>A model call not made because the platform's account is known to be out of credit: counted as an account error, not timed.</summary>
    public void LlmAccountExhaustedWithoutCall(string provider) =>
        _llmErrors.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("kind", "account"));

    /// <summary>One model call's tokens; zero counts add nothing.</summary>
    public void LlmTokensUsed(string provider, string model, TokenUsage usage)
    {
        void Add(long tokens, string kind)
        {
            if (tokens > 0)
                _llmTokens.Add(tokens, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("model", model),
                    new KeyValuePair<string, object?>("kind", kind));
        }
        Add(usage.InputTokens, "input");
        Add(usage.OutputTokens, "output");
        Add(usage.CachedInputTokens, "cached");
    }

    public void ConversationEvent(string conversationEvent) =>
        _conversationEvents.Add(1, new KeyValuePair<string, object?>("event", conversationEvent));

    public void EvolutionCallTimed(string operation, TimeSpan duration) =>
        _evolutionDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("operation", operation));

    public void EvolutionCallFailed(string operation, string kind) =>
        _evolutionErrors.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("kind", kind));

    /// <summary>A (possibly shared) transaction of customer messages ended; <paramref name="webhooks"/> took part in it.</summary>
    public void WebhookTransactionEnded(bool committed, int webhooks)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", committed ? "committed" : "rolled_back");
        _sharedTransactions.Add(1, outcome);
        _sharedTransactionWebhooks.Add(webhooks, outcome);
    }

    /// <summary>Set right before the observable gauges are read; null (the database did not answer) leaves them without a value.</summary>
    public void MediaHandled(string kind, string outcome) =>
        _media.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));

    internal void SetReplyQueue(ReplyQueueSnapshot? snapshot) => _queue = snapshot;

    /// <summary>Where the waiting webhooks are counted (the group-commit queue), read when the metrics are collected.</summary>
    public void ObserveWebhooksWaitingForTransaction(Func<int> count) => _webhooksWaitingForTransaction = count;

    public void InboxStreamOpened() => Interlocked.Increment(ref _inboxStreams);

    public void InboxStreamClosed() => Interlocked.Decrement(ref _inboxStreams);

    /// <summary>Every reply outcome starts at 0, so rate() and alerts work before the first failure ever happens.</summary>
    public void StartOutcomeSeriesAtZero()
    {
        foreach (var outcome in Outcomes.All) _replyJobs.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        foreach (var e in ConversationEvents.All) _conversationEvents.Add(0, new KeyValuePair<string, object?>("event", e));
        // From zero, so that an alert on its increase sees the first unknown number too.
        _metaUnknownPhoneNumbers.Add(0);
    }

    private IEnumerable<Measurement<T>> Observe<T>(Func<ReplyQueueSnapshot, T> read) where T : struct =>
        _queue is { } q ? [new Measurement<T>(read(q))] : [];
}
