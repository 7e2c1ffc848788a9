using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Domain.Tests.Replies;

public sealed class ReplySplitterTests
{
    private const int Max = ConversationSettings.PartMaxLength;

    [Test]
    public void Split_WhenThreeParagraphs_AnswersThreePartsInOrder()
    {
        var parts = ReplySplitter.Split("Olá, Ana! Tudo bem?\n\nTemos bolo de cenoura hoje.\n\nQuer que eu separe um?", 4, Max);
        Assert.That(parts, Is.EqualTo(new[] { "Olá, Ana! Tudo bem?", "Temos bolo de cenoura hoje.", "Quer que eu separe um?" }));
    }

    [Test]
    public void Split_WhenMoreParagraphsThanParts_JoinsTheSurplusIntoTheLast()
    {
        var parts = ReplySplitter.Split("um\n\ndois\n\ntrês\n\nquatro\n\ncinco", 3, Max);
        Assert.That(parts, Is.EqualTo(new[] { "um", "dois", "três\n\nquatro\n\ncinco" }));
    }

    [Test]
    public void Split_WhenCrlfAndWhitespaceOnlyLines_CutsOnThemAndDropsEmptyParagraphs()
    {
        var parts = ReplySplitter.Split("\r\n  Primeira linha\r\nsegunda linha\r\n \t \r\n\r\n   \r\n\r\nDepois\r\n", 4, Max);
        Assert.That(parts, Is.EqualTo(new[] { "Primeira linha\nsegunda linha", "Depois" }));
    }

    [Test]
    public void Split_WhenOnlyWhitespace_AnswersNoPart() =>
        Assert.That(ReplySplitter.Split(" \n\n \r\n\t", 4, Max), Is.Empty);

    [Test]
    public void Split_WhenSingleLineBreaks_KeepsOneParagraph() =>
        Assert.That(ReplySplitter.Split("Cardápio:\n- bolo\n- torta", 4, Max), Is.EqualTo(new[] { "Cardápio:\n- bolo\n- torta" }));

    [Test]
    public void Split_WhenMaxPartsIsOne_AnswersTheWholeReply() =>
        Assert.That(ReplySplitter.Split("a\n\nb", 1, Max), Is.EqualTo(new[] { "a\n\nb" }));

    [Test]
    public void Split_WhenPartTooLong_CutsAtTheLastSentenceBoundary()
    {
        var text = "Primeira frase aqui. Segunda frase é mais longa! Terceira?";
        var parts = ReplySplitter.Split(text, 4, 50);
        Assert.That(parts, Is.EqualTo(new[] { "Primeira frase aqui. Segunda frase é mais longa!", "Terceira?" }));
    }

    [Test]
    public void Split_WhenNoSentenceBoundary_CutsAtAWordBoundary()
    {
        var parts = ReplySplitter.Split("palavra palavra palavra palavra", 4, 20);
        Assert.That(parts, Is.EqualTo(new[] { "palavra palavra", "palavra palavra" }));
        Assert.That(parts.All(p => p.Length <= 20));
    }

    [Test]
    public void Split_WhenCodeLikeText_DoesNotCutAtDotsInsideTokens()
    {
        // "x.y" and "1.5" are not sentence ends: the cut falls between words.
        var parts = ReplySplitter.Split("config.value = 1.5; other.setting = true; third.flag = false", 4, 40);
        Assert.That(parts[0], Is.EqualTo("config.value = 1.5; other.setting ="));
        Assert.That(string.Join(" ", parts), Is.EqualTo("config.value = 1.5; other.setting = true; third.flag = false"));
    }

    [Test]
    public void Split_WhenOneLongWord_CutsHard()
    {
        var word = new string('a', 25);
        Assert.That(ReplySplitter.Split(word, 4, 10), Is.EqualTo(new[] { new string('a', 10), new string('a', 10), new string('a', 5) }));
    }

    [Test]
    public void Split_WhenHardCutFallsInsideAnEmoji_NeverSplitsTheSurrogatePair()
    {
        // Each 😀 is two UTF-16 units: a cut at 5 would land inside the third one.
        var text = string.Concat(Enumerable.Repeat("😀", 6));
        var parts = ReplySplitter.Split(text, 4, 5);
        Assert.That(parts.All(p => !char.IsHighSurrogate(p[^1]) && !char.IsLowSurrogate(p[0])), Is.True);
        Assert.That(string.Concat(parts), Is.EqualTo(text));
        Assert.That(parts.All(p => p.Length <= 5));
    }

    [Test]
    public void Split_WhenHardCutFallsInsideAJoinedEmoji_KeepsItWhole()
    {
        const string family = "👨‍👩‍👧"; // three emoji joined by zero-width joiners: one character to the reader
        var text = "ab" + family + "cd";
        Assert.That(family, Has.Length.EqualTo(8));
        Assert.That(ReplySplitter.Split(text, 4, 9), Is.EqualTo(new[] { "ab", family + "c", "d" }));
    }

    [Test]
    public void Split_WhenReplyIsLongerThanAllParts_KeepsEveryWordAndEveryLimit()
    {
        var sentence = "Esta é uma frase em português com acentuação. ";
        var text = string.Concat(Enumerable.Repeat(sentence, 300)); // about 14,000 characters, one paragraph
        var parts = ReplySplitter.Split(text, 4, Max);
        Assert.That(parts, Has.Count.EqualTo(4));
        Assert.That(parts.All(p => p.Length <= Max && p.EndsWith('.')), Is.True);
        Assert.That(string.Join(" ", parts), Is.EqualTo(text.Trim()));
    }

    [Test]
    public void Split_WhenSettingsTurnSplittingOff_AnswersOneMessage()
    {
        var settings = ConversationSettings.Default with { SplitMessages = false };
        Assert.That(ReplySplitter.Split("  a\n\nb  ", settings), Is.EqualTo(new[] { "a\n\nb" }));
    }

    [Test]
    public void Split_WhenSettingsDefault_UsesFourParts()
    {
        var parts = ReplySplitter.Split("1\n\n2\n\n3\n\n4\n\n5", ConversationSettings.Default);
        Assert.That(parts, Is.EqualTo(new[] { "1", "2", "3", "4\n\n5" }));
    }
}
