using HybridFlow.Domain.Tenants;

namespace HybridFlow.Domain.Tests.Tenants;

public sealed class TenantLanguagesTests
{
    [TestCase("America/Sao_Paulo", "pt")]
    [TestCase("America/Noronha", "pt")]
    [TestCase("america/recife", "pt")]
    [TestCase("Europe/Madrid", "es")]
    [TestCase("Atlantic/Canary", "es")]
    [TestCase("America/Argentina/Buenos_Aires", "es")]
    [TestCase("America/Santiago", "es")]
    [TestCase("America/Montevideo", "es")]
    [TestCase("Europe/Lisbon", "en")]
    [TestCase("America/New_York", "en")]
    [TestCase("UTC", "en")]
    [TestCase(null, "en")]
    [TestCase(" ", "en")]
    public void A_time_zone_suggests_a_language(string? zone, string language) =>
        Assert.That(TenantLanguages.ForTimeZone(zone), Is.EqualTo(language));

    [Test]
    public void The_default_texts_follow_the_language_and_a_written_one_wins()
    {
        var portuguese = ConversationSettings.Default with { Language = TenantLanguages.Portuguese };
        Assert.That(portuguese.EffectiveHandoffMessage, Is.EqualTo(TenantLanguages.HandoffMessage("pt")));
        Assert.That(portuguese.EffectiveAwayMessage, Is.EqualTo(TenantLanguages.AwayMessage("pt")));
        Assert.That((portuguese with { HandoffMessage = "Já chamo." }).EffectiveHandoffMessage, Is.EqualTo("Já chamo."));
        Assert.That(ConversationSettings.Default.EffectiveHandoffMessage, Is.EqualTo("👤 One moment, a person will answer you."));
        foreach (var language in TenantLanguages.All)
            Assert.That(TenantLanguages.HandoffMessage(language), Does.Not.Contain(" / "), "one sentence, one language");
    }
}
