namespace HybridFlow.Api.Contracts;

/// <summary>
/// POST /api/tenants. Only <c>name</c> is required; the rest fall back to the environment defaults.
/// <c>reply_mode</c> is <c>ai</c>, <c>workflow</c> or <c>off</c> (default <c>ai</c>, or <c>workflow</c> with N8N_ENABLED);
/// a workflow tenant needs <c>workflow_url</c> and <c>workflow_secret</c> unless N8N_WEBHOOK_URL and N8N_API_KEY provide them.
/// <c>workflow_secret</c> (at least 16 characters) is write-only.
/// </summary>
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
    bool? ExternalSendsPause);

/// <summary>POST /api/instances. <c>evo_api_key</c> and <c>webhook_secret</c> are write-only.</summary>
public sealed record CreateInstanceRequest(
    long? TenantId,
    string? InstanceName,
    string? EvoServerUrl,
    string? EvoApiKey,
    string? WebhookSecret);

/// <summary>Optional body of a pause: without <c>minutes</c> the chat stays paused until resumed.</summary>
public sealed record PauseSessionRequest(int? Minutes);

/// <summary>The webhook's answer.</summary>
public sealed record WebhookResponse(bool Ok, string Action);

/// <summary>POST /api/tenants/{id}/api-keys.</summary>
public sealed record CreateApiKeyRequest(string? Name, string? Role);

/// <summary>
/// POST /api/evolution/send-message. <c>chat_id</c> (e.g. <c>5511999990001@s.whatsapp.net</c>) or <c>number</c>
/// (digits with the country code), not both; <c>text</c> 1-4096 characters; <c>as</c> is <c>bot</c> or <c>agent</c>.
/// </summary>
/// <example>{"instance_name": "demo-instance", "number": "5511999990001", "text": "Olá! Seu pedido saiu para entrega.", "as": "bot"}</example>
public sealed record SendMessageRequest(string? InstanceName, string? ChatId, string? Number, string? Text, string? As);
