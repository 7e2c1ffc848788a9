using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Security;
using Polly;
using Polly.Timeout;

namespace HybridFlow.Infrastructure.Workflows;

internal sealed record WorkflowOptions
{
    /// <summary>Per POST (WORKFLOW_TIMEOUT); the workflow should acknowledge at once and answer later through send-message.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// POSTs a workflow event as snake_case JSON, signed like this:
/// <c>X-HybridFlow-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + raw body))</c> with the Unix-seconds
/// <c>X-HybridFlow-Timestamp</c>, and <c>X-HybridFlow-Delivery</c> stable across retries. One attempt per call:
/// the outbox owns retries and backoff.
/// </summary>
internal sealed class WorkflowDispatcher : IWorkflowDispatcher, ISignedEventSender
{
    public const string TimestampHeader = "X-HybridFlow-Timestamp";
    public const string SignatureHeader = "X-HybridFlow-Signature";
    public const string DeliveryHeader = "X-HybridFlow-Delivery";
    /// <summary>The named clients "workflow.trusted" and "workflow.tenant" (<see cref="OutboundHttp"/>).</summary>
    public const string HttpClientName = "workflow";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;
    private readonly WorkflowOptions _options;
    private readonly ResiliencePipeline _timeout;

    public WorkflowDispatcher(IHttpClientFactory http, WorkflowOptions options, TimeProvider time)
    {
        _http = http;
        _time = time;
        _options = options;
        _timeout = new ResiliencePipelineBuilder().AddTimeout(options.Timeout).Build();
    }

    public Task<int> DispatchAsync(WorkflowDispatch dispatch, CancellationToken ct) =>
        PostAsync(dispatch.Target, dispatch.DeliveryId, JsonSerializer.SerializeToUtf8Bytes(dispatch.Event, Json), ct);

    /// <summary>One signed POST of a JSON body (a workflow event, or a notify event such as handoff_requested).</summary>
    public async Task<int> PostAsync(WorkflowTarget target, string deliveryId, byte[] body, CancellationToken ct)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Sign(target.SigningSecret, timestamp, body);
        var http = _http.CreateClient(OutboundHttp.ClientName(HttpClientName, target.Trusted));
        try
        {
            var status = await _timeout.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                request.Headers.TryAddWithoutValidation(TimestampHeader, timestamp);
                request.Headers.TryAddWithoutValidation(SignatureHeader, signature);
                request.Headers.TryAddWithoutValidation(DeliveryHeader, deliveryId);
                if (target.BearerToken is { } bearer) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                return (int)response.StatusCode;
            }, ct);
            // The URL is left out of errors: a workflow webhook URL is often a secret in itself.
            if (status is < 200 or > 299) throw new WorkflowDispatchException($"the workflow answered HTTP {status}");
            return status;
        }
        catch (TimeoutRejectedException e)
        {
            throw new WorkflowDispatchException($"the workflow did not answer within {_options.Timeout.TotalSeconds:0.#} s", e);
        }
        catch (HttpRequestException e) when (OutboundAddressGuard.BlockedBy(e) is { } blocked)
        {
            throw new WorkflowDispatchException(blocked.Message, e, isPermanent: true);
        }
        catch (HttpRequestException e)
        {
            throw new WorkflowDispatchException($"the workflow could not be reached ({e.HttpRequestError})", e);
        }
    }

    /// <summary><c>sha256=</c> and the lowercase hex HMAC-SHA256 of <c>timestamp + "." + body</c>.</summary>
    public static string Sign(string secret, string timestamp, byte[] body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed, prefix.Length);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
