using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Security;
using OpenAI.Chat;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>
/// Chat completions through the official OpenAI SDK; also serves OpenAI-compatible servers via OPENAI_BASE_URL or a
/// tenant's llm_base_url. Messages go system first, then history oldest first, so OpenAI's automatic prefix caching
/// reuses the stable part (system prompt, tool) from one reply to the next.
/// </summary>
public sealed class OpenAiReplyGenerator : IReplyGenerator, IDisposable
{
    internal const string ProviderName = "OpenAI";

    private static readonly ChatTool RequestHumanTool = ChatTool.CreateFunctionTool(
        HandoffTool.Name, HandoffTool.Description, BinaryData.FromString(HandoffTool.ParametersSchema));

    private readonly LlmOptions _options;
    private readonly LlmClients _clients;
    private readonly LlmClients? _ownedClients;

    internal OpenAiReplyGenerator(LlmOptions options, LlmClients clients)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clients);
        _options = options;
        _clients = clients;
    }

    /// <summary>For tests and tools without DI: its own clients, tenant URLs through a default guard; disposed with it.</summary>
    internal OpenAiReplyGenerator(LlmOptions options)
        : this(options, new LlmClients(options, new OutboundAddressGuard(new OutboundAddressOptions())))
    {
        _ownedClients = _clients;
    }

    public void Dispose() => _ownedClients?.Dispose();

    public async Task<GeneratedReply> GenerateAsync(ReplyPrompt prompt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var account = _clients.OpenAi(prompt.Credentials)
            ?? throw new ReplyGenerationException(
                "OpenAI is not configured: set OPENAI_API_KEY, or OPENAI_BASE_URL for an OpenAI-compatible server.",
                isPermanent: true);

        var model = string.IsNullOrWhiteSpace(prompt.Model) ? _options.OpenAiModel : prompt.Model.Trim();
        var chatClient = account.Client.GetChatClient(model);
        var completionOptions = new ChatCompletionOptions { MaxOutputTokenCount = _options.MaxTokens * Math.Max(1, prompt.MaxTokensScale) };
        if (prompt.OfferHandoffTool)
        {
            completionOptions.Tools.Add(RequestHumanTool);
            completionOptions.ToolChoice = ChatToolChoice.CreateAutoChoice();
        }

        ChatCompletion completion;
        try
        {
            completion = (await chatClient.CompleteChatAsync(BuildMessages(prompt), completionOptions, ct)).Value;
        }
        catch (Exception ex) when (Translate(ex, ProviderName, model, _options.Timeout, account, ct) is { } translated)
        {
            throw translated;
        }

        var text = string.Concat(completion.Content
            .Where(part => part.Kind == ChatMessageContentPartKind.Text)
            .Select(part => part.Text)).Trim();
        var usage = completion.Usage is { } u
            // prompt_tokens already counts the cached ones.
            ? new TokenUsage(u.InputTokenCount, u.OutputTokenCount, u.InputTokenDetails?.CachedTokenCount ?? 0)
            : TokenUsage.None;

        var handoffCall = prompt.OfferHandoffTool
            ? completion.ToolCalls.FirstOrDefault(call => call.FunctionName == HandoffTool.Name)
            : null;
        if (handoffCall is not null)
        {
            return new GeneratedReply(text, usage, HandoffTool.FromArguments(ReadArguments(handoffCall)));
        }

        // Cut at the token limit: the caller writes it again or cuts it at a sentence, even when nothing came yet.
        var truncated = completion.FinishReason == ChatFinishReason.Length;
        if (text.Length == 0 && !truncated)
        {
            throw LlmErrors.EmptyReply(ProviderName, model);
        }

        return new GeneratedReply(text, usage, Truncated: truncated);
    }

    /// <summary>
    /// The SDK's failures as <see cref="ReplyGenerationException"/>s; null for the caller's own cancellation. Shared with
    /// the transcriber, which calls through the same clients.
    /// </summary>
    internal static ReplyGenerationException? Translate(
        Exception ex, string provider, string model, TimeSpan timeout, OpenAiAccount account, CancellationToken ct) => ex switch
    {
        OperationCanceledException when ct.IsCancellationRequested => null,
        // Not the caller's token, so it is the SDK's NetworkTimeout firing.
        OperationCanceledException => LlmErrors.Timeout(provider, model, timeout, ex),
        _ when OutboundAddressGuard.BlockedBy(ex) is { } refused => LlmErrors.BaseUrlBlocked(provider, model, refused),
        // Status 0: no HTTP response at all (connection refused, DNS, reset).
        ClientResultException { Status: 0 } => LlmErrors.Unreachable(provider, model, ex),
        ClientResultException result => LlmErrors.FromStatus(
            provider, model, result.Status, ReadBody(result.GetRawResponse()), ReadRequestId(result.GetRawResponse()),
            ReadRetryAfter(result.GetRawResponse()), account.IsTenantKey, account.ApiKey),
        HttpRequestException => LlmErrors.Unreachable(provider, model, ex),
        JsonException or FormatException or InvalidOperationException => LlmErrors.UnreadableResponse(provider, model, ex),
        _ => null,
    };

    private static string? ReadArguments(ChatToolCall call)
    {
        try
        {
            return call.FunctionArguments?.ToString();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            return null;
        }
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
            if (turn.Role == ConversationRole.Assistant)
            {
                messages.Add(new AssistantChatMessage(turn.Text));
            }
            else if (turn.Image is { } image)
            {
                // The picture first, then its caption, in one user message.
                var parts = new List<ChatMessageContentPart> { ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(image.Data), image.MimeType) };
                if (!string.IsNullOrWhiteSpace(turn.Text)) parts.Add(ChatMessageContentPart.CreateTextPart(turn.Text));
                messages.Add(new UserChatMessage(parts));
            }
            else
            {
                messages.Add(new UserChatMessage(turn.Text));
            }
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
