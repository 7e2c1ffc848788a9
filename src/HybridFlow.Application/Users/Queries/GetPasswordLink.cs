using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Queries;

/// <summary>
/// Whom a one-time link is for, so its page can say so before the person chooses a password. Anyone holding the token
/// may ask; a used, replaced, expired or unknown token is 404, the same for all.
/// </summary>
[AllowAnonymousCaller]
public sealed record GetPasswordLinkQuery(string? Token) : IRequest<PasswordLinkInfoDto>;

public sealed class GetPasswordLinkQueryValidator : AbstractValidator<GetPasswordLinkQuery>
{
    public GetPasswordLinkQueryValidator() => RuleFor(q => q.Token).NotEmpty().MaximumLength(PasswordLinkRules.TokenMax).OverridePropertyName("token");
}

public sealed class GetPasswordLinkQueryHandler : IRequestHandler<GetPasswordLinkQuery, PasswordLinkInfoDto>
{
    private readonly IPasswordLinks _links;
    private readonly IOperatorAccounts _accounts;
    private readonly TimeProvider _time;

    public GetPasswordLinkQueryHandler(IPasswordLinks links, IOperatorAccounts accounts, TimeProvider time)
    {
        _links = links;
        _accounts = accounts;
        _time = time;
    }

    public async Task<PasswordLinkInfoDto> Handle(GetPasswordLinkQuery query, CancellationToken ct)
    {
        var link = await _links.FindOpenAsync(PasswordLinkIssuer.Hash(query.Token!), _time.GetUtcNow(), ct) ?? throw PasswordLinkRules.NotValid();
        var account = await _accounts.FindAsync(link.UserId, ct) ?? throw PasswordLinkRules.NotValid();
        return new PasswordLinkInfoDto(account.Email, account.DisplayName, link.Purpose, link.ExpiresAt);
    }
}

public static class PasswordLinkRules
{
    /// <summary>A token is 43 characters; anything much longer is not one.</summary>
    public const int TokenMax = 100;

    public static NotFoundException NotValid() =>
        new("This link does not work: it was used already, it expired, or a newer link replaced it. Ask an admin for a new one.");
}
