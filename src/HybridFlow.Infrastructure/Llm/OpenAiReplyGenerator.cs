using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Text.Json;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Observability;
using OpenAI;
using OpenAI.Chat;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>Chat completions through the official OpenAI SDK; also serves OpenAI-compatible servers via OPENAI_BASE_URL.</summary>
public sealed class OpenAiReplyGenerator : IReplyGenerator
{
    private const string ProviderName = "OpenAI";

    // The SDK refuses an empty key, and local servers (Ollama, vLLM) ignore whatever is sent.
    private const string PlaceholderApiKey = "no-key";

    private readonly LlmOptions _options;
    private readonly OpenAIClient? _client;
    private readonly ConcurrentDictionary<string, ChatClient> _chatClients = new(StringComparer.Ordinal);

    public OpenAiReplyGenerator(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        if (options.IsOpenAiConfigured)
        {
            _client = CreateClient(options);
        }
    }

    public async Task<GeneratedReply> GenerateAsync(ReplyPrompt prompt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (_client is null)
        {
            throw new ReplyGenerationException(
                "OpenAI is not configured: set OPENAI_API_KEY, or OPENAI_BASE_URL for an OpenAI-compatible server.",
                isPermanent: true);
        }

        var model = string.IsNullOrWhiteSpace(prompt.Model) ? _options.OpenAiModel : prompt.Model.Trim();
        var chatClient = _chatClients.GetOrAdd(model, _client.GetChatClient);
        var completionOptions = new ChatCompletionOptions { MaxOutputTokenCount = _options.MaxTokens };

        ChatCompletion completion;
        try
        {
            completion = (await chatClient.CompleteChatAsync(BuildMessages(prompt), completionOptions, ct)).Value;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            // Not the caller's token, so it is the SDK's NetworkTimeout firing.
            throw LlmErrors.Timeout(ProviderName, model, _options.Timeout, ex);
        }
        catch (ClientResultException ex) when (ex.Status == 0)
        {
            // Status 0: no HTTP response at all (connection refused, DNS, reset).
            throw LlmErrors.Unreachable(ProviderName, model, ex);
        }
        catch (ClientResultException ex)
        {
            var response = ex.GetRawResponse();
            throw LlmErrors.FromStatus(ProviderName, model, ex.Status, ReadBody(response), ReadRequestId(response), ReadRetryAfter(response));
        }
        catch (HttpRequestException ex)
        {
            throw LlmErrors.Unreachable(ProviderName, model, ex);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw LlmErrors.UnreadableResponse(ProviderName, model, ex);
        }

        var text = string.Concat(completion.Content
            .Where(part => part.Kind == ChatMessageContentPartKind.Text)
            .Select(part => part.Text));
        if (string.IsNullOrWhiteSpace(text))
        {
            throw LlmErrors.EmptyReply(ProviderName, model);
        }

        var usage = completion.Usage is { } u
            ? new TokenUsage(u.InputTokenCount, u.OutputTokenCount, u.InputTokenDetails?.CachedTokenCount ?? 0)
            : TokenUsage.None;
        return new GeneratedReply(text.Trim(), usage);
    }

    private static OpenAIClient CreateClient(LlmOptions options)
    {
        var clientOptions = new OpenAIClientOptions
        {
            NetworkTimeout = options.Timeout,
            // The outbox owns retries; SDK retries would multiply attempts and stretch past LLM_TIMEOUT.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        clientOptions.AddPolicy(new CorrelationIdPipelinePolicy(), PipelinePosition.PerCall);
        if (options.OpenAiBaseUrl is not null)
        {
            clientOptions.Endpoint = options.OpenAiBaseUrl;
        }

        return new OpenAIClient(new ApiKeyCredential(options.OpenAiApiKey ?? PlaceholderApiKey), clientOptions);
    }

    private static List<ChatMessage> BuildMessages(ReplyPrompt prompt)
    {
        var messages = new List<ChatMessage>(prompt.History.Count + 1);
        if (!string.IsNullOrWhiteSpace(prompt.SystemPrompt))
        {
            messages.Add(new SystemChatMessage(prompt.SystemPrompt));
        }

        foreach (var turn in prompt.History)
        {
            messages.Add(turn.Role == ConversationRole.Assistant
                ? new AssistantChatMessage(turn.Text)
                : new UserChatMessage(turn.Text));
        }

        return messages;
    }

    private static string? ReadBody(PipelineResponse? response)
    {
        try
        {
            return response?.Content.ToString();
        }
        catch (InvalidOperationException)
        {
            // Content throws when the body was streamed rather than buffered.
            return null;
        }
    }

    private static TimeSpan? ReadRetryAfter(PipelineResponse? response) =>
        response is null ? null : RetryAfter.Parse(
            response.Headers.TryGetValue("retry-after-ms", out var ms) ? ms : null,
            response.Headers.TryGetValue("retry-after", out var after) ? after : null,
            DateTimeOffset.UtcNow);

    private static string? ReadRequestId(PipelineResponse? response) =>
        response is not null && response.Headers.TryGetValue("x-request-id", out var id) ? id : null;
}
