using System.Text;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// What the apps write on stdout (Serilog's console sink: one JSON event a line) from now until disposed. A log line is
/// waited for, not slept for: <see cref="UntilAsync"/> polls until it was written. For "this must not be in the log",
/// wait first for a line written after what is checked (the request line of the last request, a job's "sent" line).
/// Console.Out is one per process, so captures share it: every capture open at a time gets every line written
/// meanwhile (other apps' lines too), and captures may open and close in any order, from fixtures running in parallel.
/// </summary>
public sealed class ConsoleCapture : IDisposable
{
    private static readonly Lock Gate = new();
    private static readonly List<ConsoleCapture> Open = [];
    private static TextWriter? _stdout;

    private readonly StringBuilder _text = new();

    public ConsoleCapture()
    {
        lock (Gate)
        {
            if (_stdout is null)
            {
                _stdout = Console.Out;
                Console.SetOut(new Fanout());
            }
            Open.Add(this);
        }
    }

    /// <summary>Everything captured so far.</summary>
    public string Text
    {
        get
        {
            lock (Gate) return _text.ToString();
        }
    }

    /// <summary>Waits (bounded) until the captured log satisfies <paramref name="written"/>; fails the test with <paramref name="what"/> otherwise.</summary>
    public Task UntilAsync(Func<string, bool> written, string what, TimeSpan? timeout = null) =>
        HybridFlowApp.EventuallyAsync(() => written(Text), "the log line: " + what, timeout);

    public void Dispose()
    {
        lock (Gate) Open.Remove(this);
    }

    /// <summary>Console.Out from the first capture on: to the open captures, or to the real stdout while none is open.</summary>
    private sealed class Fanout : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => Each(text => text.Append(value), stdout => stdout.Write(value));

        public override void Write(string? value) => Each(text => text.Append(value), stdout => stdout.Write(value));

        public override void Write(char[] buffer, int index, int count) =>
            Each(text => text.Append(buffer, index, count), stdout => stdout.Write(buffer, index, count));

        public override void Flush()
        {
            lock (Gate) _stdout!.Flush();
        }

        private static void Each(Action<StringBuilder> capture, Action<TextWriter> stdout)
        {
            lock (Gate)
            {
                if (Open.Count == 0) stdout(_stdout!);
                foreach (var open in Open) capture(open._text);
            }
        }
    }
}
