using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using MediatR;

namespace HybridFlow.Application.SavedReplies.Queries;

/// <summary>GET /api/tenants/{id}/saved-replies: the tenant's saved replies, by shortcut.</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record ListSavedRepliesQuery(long TenantId) : IRequest<SavedReplyListDto>, ITenantRequest;

public sealed class ListSavedRepliesQueryHandler : IRequestHandler<ListSavedRepliesQuery, SavedReplyListDto>
{
    private readonly ISavedReplyStore _replies;
    private readonly ITenantStore _tenants;

    public ListSavedRepliesQueryHandler(ISavedReplyStore replies, ITenantStore tenants)
    {
        _replies = replies;
        _tenants = tenants;
    }

    public async Task<SavedReplyListDto> Handle(ListSavedRepliesQuery query, CancellationToken ct)
    {
        if (await _tenants.FindAsync(query.TenantId, ct) is null) throw new NotFoundException("Tenant", query.TenantId);
        return new SavedReplyListDto(await _replies.ListAsync(query.TenantId, ct));
    }
}
