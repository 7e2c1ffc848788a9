using System.Text.Json;
using HybridFlow.Application.Webhooks;
using HybridFlow.Domain.Chats;

namespace HybridFlow.Application.Tests.Webhooks;

/// <summary>QRCODE_UPDATED and CONNECTION_UPDATE as the parser reads them (ADR-018): only a PNG data URL is a QR code.</summary>
public sealed class EvolutionConnectionReportTests
{
    private const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABc3UBGAAAAABJRU5ErkJggg==";

    private static EvolutionWebhook Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return EvolutionWebhookParser.Parse(doc.RootElement.Clone());
    }

    private static string QrCodeUpdated(string base64, string? pairingCode) =>
        JsonSerializer.Serialize(new
        {
            @event = "qrcode.updated", instance = "demo-instance",
            data = new { qrcode = new { instance = "demo-instance", pairingCode, code = "2@abc", base64 } },
        });

    [TestCase("data:image/png;base64," + Png)]
    [TestCase(Png)]
    public void QrCodeUpdated_IsAConnectionReport_WithThePngAsADataUrl(string base64)
    {
        var report = Parse(QrCodeUpdated(base64, "WZYE-H1YY")).Connection!;
        Assert.That(report.QrCode, Is.EqualTo("data:image/png;base64," + Png));
        Assert.That(report.PairingCode, Is.EqualTo("WZYE-H1YY"));
        Assert.That(report.State, Is.Null);
    }

    [TestCase("data:text/html;base64,PGI+")]
    [TestCase("javascript:alert(1)")]
    [TestCase("data:image/png;base64,not base64!")]
    [TestCase("")]
    public void QrCodeUpdated_WithoutAPngDataUrl_IsNoReport(string base64) =>
        Assert.That(Parse(QrCodeUpdated(base64, null)).Connection, Is.Null);

    [Test]
    public void QrCodeUpdated_DropsAPairingCodeThatIsNotOne() =>
        Assert.That(Parse(QrCodeUpdated(Png, "<script>")).Connection!.PairingCode, Is.Null);

    [TestCase("open", WhatsAppLinkState.Open)]
    [TestCase("connecting", WhatsAppLinkState.Connecting)]
    [TestCase("close", WhatsAppLinkState.Close)]
    [TestCase("refused", WhatsAppLinkState.Refused)]
    public void ConnectionUpdate_CarriesTheState(string state, WhatsAppLinkState expected) =>
        Assert.That(Parse($$$"""{"event":"connection.update","instance":"demo-instance","data":{"instance":"demo-instance","state":"{{{state}}}","statusReason":200}}""")
            .Connection!.State, Is.EqualTo(expected));

    [Test]
    public void ConnectionUpdate_WithAnUnknownState_IsNoReport() =>
        Assert.That(Parse("""{"event":"CONNECTION_UPDATE","instance":"demo-instance","data":{"state":"sleeping"}}""").Connection, Is.Null);

    [Test]
    public void TheConnectionUpdateFile_IsOpen() =>
        Assert.That(Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "connection_update.json"))).Connection!.State,
            Is.EqualTo(WhatsAppLinkState.Open));
}
