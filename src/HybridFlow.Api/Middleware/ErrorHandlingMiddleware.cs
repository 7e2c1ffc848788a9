using System.Text.Json;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HybridFlow.Api.Middleware;

/// <summary>
/// The one place where exceptions become HTTP answers (RFC 7807). Trouble on our side that a retry can fix
/// (database down) is 503, never 4xx, because Evolution stops retrying on 4xx and would lose the message.
/// </summary>
public sealed class ErrorHandlingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<ErrorHandlingMiddleware> _logger;

    public ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await _next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; nothing to answer.
        }
        catch (Exception e)
        {
            if (context.Response.HasStarted) throw;
            var problem = ToProblem(e);
            if (problem.Status is 502 or 503) _logger.LogWarning(problem.Status == 503 ? e : null, "Dependency failed with {status}: {title}", problem.Status, problem.Title);
            else if (problem.Status >= 500) _logger.LogError(e, "Request failed with {status}", problem.Status);
            context.Response.Clear();
            context.Response.StatusCode = problem.Status!.Value;
            if (problem.Status == 503) context.Response.Headers.RetryAfter = "5";
            if (e is TooManyAttemptsException wait)
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await context.Response.WriteAsJsonAsync(problem, problem.GetType(), (JsonSerializerOptions?)null, "application/problem+json");
        }
    }

    /// <summary>problem+json's error_codes: per field of errors, {code, params} for each of its messages, in order.</summary>
    private static Dictionary<string, Dictionary<string, object>[]> ErrorCodes(RequestValidationException v) =>
        v.Codes.ToDictionary(
            field => field.Key,
            field => field.Value.Select(c => new Dictionary<string, object> { ["code"] = c.Code, ["params"] = c.Params }).ToArray());

    public static ProblemDetails ToProblem(Exception e) => (e is DbUpdateException { InnerException: { } inner } ? inner : e) switch
    {
        RequestValidationException v => new ValidationProblemDetails(v.Errors)
        {
            Status = 400, Title = "The request is invalid.", Extensions = { ["error_codes"] = ErrorCodes(v) },
        },
        NotFoundException n => new ProblemDetails { Status = 404, Title = "Not found", Detail = n.Message },
        AuthenticationFailedException a => new ProblemDetails { Status = 401, Title = "Unauthorized", Detail = a.Message },
        ForbiddenException f => new ProblemDetails { Status = 403, Title = "Forbidden", Detail = f.Message },
        TooManyAttemptsException t => new ProblemDetails { Status = 429, Title = "Too many requests", Detail = t.Message },
        ConflictException { Code: { } code } c => new ProblemDetails { Status = 409, Title = "Conflict", Detail = c.Message, Extensions = { ["code"] = code } },
        ConflictException c => new ProblemDetails { Status = 409, Title = "Conflict", Detail = c.Message },
        PayloadTooLargeException p => new ProblemDetails { Status = 413, Title = "Payload too large", Detail = p.Message },
        BadGatewayException { Upstream: Upstream.GraphApi } g => new ProblemDetails
        {
            Status = 502, Title = "Graph API error", Detail = g.Message, Extensions = { ["graph_status"] = g.UpstreamStatus },
        },
        BadGatewayException g => new ProblemDetails
        {
            Status = 502, Title = "Evolution API error", Detail = g.Message, Extensions = { ["evolution_status"] = g.UpstreamStatus },
        },
        BadHttpRequestException b => new ProblemDetails { Status = b.StatusCode, Title = b.StatusCode == 413 ? "Payload too large" : "Bad request", Detail = b.Message },
        JsonException => new ProblemDetails { Status = 400, Title = "Malformed JSON" },
        // Data PostgreSQL refuses (class 22: invalid text, bad unicode escape): the input's fault.
        PostgresException { SqlState: var s } when s.StartsWith("22", StringComparison.Ordinal) =>
            new ProblemDetails { Status = 400, Title = "The request holds data that cannot be stored." },
        ServiceUnavailableException or QueryTimedOutException or NpgsqlException or TimeoutException or System.Net.Sockets.SocketException =>
            new ProblemDetails { Status = 503, Title = "Service temporarily unavailable", Detail = "Please retry shortly." },
        InvalidOperationException { InnerException: NpgsqlException } =>
            new ProblemDetails { Status = 503, Title = "Service temporarily unavailable", Detail = "Please retry shortly." },
        _ => new ProblemDetails { Status = 500, Title = "Internal server error" },
    };
}
