namespace HybridFlow.Application.Common.Interfaces;

/// <summary>Evolution's instance administration endpoints (evolution.md sections 1.5 and 4); never throws for Evolution's own failures.</summary>
public interface IEvolutionAdmin
{
    Task<ConnectionStateReport> GetConnectionStateAsync(EvolutionEndpoint endpoint, CancellationToken ct);

    /// <summary><c>POST /webhook/set/{instance}</c> with the nested <c>webhook</c> body.</summary>
    Task<EvolutionCallResult> SetWebhookAsync(EvolutionEndpoint endpoint, WebhookRegistration webhook, CancellationToken ct);

    /// <summary><c>GET /instance/connect/{instance}</c> with the instance token: a QR code to scan, or the state when already open.</summary>
    Task<EvolutionConnectResult> ConnectAsync(EvolutionEndpoint endpoint, CancellationToken ct);

    /// <summary>
    /// <c>POST /instance/create</c> with Evolution's global key (<paramref name="globalEndpoint"/>'s key), naming the instance
    /// token HybridFlow holds as its <c>token</c>; a name Evolution knows already is reported, not failed.
    /// </summary>
    Task<EvolutionConnectResult> CreateInstanceAsync(EvolutionEndpoint globalEndpoint, string instanceToken, CancellationToken ct);
}
