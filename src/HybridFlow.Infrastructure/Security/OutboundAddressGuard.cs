using System.Net;
using System.Net.Sockets;
using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Infrastructure.Security;

/// <summary>The connection went nowhere: every address of the host is one a tenant-set URL may not reach.</summary>
internal sealed class OutboundAddressBlockedException : OutboundCallRefusedException
{
    public OutboundAddressBlockedException(string reason) : base($"outbound address not allowed: {reason}") { }

    public override bool RequestSent => false;
}

/// <summary>
/// OUTBOUND_ALLOW_PRIVATE_NETWORKS lifts the rule for every URL (self-hosted Evolution on a private network);
/// OUTBOUND_ALLOW_ADDRESSES lifts it for the addresses and host names it lists; OUTBOUND_PROXY sends tenant URLs through a proxy.
/// </summary>
internal sealed record OutboundAddressOptions
{
    public bool AllowPrivateNetworks { get; init; }
    public OutboundAllowList AllowList { get; init; } = OutboundAllowList.Empty;
    /// <summary>The proxy for calls to tenant URLs; null: they connect directly, whatever HTTP(S)_PROXY says.</summary>
    public Uri? Proxy { get; init; }
    /// <summary>A save waits at most this long for DNS; a name that does not resolve is left to the connect-time check.</summary>
    public TimeSpan SaveDnsTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The outbound address rule (SSRF protection), at save time (<see cref="IOutboundAddressPolicy"/>) and at connect time
/// (<see cref="ConnectAsync"/>, the ConnectCallback of the handler of every client that calls tenant URLs,
/// <see cref="CreateTenantHandler"/>). The connect-time check resolves the host itself and connects only to an address it
/// allowed, so a name that passed at save time and now resolves to 127.0.0.1 (DNS rebinding) still goes nowhere. URLs the
/// platform admin saved use other clients (<see cref="OutboundHttp"/>), so the two never share a connection.
/// </summary>
internal sealed class OutboundAddressGuard : IOutboundAddressPolicy
{
    public const string PrivateAddressRefusal = "must not point to a private, loopback or link-local address";
    private readonly OutboundAddressOptions _options;

    public OutboundAddressGuard(OutboundAddressOptions options) => _options = options;

    /// <summary>The refusal inside <paramref name="e"/> (a blocked address, a redirect, an answer over its cap), wrapped or not.</summary>
    public static OutboundCallRefusedException? BlockedBy(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is OutboundCallRefusedException refused) return refused;
        return null;
    }

    /// <summary>
    /// The primary handler for calls to tenant URLs: no redirects, no environment proxy, every connection through
    /// <see cref="ConnectAsync"/>. With OUTBOUND_PROXY, the proxy is used and the target is resolved and checked before
    /// each request instead (the connection itself goes to the proxy).
    /// </summary>
    public HttpMessageHandler CreateTenantHandler(TimeSpan? pooledConnectionLifetime = null, TimeSpan? pooledConnectionIdleTimeout = null)
    {
        var sockets = OutboundHttp.NewSocketsHandler(pooledConnectionLifetime, pooledConnectionIdleTimeout);
        if (_options.Proxy is null)
        {
            sockets.UseProxy = false;
            sockets.ConnectCallback = ConnectAsync;
            return sockets;
        }
        sockets.UseProxy = true;
        sockets.Proxy = new WebProxy(_options.Proxy);
        return new ProxiedTargetCheck(this) { InnerHandler = sockets };
    }

    /// <summary>Before a request leaves through OUTBOUND_PROXY: the target itself must be allowed.</summary>
    private sealed class ProxiedTargetCheck(OutboundAddressGuard guard) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var host = request.RequestUri!.DnsSafeHost;
            if (!guard.LiftedFor(host))
            {
                try
                {
                    await guard.AllowedAddressesAsync(host, cancellationToken);
                }
                catch (OutboundAddressBlockedException blocked)
                {
                    throw new HttpRequestException(HttpRequestError.ConnectionError, blocked.Message, blocked);
                }
                catch (SocketException e)
                {
                    // As SocketsHttpHandler reports a name that does not resolve: callers handle HttpRequestException only.
                    throw new HttpRequestException(HttpRequestError.NameResolutionError, e.Message, e);
                }
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }

    public async Task<string?> RefusalAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return "must be an absolute http(s) URL.";
        if (LiftedFor(uri.DnsSafeHost)) return null;

        IPAddress[] addresses;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.SaveDnsTimeout);
        try
        {
            addresses = await ResolveAsync(uri.DnsSafeHost, timeout.Token);
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return null; // not resolvable now: nothing to refuse yet, and every connection is checked again
        }
        var blocked = addresses.Where(a => !_options.AllowList.AllowsAddress(a)).Select(OutboundAddressClassifier.Blocked).FirstOrDefault(b => b is not null);
        return blocked is null ? null : $"{PrivateAddressRefusal} (it resolves to a {blocked} address).";
    }

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        if (LiftedFor(endpoint.Host)) return await ConnectToAsync(endpoint, ct);

        SocketException? last = null;
        foreach (var address in await AllowedAddressesAsync(endpoint.Host, ct))
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    /// <summary>The whole rule is off, or OUTBOUND_ALLOW_ADDRESSES names this host.</summary>
    private bool LiftedFor(string host) => _options.AllowPrivateNetworks || _options.AllowList.AllowsHost(host);

    private bool Allows(IPAddress address) => OutboundAddressClassifier.Blocked(address) is null || _options.AllowList.AllowsAddress(address);

    /// <summary>The host's addresses a tenant URL may reach; throws <see cref="OutboundAddressBlockedException"/> when there are none.</summary>
    private async Task<IPAddress[]> AllowedAddressesAsync(string host, CancellationToken ct)
    {
        var addresses = await ResolveAsync(host, ct);
        var allowed = addresses.Where(Allows).ToArray();
        if (allowed.Length > 0) return allowed;
        var what = addresses.Select(OutboundAddressClassifier.Blocked).FirstOrDefault() ?? "unknown";
        throw new OutboundAddressBlockedException(
            $"the host resolves to a {what} address, which a URL set with a tenant key may not reach (see OUTBOUND_ALLOW_ADDRESSES)");
    }

    /// <summary>What SocketsHttpHandler does without a ConnectCallback.</summary>
    private static async ValueTask<Stream> ConnectToAsync(DnsEndPoint endpoint, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
    {
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(literal, out var ip)) return [ip];
        return await Dns.GetHostAddressesAsync(host, ct);
    }
}
