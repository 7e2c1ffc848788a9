using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;

namespace HybridFlow.Application.Inbox;

/// <summary>
/// The caller's way into conversations: <see cref="ConversationScope"/> (the visibility rule) for reads and writes, and
/// who may assign whom.
/// </summary>
public sealed class ConversationAccess
{
    private const string ApiKeyName = "API key";
    private readonly ICurrentCaller _caller;
    private readonly IInboxQueries _queries;

    public ConversationAccess(ICurrentCaller caller, IInboxQueries queries)
    {
        _caller = caller;
        _queries = queries;
    }

    public long? UserId => _caller.UserId;

    /// <summary>The scope of the caller; another tenant's <paramref name="requestedTenant"/> is a 404.</summary>
    public ConversationScope Scope(long? requestedTenant = null) => ConversationScope.Of(_caller, requestedTenant);

    /// <summary>The conversation as the caller sees it, or 404.</summary>
    public async Task<ConversationDto> RequireVisibleAsync(long sessionId, CancellationToken ct) =>
        await _queries.FindAsync(Scope(), sessionId, ct) ?? throw new NotFoundException("Conversation", sessionId);

    /// <summary>The logged-in person, or null for an API key.</summary>
    public async Task<InboxUser?> CurrentUserAsync(CancellationToken ct) =>
        _caller.UserId is { } id ? await _queries.FindUserAsync(id, ct) : null;

    /// <summary>How the caller is named on notes and the timeline: the person, or "API key".</summary>
    public async Task<PersonDto> CurrentPersonAsync(CancellationToken ct) =>
        await CurrentUserAsync(ct) is { } user ? new PersonDto(user.Id, user.DisplayName) : new PersonDto(null, ApiKeyName);

    /// <summary>
    /// An agent may take an unassigned conversation or give back their own; an agent API key (nobody to assign) neither.
    /// Admins may give it to any user of the tenant (checked by the caller). 403 otherwise.
    /// </summary>
    public void EnsureMayAssign(long? currentAssignee, long? newAssignee)
    {
        if (_caller.Role != CallerRole.Agent) return;
        if (_caller.UserId is not { } me)
            throw new ForbiddenException("An agent API key cannot assign conversations: log in as the person.");
        var takesUnassigned = newAssignee == me && (currentAssignee is null || currentAssignee == me);
        var givesBackOwn = newAssignee is null && (currentAssignee == me || currentAssignee is null);
        if (!takesUnassigned && !givesBackOwn)
            throw new ForbiddenException("An agent may assign an unassigned conversation to themselves or unassign their own; a tenant admin assigns to others.");
    }
}
