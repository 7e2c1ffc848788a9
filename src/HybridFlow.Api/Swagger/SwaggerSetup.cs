using HybridFlow.Application.Common.Models;
using Microsoft.OpenApi;

namespace HybridFlow.Api.Swagger;

/// <summary>The OpenAPI document at /swagger/v1/swagger.json: summaries from the XML docs, security schemes, examples.</summary>
public static class SwaggerSetup
{
    public const string Bearer = "Bearer";
    public const string ApiKeyHeader = "ApiKeyHeader";
    public const string WebhookSecretHeader = "WebhookSecret";
    public const string WebhookToken = "WebhookToken";
    public const string MetaSignature = "MetaSignature";
    public const string CronSecretHeader = "CronSecret";
    public const string LoginCookie = "LoginCookie";

    public static IServiceCollection AddHybridFlowSwagger(this IServiceCollection services) => services.AddSwaggerGen(c =>
    {
        c.SwaggerDoc("v1", new OpenApiInfo
        {
            Title = "HybridFlow API",
            Version = "v1",
            Description = """
                WhatsApp AI replies with human takeover: Evolution webhooks in, an admin API for tenants, instances, sessions and the timeline.

                **Authentication.** `/api/*` and `/sessions/*` need an API key, as `Authorization: Bearer <key>` or `X-Api-Key: <key>`
                (use *Authorize*). The platform key (ADMIN_API_KEY) sees everything; tenant keys (`POST /api/tenants/{id}/api-keys`) see
                only their tenant, and another tenant's ids answer 404. Role `agent` may read, pause and resume only (403 otherwise).
                People log in instead (`POST /api/auth/login`) and carry the HttpOnly `hybridflow_auth` cookie; with it, every call
                other than GET/HEAD/OPTIONS sends the `XSRF-TOKEN` cookie's value as `X-XSRF-TOKEN` (403 "CSRF check failed" otherwise),
                and a logged-in `agent` may use only `/api/auth/*` and `/api/inbox/*`.

                **Conventions.** JSON is snake_case both ways; times are ISO-8601 UTC; lists answer
                `{"items": [...], "page": 1, "page_size": 50, "total": N}`; errors are RFC 7807 `application/problem+json`, and
                validation errors (400) carry an `errors` map keyed by the snake_case field name.

                **Getting started.** Create a tenant, create an instance for it, call `configure-webhook`, then watch
                `GET /api/sessions` and `GET /api/events?session_id=`.
                """,
        });

        c.AddSecurityDefinition(Bearer, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key (ADMIN_API_KEY, or a tenant key hf_...) sent as 'Authorization: Bearer <key>'.",
        });
        c.AddSecurityDefinition(ApiKeyHeader, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-Api-Key",
            Description = "The same API key in the X-Api-Key header.",
        });
        c.AddSecurityDefinition(WebhookSecretHeader, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-Webhook-Secret",
            Description = "Webhooks: the instance's webhook_secret or EVOLUTION_WEBHOOK_SHARED_SECRET (configure-webhook sets it on Evolution). "
                          + "Evolution's jwt_key Bearer token and the body's apikey are accepted too.",
        });
        c.AddSecurityDefinition(WebhookToken, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Query,
            Name = "token",
            Description = "Webhooks: the same secret as a 'token' query parameter.",
        });
        c.AddSecurityDefinition(MetaSignature, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-Hub-Signature-256",
            Description = "Meta's Cloud API webhooks: sha256=<HMAC-SHA256 of the body as sent, keyed with the Meta app secret> "
                          + "(META_APP_SECRET, or the instance's own meta_app_secret on /webhooks/meta/{instance_name}).",
        });
        c.AddSecurityDefinition(CronSecretHeader, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-Cron-Secret",
            Description = "The CRON_SECRET, for /cron/auto-resume.",
        });

        c.AddSecurityDefinition(LoginCookie, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = "hybridflow_auth",
            Description = "A person's login cookie from POST /api/auth/login; state-changing calls also send X-XSRF-TOKEN.",
        });

        c.OperationFilter<SecurityRequirementsOperationFilter>();
        c.OperationFilter<ProblemDetailsOperationFilter>();
        c.OperationFilter<WebhookExampleOperationFilter>();
        c.SchemaFilter<RequestExamplesSchemaFilter>();
        c.SchemaFilter<StatsExampleSchemaFilter>();
        c.SchemaFilter<OptionalSchemaFilter>();
        c.DocumentFilter<HealthDocumentFilter>();
        c.SupportNonNullableReferenceTypes();

        // A PATCH field is its value on the wire; "absent" is simply not sending it.
        c.MapType<Optional<string?>>(() => new OpenApiSchema { Type = JsonSchemaType.String });
        c.MapType<Optional<int?>>(() => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" });
        c.MapType<Optional<bool?>>(() => new OpenApiSchema { Type = JsonSchemaType.Boolean });
        c.MapType<Optional<long?>>(() => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" });

        var xml = Path.Combine(AppContext.BaseDirectory, "HybridFlow.Api.xml");
        if (File.Exists(xml)) c.IncludeXmlComments(xml, includeControllerXmlComments: true);
    });
}
