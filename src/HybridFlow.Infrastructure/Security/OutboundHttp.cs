using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.Infrastructure.Security;

/// <summary>A call to an outside server that HybridFlow's outbound rules stopped; retrying cannot help.</summary>
internal abstract class OutboundCallRefusedException : Exception
{
    protected OutboundCallRefusedException(string message) : base(message) { }

    /// <summary>Whether the request left the process before it was stopped (a refused address stops it before it is sent).</summary>
    public abstract bool RequestSent { get; }
}

/// <summary>
/// The server answered with a redirect; outbound clients never follow one. The message names where it pointed, without
/// its user info and query (they may hold a token).
/// </summary>
internal sealed class OutboundRedirectRefusedException : OutboundCallRefusedException
{
    public OutboundRedirectRefusedException(int status, Uri? location)
        : base(location is null ? $"redirect ({status}) without a Location refused" : $"redirect to {Shown(location)} refused") { }

    public override bool RequestSent => true;

    private static string Shown(Uri location) =>
        new UriBuilder(location) { UserName = "", Password = "", Query = "", Fragment = "" }.Uri.ToString();
}

/// <summary>The server's answer is longer than the cap of its kind of call.</summary>
internal sealed class OutboundAnswerTooLargeException : OutboundCallRefusedException
{
    public OutboundAnswerTooLargeException(long limit) : base($"the answer is larger than {limit} bytes, the most read for this call") { }

    public override bool RequestSent => true;
}

/// <summary>
/// How HybridFlow calls servers whose URLs are stored per tenant or instance (Evolution, workflow, notify, models): each
/// kind has two named clients, "<c>kind.trusted</c>" for URLs the platform admin saved and "<c>kind.tenant</c>" for URLs
/// saved with a tenant key, on separate handlers so the two never share a connection. Neither follows redirects (a
/// redirect is a failure naming its Location), and answers are read up to a cap.
/// </summary>
internal static class OutboundHttp
{
    /// <summary>Evolution's JSON answers.</summary>
    public const long EvolutionAnswerLimit = 1024 * 1024;
    /// <summary>A model's answer (chat completion, message, transcription).</summary>
    public const long LlmAnswerLimit = 4 * 1024 * 1024;

    /// <summary>Overrides the client's answer cap for one request (getBase64FromMediaMessage's depends on the file's limit).</summary>
    public const string AnswerLimitOption = "HybridFlow.OutboundAnswerLimit";

    public static string ClientName(string kind, bool trusted) => kind + (trusted ? ".trusted" : ".tenant");

    /// <summary>
    /// Registers "<paramref name="kind"/>.trusted" and "<paramref name="kind"/>.tenant". With <paramref name="answerLimit"/>,
    /// answers are read whole inside the call, up to that cap. With <paramref name="pooledConnectionIdleTimeout"/>, idle
    /// connections are dropped after it (before the server's own keep-alive closes them).
    /// </summary>
    public static void AddOutboundHttpClients(this IServiceCollection services, string kind, long? answerLimit, TimeSpan? pooledConnectionIdleTimeout = null)
    {
        foreach (var trusted in new[] { true, false })
        {
            var builder = services.AddHttpClient(ClientName(kind, trusted), c => c.Timeout = Timeout.InfiniteTimeSpan)
                .ConfigurePrimaryHttpMessageHandler(sp => trusted
                    ? NewSocketsHandler(pooledConnectionIdleTimeout: pooledConnectionIdleTimeout)
                    : sp.GetRequiredService<OutboundAddressGuard>().CreateTenantHandler(pooledConnectionIdleTimeout: pooledConnectionIdleTimeout));
            if (answerLimit is { } limit) builder.AddHttpMessageHandler(() => new AnswerLimitHandler(limit));
            builder.AddHttpMessageHandler(() => new RedirectRefusalHandler());
        }
    }

    /// <summary><paramref name="primary"/> with the redirect refusal and the answer cap on top, for clients built by hand.</summary>
    public static HttpMessageHandler Chain(HttpMessageHandler primary, long answerLimit) =>
        new AnswerLimitHandler(answerLimit) { InnerHandler = new RedirectRefusalHandler { InnerHandler = primary } };

