using System.ClientModel;
using System.ClientModel.Primitives;
using System.Security.Cryptography;
using System.Text;
using Anthropic;
using Anthropic.Core;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Security;
using OpenAI;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>
/// The SDK clients for the global account and for each tenant's own (<see cref="LlmCredentials"/>), built once per
/// provider, base URL and key and kept in a bounded least-recently-used cache. Keys are held only inside the clients:
/// the cache is keyed by <see cref="Fingerprint"/>. A tenant's base URL that the platform admin did not set connects
/// through the <see cref="OutboundAddressGuard"/>, so it cannot reach a private address.
/// </summary>
internal sealed class LlmClients : IDisposable
{
    /// <summary>How many distinct accounts keep a client; more are rebuilt on use.</summary>
    public const int Capacity = 256;

    // The SDKs refuse an empty key, and local servers (Ollama, vLLM) ignore whatever is sent.
    internal const string PlaceholderApiKey = "no-key";

    // Per process, so a fingerprint cannot be checked against a guessed key anywhere else.
    private static readonly byte[] FingerprintSecret = RandomNumberGenerator.GetBytes(32);

    private readonly LlmOptions _options;
    private readonly HttpClient _direct;
    private readonly HttpClient _guarded;
    private readonly HttpMessageHandler _directHandler;
    private readonly HttpMessageHandler _guardedHandler;
    private readonly Lock _lock = new();
    private readonly Dictionary<ClientKey, LinkedListNode<(ClientKey Key, object Client)>> _entries = [];
    private readonly LinkedList<(ClientKey Key, object Client)> _recency = new();

