using System.Net;
using System.Net.Sockets;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// Real HTTP clients whose connections leave from a chosen loopback address (127.0.0.1, 127.0.0.2, ...), so the API sees
/// distinct client addresses. Linux routes all of 127.0.0.0/8 to the loopback interface.
/// </summary>
public static class SourceAddressClients
{
    public static readonly IPAddress First = IPAddress.Parse("127.0.0.1");
    public static readonly IPAddress Second = IPAddress.Parse("127.0.0.2");
    public static readonly IPAddress Third = IPAddress.Parse("127.0.0.3");

    /// <summary>A browser-like client (cookie jar, X-XSRF-TOKEN echo) connecting from <paramref name="source"/>; the caller disposes it.</summary>
    public static HttpClient Create(Uri baseAddress, IPAddress source)
    {
        var cookies = new CookieContainer();
        var sockets = new SocketsHttpHandler
        {
            CookieContainer = cookies,
            UseProxy = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(new CsrfEchoHandler(cookies, send: true) { InnerHandler = sockets }) { BaseAddress = baseAddress };
    }
}
