namespace HybridFlow.Application.Common.Interfaces;

/// <summary>Where an Evolution instance lives and how to authenticate to it.</summary>
public sealed record EvolutionEndpoint(string ServerUrl, string InstanceName, string? ApiKey, bool Trusted = false)
{
    public static EvolutionEndpoint Of(InstanceContext instance) =>
        new(instance.EvolutionServerUrl, instance.InstanceName, instance.EvolutionApiKey, instance.EvolutionServerUrlTrusted);
}

/// <summary>
/// Evolution's answer to <c>GET /instance/connectionState/{instance}</c>. <see cref="Reachable"/> means Evolution
/// answered 2xx; <see cref="HttpStatus"/> is null when no HTTP answer came back at all.
/// </summary>
public sealed record ConnectionStateReport(bool Reachable, string? State, int? HttpStatus, string? Error);

/// <summary>The instance webhook HybridFlow asks Evolution to call.</summary>
public sealed record WebhookRegistration(string Url, IReadOnlyDictionary<string, string> Headers, IReadOnlyList<string> Events);

/// <summary>Outcome of an Evolution call; <see cref="HttpStatus"/> is null when Evolution could not be reached.</summary>
public sealed record EvolutionCallResult(bool Succeeded, int? HttpStatus, string? Error);
