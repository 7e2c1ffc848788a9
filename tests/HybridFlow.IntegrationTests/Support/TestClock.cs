namespace HybridFlow.IntegrationTests.Support;

/// <summary>Real time plus an offset the test can move forward: timers and delays stay real, "now" can jump hours.</summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
