using HybridFlow.Application.Common.Exceptions;

namespace HybridFlow.Application.Tenants;

/// <summary>A model a tenant names in one of its settings; <see cref="Field"/> is the API's name.</summary>
public enum ModelSetting
{
    LlmModel,
    VisionModel,
    TranscriptionModel,
}

/// <summary>
/// A tenant's model choices, as stored or as a PATCH leaves them. <see cref="OwnAccount"/>: it has its own
/// <c>llm_api_key</c> or <c>llm_base_url</c>, so its replies never spend the platform's key.
/// </summary>
public sealed record TenantModelChoice(string? Provider, string? LlmModel, string? VisionModel, string? TranscriptionModel, bool OwnAccount)
{
    public string? Model(ModelSetting setting) => setting switch
    {
        ModelSetting.VisionModel => VisionModel,
        ModelSetting.TranscriptionModel => TranscriptionModel,
        _ => LlmModel,
    };
}

/// <summary>
/// The models a tenant on the platform's key may choose (LLM_ALLOWED_MODELS, <c>provider:model</c> entries), and the
/// configured defaults, which are always allowed. Unset LLM_ALLOWED_MODELS allows only the defaults: OPENAI_MODEL,
/// ANTHROPIC_MODEL and TRANSCRIPTION_MODEL. A tenant with its own account chooses freely.
/// </summary>
public sealed class PlatformModels
{
    public const string OpenAi = "openai";
    public const string Anthropic = "anthropic";
    public const string Static = "static";

    private readonly HashSet<string> _allowed;

    public PlatformModels(string defaultProvider, string openAiModel, string anthropicModel, string transcriptionModel,
        IEnumerable<(string Provider, string Model)>? allowed = null)
    {
        DefaultProvider = defaultProvider;
        OpenAiModel = openAiModel;
        AnthropicModel = anthropicModel;
        TranscriptionModel = transcriptionModel;
        _allowed = new HashSet<string>(StringComparer.Ordinal)
        {
            Key(OpenAi, openAiModel), Key(Anthropic, anthropicModel), Key(OpenAi, transcriptionModel),
        };
        foreach (var (provider, model) in allowed ?? []) _allowed.Add(Key(provider, model));
    }

    /// <summary>LLM_PROVIDER: the provider of tenants that name none.</summary>
    public string DefaultProvider { get; }
    public string OpenAiModel { get; }
    public string AnthropicModel { get; }
    public string TranscriptionModel { get; }

    /// <summary>The allowed <c>provider:model</c> entries, for messages.</summary>
    public IReadOnlyList<string> Allowed => [.. _allowed.Order(StringComparer.Ordinal)];

    /// <summary>The API's name of a model setting.</summary>
    public static string Field(ModelSetting setting) => setting switch
    {
        ModelSetting.VisionModel => "vision_model",
        ModelSetting.TranscriptionModel => "transcription_model",
        _ => "llm_model",
    };

