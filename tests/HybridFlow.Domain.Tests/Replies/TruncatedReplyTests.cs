using HybridFlow.Domain.Replies;

namespace HybridFlow.Domain.Tests.Replies;

public sealed class TruncatedReplyTests
{
    [TestCase("Abrimos às 7h. Fechamos às 19h. No domingo abrimos só de man", "Abrimos às 7h. Fechamos às 19h.")]
    [TestCase("Claro! Temos pão de queijo e bolo de cen", "Claro!")]
    [TestCase("Posso ajudar? Temos três sabo", "Posso ajudar?")]
    [TestCase("Ele disse \"até amanhã.\" Depois saiu e", "Ele disse \"até amanhã.\"")]
    [TestCase("Temos *promoção hoje!* E amanhã tamb", "Temos *promoção hoje!*")]
    [TestCase("Opções:\n- pão francês\n- pão de que", "Opções:\n- pão francês")]
    [TestCase("O total é 3.50 reais e o frete é", "O total é 3.50 reais e o frete…")]
    [TestCase("Tudo certo. ", "Tudo certo.")]
    [TestCase("Palavrasemfim", "")]
    public void CutAtLastSentence_KeepsOnlyCompleteSentences(string text, string expected) =>
        Assert.That(TruncatedReply.CutAtLastSentence(text), Is.EqualTo(expected));

    [Test]
    public void CutAtLastSentence_WhenTheTextEndsWithASentence_KeepsItAll() =>
        Assert.That(TruncatedReply.CutAtLastSentence("Bom dia! Abrimos às 7h."), Is.EqualTo("Bom dia! Abrimos às 7h."));
}
