namespace HybridFlow.Application.Common.Security;

/// <summary>Who is calling the admin API. A tenant key is bound to one tenant; the platform admin sees all.</summary>
public interface ICurrentCaller
{
    CallerRole Role { get; }
    /// <summary>The tenant a tenant key belongs to; null for the platform admin.</summary>
    long? TenantId { get; }
    /// <summary>The person logged in with the auth cookie; null for an API key (a machine).</summary>
    long? UserId => null;
    /// <summary>The login (server-side session) the cookie belongs to; null for an API key.</summary>
    long? LoginSessionId => null;
    /// <summary>The tenant key calling; null for a person and for ADMIN_API_KEY.</summary>
    long? ApiKeyId => null;
}
