namespace HybridFlow.Application.Common.Interfaces;

/// <summary>Open live inbox streams counted per caller (a user or an API key), so one caller cannot hold unlimited streams.</summary>
public interface IInboxStreamSlots
{
    /// <summary>INBOX_STREAMS_PER_USER: how many streams one caller may hold open at once.</summary>
    int PerCaller { get; }

    /// <summary>A slot for <paramref name="caller"/>, released when disposed; null when the caller already holds <see cref="PerCaller"/>.</summary>
    IDisposable? TryTake(string caller);
}
