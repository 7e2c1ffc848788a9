namespace HybridFlow.Application.Common.Interfaces;

/// <summary>A user as the inbox needs them: to name them, and to check they belong to a conversation's tenant.</summary>
public sealed record InboxUser(long Id, long? TenantId, string Role, string DisplayName);
