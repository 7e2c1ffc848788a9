namespace HybridFlow.Infrastructure.Evolution;

internal sealed record EvolutionOptions
{
    /// <summary>Per attempt; Evolution blocks for the whole send, typing delay included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    public int RetriesBeforeSending { get; init; } = 2;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(300);
    /// <summary>Per attempt for connectionState and webhook/set: an operator is waiting on the answer.</summary>
    public TimeSpan AdminTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
