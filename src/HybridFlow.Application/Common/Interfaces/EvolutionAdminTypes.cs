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

/// <summary>
/// Evolution's answer to a connect or create call. <see cref="QrCode"/> is the PNG data URL to scan and
/// <see cref="PairingCode"/> the code to type instead (both null when the link is open); <see cref="State"/> is set when
/// Evolution named one. <see cref="NotFound"/>: Evolution does not know the instance; <see cref="NameTaken"/>: create found
/// it existing already.
/// </summary>
public sealed record EvolutionConnectResult(bool Succeeded, int? HttpStatus, string? Error, string? State = null, string? QrCode = null,
    string? PairingCode = null, bool NotFound = false, bool NameTaken = false);