    /// <summary>Parses LLM_ALLOWED_MODELS: comma-separated <c>provider:model</c>, provider openai or anthropic.</summary>
    /// <exception cref="FormatException">An entry is malformed; the message names the entry's position, never a secret.</exception>
    public static IReadOnlyList<(string Provider, string Model)> ParseList(string? raw)
    {
        var entries = new List<(string, string)>();
        var position = 0;
        foreach (var entry in (raw ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            position++;
            var colon = entry.IndexOf(':');
            var provider = colon > 0 ? entry[..colon].Trim().ToLowerInvariant() : "";
            var model = colon > 0 ? entry[(colon + 1)..].Trim() : "";
            if (provider is not (OpenAi or Anthropic) || model.Length == 0 || model.Length > TenantLimits.ModelMax)
                throw new FormatException($"entry {position} is not provider:model with provider openai or anthropic (e.g. openai:gpt-4o-mini).");
            entries.Add((provider, model));
        }
        return entries;
    }

    /// <summary>The provider a tenant's calls go to: its own, else LLM_PROVIDER.</summary>
    public string ProviderFor(string? tenantProvider) =>
        string.IsNullOrWhiteSpace(tenantProvider) ? DefaultProvider : tenantProvider.Trim().ToLowerInvariant();

    /// <summary>The model a setting falls back to when the tenant names none (or none allowed); null for the static provider.</summary>
    public string? DefaultModel(ModelSetting setting, string? tenantProvider) => setting == ModelSetting.TranscriptionModel
        ? TranscriptionModel
        : ProviderFor(tenantProvider) switch
        {
            OpenAi => OpenAiModel,
            Anthropic => AnthropicModel,
            _ => null,
        };

    /// <summary>
    /// Whether the tenant may use <paramref name="setting"/>'s model. Transcription is always OpenAI's, and it uses the
    /// tenant's own account only when the tenant's provider is OpenAI (as the media step decides).
    /// </summary>
    public bool IsAllowed(TenantModelChoice choice, ModelSetting setting)
    {
        var model = choice.Model(setting);
        if (string.IsNullOrWhiteSpace(model)) return true;
        var provider = ProviderFor(choice.Provider);
        if (setting == ModelSetting.TranscriptionModel)
            return (choice.OwnAccount && provider == OpenAi) || _allowed.Contains(Key(OpenAi, model.Trim()));
        if (choice.OwnAccount || provider is not (OpenAi or Anthropic)) return true; // a static tenant calls no model
        return _allowed.Contains(Key(provider, model.Trim()));
    }

    /// <summary>The model a call uses: the tenant's when allowed, else null (the default).</summary>
    public string? Effective(TenantModelChoice choice, ModelSetting setting) =>
        IsAllowed(choice, setting) && !string.IsNullOrWhiteSpace(choice.Model(setting)) ? choice.Model(setting)!.Trim() : null;

    /// <summary>Throws 400 naming the first of <paramref name="settings"/> whose model the tenant may not use.</summary>
    public void EnsureAllowed(TenantModelChoice choice, IEnumerable<ModelSetting> settings)
    {
        foreach (var setting in settings)
        {
            if (IsAllowed(choice, setting)) continue;
            var field = Field(setting);
            throw new RequestValidationException(field,
                $"{field} '{Shorten(choice.Model(setting)!)}' is not allowed on the platform's model account; choose one of LLM_ALLOWED_MODELS "
                + $"({string.Join(", ", Allowed)}), or set the tenant's own llm_api_key.");
        }
    }

    /// <summary>What GET /api/tenants shows: the model replies use, and a note when a chosen model is not allowed and falls back.</summary>
    public TenantDto Describe(TenantDto tenant)
    {
        var choice = ChoiceOf(tenant);
        var llmModel = Effective(choice, ModelSetting.LlmModel) ?? DefaultModel(ModelSetting.LlmModel, tenant.LlmProvider);
        // A photo without an allowed vision_model goes to the reply model.
        string? FallbackOf(ModelSetting s) => s == ModelSetting.VisionModel ? llmModel : DefaultModel(s, tenant.LlmProvider);
        var fallbacks = Enum.GetValues<ModelSetting>().Where(s => !IsAllowed(choice, s)).ToList();
        return tenant with
        {
            LlmModelEffective = llmModel,
            ModelFallback = fallbacks.Count == 0 ? null
                : string.Join(" ", fallbacks.Select(s =>
                    $"{Field(s)} '{Shorten(choice.Model(s)!)}' is not in LLM_ALLOWED_MODELS; calls use {FallbackOf(s) ?? "the default"} instead.")),
        };
    }

    public static TenantModelChoice ChoiceOf(TenantDto tenant) => new(
        tenant.LlmProvider, tenant.LlmModel, tenant.VisionModel, tenant.TranscriptionModel, tenant.LlmApiKey is not null || tenant.LlmBaseUrl is not null);

    private static string Key(string provider, string model) => provider + ":" + model;

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
