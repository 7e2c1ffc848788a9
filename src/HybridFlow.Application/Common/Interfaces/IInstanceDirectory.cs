namespace HybridFlow.Application.Common.Interfaces;

public interface IInstanceDirectory
{
    /// <summary>
    /// The instance by name. Answers may come from a short-lived cache (the webhook hot path); <paramref name="fresh"/>
    /// reads the database, for example before refusing a webhook whose secret may have just been changed.
    /// </summary>
    Task<InstanceContext?> FindByNameAsync(string instanceName, bool fresh, CancellationToken ct);

    /// <summary>The Cloud API instance of this <c>phone_number_id</c> (Meta's webhooks are routed by it), cached like <see cref="FindByNameAsync"/>.</summary>
    Task<InstanceContext?> FindByMetaPhoneNumberIdAsync(string phoneNumberId, bool fresh, CancellationToken ct);
}
