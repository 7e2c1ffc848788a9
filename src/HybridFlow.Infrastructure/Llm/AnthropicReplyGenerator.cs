using System.Text.Json;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Observability;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>Claude replies through the official Anthropic SDK (Messages API).</summary>
public sealed class AnthropicReplyGenerator : IReplyGenerator, IDisposable
{
    private const string ProviderName = "Anthropic";

    private readonly LlmOptions _options;
    private readonly AnthropicClient? _client;

    public AnthropicReplyGenerator(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        if (options.AnthropicApiKey is { } apiKey)
        {
            _client = CreateClient(options, apiKey);
        }
    }

    public async Task<GeneratedReply> GenerateAsync(ReplyPrompt prompt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (_client is null)
        {
            throw new ReplyGenerationException("Anthropic is not configured: set ANTHROPIC_API_KEY.", isPermanent: true);
        }

        var model = string.IsNullOrWhiteSpace(prompt.Model) ? _options.AnthropicModel : prompt.Model.Trim();
        var messages = BuildMessages(prompt.History);
        if (messages.Count == 0)
        {
            throw new ReplyGenerationException(
                "Anthropic needs at least one customer message in the history to reply to.",
                isPermanent: true);
        }

        var parameters = new MessageCreateParams
        {
            Model = model,
            MaxTokens = _options.MaxTokens,
            Messages = messages,
        };
        if (!string.IsNullOrWhiteSpace(prompt.SystemPrompt))
        {
            parameters = parameters with { System = prompt.SystemPrompt };
        }

        var capture = RetryAfterCaptureHandler.Begin();
        Message message;
        try
        {
            message = await _client.Messages.Create(parameters, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            // Not the caller's token, so it is the SDK's Timeout firing (a TaskCanceledException wrapping a TimeoutException).
            throw LlmErrors.Timeout(ProviderName, model, _options.Timeout, ex);
        }
        catch (AnthropicApiException ex)
        {
            throw LlmErrors.FromStatus(ProviderName, model, (int)ex.StatusCode, ex.ResponseBody, ex.RequestID, capture.RetryAfter);
        }
        catch (AnthropicIOException ex)
        {
            throw LlmErrors.Unreachable(ProviderName, model, ex.InnerException);
        }
        catch (HttpRequestException ex)
        {
            throw LlmErrors.Unreachable(ProviderName, model, ex);
        }
        catch (Exception ex) when (ex is AnthropicException or JsonException)
        {
            // Not attached: the SDK's data-validation messages can quote the response, which may echo the conversation.
            throw LlmErrors.UnreadableResponse(ProviderName, model, inner: null);
        }

        var text = string.Concat(message.Content.Select(block => block.TryPickText(out var textBlock) ? textBlock.Text : ""));
        if (string.IsNullOrWhiteSpace(text))
        {
            throw LlmErrors.EmptyReply(ProviderName, model);
        }

        var usage = new TokenUsage(
            message.Usage.InputTokens + (message.Usage.CacheReadInputTokens ?? 0) + (message.Usage.CacheCreationInputTokens ?? 0),
            message.Usage.OutputTokens, message.Usage.CacheReadInputTokens ?? 0);
        return new GeneratedReply(text.Trim(), usage);
    }

    public void Dispose() => _client?.Dispose();

    /// <summary>
    /// Anthropic requires the first message to come from the user and roles to alternate, so leading assistant turns
    /// are dropped and consecutive turns of one role are joined with a newline. Blank turns are skipped because the API
    /// rejects empty text.
    /// </summary>
    private static List<MessageParam> BuildMessages(IReadOnlyList<ConversationTurn> history)
    {
        var merged = new List<(ConversationRole Role, string Text)>(history.Count);
        foreach (var turn in history)
        {
            if (string.IsNullOrWhiteSpace(turn.Text) || (merged.Count == 0 && turn.Role == ConversationRole.Assistant))
            {
                continue;
            }

            if (merged.Count > 0 && merged[^1].Role == turn.Role)
            {
                merged[^1] = (turn.Role, merged[^1].Text + "\n" + turn.Text);
            }
            else
            {
                merged.Add((turn.Role, turn.Text));
            }
        }

        return merged
            .Select(turn => turn.Role == ConversationRole.Assistant
                ? (MessageParam)new AssistantMessageParam(turn.Text)
                : new UserMessageParam(turn.Text))
            .ToList();
    }

    private static AnthropicClient CreateClient(LlmOptions options, string apiKey) => new(new ClientOptions
    {
        ApiKey = apiKey,
        // Set explicitly so the SDK never falls back to its own reading of the environment.
        BaseUrl = options.AnthropicBaseUrl?.ToString() ?? EnvironmentUrl.Production,
        Timeout = options.Timeout,
        // The outbox owns retries; SDK retries would multiply attempts and stretch past LLM_TIMEOUT.
        MaxRetries = 0,
        // SDK 13.x sends the key only as "Authorization: Bearer"; the documented API header (and most
        // Anthropic-compatible gateways) use x-api-key, so send that too.
        ExtraHeaders = new Dictionary<string, string> { ["x-api-key"] = apiKey },
        Handlers = [new CorrelationIdHandler(), new RetryAfterCaptureHandler()],
    });
}
