using System.Text.Json;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Security;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>
/// Claude replies through the official Anthropic SDK (Messages API). The system prompt goes in a text block marked
/// <c>cache_control: ephemeral</c>, so Anthropic caches the stable prefix (tools, then system) across replies.
/// </summary>
public sealed class AnthropicReplyGenerator : IReplyGenerator, IDisposable
{
    private const string ProviderName = "Anthropic";

    private static readonly Tool RequestHumanTool = new()
    {
        Name = HandoffTool.Name,
        Description = HandoffTool.Description,
        InputSchema = new InputSchema
        {
            Properties = new Dictionary<string, JsonElement>
            {
                [HandoffTool.ReasonParameter] = JsonSerializer.SerializeToElement(new { type = "string", description = HandoffTool.ReasonDescription }),
            },
            Required = [HandoffTool.ReasonParameter],
        },
    };

    private readonly LlmOptions _options;
    private readonly LlmClients _clients;
    private readonly LlmClients? _ownedClients;

    internal AnthropicReplyGenerator(LlmOptions options, LlmClients clients)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clients);
        _options = options;
        _clients = clients;
    }

    /// <summary>For tests and tools without DI: its own clients, tenant URLs through a default guard; disposed with it.</summary>
    internal AnthropicReplyGenerator(LlmOptions options)
        : this(options, new LlmClients(options, new OutboundAddressGuard(new OutboundAddressOptions())))
    {
        _ownedClients = _clients;
    }

    public void Dispose() => _ownedClients?.Dispose();

    public async Task<GeneratedReply> GenerateAsync(ReplyPrompt prompt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var account = _clients.Anthropic(prompt.Credentials)
            ?? throw new ReplyGenerationException("Anthropic is not configured: set ANTHROPIC_API_KEY.", isPermanent: true);

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
            MaxTokens = _options.MaxTokens * Math.Max(1, prompt.MaxTokensScale),
            Messages = messages,
        };
        var hasSystem = !string.IsNullOrWhiteSpace(prompt.SystemPrompt);
        if (hasSystem)
        {
            parameters = parameters with
            {
                System = new List<TextBlockParam> { new(prompt.SystemPrompt) { CacheControl = new CacheControlEphemeral() } },
            };
        }

        if (prompt.OfferHandoffTool)
        {
            // Tools come before the system prompt in the cached prefix; with no system block the tool carries the breakpoint.
            var tool = hasSystem ? RequestHumanTool : RequestHumanTool with { CacheControl = new CacheControlEphemeral() };
            parameters = parameters with { Tools = [tool], ToolChoice = new ToolChoiceAuto() };
        }

        var capture = RetryAfterCaptureHandler.Begin();
        Message message;
        try
        {
            message = await account.Client.Messages.Create(parameters, ct);
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
        catch (Exception ex) when (OutboundAddressGuard.BlockedBy(ex) is { } refused)
        {
            throw LlmErrors.BaseUrlBlocked(ProviderName, model, refused);
        }
        catch (AnthropicApiException ex)
        {
            throw LlmErrors.FromStatus(
                ProviderName, model, (int)ex.StatusCode, ex.ResponseBody, ex.RequestID, capture.RetryAfter, account.IsTenantKey, account.ApiKey);
        }
        catch (AnthropicIOException ex)
        {
            throw LlmErrors.Unreachable(ProviderName, model, (Exception?)ex.InnerException ?? ex);
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

        var text = string.Concat(message.Content.Select(block => block.TryPickText(out var textBlock) ? textBlock.Text : "")).Trim();
        // input_tokens leaves out cache reads and writes; TokenUsage.InputTokens counts every input token.
        var cacheRead = message.Usage.CacheReadInputTokens ?? 0;
        var usage = new TokenUsage(
            message.Usage.InputTokens + cacheRead + (message.Usage.CacheCreationInputTokens ?? 0),
            message.Usage.OutputTokens,
            cacheRead);

        if (prompt.OfferHandoffTool)
        {
            foreach (var block in message.Content)
            {
                if (block.TryPickToolUse(out var toolUse) && toolUse.Name == HandoffTool.Name)
                {
                    return new GeneratedReply(text, usage, HandoffTool.FromInput(ReadInput(toolUse)));
                }
            }
        }

        // Cut at the token limit: the caller writes it again or cuts it at a sentence, even when nothing came yet.
        var truncated = message.StopReason?.Raw() == "max_tokens";
        if (text.Length == 0 && !truncated)
        {
            throw LlmErrors.EmptyReply(ProviderName, model);
        }

        return new GeneratedReply(text, usage, Truncated: truncated);
    }

    private static IReadOnlyDictionary<string, JsonElement>? ReadInput(ToolUseBlock toolUse)
    {
        try
        {
            return toolUse.Input;
        }
        catch (Exception e) when (e is AnthropicException or JsonException or InvalidOperationException)
        {
            // A malformed input is still a request for a person, just without a readable reason.
            return null;
        }
    }

    /// <summary>
    /// Anthropic requires the first message to come from the user and roles to alternate, so leading assistant turns
    /// are dropped and consecutive turns of one role are joined: texts with a newline, a customer's photo as an image
    /// block before its caption. Blank turns are skipped because the API rejects empty text.
    /// </summary>
    private static List<MessageParam> BuildMessages(IReadOnlyList<ConversationTurn> history)
    {
        var merged = new List<(ConversationRole Role, List<ContentBlockParam> Blocks)>(history.Count);
        foreach (var turn in history)
        {
            var image = turn.Role == ConversationRole.Customer ? ImageBlock(turn.Image) : null;
            var hasText = !string.IsNullOrWhiteSpace(turn.Text);
            if ((!hasText && image is null) || (merged.Count == 0 && turn.Role == ConversationRole.Assistant))
            {
                continue;
            }

            if (merged.Count == 0 || merged[^1].Role != turn.Role)
            {
                merged.Add((turn.Role, []));
            }

            var blocks = merged[^1].Blocks;
            if (image is not null) blocks.Add(image);
            if (!hasText) continue;
            if (image is null && blocks.Count > 0 && blocks[^1].TryPickText(out var previous))
            {
                blocks[^1] = new TextBlockParam(previous.Text + "\n" + turn.Text);
            }
            else
            {
                blocks.Add(new TextBlockParam(turn.Text));
            }
        }

        return merged
            .Select(turn => turn.Role == ConversationRole.Assistant
                ? (MessageParam)new AssistantMessageParam(AsContent(turn.Blocks))
                : new UserMessageParam(AsContent(turn.Blocks)))
            .ToList();
    }

    /// <summary>A lone text stays a plain string, as before images, so text-only prompts look the same on the wire.</summary>
    private static MessageContentParam AsContent(List<ContentBlockParam> blocks) =>
        blocks is [var only] && only.TryPickText(out var text) ? text.Text : blocks;

    /// <summary>Anthropic takes JPEG, PNG, GIF and WebP; other pictures are left out (their caption still goes).</summary>
    private static ImageBlockParam? ImageBlock(ConversationImage? image)
    {
        MediaType? mediaType = image?.MimeType.Split(';')[0].Trim().ToLowerInvariant() switch
        {
            "image/jpeg" or "image/jpg" => MediaType.ImageJpeg,
            "image/png" => MediaType.ImagePng,
            "image/gif" => MediaType.ImageGif,
            "image/webp" => MediaType.ImageWebP,
            _ => null,
        };
        if (image is null || mediaType is not { } type || image.Data.Length == 0) return null;
        return new ImageBlockParam(new Base64ImageSource { Data = Convert.ToBase64String(image.Data), MediaType = type });
    }
}
