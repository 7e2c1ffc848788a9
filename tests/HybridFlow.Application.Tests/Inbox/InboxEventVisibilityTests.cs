using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Inbox;
using HybridFlow.Application.Inbox.Events;
using HybridFlow.Application.Inbox.Events.Queries;

namespace HybridFlow.Application.Tests.Inbox;

/// <summary>The inbox's visibility rule applied to events (contract: "Realtime"), one case per kind of caller.</summary>
public sealed class InboxEventVisibilityTests
{
    private const long Tenant = 7;
    private const long Me = 40;
    private const long Colleague = 41;

    private sealed record Caller(CallerRole Role, long? TenantId, long? UserId = null) : ICurrentCaller;

    private static InboxEvent Event(long? assignee, string type = InboxEventTypes.MessageCreated, long tenant = Tenant, long? previous = null,
        bool assignmentChanged = false) =>
        new(1, type, tenant, 3, null, null, assignee, previous, DateTimeOffset.UnixEpoch, assignmentChanged || previous is not null);

    [Test]
    public void PlatformAdmin_SeesEveryTenant_OrTheOneItAsksFor()
    {
        var all = InboxEventVisibility.For(new Caller(CallerRole.PlatformAdmin, null), null);
        var one = InboxEventVisibility.For(new Caller(CallerRole.PlatformAdmin, null, UserId: 1), Tenant);
        Assert.That(all.CanSee(Event(Colleague, tenant: 99)), Is.True);
        Assert.That(one.CanSee(Event(null, tenant: 99)), Is.False);
        Assert.That(one.CanSee(Event(Colleague)), Is.True, "a platform admin user is not filtered by assignment");
    }

    [Test]
    public void TenantCaller_SeesItsTenantOnly_AndAnotherTenantsIdIsNotFound()
    {
        var admin = InboxEventVisibility.For(new Caller(CallerRole.TenantAdmin, Tenant, UserId: Me), null);
        var agentKey = InboxEventVisibility.For(new Caller(CallerRole.Agent, Tenant), null);
        Assert.That(admin.CanSee(Event(Colleague)), Is.True);
        Assert.That(agentKey.CanSee(Event(Colleague)), Is.True, "an agent API key has no person: the whole tenant");
        Assert.That(agentKey.CanSee(Event(null, tenant: 99)), Is.False);
        Assert.Throws<NotFoundException>(() => InboxEventVisibility.For(new Caller(CallerRole.Agent, Tenant), 99));
    }

    [Test]
    public void AgentUser_SeesTheirsAndTheUnassigned_AndTheReassignmentThatTookOneAway()
    {
        var me = InboxEventVisibility.For(new Caller(CallerRole.Agent, Tenant, UserId: Me), null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(me.CanSee(Event(Me)), Is.True);
            Assert.That(me.CanSee(Event(null)), Is.True);
            Assert.That(me.CanSee(Event(Colleague)), Is.False);
            Assert.That(me.CanSee(Event(Colleague, InboxEventTypes.ConversationUpdated, previous: Me)), Is.True);
            Assert.That(me.CanSee(Event(Colleague, InboxEventTypes.NoteCreated, previous: Me)), Is.False, "only the reassignment itself");
            Assert.That(me.CanSee(Event(Me, tenant: 99)), Is.False);
        }
    }

    [Test]
    public void AgentUser_HearsWhenAColleagueTakesOneFromTheUnassignedQueue_ButNotOtherChangesOfTheirs()
    {
        var me = InboxEventVisibility.For(new Caller(CallerRole.Agent, Tenant, UserId: Me), null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(me.CanSee(Event(Colleague, InboxEventTypes.ConversationUpdated, assignmentChanged: true)), Is.True,
                "it was in my unassigned queue: my list must drop it");
            Assert.That(me.CanSee(Event(Colleague, InboxEventTypes.ConversationUpdated)), Is.False, "a tag change of a colleague's chat");
            Assert.That(me.CanSee(Event(Colleague, InboxEventTypes.MessageCreated, assignmentChanged: true)), Is.False);
        }
    }

    [TestCase(null, null)]
    [TestCase("", null)]
    [TestCase("0", 0L)]
    [TestCase(" 42 ", 42L)]
    [TestCase("-1", null)]
    [TestCase("1e3", null)]
    [TestCase("99999999999999999999", null)]
    public void LastEventId_IsAWholeNumber(string? value, long? expected) =>
        Assert.That(StreamInboxEventsQueryHandler.ParseLastEventId(value), Is.EqualTo(expected));
}
