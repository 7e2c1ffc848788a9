using System.Net.Sockets;

namespace HybridFlow.Infrastructure.Health;

/// <summary>
/// "Is the host up?" as cheaply as it gets: a TCP connection to the URL's host and port, closed at once. No HTTP request
/// is sent, so nothing is billed, no workflow runs, and no credential leaves the process.
/// </summary>
internal static class Reachability
{
    public static async Task<bool> AcceptsConnectionsAsync(Uri url, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(url.IdnHost, url.Port, deadline.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
