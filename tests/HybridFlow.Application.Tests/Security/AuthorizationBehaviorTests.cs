using HybridFlow.Application.Common.Behaviors;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Instances;
using HybridFlow.Application.Instances.Commands;
using HybridFlow.Application.Messages.Commands;
using HybridFlow.Application.Tenants.Commands;
using HybridFlow.Application.Tenants.Queries;
using HybridFlow.Application.Webhooks.Commands;
using MediatR;

namespace HybridFlow.Application.Tests.Security;

/// <summary>Who may send a request: the marker on each request, and 404 before 403 for another tenant's ids.</summary>
public sealed class AuthorizationBehaviorTests
{
    private const long Tenant = 7;
    private const long OtherTenant = 8;

    private sealed record Caller(CallerRole Role, long? TenantId, long? UserId = null) : ICurrentCaller;

    [Test]
    public void EveryRequest_SaysWhoMaySendIt_Once()
    {
        var requests = ApplicationAssembly.Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequest<>)))
            .ToList();
        Assert.That(requests, Has.Count.GreaterThan(40));
        foreach (var request in requests)
        {
            var markers = request.GetCustomAttributes(typeof(RequiresRoleAttribute), false).Length
                          + request.GetCustomAttributes(typeof(AllowAnonymousCallerAttribute), false).Length;
            Assert.That(markers, Is.EqualTo(1), $"{request.Name}: [RequiresRole] or [AllowAnonymousCaller], exactly one");
        }
    }

    [Test]
    public async Task AnotherTenantsId_IsNotFound_EvenForARoleThatIsTooLow()
    {
        var agentOfOther = new Caller(CallerRole.Agent, OtherTenant);
        await Assert.ThrowsAsync<NotFoundException>(() => SendAsync(agentOfOther, new DeleteTenantCommand(Tenant)));
        await Assert.ThrowsAsync<NotFoundException>(() => SendAsync(new Caller(CallerRole.TenantAdmin, OtherTenant), new GetTenantQuery(Tenant)));
    }

    [Test]
    public async Task OwnTenant_WithTooLowARole_IsForbidden_AndEnoughOfOne_ReachesTheHandler()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => SendAsync(new Caller(CallerRole.TenantAdmin, Tenant), new DeleteTenantCommand(Tenant)));
        await Assert.ThrowsAsync<ForbiddenException>(() => SendAsync(new Caller(CallerRole.Agent, Tenant), new CreateTenantCommand(
            "x", null, null, null, null, null, null, null, null, null, null)));
        Assert.That(await SendAsync(new Caller(CallerRole.Agent, Tenant), new GetTenantQuery(Tenant)), Is.True);
        Assert.That(await SendAsync(new Caller(CallerRole.PlatformAdmin, null), new DeleteTenantCommand(Tenant)), Is.True);
    }

    [Test]
    public async Task AnInstanceByName_IsLookedUpOnlyWhenTheRoleFallsShort_SoAnotherTenantsIsNotFound()
    {
        var store = new OneInstanceStore(Tenant, "mine");
        await Assert.ThrowsAsync<NotFoundException>(() => SendAsync(new Caller(CallerRole.Agent, OtherTenant), new DeleteInstanceCommand("mine", null), store));
        await Assert.ThrowsAsync<NotFoundException>(() => SendAsync(new Caller(CallerRole.Agent, Tenant), new DeleteInstanceCommand("missing", null), store));
        await Assert.ThrowsAsync<ForbiddenException>(() => SendAsync(new Caller(CallerRole.Agent, Tenant), new DeleteInstanceCommand("mine", null), store));
        Assert.That(store.Lookups, Is.EqualTo(3));

        Assert.That(await SendAsync(new Caller(CallerRole.TenantAdmin, Tenant), new DeleteInstanceCommand("mine", null), store), Is.True);
        Assert.That(store.Lookups, Is.EqualTo(3), "an allowed call leaves the lookup to its handler");
    }

    [Test]
    public async Task ContentThatNeedsAStricterRole_IsForbidden_WithItsReason()
    {
        var agent = new Caller(CallerRole.Agent, Tenant);
        Assert.That(await SendAsync(agent, new SendMessageCommand("mine", "5511@s.whatsapp.net", null, "Oi", "agent")), Is.True);
        var asBot = await Assert.ThrowsAsync<ForbiddenException>(() => SendAsync(agent, new SendMessageCommand("mine", "5511@s.whatsapp.net", null, "Oi", "bot")));
        Assert.That(asBot!.Message, Does.Contain("tenant_admin"));

        var budget = new UpdateTenantCommand(Tenant, default, default, default, default, default, default, default, default, default)
        {
            MonthlyTokenBudget = new HybridFlow.Application.Common.Models.Optional<long?>(1000),
        };
        var refused = await Assert.ThrowsAsync<ForbiddenException>(() => SendAsync(new Caller(CallerRole.TenantAdmin, Tenant), budget));
        Assert.That(refused!.Message, Does.Contain("monthly_token_budget"));
        Assert.That(await SendAsync(new Caller(CallerRole.PlatformAdmin, null), budget), Is.True);
    }

    [Test]
    public async Task AnAnonymousRequest_NeverAsksWhoIsCalling()
    {
        var command = new ReceiveEvolutionWebhookCommand(null, Stream.Null, null, null!, "test");
        Assert.That(await SendAsync(new NoCaller(), command), Is.True);
    }

    /// <summary>True when the handler was reached.</summary>
    private static async Task<bool> SendAsync<TResponse>(ICurrentCaller caller, IRequest<TResponse> request, IInstanceStore? store = null)
    {
        var reached = false;
        var behavior = typeof(AuthorizationBehavior<,>).MakeGenericType(request.GetType(), typeof(TResponse));
        var instance = Activator.CreateInstance(behavior, caller, (ServiceFactory)(type => type == typeof(IInstanceStore) ? store! : null!))!;
        RequestHandlerDelegate<TResponse> next = () =>
        {
            reached = true;
            return Task.FromResult(default(TResponse)!);
        };
        var handle = behavior.GetMethod("Handle")!;
        await (Task<TResponse>)handle.Invoke(instance, [request, CancellationToken.None, next])!;
        return reached;
    }

    private sealed class NoCaller : ICurrentCaller
    {
        public CallerRole Role => throw new InvalidOperationException("No caller was asked for.");
        public long? TenantId => throw new InvalidOperationException("No caller was asked for.");
    }

    private sealed class OneInstanceStore(long tenantId, string name) : IInstanceStore
    {
        public int Lookups { get; private set; }

        public Task<InstanceDto?> FindAsync(string instanceName, CancellationToken ct)
        {
            Lookups++;
            return Task.FromResult(instanceName == name
                ? new InstanceDto(1, tenantId, name, "evolution", "http://evo", null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)
                : null);
        }

        public Task<InstanceDto?> CreateAsync(NewInstance instance, DateTimeOffset now, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<InstanceDto>> ListAsync(long? tenantId, CancellationToken ct) => throw new NotSupportedException();
        public Task<InstanceDto?> UpdateAsync(string instanceName, InstancePatch patch, DateTimeOffset now, CancellationToken ct) => throw new NotSupportedException();
        public Task<bool> DeleteAsync(string instanceName, CancellationToken ct) => throw new NotSupportedException();
        public Task<string?> FindEvolutionGlobalKeyAsync(string instanceName, CancellationToken ct) => throw new NotSupportedException();
    }
}
