using FluentValidation;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Queries;

/// <summary>One user without a tenant (a platform admin); platform admin only.</summary>
[RequiresRole(CallerRole.PlatformAdmin)]
public sealed record GetPlatformUserQuery(long UserId) : IRequest<UserDto>;

public sealed class GetPlatformUserQueryValidator : AbstractValidator<GetPlatformUserQuery>
{
    public GetPlatformUserQueryValidator() => RuleFor(q => q.UserId).GreaterThan(0).OverridePropertyName("user_id");
}

public sealed class GetPlatformUserQueryHandler : IRequestHandler<GetPlatformUserQuery, UserDto>
{
    private readonly PlatformUserAccess _access;
    private readonly TimeProvider _time;

    public GetPlatformUserQueryHandler(PlatformUserAccess access, TimeProvider time)
    {
        _access = access;
        _time = time;
    }

    public async Task<UserDto> Handle(GetPlatformUserQuery query, CancellationToken ct) =>
        UserDto.From(await _access.UserAsync(query.UserId, ct), _time.GetUtcNow());
}
