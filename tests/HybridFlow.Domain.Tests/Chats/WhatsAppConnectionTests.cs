using HybridFlow.Domain.Chats;

namespace HybridFlow.Domain.Tests.Chats;

public sealed class WhatsAppConnectionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Test]
    public void ShowQrCode_WhenUnknown_IsConnectingWithTheCode()
    {
        var connection = WhatsAppConnection.Unknown();
        Assert.That(connection.ShowQrCode("data:qr", "ABCD-1234", asked: false, Now), Is.EqualTo(WhatsAppConnectionOutcome.QrCodeShown));
        Assert.That(connection.State, Is.EqualTo(WhatsAppLinkState.Connecting));
        Assert.That(connection.ScannableQrCode(Now), Is.EqualTo("data:qr"));
        Assert.That(connection.ScannablePairingCode(Now), Is.EqualTo("ABCD-1234"));
    }

    [Test]
    public void ShowQrCode_PushedAfterTheLinkOpened_IsIgnored()
    {
        var connection = WhatsAppConnection.Unknown();
        connection.Report(WhatsAppLinkState.Open, Now);
        Assert.That(connection.ShowQrCode("data:late", null, asked: false, Now), Is.EqualTo(WhatsAppConnectionOutcome.QrCodeIgnored));
        Assert.That(connection.State, Is.EqualTo(WhatsAppLinkState.Open));
        Assert.That(connection.QrCode, Is.Null);
    }

    [Test]
    public void ShowQrCode_AskedFor_WhenOpenWasStored_IsShown()
    {
        var connection = WhatsAppConnection.Unknown();
        connection.Report(WhatsAppLinkState.Open, Now);
        Assert.That(connection.ShowQrCode("data:asked", null, asked: true, Now), Is.EqualTo(WhatsAppConnectionOutcome.QrCodeShown));
        Assert.That(connection.State, Is.EqualTo(WhatsAppLinkState.Connecting));
    }

    [TestCase(WhatsAppLinkState.Open)]
    [TestCase(WhatsAppLinkState.Close)]
    [TestCase(WhatsAppLinkState.Refused)]
    public void Report_AnythingButConnecting_ForgetsTheQrCode(WhatsAppLinkState state)
    {
        var connection = WhatsAppConnection.Unknown();
        connection.ShowQrCode("data:qr", "ABCD-1234", asked: true, Now);
        Assert.That(connection.Report(state, Now.AddSeconds(5)), Is.EqualTo(WhatsAppConnectionOutcome.StateChanged));
        Assert.That(connection.State, Is.EqualTo(state));
        Assert.That((connection.QrCode, connection.PairingCode, connection.QrUpdatedAt), Is.EqualTo(((string?)null, (string?)null, (DateTimeOffset?)null)));
    }

    [Test]
    public void Report_Connecting_KeepsTheQrCode()
    {
        var connection = WhatsAppConnection.Unknown();
        connection.ShowQrCode("data:qr", null, asked: true, Now);
        connection.Report(WhatsAppLinkState.Connecting, Now.AddSeconds(1));
        Assert.That(connection.ScannableQrCode(Now.AddSeconds(1)), Is.EqualTo("data:qr"));
    }

    [Test]
    public void ScannableQrCode_OlderThanItsLifetime_IsNone()
    {
        var connection = WhatsAppConnection.Unknown();
        connection.ShowQrCode("data:qr", "ABCD-1234", asked: true, Now);
        Assert.That(connection.ScannableQrCode(Now + WhatsAppConnection.QrCodeLifetime), Is.EqualTo("data:qr"));
        Assert.That(connection.ScannableQrCode(Now + WhatsAppConnection.QrCodeLifetime + TimeSpan.FromSeconds(1)), Is.Null);
        Assert.That(connection.ScannablePairingCode(Now + WhatsAppConnection.QrCodeLifetime + TimeSpan.FromSeconds(1)), Is.Null);
    }

    [TestCase("open", WhatsAppLinkState.Open)]
    [TestCase(" Connecting ", WhatsAppLinkState.Connecting)]
    [TestCase("close", WhatsAppLinkState.Close)]
    [TestCase("refused", WhatsAppLinkState.Refused)]
    public void LinkStates_ParseEvolutionsNames(string name, WhatsAppLinkState expected)
    {
        Assert.That(WhatsAppLinkStates.TryParse(name, out var state), Is.True);
        Assert.That(state, Is.EqualTo(expected));
        Assert.That(WhatsAppLinkStates.TryParse(state.Name(), out var again) && again == state, Is.True);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("opened")]
    public void LinkStates_RefuseOtherNames(string? name) => Assert.That(WhatsAppLinkStates.TryParse(name, out _), Is.False);
}
