using System.Text.Json.Serialization;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Tenants;

namespace HybridFlow.Api.Contracts;

/// <summary>
/// POST /api/tenants. Only <c>name</c> is required; the rest fall back to the environment defaults.
/// <c>reply_mode</c> is <c>ai</c>, <c>workflow</c> or <c>off</c> (default <c>ai</c>, or <c>workflow</c> with N8N_ENABLED);
/// a workflow tenant needs <c>workflow_url</c> and <c>workflow_secret</c> unless N8N_WEBHOOK_URL and N8N_API_KEY provide them.
/// <c>workflow_secret</c> (at least 16 characters) and <c>llm_api_key</c> are write-only. The conversation settings
/// (typing_indicator … history_token_budget) are described on PATCH; omitted ones take their defaults.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateTenantRequest(
    string? Name,
    string? SystemPrompt,
    string? LlmProvider,
    string? LlmModel,
    string? ReplyMode,
    string? WorkflowUrl,
    string? WorkflowSecret,
    int? ResumeAfterMinutes,
    int? DebounceSeconds,
    int? HistoryMessages,
    bool? ExternalSendsPause,
    bool? TypingIndicator = null,
    int? TypingMsPerChar = null,
    bool? SplitMessages = null,
    int? MaxReplyParts = null,
    IReadOnlyList<string>? HandoffKeywords = null,
    string? HandoffMessage = null,
    string? Timezone = null,
    IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>>? BusinessHours = null,
    string? OutsideHours = null,
    string? AwayMessage = null,
    string? TranscriptionModel = null,
    string? VisionModel = null,
    string? UnsupportedMediaReply = null,
    int? HistoryTokenBudget = null,
    int? StaleMessageMinutes = null,
    string? LlmApiKey = null,
    string? LlmBaseUrl = null,
    string? NotifyUrl = null,
    long? MonthlyTokenBudget = null,
    string? Language = null)
{
    public ConversationSettingsPatch ToConversationPatch() => new()
    {
        TypingIndicator = Set(TypingIndicator),
        TypingMsPerChar = Set(TypingMsPerChar),
        SplitMessages = Set(SplitMessages),
        MaxReplyParts = Set(MaxReplyParts),
        HandoffKeywords = HandoffKeywords is null ? default : new(HandoffKeywords),
        HandoffMessage = Set(HandoffMessage),
        Timezone = Set(Timezone),
        BusinessHours = BusinessHours is null ? default : new(BusinessHours),
        OutsideHours = Set(OutsideHours),
        AwayMessage = Set(AwayMessage),
        TranscriptionModel = Set(TranscriptionModel),
        VisionModel = Set(VisionModel),
        UnsupportedMediaReply = Set(UnsupportedMediaReply),
        HistoryTokenBudget = Set(HistoryTokenBudget),
        StaleMessageMinutes = Set(StaleMessageMinutes),
        Language = Set(Language),
    };

    private static Optional<T?> Set<T>(T? value) where T : struct => value is null ? default : new(value);
    private static Optional<string?> Set(string? value) => value is null ? default : new(value);
}

