namespace HybridFlow.Application.Common.Interfaces;

/// <summary>Evolution's instance administration endpoints (evolution.md sections 1.5 and 4); never throws for Evolution's own failures.</summary>
public interface IEvolutionAdmin
{
    Task<ConnectionStateReport> GetConnectionStateAsync(EvolutionEndpoint endpoint, CancellationToken ct);

    /// <summary><c>POST /webhook/set/{instance}</c> with the nested <c>webhook</c> body.</summary>
    Task<EvolutionCallResult> SetWebhookAsync(EvolutionEndpoint endpoint, WebhookRegistration webhook, CancellationToken ct);
}
