namespace HybridFlow.Api.Contracts;

/// <summary>POST /api/tenants. Only <c>name</c> is required; the rest fall back to the environment defaults.</summary>
public sealed record CreateTenantRequest(
    string? Name,
    string? SystemPrompt,
    string? LlmProvider,
    string? LlmModel,
    string? ReplyMode,
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
