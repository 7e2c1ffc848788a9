using HybridFlow.Domain.Handoffs;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Domain.Tests.Handoffs;

public sealed class HandoffKeywordMatcherTests
{
    private static readonly IReadOnlyList<string> Defaults = ConversationSettings.DefaultHandoffKeywords;

    [TestCase("Quero falar com uma PESSOA agora", "falar com uma pessoa")]
    [TestCase("atendente", "atendente")]
    [TestCase("Atendente!", "atendente")]
    [TestCase("atendênte por favor", "atendente")]
    [TestCase("Can I talk to a person?", "talk to a person")]
    [TestCase("quiero HABLAR con un agente, ¿sí?", "agente")]
    [TestCase("Humano, por favor.", "humano")]
    public void FindMatch_WhenTheTextHasAPhrase_AnswersIt(string text, string phrase) =>
        Assert.That(HandoffKeywordMatcher.FindMatch(text, Defaults), Is.EqualTo(phrase));

    [TestCase("os agentes de viagem abrem que horas?")]
    [TestCase("humanos e robôs")]
    [TestCase("talk to a personal trainer")]
    [TestCase("qual o preço?")]
    [TestCase("")]
    [TestCase("   ")]
    public void FindMatch_WhenNoWholePhrase_AnswersNull(string text) =>
        Assert.That(HandoffKeywordMatcher.FindMatch(text, Defaults), Is.Null);

    [Test]
    public void FindMatch_WhenThePhraseHasAccentsAndCase_MatchesPlainText() =>
        Assert.That(HandoffKeywordMatcher.FindMatch("quero o gerente", ["GERÊNTE"]), Is.EqualTo("GERÊNTE"));

    [Test]
    public void FindMatch_WhenTheWordsAreSplitByPunctuation_MatchesThemAsWords() =>
        Assert.That(HandoffKeywordMatcher.FindMatch("falar...com   uma\npessoa", ["falar com uma pessoa"]), Is.EqualTo("falar com uma pessoa"));

    [Test]
    public void FindMatch_WhenTheAccentIsACombiningMark_IgnoresIt() =>
        Assert.That(HandoffKeywordMatcher.FindMatch("atende\u0302nte", Defaults), Is.EqualTo("atendente"));

    [Test]
    public void FindMatch_WhenNoPhrases_AnswersNull() =>
        Assert.That(HandoffKeywordMatcher.FindMatch("atendente", []), Is.Null);
}
