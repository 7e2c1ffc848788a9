using System.Text.Json;
using System.Text.Json.Serialization;
using HybridFlow.Api.Health;
using HybridFlow.Api.Logging;
using HybridFlow.Api.Middleware;
using HybridFlow.Api.Security;
using HybridFlow.Api.Swagger;
using HybridFlow.Api.WebApp;
using HybridFlow.Application;
using HybridFlow.Infrastructure;
using HybridFlow.Infrastructure.Settings;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

var port = builder.Configuration["PORT"];
if (string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]) && string.IsNullOrEmpty(builder.Configuration["URLS"]))
    builder.WebHost.UseUrls($"http://0.0.0.0:{(string.IsNullOrEmpty(port) ? "8080" : port)}");
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = BodySizeLimitMiddleware.WebhookLimit);

builder.Services.AddSerilog((services, logger) =>
    SerilogSetup.Configure(logger, services.GetRequiredService<IConfiguration>(), services.GetRequiredService<IHostEnvironment>()), preserveStaticLogger: true);

builder.Services.AddApplication();
builder.Services.AddInfrastructure(builder.Configuration);
// The settings this composition needs at once; the others are options checked when the host starts.
var hostSettings = HostSettings.Read(builder.Configuration);
var operations = hostSettings.Operations();
var trustedProxies = hostSettings.ParseTrustedProxies();
builder.Services.AddHybridFlowForwardedHeaders(trustedProxies);

builder.Services.AddHybridFlowAuthentication(builder.Configuration);
builder.Services.AddHybridFlowAuthorization();
builder.Services.AddHttpContextAccessor();
builder.Services.AddScoped<HybridFlow.Application.Common.Security.ICurrentCaller, HttpCurrentCaller>();
builder.Services.AddSingleton<HybridFlow.Application.Common.Interfaces.ICorrelationContext, HttpCorrelationContext>();
builder.Services.AddScoped<HybridFlow.Application.Common.Interfaces.IRequestSource, HttpRequestSource>();
builder.Services.AddHybridFlowRateLimiting(operations);
if (operations.CorsOrigins.Count > 0)
{
    builder.Services.AddCors(o => o.AddDefaultPolicy(policy =>
    {
        if (operations.CorsOrigins.Contains("*")) policy.AllowAnyOrigin();
        else policy.WithOrigins([.. operations.CorsOrigins]);
        // Keys travel in headers; the login cookie serves the inbox on this same origin: no credentials mode is needed.
        policy.AllowAnyHeader().AllowAnyMethod()
            .WithExposedHeaders(CorrelationIdMiddleware.CorrelationHeader, "Retry-After", "Location")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
    }));
}

builder.Services.AddControllers()
    .AddJsonOptions(o =>
    {
        o.JsonSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.JsonSerializerOptions.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.JsonSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        o.JsonSerializerOptions.Converters.Add(new HybridFlow.Api.Contracts.StringWithoutNulConverter());
    })
    .ConfigureApiBehaviorOptions(o => o.InvalidModelStateResponseFactory = InvalidModelStateResponse.Create);
builder.Services.AddProblemDetails();

builder.Services.AddEndpointsApiExplorer();
builder.Services.AddHybridFlowSwagger();

var app = builder.Build();

app.UseHybridFlowForwardedHeaders(trustedProxies);
app.UseMiddleware<CorrelationIdMiddleware>();
app.UseMiddleware<SecurityHeadersMiddleware>();
app.UseSerilogRequestLogging(o => SerilogSetup.ConfigureRequestLogging(o, app.Services.GetRequiredService<Serilog.ILogger>()));
app.UseMiddleware<ErrorHandlingMiddleware>();
app.UseMiddleware<BodySizeLimitMiddleware>();
app.UseMiddleware<NulInQueryMiddleware>();
// Before authentication: a browser's preflight carries no key and must not be answered 401.
if (operations.CorsOrigins.Count > 0) app.UseCors();
// The inbox's static files need no key (the API behind them does).
app.UseInboxWebApp();
app.UseSwagger();
app.UseSwaggerUI(c =>
{
    c.RoutePrefix = "swagger";
    c.SwaggerEndpoint("/swagger/v1/swagger.json", "HybridFlow API v1");
});
app.UseAuthentication();
// After authentication, so the admin area is limited per valid key and unauthenticated callers share one budget per IP.
app.UseRateLimiter();
app.UseMiddleware<CsrfMiddleware>();
// AuthorizationPolicies: a key or a login on every [Authorize] endpoint and on unknown /api routes; agents who logged in, the inbox only.
app.UseAuthorization();
app.MapControllers();
app.MapUnknownApiRoutes();
app.MapHybridFlowMetrics();
app.MapHealthChecks("/health", HealthResponseWriter.Options).WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));

app.Run();

/// <summary>Entry point; public for WebApplicationFactory in the integration tests.</summary>
public partial class Program;
