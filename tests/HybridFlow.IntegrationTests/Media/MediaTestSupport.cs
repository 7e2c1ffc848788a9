using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Tenants;
using HybridFlow.Infrastructure.Persistence;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HybridFlow.IntegrationTests.Media;

/// <summary>
/// Per-tenant conversation settings for tests, until the tenant API carries them (the lead's "Tenant settings API"):
/// the reply job's context gets them as if the store had read them.
/// </summary>
public sealed class ConversationOverrides
{
    private readonly ConcurrentDictionary<long, ConversationSettings> _byTenant = new();

    public void Set(long tenantId, ConversationSettings settings) => _byTenant[tenantId] = settings;

    public ReplyContext? Apply(ReplyContext? context) =>
        context is not null && _byTenant.TryGetValue(context.Instance.Tenant.TenantId, out var settings)
            ? context with { Instance = context.Instance with { Tenant = context.Instance.Tenant with { Conversation = settings } } }
            : context;

    /// <summary>Registers the overrides and, while no transcriber is registered by the app itself, <see cref="FakeLlmTranscriber"/>.</summary>
    public static ConversationOverrides Register(IServiceCollection services, HybridFlowApp app)
    {
        var overrides = new ConversationOverrides();
        services.AddSingleton(overrides);
        services.AddScoped<ReplyJobStore>();
        services.Replace(ServiceDescriptor.Scoped<IReplyJobStore>(sp => new OverriddenJobStore(sp.GetRequiredService<ReplyJobStore>(), overrides)));
        if (!services.Any(d => d.ServiceType == typeof(ISpeechTranscriber)))
            services.AddSingleton<ISpeechTranscriber>(new FakeLlmTranscriber(app.Llm.OpenAiBaseUrl));
        return overrides;
    }

    private sealed class OverriddenJobStore(ReplyJobStore inner, ConversationOverrides overrides) : IReplyJobStore
    {
        public Task<IReadOnlyList<ClaimedReplyJob>> ClaimDueBatchAsync(DateTimeOffset now, TimeSpan lease, int limit, int perTenantLimit, CancellationToken ct) =>
            inner.ClaimDueBatchAsync(now, lease, limit, perTenantLimit, ct);

        public Task<int> RenewLeasesAsync(IReadOnlyCollection<ClaimedReplyJob> jobs, DateTimeOffset now, TimeSpan lease, CancellationToken ct) =>
            inner.RenewLeasesAsync(jobs, now, lease, ct);

        public async Task<ReplyContext?> LoadContextAsync(ClaimedReplyJob job, CancellationToken ct) => overrides.Apply(await inner.LoadContextAsync(job, ct));

        public Task<WorkflowJob?> LoadWorkflowJobAsync(ClaimedReplyJob job, CancellationToken ct) => inner.LoadWorkflowJobAsync(job, ct);

        public Task<int> PurgeFinishedAsync(DateTimeOffset olderThan, CancellationToken ct) => inner.PurgeFinishedAsync(olderThan, ct);
    }
}

/// <summary>
/// A minimal stand-in for the OpenAI SDK transcriber (the llm helper's), over real HTTP to the fake model's
/// POST /v1/audio/transcriptions: the multipart upload OpenAI takes, so the fake records the file and the model.
/// </summary>
public sealed class FakeLlmTranscriber(Uri openAiBaseUrl) : ISpeechTranscriber
{
    private static readonly HttpClient Http = new();

    public async Task<Transcript> TranscribeAsync(TranscriptionRequest request, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(request.Audio.Data);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(request.Audio.MimeType);
        form.Add(file, "file", request.Audio.FileName ?? "voice.ogg");
        form.Add(new StringContent(request.Model ?? "whisper-1"), "model");
        using var response = await Http.PostAsync(new Uri(openAiBaseUrl + "/audio/transcriptions"), form, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new ReplyGenerationException($"transcription {(int)response.StatusCode}", isPermanent: (int)response.StatusCode is >= 400 and < 500);
        return new Transcript(JsonDocument.Parse(body).RootElement.GetProperty("text").GetString() ?? "");
    }
}