    /// <summary>A handler that does not follow redirects (the environment proxy, if any, still applies: trusted calls only).</summary>
    public static SocketsHttpHandler NewSocketsHandler(TimeSpan? pooledConnectionLifetime = null, TimeSpan? pooledConnectionIdleTimeout = null)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        if (pooledConnectionLifetime is { } lifetime) handler.PooledConnectionLifetime = lifetime;
        if (pooledConnectionIdleTimeout is { } idle) handler.PooledConnectionIdleTimeout = idle;
        return handler;
    }

    /// <summary>A 3xx answer is thrown as <see cref="OutboundRedirectRefusedException"/> (inside an HttpRequestException).</summary>
    internal sealed class RedirectRefusalHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            if (status is < 300 or > 399 || response.StatusCode == HttpStatusCode.NotModified) return response;
            var location = response.Headers.Location is { } l ? l.IsAbsoluteUri ? l : new Uri(request.RequestUri!, l) : null;
            response.Dispose();
            var refused = new OutboundRedirectRefusedException(status, location);
            throw new HttpRequestException(HttpRequestError.InvalidResponse, refused.Message, refused, (HttpStatusCode)status);
        }
    }

    /// <summary>
    /// Reads the answer into memory inside the call, up to the cap (HttpContent refuses a longer Content-Length at once and
    /// stops reading a chunked answer past it), so an answer over the cap fails the call itself.
    /// </summary>
    internal sealed class AnswerLimitHandler(long limit) : DelegatingHandler
    {
        private static readonly HttpRequestOptionsKey<long> LimitKey = new(AnswerLimitOption);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var cap = request.Options.TryGetValue(LimitKey, out var own) && own > 0 ? own : limit;
            var response = await base.SendAsync(request, cancellationToken);
            try
            {
                await response.Content.LoadIntoBufferAsync(cap, cancellationToken);
                return response;
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
            {
                response.Dispose();
                var refused = new OutboundAnswerTooLargeException(cap);
                throw new HttpRequestException(HttpRequestError.ConfigurationLimitExceeded, refused.Message, refused);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
    }
}

/// <summary>
/// OUTBOUND_ALLOW_ADDRESSES: IPs, CIDRs and host names a URL saved with a tenant key may reach although they are private
/// (the one self-hosted Evolution at 10.0.0.5, rather than every private network).
/// </summary>
internal sealed class OutboundAllowList
{
    public const string Variable = "OUTBOUND_ALLOW_ADDRESSES";
    public static readonly OutboundAllowList Empty = new([], []);
    private readonly IPNetwork[] _networks;
    private readonly HashSet<string> _hosts;

    private OutboundAllowList(IPNetwork[] networks, HashSet<string> hosts)
    {
        _networks = networks;
        _hosts = hosts;
    }

    /// <summary>Comma-separated entries; a bad one stops startup with a message naming the variable.</summary>
    public static OutboundAllowList Parse(string? raw)
    {
        var networks = new List<IPNetwork>();
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in (raw ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (LooksLikeAddress(entry))
            {
                var slash = entry.IndexOf('/');
                var address = slash < 0 ? entry : entry[..slash];
                if (!IPAddress.TryParse(address, out var ip) || !(address.Contains(':') || address.Count(c => c == '.') == 3)) throw Bad(entry);
                var cidr = slash < 0 ? $"{address}/{(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}" : entry;
                // 10.0.0.5/8 is refused rather than read as 10.0.0.0/8: the operator meant one of the two.
                if (!IPNetwork.TryParse(cidr, out var network) || !network.BaseAddress.Equals(ip)) throw Bad(entry);
                networks.Add(network);
            }
            else if (Uri.CheckHostName(entry.TrimEnd('.')) == UriHostNameType.Dns) hosts.Add(entry.TrimEnd('.'));
            else throw Bad(entry);
        }
        return new OutboundAllowList([.. networks], hosts);
    }

    public bool AllowsHost(string host) => _hosts.Contains(host.TrimEnd('.'));

    public bool AllowsAddress(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return _networks.Any(n => n.Contains(address));
    }

    private static bool LooksLikeAddress(string entry) => entry.Contains(':') || entry.All(c => char.IsAsciiDigit(c) || c is '.' or '/');

    private static InvalidOperationException Bad(string entry) =>
        new($"{Variable} must be a comma-separated list of IP addresses, CIDRs (10.0.0.0/24) and host names; '{entry}' is none of these.");
}
