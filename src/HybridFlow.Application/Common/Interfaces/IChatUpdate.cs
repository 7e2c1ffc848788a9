namespace HybridFlow.Application.Common.Interfaces;

/// <summary>A locked chat that its caller commits. Disposing without <see cref="CommitAsync"/> rolls everything back.</summary>
public interface IChatUpdate : ILockedChat, IAsyncDisposable
{
    /// <summary>Stores the session as the domain left it and commits; returns once the commit is durable.</summary>
    Task CommitAsync(CancellationToken ct);
}
