using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Replies;

namespace HybridFlow.Application.Tests.Replies;

/// <summary>The history sent to the model fits history_token_budget (estimated as ceil(chars / 4) per turn).</summary>
public sealed class HistoryBudgetTests
{
    private static ConversationTurn Customer(int chars, char c = 'c') => new(ConversationRole.Customer, new string(c, chars));
    private static ConversationTurn Assistant(int chars, char c = 'a') => new(ConversationRole.Assistant, new string(c, chars));

    [TestCase("", 0)]
    [TestCase("a", 1)]
    [TestCase("abcd", 1)]
    [TestCase("abcde", 2)]
    public void EstimateTokens_IsCharactersOverFourRoundedUp(string text, int tokens) =>
        Assert.That(HistoryBudget.EstimateTokens(text), Is.EqualTo(tokens));

    [Test]
    public void EstimateTokens_WhenTurnHasImage_AddsImageTokens() =>
        Assert.That(HistoryBudget.EstimateTokens(new ConversationTurn(ConversationRole.Customer, "abcd", new ConversationImage("image/jpeg", [1]))),
            Is.EqualTo(1 + HistoryBudget.ImageTokens));

    [Test]
    public void Trim_WhenHistoryFits_ReturnsItUnchanged()
    {
        IReadOnlyList<ConversationTurn> history = [Customer(40), Assistant(40), Customer(40)];
        Assert.That(HistoryBudget.Trim(history, 30), Is.SameAs(history));
    }

    [Test]
    public void Trim_WhenOverBudget_DropsOldestTurnsFirstAndKeepsOrder()
    {
        var oldest = Customer(40, 'x');
        IReadOnlyList<ConversationTurn> history = [oldest, Assistant(40), Customer(40), Assistant(40), Customer(40)];
        var trimmed = HistoryBudget.Trim(history, 45); // 10 tokens each: four fit
        Assert.That(trimmed, Is.EqualTo(history.Skip(1).ToList()));
    }

    [Test]
    public void Trim_WhenAnOlderTurnDoesNotFit_DropsEverythingBeforeIt()
    {
        // The small oldest turn would fit, but the history kept must be one unbroken recent stretch.
        IReadOnlyList<ConversationTurn> history = [Customer(4), Assistant(400), Customer(40)];
        Assert.That(HistoryBudget.Trim(history, 50), Is.EqualTo(new[] { history[2] }));
    }

    [Test]
    public void Trim_WhenNewestCustomerTurnAloneExceedsBudget_KeepsOnlyItCutToBudget()
    {
        IReadOnlyList<ConversationTurn> history = [Customer(40), Assistant(40), Customer(1_000, 'n')];
        var trimmed = HistoryBudget.Trim(history, 10);
        Assert.That(trimmed, Has.Count.EqualTo(1));
        Assert.That(trimmed[0].Role, Is.EqualTo(ConversationRole.Customer));
        Assert.That(trimmed[0].Text, Is.EqualTo(new string('n', 40)));
    }

    [Test]
    public void Trim_WhenCuttingTheNewestCustomerTurn_NeverSplitsAnEmoji()
    {
        var text = new string('a', 39) + "😀" + new string('b', 100);
        var trimmed = HistoryBudget.Trim([new ConversationTurn(ConversationRole.Customer, text)], 10);
        Assert.That(trimmed[0].Text, Is.EqualTo(new string('a', 39)));
    }

    [Test]
    public void Trim_WhenTurnsFollowTheNewestCustomerTurn_KeepsTheCustomerTurnFirst()
    {
        // The owner answered after the customer's last message: the customer's turn outranks everything else.
        var customer = Customer(40, 'q');
        IReadOnlyList<ConversationTurn> history = [Assistant(40), customer, Assistant(400, 'o')];
        Assert.That(HistoryBudget.Trim(history, 30), Is.EqualTo(new[] { customer }));
    }

    [Test]
    public void Trim_WhenThereIsNoCustomerTurn_KeepsTheNewestThatFit()
    {
        IReadOnlyList<ConversationTurn> history = [Assistant(40), Assistant(40), Assistant(40)];
        Assert.That(HistoryBudget.Trim(history, 25), Is.EqualTo(history.Skip(1).ToList()));
    }

    [Test]
    public void Trim_WhenBudgetIsZero_TrimsNothing()
    {
        IReadOnlyList<ConversationTurn> history = [Customer(4_000), Customer(4_000)];
        Assert.That(HistoryBudget.Trim(history, 0), Is.SameAs(history));
    }

    [Test]
    public void Trim_WhenNewestCustomerImageExceedsBudget_DropsTheImageKeepsText()
    {
        var turn = new ConversationTurn(ConversationRole.Customer, new string('p', 100), new ConversationImage("image/jpeg", [1]));
        var trimmed = HistoryBudget.Trim([turn], 500);
        Assert.That(trimmed[0].Image, Is.Null);
        Assert.That(trimmed[0].Text, Is.EqualTo(turn.Text));
    }
}