/// <summary>
/// POST /api/instances. <c>evo_api_key</c>, <c>webhook_secret</c> and the <c>meta_</c> secrets are write-only.
/// An <c>evolution</c> instance (the default) needs <c>evo_server_url</c> and <c>evo_api_key</c>; a <c>meta_cloud</c> one
/// (Meta's WhatsApp Cloud API) needs <c>meta_phone_number_id</c> and <c>meta_access_token</c> and takes no evo_ field.
/// </summary>
/// <param name="TenantId">The tenant (platform admin only; a tenant's key creates in its own).</param>
/// <param name="InstanceName">Unique name: the Evolution instance name, or any name for a Cloud API number.</param>
/// <param name="EvoServerUrl">Evolution's base URL (evolution only).</param>
/// <param name="EvoApiKey">The instance token or Evolution's global key (evolution only).</param>
/// <param name="WebhookSecret">Secret Evolution sends in X-Webhook-Secret, 16-500 characters (evolution only).</param>
/// <param name="Provider">evolution (default) or meta_cloud.</param>
/// <param name="MetaPhoneNumberId">The number's phone_number_id in Meta's WhatsApp Manager (digits); one instance per number.</param>
/// <param name="MetaWabaId">The WhatsApp Business Account id (digits); needed for templates.</param>
/// <param name="MetaAccessToken">Write-only: a system user's access token with whatsapp_business_messaging; sent to the Graph API as Bearer.</param>
/// <param name="MetaAppSecret">Write-only: the app secret of this number's own Meta app (signs its webhooks); omit to use the platform's META_APP_SECRET.</param>
/// <param name="MetaVerifyToken">Write-only: the webhook verify token of this number's own Meta app; omit to use the platform's META_VERIFY_TOKEN.</param>
/// <param name="EvoGlobalApiKey">Write-only, optional (evolution only): Evolution's global key (AUTHENTICATION_API_KEY), so that connect creates the instance on Evolution when it does not exist there yet.</param>
/// <example>{"instance_name": "shop-cloud", "provider": "meta_cloud", "meta_phone_number_id": "106540352242922", "meta_waba_id": "102290129340398", "meta_access_token": "EAAG..."}</example>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateInstanceRequest(
    long? TenantId,
    string? InstanceName,
    string? EvoServerUrl,
    string? EvoApiKey,
    string? WebhookSecret,
    string? Provider = null,
    string? MetaPhoneNumberId = null,
    string? MetaWabaId = null,
    string? MetaAccessToken = null,
    string? MetaAppSecret = null,
    string? MetaVerifyToken = null,
    string? EvoGlobalApiKey = null);

/// <summary>
/// Optional body of a pause: <c>minutes</c>, or <c>for</c>: <c>quiet_period</c> (the tenant's quiet period, decided on
/// the server) or <c>until_resumed</c>. Without either the chat stays paused until resumed.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PauseSessionRequest(int? Minutes, string? For = null);

/// <summary>The webhook's answer.</summary>
public sealed record WebhookResponse(bool Ok, string Action);

/// <summary>POST /api/tenants/{id}/api-keys.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateApiKeyRequest(string? Name, string? Role);

/// <summary>
/// POST /api/evolution/send-message. <c>chat_id</c> (e.g. <c>5511999990001@s.whatsapp.net</c>) or <c>number</c>
/// (digits with the country code), not both; <c>text</c> 1-4096 characters; <c>as</c> is <c>bot</c> or <c>agent</c>.
/// </summary>
/// <example>{"instance_name": "demo-instance", "number": "5511999990001", "text": "Olá! Seu pedido saiu para entrega.", "as": "bot"}</example>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SendMessageRequest(string? InstanceName, string? ChatId, string? Number, string? Text, string? As);

