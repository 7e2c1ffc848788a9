using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Users.Queries;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>
/// The person chooses their password on a one-time link and is logged in. The link works once: a used, replaced,
/// expired or unknown token is 404, the same for all. A weak password is 400 and leaves the link open; a locked account
/// is 409 and leaves it open too.
/// </summary>
[AllowAnonymousCaller]
public sealed record UsePasswordLinkCommand(string? Token, string? Password) : IRequest<UserDto>;

public sealed class UsePasswordLinkCommandValidator : AbstractValidator<UsePasswordLinkCommand>
{
    public UsePasswordLinkCommandValidator()
    {
        RuleFor(c => c.Token).NotEmpty().MaximumLength(PasswordLinkRules.TokenMax).OverridePropertyName("token");
        RuleFor(c => c.Password).NotEmpty().OverridePropertyName("password").ValidPassword();
    }
}

public sealed class UsePasswordLinkCommandHandler : IRequestHandler<UsePasswordLinkCommand, UserDto>
{
    private readonly IPasswordLinks _links;
    private readonly IOperatorAccounts _accounts;
    private readonly ILoginThrottles _throttles;
    private readonly IBrowserSession _session;
    private readonly TimeProvider _time;

    public UsePasswordLinkCommandHandler(IPasswordLinks links, IOperatorAccounts accounts, ILoginThrottles throttles, IBrowserSession session,
        TimeProvider time)
    {
        _links = links;
        _accounts = accounts;
        _throttles = throttles;
        _session = session;
        _time = time;
    }

    public async Task<UserDto> Handle(UsePasswordLinkCommand command, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var link = await _links.FindOpenAsync(PasswordLinkIssuer.Hash(command.Token!), now, ct) ?? throw PasswordLinkRules.NotValid();
        var account = await _accounts.FindAsync(link.UserId, ct) ?? throw PasswordLinkRules.NotValid();
        if (account.LockedUntil is { } until && until > now) throw new ConflictException("This account is locked; ask an admin to unlock it.");
        // The password is checked before the link is spent, so a refused one leaves the link working.
        var problems = await _accounts.PasswordProblemsAsync(command.Password!, ct);
        if (problems.Count > 0) throw new RequestValidationException("password", string.Join(" ", problems));
        if (!await _links.TryUseAsync(link.Id, now, ct)) throw PasswordLinkRules.NotValid();

        var changes = new OperatorAccountChanges(DisplayName: null, Role: null, NewPassword: command.Password, Locked: null);
        var updated = await _accounts.UpdateAsync(account.Id, changes, ct);
        await _throttles.ForgetAfterChangeAsync(updated.Email, changes, ct);
        await _session.SignInAsync(updated, ct);
        return UserDto.From(updated, _time.GetUtcNow());
    }
}
