namespace HybridFlow.Application.Common.Interfaces;

public interface IInstanceDirectory
{
    /// <summary>
    /// The instance by name. Answers may come from a short-lived cache (the webhook hot path); <paramref name="fresh"/>
    /// reads the database, for example before refusing a webhook whose secret may have just been changed.
    /// </summary>
    Task<InstanceContext?> FindByNameAsync(string instanceName, bool fresh, CancellationToken ct);
}
