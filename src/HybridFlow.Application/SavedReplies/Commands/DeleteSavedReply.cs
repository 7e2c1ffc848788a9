using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.SavedReplies.Commands;

/// <summary>DELETE /api/tenants/{id}/saved-replies/{reply_id}.</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record DeleteSavedReplyCommand(long TenantId, long ReplyId) : IRequest, ITenantRequest;

public sealed class DeleteSavedReplyCommandHandler : IRequestHandler<DeleteSavedReplyCommand>
{
    private readonly ISavedReplyStore _replies;

    public DeleteSavedReplyCommandHandler(ISavedReplyStore replies) => _replies = replies;

    public async Task<Unit> Handle(DeleteSavedReplyCommand command, CancellationToken ct)
    {
        if (!await _replies.DeleteAsync(command.TenantId, command.ReplyId, ct)) throw new NotFoundException("Saved reply", command.ReplyId);
        return Unit.Value;
    }
}
