namespace HybridFlow.Application.Common.Interfaces;

/// <summary>A login to store: the protected ticket (opaque here) and who, when and from where.</summary>
public sealed record NewLoginSession(
    long UserId, string SecurityStamp, byte[] Ticket, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string? UserAgent, string? SourceAddress);

/// <summary>A live login as the ticket store reads it back.</summary>
public sealed record StoredLoginSession(long Id, long UserId, byte[] Ticket);

/// <summary>A live login as its owner sees it: never the key, the ticket or the address.</summary>
public sealed record LoginSessionInfo(long Id, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, string? UserAgent);
