using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using MediatR;

namespace HybridFlow.Application.ApiKeys.Commands;

[RequiresRole(CallerRole.TenantAdmin)]
public sealed record CreateApiKeyCommand(long TenantId, string? Name, string? Role) : IRequest<CreatedApiKeyDto>, ITenantRequest;

public sealed class CreateApiKeyCommandValidator : AbstractValidator<CreateApiKeyCommand>
{
    public CreateApiKeyCommandValidator()
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(100).OverridePropertyName("name");
        RuleFor(c => c.Role).NotEmpty().Must(r => r is null || CallerRoleNames.TenantRoles.Contains(r))
            .WithMessage($"role must be one of: {string.Join(", ", CallerRoleNames.TenantRoles)}.").OverridePropertyName("role");
    }
}

[RequiresRole(CallerRole.TenantAdmin)]
public sealed record RevokeApiKeyCommand(long TenantId, long KeyId) : IRequest<MediatR.Unit>, ITenantRequest;

[RequiresRole(CallerRole.TenantAdmin)]
public sealed record ListApiKeysQuery(long TenantId) : IRequest<IReadOnlyList<ApiKeyDto>>, ITenantRequest;

public sealed class ApiKeyHandlers :
    IRequestHandler<CreateApiKeyCommand, CreatedApiKeyDto>,
    IRequestHandler<RevokeApiKeyCommand, MediatR.Unit>,
    IRequestHandler<ListApiKeysQuery, IReadOnlyList<ApiKeyDto>>
{
    private readonly IApiKeyStore _keys;
    private readonly ITenantStore _tenants;
    private readonly ICurrentCaller _caller;
    private readonly IOperatorAccounts _accounts;
    private readonly TimeProvider _time;

    public ApiKeyHandlers(IApiKeyStore keys, ITenantStore tenants, ICurrentCaller caller, IOperatorAccounts accounts, TimeProvider time)
    {
        _keys = keys;
        _accounts = accounts;
        _tenants = tenants;
        _caller = caller;
        _time = time;
    }

    public async Task<CreatedApiKeyDto> Handle(CreateApiKeyCommand command, CancellationToken ct)
    {
        await EnsureTenantExistsAsync(command.TenantId, ct);
        var key = ApiKeySecrets.NewKey();
        var role = CallerRoleNames.Parse(command.Role!);
        // A key is bound to the person who made it (directly or through a key they made), so it cannot outlive their access.
        var maker = new ApiKeyMaker(_caller.UserId, _caller.ApiKeyId);
        var stored = await _keys.CreateAsync(command.TenantId, command.Name!.Trim(), role, ApiKeySecrets.Hash(key), maker, _time.GetUtcNow(), ct);
        return new CreatedApiKeyDto(stored.Id, stored.Name, stored.Role, key, stored.CreatedAt);
    }

    public async Task<MediatR.Unit> Handle(RevokeApiKeyCommand command, CancellationToken ct)
    {
        await EnsureTenantExistsAsync(command.TenantId, ct);
        if (!await _keys.RevokeAsync(command.TenantId, command.KeyId, _time.GetUtcNow(), ct))
            throw new NotFoundException("API key", command.KeyId);
        return MediatR.Unit.Value;
    }

    public async Task<IReadOnlyList<ApiKeyDto>> Handle(ListApiKeysQuery query, CancellationToken ct)
    {
        await EnsureTenantExistsAsync(query.TenantId, ct);
        var keys = await _keys.ListAsync(query.TenantId, ct);
        // Who made each key, by name: a tenant has a handful of key makers, each looked up once.
        var names = new Dictionary<long, string?>();
        foreach (var maker in keys.Select(k => k.CreatedByUserId).OfType<long>().Distinct())
            names[maker] = await _accounts.FindAsync(maker, ct) is { } account ? NameOf(account) : null;
        return [.. keys.Select(k => k.CreatedByUserId is { } maker ? k with { CreatedByName = names[maker] } : k)];
    }

    private static string NameOf(OperatorAccount account) => account.DisplayName.Length > 0 ? account.DisplayName : account.Email;

    private async Task EnsureTenantExistsAsync(long tenantId, CancellationToken ct)
    {
        _ = await _tenants.FindAsync(tenantId, ct) ?? throw new NotFoundException("Tenant", tenantId);
    }
}
