using System.Globalization;
using System.Net;
using System.Text.Json;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Security;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;
using Refit;

namespace HybridFlow.Infrastructure.Evolution;

/// <summary>
/// Evolution's instance administration: <c>GET /instance/connectionState/{instance}</c>, <c>POST /webhook/set/{instance}</c>,
/// <c>GET /instance/connect/{instance}</c> and <c>POST /instance/create</c>; the connect and create answers hold a QR code, so
/// they are read, never logged.
/// All are safe to repeat (a repeated create finds its name taken), so they are retried on the same transient failures as sends; Evolution's own errors are
/// reported, not thrown. The webhook body carries the secret header, so bodies are never logged.
/// </summary>
internal sealed class EvolutionAdminClient : IEvolutionAdmin
{
    private const string ConnectionStateOperation = "connection_state";
    private const string SetWebhookOperation = "set_webhook";
    private const string ConnectOperation = "connect";
    private const string CreateInstanceOperation = "create_instance";
    private const string BaileysIntegration = "WHATSAPP-BAILEYS";
    private const int MaxErrorChars = 300;
    private readonly EvolutionApiFactory _evolution;
    private readonly ICorrelationContext _correlation;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _timeout;
    private readonly ILogger<EvolutionAdminClient> _logger;

    public EvolutionAdminClient(EvolutionApiFactory evolution, EvolutionOptions options, ICorrelationContext correlation, ILogger<EvolutionAdminClient> logger)
    {
        _evolution = evolution;
        _correlation = correlation;
        _logger = logger;
        _timeout = options.AdminTimeout;
        _pipeline = EvolutionApiFactory.Pipeline(options, options.AdminTimeout);
    }

    public async Task<ConnectionStateReport> GetConnectionStateAsync(EvolutionEndpoint endpoint, CancellationToken ct)
    {
        var (status, state, failure) = await CallAsync(endpoint, ConnectionStateOperation,
            (api, token) => api.ConnectionStateAsync(endpoint.InstanceName, token),
            // A 2xx that is not shaped as expected still proves Evolution is reachable; it just names no state.
            response => response.Error is null ? response.Content?.Instance?.State : null, ct);
        return failure is null ? new ConnectionStateReport(true, state, status, null) : new ConnectionStateReport(false, null, status, failure);
    }

    public async Task<EvolutionCallResult> SetWebhookAsync(EvolutionEndpoint endpoint, WebhookRegistration webhook, CancellationToken ct)
    {
        var body = new SetWebhookRequest(new WebhookSettings(true, webhook.Url, webhook.Headers, false, false, webhook.Events));
        var (status, _, failure) = await CallAsync(endpoint, SetWebhookOperation,
            (api, token) => api.SetWebhookAsync(endpoint.InstanceName, body, token), _ => true, ct);
        return new EvolutionCallResult(failure is null, status, failure);
    }

    public async Task<EvolutionConnectResult> ConnectAsync(EvolutionEndpoint endpoint, CancellationToken ct)
    {
        var (status, answer, failure) = await CallAsync(endpoint, ConnectOperation,
            (api, token) => api.ConnectAsync(endpoint.InstanceName, token), response => response.Error is null ? response.Content : null, ct);
        if (failure is not null) return new EvolutionConnectResult(false, status, failure, NotFound: status == 404);
        var base64 = answer?.Base64 ?? answer?.Qrcode?.Base64;
        var qrCode = HybridFlow.Application.Instances.QrCodes.DataUrl(base64);
        var pairingCode = HybridFlow.Application.Instances.QrCodes.PairingCode(answer?.PairingCode ?? answer?.Qrcode?.PairingCode);
        return new EvolutionConnectResult(true, status, null, answer?.Instance?.State, qrCode, qrCode is null ? null : pairingCode);
    }

