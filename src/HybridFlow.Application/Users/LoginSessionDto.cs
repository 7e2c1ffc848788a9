using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Application.Users;

/// <summary>One of a person's logins, as they see it: never the cookie's key or the address it came from.</summary>
public sealed record LoginSessionDto(long Id, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, string? UserAgent, bool Current)
{
    public static LoginSessionDto From(LoginSessionInfo session, long? currentId) =>
        new(session.Id, session.CreatedAt, session.LastSeenAt, session.UserAgent, session.Id == currentId);
}

public sealed record LoginSessionListDto(IReadOnlyList<LoginSessionDto> Items);
