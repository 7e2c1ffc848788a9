using FluentValidation.Results;

namespace HybridFlow.Application.Common.Exceptions;

/// <summary>Input that is well-formed JSON but not what the use case accepts (400 with an errors map).</summary>
public sealed class RequestValidationException : Exception
{
    public RequestValidationException(IEnumerable<ValidationFailure> failures)
        : base("One or more validation errors occurred.")
    {
        var byField = failures.GroupBy(f => f.PropertyName).ToList();
        Errors = byField.ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray());
        // One code per message of Errors, in the same order.
        Codes = byField.ToDictionary(g => g.Key, g => g.DistinctBy(f => f.ErrorMessage).Select(ValidationErrorCode.From).ToArray());
    }

    public RequestValidationException(string field, string message)
        : this([new ValidationFailure(field, message)]) { }

    public IDictionary<string, string[]> Errors { get; }

    /// <summary>Per field, the machine code of each message in <see cref="Errors"/> (ADR-017).</summary>
    public IDictionary<string, ValidationErrorCode[]> Codes { get; }
}

public sealed class NotFoundException : Exception
{
    public NotFoundException(string what, object key) : base($"{what} '{key}' was not found.") { }
    public NotFoundException(string message) : base(message) { }
}

/// <summary>The caller could not prove who it is (401).</summary>
public sealed class AuthenticationFailedException : Exception
{
    public AuthenticationFailedException(string message) : base(message) { }
}

/// <summary>The request clashes with existing state, such as a taken unique name (409).</summary>
public sealed class ConflictException : Exception
{
    public ConflictException(string message) : base(message) { }

    /// <summary>With a stable <paramref name="code"/> (problem+json's <c>code</c>) that a client can branch on.</summary>
    public ConflictException(string message, string code) : base(message) => Code = code;

    public string? Code { get; }
}

/// <summary>Something we depend on is down for now (503): the caller should retry.</summary>
public sealed class ServiceUnavailableException : Exception
{
    public ServiceUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A service we called on the caller's behalf (Evolution) refused or failed the call (502).</summary>
public sealed class BadGatewayException : Exception
{
    public BadGatewayException(string message, int? upstreamStatus, Upstream upstream = Upstream.Evolution) : base(message)
    {
        UpstreamStatus = upstreamStatus;
        Upstream = upstream;
    }

    /// <summary>The upstream HTTP status, when there was an answer at all.</summary>
    public int? UpstreamStatus { get; }

    /// <summary>Who failed: the problem's title and its status field name it (<c>evolution_status</c>, <c>graph_status</c>).</summary>
    public Upstream Upstream { get; }
}

public enum Upstream
{
    Evolution,
    /// <summary>Meta's Graph API (the Cloud API).</summary>
    GraphApi,
}

/// <summary>The body is larger than the caller may send (413).</summary>
public sealed class PayloadTooLargeException : Exception
{
    public PayloadTooLargeException(string message) : base(message) { }
}

/// <summary>A read ran past its time limit and was stopped (503 unless the caller's own input made it slow).</summary>
public sealed class QueryTimedOutException : Exception
{
    public QueryTimedOutException(string message, Exception? inner = null) : base(message, inner) { }
}