/// <summary>
/// PATCH /api/tenants/{id}: send only the fields to change. An absent field keeps its value; <c>null</c> clears
/// <c>system_prompt</c>, <c>llm_provider</c> and <c>llm_model</c> (the environment defaults apply again). The other
/// fields cannot be null.
/// </summary>
/// <param name="Name">Display name, 1-200 characters.</param>
/// <param name="SystemPrompt">The LLM's instructions for this business; null falls back to DEFAULT_SYSTEM_PROMPT.</param>
/// <param name="LlmProvider">openai, anthropic or static; null uses LLM_PROVIDER.</param>
/// <param name="LlmModel">Model name for the provider; null uses the provider's configured model.</param>
/// <param name="ReplyMode">ai (the built-in model answers), workflow (events go to the workflow URL) or off (record only).</param>
/// <param name="ResumeAfterMinutes">Quiet period after the owner's last message before the bot resumes by itself (1-43200).</param>
/// <param name="DebounceSeconds">Wait for more customer messages before answering (0-600).</param>
/// <param name="HistoryMessages">How many recent messages the model sees (0-200).</param>
/// <param name="ExternalSendsPause">Whether a message sent by another client of the Evolution instance pauses the bot.</param>
/// <param name="WorkflowUrl">Workflow (e.g. n8n) URL for reply_mode workflow; null falls back to N8N_WEBHOOK_URL.</param>
/// <param name="WorkflowSecret">Write-only HMAC signing secret for the workflow and notify_url (16-500 characters); null falls back to N8N_API_KEY.</param>
/// <param name="TypingIndicator">Show "typing…" before each bot message (Evolution's delay); default true.</param>
/// <param name="TypingMsPerChar">Typing time per character, clamped to 0.5-6 s per message (0-1000); default 25.</param>
/// <param name="SplitMessages">Cut a reply on blank lines into several messages; default true.</param>
/// <param name="MaxReplyParts">At most this many messages per reply (1-10); default 4.</param>
/// <param name="HandoffKeywords">Phrases with which a customer asks for a person: whole words, any case, accents ignored; null restores the Portuguese/Spanish/English defaults, [] turns keywords off.</param>
/// <param name="HandoffMessage">Sent once when a person is requested (up to 4096 characters); null restores the default.</param>
/// <param name="Timezone">IANA time zone of business_hours, e.g. America/Sao_Paulo; default UTC.</param>
/// <param name="BusinessHours">Weekly opening intervals in local time, e.g. {"mon": [["09:00","18:00"]], "fri": [["22:00","02:00"]]}; an interval may cross midnight; a day left out is closed; null: always open.</param>
/// <param name="OutsideHours">reply (answer as usual, default), away_message (send away_message once per closed period, no model call) or silent.</param>
/// <param name="AwayMessage">Sent outside business hours with outside_hours away_message; null restores the default.</param>
/// <param name="TranscriptionModel">Speech-to-text model for voice notes; null uses TRANSCRIPTION_MODEL.</param>
/// <param name="VisionModel">Vision-capable model for photos; null uses llm_model.</param>
/// <param name="UnsupportedMediaReply">Answer to a voice note or photo the bot cannot understand; null: silence.</param>
/// <param name="HistoryTokenBudget">The history sent to the model is trimmed to about this many tokens (100-200000); default 8000.</param>
/// <param name="StaleMessageMinutes">A customer message older than this many minutes when it arrives (1-10080) is recorded but not answered, and the chat is flagged needs_attention; default 30.</param>
/// <param name="LlmApiKey">Write-only: the tenant's own key for its model, transcription and vision calls (stored encrypted, shown masked); null: the global key.</param>
/// <param name="LlmBaseUrl">The tenant's own OpenAI-compatible base URL, e.g. https://api.openai.com/v1; null: the global one. Private addresses are refused unless set with the platform admin key.</param>
/// <param name="NotifyUrl">Receives a signed POST (event handoff_requested) when a customer asks for a person; null: none. Needs workflow_secret or N8N_API_KEY to sign.</param>
/// <param name="MonthlyTokenBudget">Platform admin only: input plus output tokens a month (UTC) on the platform's model account; when used up, chats are handed to a person; null: unlimited.</param>
/// <param name="Language">pt, es or en: the language of the default texts (the no-model reply, the handoff and away messages); a new tenant's follows its timezone (Brazil pt, Spain and Spanish-speaking America es, else en); null restores that.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateTenantRequest(
    Optional<string?> Name,
    [property: Clearable] Optional<string?> SystemPrompt,
    [property: Clearable] Optional<string?> LlmProvider,
    [property: Clearable] Optional<string?> LlmModel,
    Optional<string?> ReplyMode,
    Optional<int?> ResumeAfterMinutes,
    Optional<int?> DebounceSeconds,
    Optional<int?> HistoryMessages,
    Optional<bool?> ExternalSendsPause,
    [property: Clearable] Optional<string?> WorkflowUrl,
    [property: Clearable] Optional<string?> WorkflowSecret,
    [property: Clearable] Optional<bool?> TypingIndicator = default,
    [property: Clearable] Optional<int?> TypingMsPerChar = default,
    [property: Clearable] Optional<bool?> SplitMessages = default,
    [property: Clearable] Optional<int?> MaxReplyParts = default,
    [property: Clearable] Optional<IReadOnlyList<string>?> HandoffKeywords = default,
    [property: Clearable] Optional<string?> HandoffMessage = default,
    [property: Clearable] Optional<string?> Timezone = default,
    [property: Clearable] Optional<IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>>?> BusinessHours = default,
    [property: Clearable] Optional<string?> OutsideHours = default,
    [property: Clearable] Optional<string?> AwayMessage = default,
    [property: Clearable] Optional<string?> TranscriptionModel = default,
    [property: Clearable] Optional<string?> VisionModel = default,
    [property: Clearable] Optional<string?> UnsupportedMediaReply = default,
    [property: Clearable] Optional<int?> HistoryTokenBudget = default,
    [property: Clearable] Optional<int?> StaleMessageMinutes = default,
    [property: Clearable] Optional<string?> LlmApiKey = default,
    [property: Clearable] Optional<string?> LlmBaseUrl = default,
    [property: Clearable] Optional<string?> NotifyUrl = default,
    [property: Clearable] Optional<long?> MonthlyTokenBudget = default,
    [property: Clearable] Optional<string?> Language = default)
{
    public ConversationSettingsPatch ToConversationPatch() => new()
    {
        TypingIndicator = TypingIndicator,
        TypingMsPerChar = TypingMsPerChar,
        SplitMessages = SplitMessages,
        MaxReplyParts = MaxReplyParts,
        HandoffKeywords = HandoffKeywords,
        HandoffMessage = HandoffMessage,
        Timezone = Timezone,
        BusinessHours = BusinessHours,
        OutsideHours = OutsideHours,
        AwayMessage = AwayMessage,
        TranscriptionModel = TranscriptionModel,
        VisionModel = VisionModel,
        UnsupportedMediaReply = UnsupportedMediaReply,
        HistoryTokenBudget = HistoryTokenBudget,
        StaleMessageMinutes = StaleMessageMinutes,
        Language = Language,
    };
}

