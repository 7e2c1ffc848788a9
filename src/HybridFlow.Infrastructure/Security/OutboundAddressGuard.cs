using System.Net;
using System.Net.Sockets;
using HybridFlow.Application.Common.Interfaces;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.Infrastructure.Security;

/// <summary>OUTBOUND_ALLOW_PRIVATE_NETWORKS lifts the rule for every URL (self-hosted Evolution on a private network).</summary>
public sealed record OutboundAddressOptions
{
    public bool AllowPrivateNetworks { get; init; }
    /// <summary>A save waits at most this long for DNS; a name that does not resolve is left to the connect-time check.</summary>
    public TimeSpan SaveDnsTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>The connection went nowhere: every address of the host is one a tenant-set URL may not reach.</summary>
public sealed class OutboundAddressBlockedException : Exception
{
    public OutboundAddressBlockedException(string reason) : base($"outbound address not allowed: {reason}") { }
}

/// <summary>
/// The outbound address rule (SSRF protection), at save time (<see cref="IOutboundAddressPolicy"/>) and at connect time
/// (<see cref="ConnectAsync"/>, the ConnectCallback of the HttpClients that call tenant URLs). The connect-time check
/// resolves the host itself and connects only to an address it allowed, so a name that passed at save time and now
/// resolves to 127.0.0.1 (DNS rebinding) still goes nowhere. Requests marked trusted (<see cref="MarkOutboundTrust"/>:
/// the URL was saved by the platform admin) connect as usual.
/// </summary>
public sealed class OutboundAddressGuard : IOutboundAddressPolicy
{
    public const string PrivateAddressRefusal = "must not point to a private, loopback or link-local address";
    private static readonly HttpRequestOptionsKey<bool> TrustedKey = new("HybridFlow.OutboundTargetTrusted");
    private readonly OutboundAddressOptions _options;

    public OutboundAddressGuard(OutboundAddressOptions options) => _options = options;

    /// <summary>Marks whether the request's target was saved by the platform admin (unmarked requests are checked).</summary>
    public static void MarkOutboundTrust(HttpRequestMessage request, bool trusted) => request.Options.Set(TrustedKey, trusted);

    /// <summary>
    /// For clients that only control their default headers (a Refit client per instance): this header marks the request
    /// trusted, and <see cref="TrustHeaderHandler"/> turns it into the request option before it can leave the process.
    /// </summary>
    public const string TrustHeader = "X-HybridFlow-Outbound-Trusted";

    /// <summary>Moves <see cref="TrustHeader"/> into the request's options and removes it; no header means untrusted.</summary>
    internal sealed class TrustHeaderHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Remove(TrustHeader)) MarkOutboundTrust(request, true);
            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>The guard's refusal inside <paramref name="e"/> (SocketsHttpHandler wraps it in an HttpRequestException).</summary>
    public static OutboundAddressBlockedException? BlockedBy(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is OutboundAddressBlockedException blocked) return blocked;
        return null;
    }

    public async Task<string?> RefusalAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return "must be an absolute http(s) URL.";
        if (_options.AllowPrivateNetworks) return null;

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
        var blocked = addresses.Select(OutboundAddressClassifier.Blocked).FirstOrDefault(b => b is not null);
        return blocked is null ? null : $"{PrivateAddressRefusal} (it resolves to a {blocked} address).";
    }

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        var trusted = _options.AllowPrivateNetworks
                      || (context.InitialRequestMessage.Options.TryGetValue(TrustedKey, out var marked) && marked);
        if (trusted) return await ConnectToAsync(endpoint, ct);

        var addresses = await ResolveAsync(endpoint.Host, ct);
        var allowed = addresses.Where(a => OutboundAddressClassifier.Blocked(a) is null).ToArray();
        if (allowed.Length == 0)
        {
            var what = addresses.Select(OutboundAddressClassifier.Blocked).FirstOrDefault() ?? "unknown";
            throw new OutboundAddressBlockedException(
                $"the host resolves to a {what} address, which a URL set with a tenant key may not reach (see OUTBOUND_ALLOW_PRIVATE_NETWORKS)");
        }

        SocketException? last = null;
        foreach (var address in allowed)
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

public static class OutboundAddressGuardExtensions
{
    /// <summary>
    /// Routes the client's connections through <see cref="OutboundAddressGuard.ConnectAsync"/>. For every HttpClient that
    /// calls a URL a tenant can set (Evolution, workflow; the model clients once base URLs are per tenant).
    /// </summary>
    public static IHttpClientBuilder UseOutboundAddressGuard(this IHttpClientBuilder builder) =>
        builder.AddHttpMessageHandler(() => new OutboundAddressGuard.TrustHeaderHandler())
            .UseSocketsHttpHandler((handler, sp) => handler.ConnectCallback = sp.GetRequiredService<OutboundAddressGuard>().ConnectAsync);
}
