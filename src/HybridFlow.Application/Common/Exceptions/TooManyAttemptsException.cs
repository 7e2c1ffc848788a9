namespace HybridFlow.Application.Common.Exceptions;

/// <summary>The caller must wait before trying again, such as a login locked out (429 with Retry-After).</summary>
public sealed class TooManyAttemptsException : Exception
{
    public TooManyAttemptsException(string message, TimeSpan retryAfter) : base(message) => RetryAfter = retryAfter;

    public TimeSpan RetryAfter { get; }
}