/// <summary>
/// PATCH /api/instances/{name}: send only the fields to change. The secrets are write-only: answers show them masked.
/// </summary>
/// <param name="EvoServerUrl">Evolution's base URL, e.g. https://evolution.example.com.</param>
/// <param name="EvoApiKey">The instance token (or Evolution's global key) sent as the apikey header; cannot be null.</param>
/// <param name="WebhookSecret">Secret Evolution sends in X-Webhook-Secret (16-500 characters); null removes it, so only the global secret or the body apikey authenticate webhooks.</param>
/// <param name="MetaPhoneNumberId">meta_cloud only: the number's phone_number_id (digits); cannot be null.</param>
/// <param name="MetaWabaId">meta_cloud only: the WhatsApp Business Account id (digits); null removes it.</param>
/// <param name="MetaAccessToken">meta_cloud only, write-only: the Graph API access token; cannot be null.</param>
/// <param name="MetaAppSecret">meta_cloud only, write-only: the number's own app secret; null falls back to META_APP_SECRET.</param>
/// <param name="MetaVerifyToken">meta_cloud only, write-only: the number's own verify token; null falls back to META_VERIFY_TOKEN.</param>
/// <param name="EvoGlobalApiKey">evolution only, write-only: Evolution's global key, so that connect can create the instance there; null removes it.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateInstanceRequest(
    Optional<string?> EvoServerUrl,
    Optional<string?> EvoApiKey,
    [property: Clearable] Optional<string?> WebhookSecret,
    Optional<string?> MetaPhoneNumberId = default,
    [property: Clearable] Optional<string?> MetaWabaId = default,
    Optional<string?> MetaAccessToken = default,
    [property: Clearable] Optional<string?> MetaAppSecret = default,
    [property: Clearable] Optional<string?> MetaVerifyToken = default,
    [property: Clearable] Optional<string?> EvoGlobalApiKey = default);

/// <summary>Optional body of POST /api/instances/{name}/configure-webhook.</summary>
/// <param name="WebhookUrlBase">HybridFlow's public URL as Evolution reaches it, e.g. https://hybridflow.example.com; defaults to PUBLIC_BASE_URL.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ConfigureWebhookRequest(string? WebhookUrlBase);

/// <summary>Marks a PATCH field that JSON null clears; the others must be absent or hold a value.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ClearableAttribute : Attribute;
