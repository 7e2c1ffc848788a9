using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>Sends each prompt to the tenant's provider, or to LLM_PROVIDER when the tenant names none.</summary>
internal sealed class RoutingReplyGenerator : IReplyGenerator
{
    private const int MaxProviderNameInMessage = 40;

    private readonly LlmOptions _options;
    private readonly OpenAiReplyGenerator _openAi;
    private readonly AnthropicReplyGenerator _anthropic;
    private readonly StaticReplyGenerator _static;

    public RoutingReplyGenerator(
        LlmOptions options,
        OpenAiReplyGenerator openAi,
        AnthropicReplyGenerator anthropic,
        StaticReplyGenerator staticReply)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(openAi);
        ArgumentNullException.ThrowIfNull(anthropic);
        ArgumentNullException.ThrowIfNull(staticReply);
        _options = options;
        _openAi = openAi;
        _anthropic = anthropic;
        _static = staticReply;
    }

    public async Task<GeneratedReply> GenerateAsync(ReplyPrompt prompt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return await Resolve(prompt.Provider).GenerateAsync(prompt, ct);
    }

    private IReplyGenerator Resolve(string? tenantProvider)
    {
        return _options.ProviderFor(tenantProvider) switch
        {
            LlmOptions.OpenAiProvider => _openAi,
            LlmOptions.AnthropicProvider => _anthropic,
            LlmOptions.StaticProvider => _static,
            _ => throw new ReplyGenerationException(
                $"Unknown LLM provider '{Shorten(tenantProvider!.Trim())}'; expected "
                + $"'{LlmOptions.OpenAiProvider}', '{LlmOptions.AnthropicProvider}' or '{LlmOptions.StaticProvider}'.",
                isPermanent: true),
        };
    }

    private static string Shorten(string value) =>
        value.Length <= MaxProviderNameInMessage ? value : value[..MaxProviderNameInMessage] + "…";
}
