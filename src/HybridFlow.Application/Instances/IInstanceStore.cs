namespace HybridFlow.Application.Instances;

public interface IInstanceStore
{
    /// <summary>Creates the instance; null when the name is taken.</summary>
    Task<InstanceDto?> CreateAsync(NewInstance instance, DateTimeOffset now, CancellationToken ct);
    Task<IReadOnlyList<InstanceDto>> ListAsync(long? tenantId, CancellationToken ct);
    Task<InstanceDto?> FindAsync(string instanceName, CancellationToken ct);
    /// <summary>Applies the set fields; null when there is no such instance.</summary>
    Task<InstanceDto?> UpdateAsync(string instanceName, InstancePatch patch, DateTimeOffset now, CancellationToken ct);
    /// <summary>Deletes the instance and, through ON DELETE CASCADE, its sessions, messages and jobs; false when there was none.</summary>
    Task<bool> DeleteAsync(string instanceName, CancellationToken ct);
    /// <summary>The instance's evo_global_api_key in clear, for a call to Evolution only; null when it has none.</summary>
    Task<string?> FindEvolutionGlobalKeyAsync(string instanceName, CancellationToken ct);
}
