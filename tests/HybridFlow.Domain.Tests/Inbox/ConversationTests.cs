using HybridFlow.Domain.Inbox;

namespace HybridFlow.Domain.Tests.Inbox;

public sealed class ConversationTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private static Conversation Open(long? assignee = null, params string[] tags) => Conversation.Restore(1, 1, assignee, tags, null);

    [Test]
    public void AssignTo_WhenUnassigned_Assigns() =>
        Assert.That(Open().AssignTo(7), Is.EqualTo(ConversationOutcome.Assigned));

    [Test]
    public void AssignTo_TheSamePerson_IsUnchanged() =>
        Assert.That(Open(7).AssignTo(7), Is.EqualTo(ConversationOutcome.Unchanged));

    [Test]
    public void AssignTo_Null_WhenAssigned_Unassigns()
    {
        var c = Open(7);
        Assert.That(c.AssignTo(null), Is.EqualTo(ConversationOutcome.Unassigned));
        Assert.That(c.AssigneeUserId, Is.Null);
    }

    [Test]
    public void TakeOver_WhenSomeoneHasIt_KeepsTheirs()
    {
        var c = Open(7);
        Assert.That(c.TakeOver(8), Is.EqualTo(ConversationOutcome.Unchanged));
        Assert.That(c.AssigneeUserId, Is.EqualTo(7));
    }

    [Test]
    public void TakeOver_WhenUnassigned_GivesItToTheSender()
    {
        var c = Open();
        Assert.That(c.TakeOver(8), Is.EqualTo(ConversationOutcome.Assigned));
        Assert.That(c.AssigneeUserId, Is.EqualTo(8));
    }

    [Test]
    public void Tag_NormalisesTrimsLowerCasesAndDeduplicates()
    {
        var c = Open();
        Assert.That(c.Tag([" Pedido ", "pedido", "URGENTE"]), Is.EqualTo(ConversationOutcome.Tagged));
        Assert.That(c.Tags, Is.EqualTo(new[] { "pedido", "urgente" }));
        Assert.That(c.Tag(["PEDIDO", "urgente"]), Is.EqualTo(ConversationOutcome.Unchanged));
    }

    [Test]
    public void Tag_WithInvalidTags_Throws()
    {
        Assert.Throws<ArgumentException>(() => Open().Tag([""]));
        Assert.Throws<ArgumentException>(() => Open().Tag([new string('x', ConversationTags.MaxLength + 1)]));
        Assert.Throws<ArgumentException>(() => Open().Tag(Enumerable.Range(0, ConversationTags.MaxCount + 1).Select(i => $"t{i}")));
    }

    [Test]
    public void Resolve_ThenResolveAgain_IsUnchanged()
    {
        var c = Open();
        Assert.That(c.Resolve(Now), Is.EqualTo(ConversationOutcome.Resolved));
        Assert.That(c.ResolvedAt, Is.EqualTo(Now));
        Assert.That(c.Resolve(Now.AddHours(1)), Is.EqualTo(ConversationOutcome.Unchanged));
        Assert.That(c.ResolvedAt, Is.EqualTo(Now), "the first resolution's time stays");
    }

    [Test]
    public void Reopen_WhenResolved_Reopens_AndWhenOpen_IsUnchanged()
    {
        var c = Conversation.Restore(1, 1, null, [], Now);
        Assert.That(c.Reopen(), Is.EqualTo(ConversationOutcome.Reopened));
        Assert.That(c.IsResolved, Is.False);
        Assert.That(c.Reopen(), Is.EqualTo(ConversationOutcome.Unchanged));
    }
}
