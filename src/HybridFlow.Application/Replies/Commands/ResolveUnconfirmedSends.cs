using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Replies.Commands;

/// <summary>Settles the sends whose answer was lost or whose sender died (see <see cref="UnconfirmedSendResolver"/>); answers how many it took up.</summary>
[AllowAnonymousCaller]
public sealed record ResolveUnconfirmedSendsCommand : IRequest<int>;

public sealed class ResolveUnconfirmedSendsCommandHandler : IRequestHandler<ResolveUnconfirmedSendsCommand, int>
{
    private readonly UnconfirmedSendResolver _resolver;

    public ResolveUnconfirmedSendsCommandHandler(UnconfirmedSendResolver resolver) => _resolver = resolver;

    public Task<int> Handle(ResolveUnconfirmedSendsCommand request, CancellationToken ct) => _resolver.ResolveDueAsync(ct);
}
