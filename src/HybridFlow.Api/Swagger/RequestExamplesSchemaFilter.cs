using System.Text.Json.Nodes;
using HybridFlow.Api.Contracts;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace HybridFlow.Api.Swagger;

/// <summary>Ready-to-send example bodies for the request types, so "Try it out" starts from something valid.</summary>
public sealed class RequestExamplesSchemaFilter : ISchemaFilter
{
    private static readonly Dictionary<Type, string> Examples = new()
    {
        [typeof(CreateTenantRequest)] = """
            {"name": "Padaria Demo", "system_prompt": "Você é o assistente da Padaria Demo. Responda em português, com simpatia.",
             "llm_provider": "openai", "llm_model": "gpt-4o-mini", "reply_mode": "ai", "resume_after_minutes": 120,
             "debounce_seconds": 5, "history_messages": 20, "external_sends_pause": true,
             "typing_indicator": true, "split_messages": true, "max_reply_parts": 3,
             "timezone": "America/Sao_Paulo", "business_hours": {"mon": [["08:00","18:00"]], "tue": [["08:00","18:00"]], "wed": [["08:00","18:00"]],
               "thu": [["08:00","18:00"]], "fri": [["08:00","18:00"]], "sat": [["08:00","12:00"]]},
             "outside_hours": "away_message", "away_message": "Estamos fechados agora. Abrimos às 8h!",
             "handoff_message": "Um momento, já chamo alguém da equipe.", "history_token_budget": 6000}
            """,
        [typeof(UpdateTenantRequest)] = """
            {"system_prompt": "Answer briefly and in the customer's language.", "resume_after_minutes": 60, "llm_model": null,
             "handoff_keywords": ["atendente", "falar com uma pessoa", "human agent"], "outside_hours": "silent",
             "business_hours": {"fri": [["18:00","02:00"]], "sat": [["18:00","02:00"]]}, "typing_ms_per_char": 30}
            """,
        [typeof(CreateInstanceRequest)] = """
            {"tenant_id": 1, "instance_name": "padaria-demo", "evo_server_url": "https://evolution.example.com",
             "evo_api_key": "B6D711FCDE4D4FD5936544120E713976", "webhook_secret": "a-long-random-webhook-secret"}
            """,
        [typeof(UpdateInstanceRequest)] = """{"evo_server_url": "https://evolution2.example.com", "evo_api_key": "0E1F2A3B4C5D6E7F8091A2B3C4D5E6F7"}""",
        [typeof(ConfigureWebhookRequest)] = """{"webhook_url_base": "https://hybridflow.example.com"}""",
        [typeof(PauseSessionRequest)] = """{"minutes": 30}""",
        [typeof(CreateApiKeyRequest)] = """{"name": "front desk", "role": "agent"}""",
        [typeof(LoginRequest)] = """{"email": "ana@padaria.example", "password": "a long passphrase"}""",
        [typeof(CreateUserRequest)] = """{"email": "ana@padaria.example", "display_name": "Ana", "role": "agent", "password": "a long passphrase"}""",
        [typeof(UpdateUserRequest)] = """{"display_name": "Ana Souza", "role": "tenant_admin", "locked": false}""",
        [typeof(InviteUserRequest)] = """{"email": "bia@padaria.example", "display_name": "Bia", "role": "agent"}""",
        [typeof(PasswordLinkRequest)] = """{"token": "q2x1b0Yw0n3B2m6k8Hq5vT1zR9cD4eF7gJ0aL3sP6uW"}""",
        [typeof(UsePasswordLinkRequest)] = """{"token": "q2x1b0Yw0n3B2m6k8Hq5vT1zR9cD4eF7gJ0aL3sP6uW", "password": "a long passphrase"}""",
        [typeof(SendMessageRequest)] = """{"instance_name": "padaria-demo", "number": "5511999990001", "text": "Olá! Seu pedido saiu para entrega.", "as": "bot"}""",
        [typeof(SendInboxMessageRequest)] = """{"text": "Oi Ana! Aqui é a Carla, vou verificar seu pedido."}""",
        [typeof(SendInboxTemplateRequest)] = """{"name": "order_ready", "language": "pt_BR", "variables": ["Ana", "4521"]}""",
        [typeof(AddNoteRequest)] = """{"text": "Cliente pediu troca; aguardando o estoque."}""",
        [typeof(UpdateConversationRequest)] = """{"assignee_user_id": 7, "tags": ["pedido", "urgente"], "status": "open"}""",
        [typeof(PreviewReplyRequest)] = """
            {"text": "Vocês abrem amanhã?", "history": [{"role": "customer", "text": "Oi!"}, {"role": "bot", "text": "Olá! Como posso ajudar?"}]}
            """,
        [typeof(SavedReplyRequest)] = """{"shortcut": "hours", "text": "Olá {{contact_name}}! Abrimos de segunda a sexta, das 9h às 18h. {{agent_name}}"}""",
        [typeof(UpdateContactRequest)] = """{"name": "Carla Dias", "notes": "Prefers pickup after 5 pm."}""",
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        // `example` is the OpenAPI 3.0 keyword the document is written in; `examples` (3.1) is dropped when serialised as 3.0.
        if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out var example))
            concrete.Example = JsonNode.Parse(example);
    }
}
