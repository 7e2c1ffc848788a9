using System.Text.Json;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Webhooks;
using HybridFlow.Domain.Messages;

namespace HybridFlow.Application.Tests.Webhooks;

/// <summary>Receipts, deletions and media metadata, from the bodies in shared/payloads and the variants Evolution versions send.</summary>
public sealed class EvolutionReceiptParserTests
{
    private static EvolutionWebhook ParseFile(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Payloads", name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return EvolutionWebhookParser.Parse(doc.RootElement.Clone());
    }

    private static EvolutionWebhook Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return EvolutionWebhookParser.Parse(doc.RootElement.Clone());
    }

    [Test]
    public void MessagesUpdate_IsAReceipt()
    {
        var receipt = ParseFile("messages_update").Receipt!;
        Assert.That(receipt.ProviderMessageId, Is.EqualTo("3EB0C5024D9FC1B4C3AAE6"));
        Assert.That(receipt.Status, Is.EqualTo(MessageStatus.Read));
        Assert.That(receipt.IsDeletion, Is.False);
        Assert.That(receipt.IsGroup, Is.False);
    }

    [TestCase("""{"keyId":"A","status":4}""", "READ")]
    [TestCase("""{"keyId":"A","status":"delivery_ack"}""", "DELIVERY_ACK")]
    [TestCase("""{"key":{"id":"A"},"update":{"status":3}}""", "DELIVERY_ACK")]
    public void MessagesUpdate_InOtherShapes_IsUnderstood(string data, string status) =>
        Assert.That(Parse("""{"event":"messages.update","data":""" + data + "}").Receipt!.Status!.Name, Is.EqualTo(status));

    [Test]
    public void MessagesUpdate_WithDeletedStatus_IsADeletion()
    {
        var receipt = Parse("""{"event":"messages.update","data":{"keyId":"A","status":"DELETED"}}""").Receipt!;
        Assert.That(receipt.IsDeletion, Is.True);
        Assert.That(receipt.Status, Is.Null);
    }

    [Test]
    public void MessagesUpdate_WithUnknownStatus_HasNoStatus() =>
        Assert.That(Parse("""{"event":"messages.update","data":{"keyId":"A","status":"WHATEVER"}}""").Receipt!.Status, Is.Null);

    [TestCase("""{"event":"messages.update","data":{"status":"READ"}}""")]
    [TestCase("""{"event":"messages.update","data":[]}""")]
    [TestCase("""{"event":"messages.update","data":{"keyId":"A","status":[1]}}""")]
    [TestCase("""{"event":"messages.delete","data":{"remoteJid":"1@s.whatsapp.net"}}""")]
    public void BadShapes_AreRejected(string json) =>
        Assert.Throws<RequestValidationException>(() => Parse(json));

    [Test]
    public void MessagesDelete_NamesTheDeletedMessage() =>
        Assert.That(ParseFile("messages_delete").DeletedMessageId, Is.EqualTo("7C9F8118588258B709F4A0BC532FC7CA"));

    [Test]
    public void RevokeUpsert_NamesTheRevokedMessage()
    {
        var m = ParseFile("upsert_protocol_delete").Message!;
        Assert.That(m.RevokedMessageId, Is.EqualTo("7C9F8118588258B709F4A0BC532FC7CA"));
        Assert.That(m.IsControlMessage, Is.True);
    }

    [Test]
    public void VoiceNote_CarriesItsDurationAndSize()
    {
        var m = ParseFile("upsert_audio").Message!;
        Assert.That(m.Text, Is.Null);
        Assert.That(m.Media, Is.EqualTo(new EvolutionMedia(MediaKind.Audio, "audio/ogg; codecs=opus", 18342, 7, null)));
    }

    [Test]
    public void Photo_CarriesItsCaptionAndSize()
    {
        var m = ParseFile("upsert_image_caption").Message!;
        Assert.That(m.Media, Is.EqualTo(new EvolutionMedia(MediaKind.Image, "image/jpeg", 84213, null, "Quanto custa este bolo?")));
    }

    [Test]
    public void TextMessage_HasNoMedia() => Assert.That(ParseFile("upsert_text_inbound").Message!.Media, Is.Null);
}