    public LlmClients(LlmOptions options, OutboundAddressGuard guard)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(guard);
        _options = options;
        // Neither follows redirects, and answers stop at 4 MiB (OutboundHttp); the guarded one is the tenant handler.
        _directHandler = OutboundHttp.Chain(OutboundHttp.NewSocketsHandler(TimeSpan.FromMinutes(5)), OutboundHttp.LlmAnswerLimit);
        _guardedHandler = OutboundHttp.Chain(guard.CreateTenantHandler(TimeSpan.FromMinutes(5)), OutboundHttp.LlmAnswerLimit);
        // The SDKs' own timeouts (LLM_TIMEOUT) apply; HttpClient's 100 s default would only get in the way of longer ones.
        _direct = new HttpClient(_directHandler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        _guarded = new HttpClient(_guardedHandler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// A short, one-way name for an account (its key and base URL) that is safe for dictionary keys and gate names:
    /// "global" for the platform's account.
    /// </summary>
    public static string Fingerprint(LlmCredentials? credentials)
    {
        if (credentials is null || credentials.IsEmpty) return "global";
        var material = $"{credentials.ApiKey}\n{credentials.BaseUrl}";
        var hash = HMACSHA256.HashData(FingerprintSecret, Encoding.UTF8.GetBytes(material));
        return "tenant:" + Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    /// <summary>The OpenAI account a call with these credentials uses, or null when neither it nor the environment names one.</summary>
    public OpenAiAccount? OpenAi(LlmCredentials? credentials)
    {
        var tenantBaseUrl = TenantBaseUrl(credentials);
        var baseUrl = tenantBaseUrl ?? _options.OpenAiBaseUrl;
        // The platform's key never goes to a URL a tenant chose.
        var apiKey = credentials?.ApiKey ?? (tenantBaseUrl is null ? _options.OpenAiApiKey : null);
        if (apiKey is null && baseUrl is null) return null;

        var guarded = tenantBaseUrl is not null && !credentials!.BaseUrlTrusted;
        var key = new ClientKey("openai", baseUrl?.ToString(), KeyFingerprint(apiKey), guarded);
        var client = (OpenAIClient)GetOrAdd(key, () => CreateOpenAiClient(apiKey ?? PlaceholderApiKey, baseUrl, guarded));
        return new OpenAiAccount(client, IsTenantKey: credentials?.ApiKey is not null, apiKey);
    }

    /// <summary>The Anthropic account a call with these credentials uses, or null when neither it nor the environment names one.</summary>
    public AnthropicAccount? Anthropic(LlmCredentials? credentials)
    {
        var tenantBaseUrl = TenantBaseUrl(credentials);
        var apiKey = credentials?.ApiKey
                     ?? (tenantBaseUrl is null ? _options.AnthropicApiKey : PlaceholderApiKey);
        if (apiKey is null) return null;

        var baseUrl = tenantBaseUrl ?? _options.AnthropicBaseUrl;
        var guarded = tenantBaseUrl is not null && !credentials!.BaseUrlTrusted;
        var key = new ClientKey("anthropic", baseUrl?.ToString(), KeyFingerprint(apiKey), guarded);
        var client = (AnthropicClient)GetOrAdd(key, () => CreateAnthropicClient(apiKey, baseUrl, guarded));
        return new AnthropicAccount(client, IsTenantKey: credentials?.ApiKey is not null, apiKey);
    }

    /// <summary>How many clients are cached now (for tests of the bound).</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _entries.Count;
        }
    }

    public void Dispose()
    {
        _direct.Dispose();
        _guarded.Dispose();
        _directHandler.Dispose();
        _guardedHandler.Dispose();
    }

    private static Uri? TenantBaseUrl(LlmCredentials? credentials)
    {
        if (string.IsNullOrWhiteSpace(credentials?.BaseUrl)) return null;
        if (Uri.TryCreate(credentials.BaseUrl.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        throw new ReplyGenerationException("The tenant's llm_base_url is not an absolute http(s) URL.", isPermanent: true);
    }

    private static string KeyFingerprint(string? apiKey) =>
        apiKey is null ? "none" : Convert.ToHexStringLower(HMACSHA256.HashData(FingerprintSecret, Encoding.UTF8.GetBytes(apiKey)).AsSpan(0, 8));

    private object GetOrAdd(ClientKey key, Func<object> create)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                return node.Value.Client;
            }

            // Evicted clients are not disposed: a call may still be using one, and they share this class's connection pools.
            while (_entries.Count >= Capacity && _recency.Last is { } oldest)
            {
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Key);
            }

            var added = _recency.AddFirst((key, create()));
            _entries[key] = added;
            return added.Value.Client;
        }
    }

    private OpenAIClient CreateOpenAiClient(string apiKey, Uri? baseUrl, bool guarded)
    {
        var clientOptions = new OpenAIClientOptions
        {
            NetworkTimeout = _options.Timeout,
            // The outbox owns retries; SDK retries would multiply attempts and stretch past LLM_TIMEOUT.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            Transport = new HttpClientPipelineTransport(guarded ? _guarded : _direct),
        };
        clientOptions.AddPolicy(new CorrelationIdPipelinePolicy(), PipelinePosition.PerCall);
        if (baseUrl is not null)
        {
            clientOptions.Endpoint = baseUrl;
        }

        return new OpenAIClient(new ApiKeyCredential(apiKey), clientOptions);
    }

    private AnthropicClient CreateAnthropicClient(string apiKey, Uri? baseUrl, bool guarded) => new(new ClientOptions
    {
        ApiKey = apiKey,
        // Set explicitly so the SDK never falls back to its own reading of the environment.
        BaseUrl = baseUrl?.ToString() ?? EnvironmentUrl.Production,
        Timeout = _options.Timeout,
        // The outbox owns retries; SDK retries would multiply attempts and stretch past LLM_TIMEOUT.
        MaxRetries = 0,
        // The SDK attaches its handlers to the client it is given, so each gets its own over the shared pool.
        HttpClient = new HttpClient(guarded ? _guardedHandler : _directHandler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan },
        // SDK 13.x sends the key only as "Authorization: Bearer"; the documented API header (and most
        // Anthropic-compatible gateways) use x-api-key, so send that too.
        ExtraHeaders = new Dictionary<string, string> { ["x-api-key"] = apiKey },
        Handlers = [new CorrelationIdHandler(), new RetryAfterCaptureHandler()],
    });

    private readonly record struct ClientKey(string Provider, string? BaseUrl, string KeyFingerprint, bool Guarded);
}

/// <summary>An OpenAI client and whose key it carries; <see cref="ApiKey"/> only to scrub it from error text.</summary>
internal sealed record OpenAiAccount(OpenAIClient Client, bool IsTenantKey, string? ApiKey)
{
    public override string ToString() => $"OpenAiAccount(tenant key: {IsTenantKey})";
}

/// <summary>An Anthropic client and whose key it carries; <see cref="ApiKey"/> only to scrub it from error text.</summary>
internal sealed record AnthropicAccount(AnthropicClient Client, bool IsTenantKey, string ApiKey)
{
    public override string ToString() => $"AnthropicAccount(tenant key: {IsTenantKey})";
}
