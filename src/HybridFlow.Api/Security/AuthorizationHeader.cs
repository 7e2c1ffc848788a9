namespace HybridFlow.Api.Security;

public static class AuthorizationHeader
{
    /// <summary>The token of an <c>Authorization: Bearer &lt;token&gt;</c> header; null for any other value.</summary>
    public static string? BearerToken(string? authorization) =>
        authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7
            ? authorization[7..].Trim()
            : null;
}
