using System.Collections.Concurrent;
using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>
/// Per process and per provider + model + account (the global one, or a tenant's own key/base URL, by
/// <see cref="LlmClients.Fingerprint"/>, never the raw key): caps the calls in flight (LLM_MAX_CONCURRENCY), and after a 429/overloaded
/// answer holds every caller back until the backoff ends (the provider's Retry-After, else exponential with jitter).
/// A caller that would have to wait long is not kept waiting: it gets a rate-limit failure carrying the time left,
/// so its job is put back (no attempt used) and its slot goes to other work.
/// The platform's account out of credit (<see cref="LlmAccountStatus"/>) is held back longer: for LLM_ACCOUNT_RETRY_MINUTES
/// every call to it fails at once, as an account failure, without reaching the provider.
/// </summary>
internal sealed class ThrottledReplyGenerator : IReplyGenerator
{
    /// <summary>Backoffs up to this are waited out in the call; longer ones send the job back to the queue.</summary>
    internal static readonly TimeSpan LongestWaitInCall = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromMinutes(1);

    private readonly MeteredReplyGenerator _inner;
    private readonly LlmOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<GateKey, ProviderGate> _gates = new();
    private readonly LlmAccountStatus _accounts;
    private readonly LlmAccountOptions _accountOptions;
    private readonly Observability.HybridFlowMetrics _metrics;

    public ThrottledReplyGenerator(
        MeteredReplyGenerator inner, LlmOptions options, TimeProvider time, LlmAccountStatus accounts, LlmAccountOptions accountOptions,
        Observability.HybridFlowMetrics metrics)
    {
        _inner = inner;
        _options = options;
        _time = time;
        _accounts = accounts;
        _accountOptions = accountOptions;
        _metrics = metrics;
    }

    public async Task<GeneratedReply> GenerateAsync(ReplyPrompt prompt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (Key(prompt) is not { } key) return await _inner.GenerateAsync(prompt, ct);

        var platformAccount = key.Account == LlmClients.Fingerprint(null);
        if (platformAccount && _accounts.ExhaustedUntil(key.Provider, _time.GetUtcNow()) is { } exhaustedUntil)
        {
            // Counted like the provider's own answer, so the alert sees every job it costs.
            _metrics.LlmAccountExhaustedWithoutCall(key.Provider);
            throw new ReplyGenerationException(
                $"{key.Provider} account is out of credit: not called for model '{key.Model}' until {exhaustedUntil:O} (LLM_ACCOUNT_RETRY_MINUTES).",
                isPermanent: true)
            {
                IsAccountExhausted = true,
            };
        }

        var gate = _gates.GetOrAdd(key, _ => new ProviderGate(_options.MaxConcurrency));
        await WaitOutBackoffAsync(gate, key, ct);
        if (gate.Slots is { } slots) await slots.WaitAsync(ct);
        try
        {
            // Someone may have been rate limited while this call waited for a slot.
            await WaitOutBackoffAsync(gate, key, ct);
            var reply = await _inner.GenerateAsync(prompt, ct);
            gate.Succeeded();
            return reply;
        }
        catch (ReplyGenerationException e) when (e.IsAccountExhausted && platformAccount)
        {
            _accounts.MarkExhausted(key.Provider, _time.GetUtcNow() + _accountOptions.RetryAfter);
            throw;
        }
        catch (ReplyGenerationException e) when (e.IsRateLimited)
        {
            var until = gate.RateLimited(_time.GetUtcNow(), e.RetryAfter);
            throw new ReplyGenerationException(e.Message, inner: e) { IsRateLimited = true, RetryAfter = TimeLeft(until) };
        }
        finally
        {
            gate.Slots?.Release();
        }
    }

    private async Task WaitOutBackoffAsync(ProviderGate gate, GateKey key, CancellationToken ct)
    {
        var left = TimeLeft(gate.BackoffUntil);
        if (left <= TimeSpan.Zero) return;
        if (left > LongestWaitInCall)
        {
            throw new ReplyGenerationException(
                $"{key.Provider} model '{key.Model}' is rate limited; calls wait {left.TotalSeconds:0.#} s more.")
            {
                IsRateLimited = true,
                RetryAfter = left,
            };
        }
        await Task.Delay(left, _time, ct);
    }

    private TimeSpan TimeLeft(DateTimeOffset until)
    {
        var left = until - _time.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private GateKey? Key(ReplyPrompt prompt)
    {
        // The static reply calls nobody; an unknown provider fails in the router.
        var provider = _options.ProviderFor(prompt.Provider);
        if (provider is not (LlmOptions.OpenAiProvider or LlmOptions.AnthropicProvider)) return null;
        return new GateKey(provider, _options.ModelFor(provider, prompt.Model)!, LlmClients.Fingerprint(prompt.Credentials));
    }

    /// <summary>One tenant's 429 on its own account must not hold back the platform's account or another tenant's.</summary>
    private readonly record struct GateKey(string Provider, string Model, string Account);

    /// <summary>One provider + model: its call slots and its backoff.</summary>
    private sealed class ProviderGate
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _backoffUntil = DateTimeOffset.MinValue;
        private int _rateLimitedInARow;

        public ProviderGate(int? maxConcurrency) => Slots = maxConcurrency is { } max ? new SemaphoreSlim(max, max) : null;

        public SemaphoreSlim? Slots { get; }

        public DateTimeOffset BackoffUntil
        {
            get
            {
                lock (_lock) return _backoffUntil;
            }
        }

        public void Succeeded()
        {
            lock (_lock) _rateLimitedInARow = 0;
        }

        /// <summary>Moves the backoff's end out (never in) and answers it.</summary>
        public DateTimeOffset RateLimited(DateTimeOffset now, TimeSpan? retryAfter)
        {
            lock (_lock)
            {
                // Calls already in flight when the first 429 came are the same episode: they do not double the backoff again.
                if (now >= _backoffUntil) _rateLimitedInARow++;
                var wait = retryAfter is { } asked && asked > TimeSpan.Zero
                    ? asked + Jitter(Min(asked * 0.2, FirstBackoff))
                    : Exponential(_rateLimitedInARow);
                var until = now + wait;
                if (until > _backoffUntil) _backoffUntil = until;
                return _backoffUntil;
            }
        }

        /// <summary>1 s, 2 s, 4 s … up to a minute, each drawn from its upper half (equal jitter).</summary>
        private static TimeSpan Exponential(int inARow)
        {
            var full = FirstBackoff * Math.Pow(2, Math.Clamp(inARow - 1, 0, 16));
            if (full > LongestBackoff) full = LongestBackoff;
            return full / 2 + Jitter(full / 2);
        }

        private static TimeSpan Jitter(TimeSpan upTo) => upTo * Random.Shared.NextDouble();

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }
}