    public async Task<EvolutionConnectResult> CreateInstanceAsync(EvolutionEndpoint globalEndpoint, string instanceToken, CancellationToken ct)
    {
        var body = new CreateInstanceRequest(globalEndpoint.InstanceName, string.IsNullOrEmpty(instanceToken) ? null : instanceToken, true, BaileysIntegration);
        var (status, answer, failure) = await CallAsync(globalEndpoint, CreateInstanceOperation,
            (api, token) => api.CreateInstanceAsync(body, token), response => response.Error is null ? response.Content : null, ct);
        if (failure is not null)
            return new EvolutionConnectResult(false, status, failure,
                NameTaken: status == 403 && failure.Contains("already in use", StringComparison.OrdinalIgnoreCase));
        var qrCode = HybridFlow.Application.Instances.QrCodes.DataUrl(answer?.Qrcode?.Base64);
        return new EvolutionConnectResult(true, status, null, qrCode is null ? null : "connecting", qrCode,
            qrCode is null ? null : HybridFlow.Application.Instances.QrCodes.PairingCode(answer?.Qrcode?.PairingCode));
    }

    /// <summary>Answers the HTTP status (null when none came back), what <paramref name="read"/> takes from a 2xx, and a readable failure otherwise.</summary>
    private async Task<(int? Status, T? Value, string? Failure)> CallAsync<TResponse, T>(EvolutionEndpoint endpoint, string operation,
        Func<IEvolutionApi, CancellationToken, Task<TResponse>> call, Func<TResponse, T> read, CancellationToken ct) where TResponse : IApiResponse
    {
        var api = _evolution.For(endpoint, _correlation.CorrelationId);
        if (api is null) return Failed(null, "The instance's evo_server_url is not an absolute http(s) URL.");

        TResponse response;
        try
        {
            response = await _evolution.ExecuteAsync(operation, _pipeline, token => call(api, token), ct);
        }
        catch (TimeoutRejectedException)
        {
            return Failed(null, $"Evolution did not answer within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
        }
        catch (HttpRequestException e) when (OutboundAddressGuard.BlockedBy(e) is { } blocked)
        {
            return Failed(null, blocked.RequestSent
                ? $"Evolution at {HostOf(endpoint.ServerUrl)} not reachable: {blocked.Message}."
                : $"Evolution at {HostOf(endpoint.ServerUrl)} was not called: {blocked.Message}.");
        }
        catch (HttpRequestException e)
        {
            return Failed(null, $"Evolution could not be reached at {HostOf(endpoint.ServerUrl)} ({e.HttpRequestError}).");
        }

        using (response)
        {
            var status = (int?)response.StatusCode;
            if (EvolutionApiFactory.WasCutOff(response)) return Failed(status, $"Evolution's answer ({status}) was cut off.");
            if (!response.IsSuccessStatusCode) return Failed(status, Describe(status, EvolutionApiFactory.ErrorOf(response)));
            return (status, read(response), null);
        }

        (int?, T?, string?) Failed(int? status, string failure)
        {
            _logger.LogWarning("Evolution {operation} for instance {instance} failed: {status} {failure}", operation, endpoint.InstanceName, status, failure);
            return (status, default, failure);
        }
    }

    private static string Describe(int? status, EvolutionError? error)
    {
        var hint = status switch
        {
            401 or 403 => " Check the instance's evo_api_key.",
            404 => " Check that the instance exists in Evolution under this name.",
            _ => "",
        };
        var message = MessageOf(error);
        var text = $"Evolution answered {status}{(message is null ? "." : ": " + message)}{hint}";
        return text.Length <= MaxErrorChars ? text : text[..MaxErrorChars] + "…";
    }

    /// <summary><c>response.message</c> is a string or an array (of strings, or of objects such as the onWhatsApp results); else <c>error</c>.</summary>
    private static string? MessageOf(EvolutionError? error) =>
        error?.Response?.Message switch
        {
            { ValueKind: JsonValueKind.String } m => m.GetString(),
            { ValueKind: JsonValueKind.Array } m => string.Join("; ", m.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
            { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } m => m.GetRawText(),
            _ => error?.Error,
        };

    private static string HostOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : "the configured evo_server_url";
}
