using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Middleware;

/// <summary>
/// Webhooks may carry up to 16 MiB (media base64), admin calls 1 MiB; larger bodies are answered 413 before any work.
/// A webhook caller without header, token or Bearer credentials gets at most 256 KiB read (WebhookAdmission).
/// </summary>
public sealed class BodySizeLimitMiddleware
{
    public const long WebhookLimit = HybridFlow.Application.Webhooks.WebhookBody.MaxLength;
    public const long AdminLimit = 1024 * 1024;
    private readonly RequestDelegate _next;

    public BodySizeLimitMiddleware(RequestDelegate next) => _next = next;

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var limit = path.StartsWithSegments("/webhook") || path.StartsWithSegments("/webhooks") ? WebhookLimit : AdminLimit;
        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.Response.WriteAsJsonAsync(
                new ProblemDetails { Status = 413, Title = "Payload too large", Detail = $"The body may be at most {limit} bytes." },
                (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
        await _next(context);
    }
}
