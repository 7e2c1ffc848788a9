namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// What the apps write on stdout (Serilog's console sink: one JSON event a line) from now until disposed. A log line is
/// waited for, not slept for: <see cref="UntilAsync"/> polls until it was written. For "this must not be in the log",
/// wait first for a line written after what is checked (the request line of the last request, a job's "sent" line).
/// Console.Out is one per process: the lines of any app running meanwhile are captured too.
/// </summary>
public sealed class ConsoleCapture : IDisposable
{
    private readonly TextWriter _original = Console.Out;
    private readonly StringWriter _captured = new();
    private readonly TextWriter _synchronized;

    public ConsoleCapture()
    {
        _synchronized = TextWriter.Synchronized(_captured);
        Console.SetOut(_synchronized);
    }

    /// <summary>Everything captured so far.</summary>
    public string Text
    {
        get
        {
            // TextWriter.Synchronized's writer locks on itself for every write.
            lock (_synchronized) return _captured.ToString();
        }
    }

    /// <summary>Waits (bounded) until the captured log satisfies <paramref name="written"/>; fails the test with <paramref name="what"/> otherwise.</summary>
    public Task UntilAsync(Func<string, bool> written, string what, TimeSpan? timeout = null) =>
        HybridFlowApp.EventuallyAsync(() => written(Text), "the log line: " + what, timeout);

    public void Dispose() => Console.SetOut(_original);
}
