using System.Text.Json.Serialization;
using HybridFlow.Application.Common.Models;

namespace HybridFlow.Api.Contracts;

/// <summary>
/// POST /api/tenants. Only <c>name</c> is required; the rest fall back to the environment defaults.
/// <c>reply_mode</c> is <c>ai</c>, <c>workflow</c> or <c>off</c> (default <c>ai</c>, or <c>workflow</c> with N8N_ENABLED);
/// a workflow tenant needs <c>workflow_url</c> and <c>workflow_secret</c> unless N8N_WEBHOOK_URL and N8N_API_KEY provide them.
/// <c>workflow_secret</c> (at least 16 characters) is write-only.
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
    bool? ExternalSendsPause);

/// <summary>POST /api/instances. <c>evo_api_key</c> and <c>webhook_secret</c> are write-only.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateInstanceRequest(
    long? TenantId,
    string? InstanceName,
    string? EvoServerUrl,
    string? EvoApiKey,
    string? WebhookSecret);

/// <summary>Optional body of a pause: without <c>minutes</c> the chat stays paused until resumed.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PauseSessionRequest(int? Minutes);

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
/// <param name="WorkflowSecret">Write-only HMAC signing secret for the workflow (16-500 characters); null falls back to N8N_API_KEY.</param>
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
    [property: Clearable] Optional<string?> WorkflowSecret);

/// <summary>
/// PATCH /api/instances/{name}: send only the fields to change. The secrets are write-only: answers show them masked.
/// </summary>
/// <param name="EvoServerUrl">Evolution's base URL, e.g. https://evolution.example.com.</param>
/// <param name="EvoApiKey">The instance token (or Evolution's global key) sent as the apikey header; cannot be null.</param>
/// <param name="WebhookSecret">Secret Evolution sends in X-Webhook-Secret (16-500 characters); null removes it, so only the global secret or the body apikey authenticate webhooks.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateInstanceRequest(
    Optional<string?> EvoServerUrl,
    Optional<string?> EvoApiKey,
    [property: Clearable] Optional<string?> WebhookSecret);

/// <summary>Optional body of POST /api/instances/{name}/configure-webhook.</summary>
/// <param name="WebhookUrlBase">HybridFlow's public URL as Evolution reaches it, e.g. https://hybridflow.example.com; defaults to PUBLIC_BASE_URL.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ConfigureWebhookRequest(string? WebhookUrlBase);

/// <summary>Marks a PATCH field that JSON null clears; the others must be absent or hold a value.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ClearableAttribute : Attribute;
