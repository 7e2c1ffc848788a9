using System.Text.Json;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Webhooks;
using HybridFlow.Domain.Chats;

namespace HybridFlow.Application.Tests.Webhooks;

/// <summary>The parser against every body in shared/payloads.</summary>
public sealed class EvolutionWebhookParserTests
{
    private static EvolutionWebhook ParseFile(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Payloads", name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return EvolutionWebhookParser.Parse(doc.RootElement);
    }

    private static EvolutionWebhook Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return EvolutionWebhookParser.Parse(doc.RootElement.Clone());
    }

    [TestCase("upsert_text_inbound", "Ana Souza")]
    [TestCase("upsert_lid_inbound", "Carlos")]
    [TestCase("upsert_fromme_phone", null)]
    [TestCase("send_message_echo", null)]
    public void PushName_IsTheCustomersOnly(string file, string? expected) =>
        Assert.That(ParseFile(file).Message!.PushName, Is.EqualTo(expected), "the owner's pushName (or \"Você\") names no contact");

    [TestCase("123", null)]
    [TestCase("\"   \"", null)]
    [TestCase("\"  Ana \\u0000Lima \"", "Ana Lima")]
    public void PushName_OddValues_AreTrimmedOrIgnored_NeverAnError(string json, string? expected)
    {
        var w = Parse("""{"event": "messages.upsert", "data": {"key": {"id": "A1", "remoteJid": "5511999990001@s.whatsapp.net", "fromMe": false}, "pushName": """
                      + json + """, "message": {"conversation": "Oi"}}}""");
        Assert.That(w.Message!.PushName, Is.EqualTo(expected));
    }

    [Test]
    public void CustomerText_IsAnInboundTextMessage()
    {
        var w = ParseFile("upsert_text_inbound");
        Assert.That(w.Kind, Is.EqualTo(WebhookEventKind.MessageUpsert));
        Assert.That(w.InstanceName, Is.EqualTo("demo-instance"));
        Assert.That(w.BodyApiKey, Is.EqualTo("B6D711FCDE4D4FD5936544120E713976"));
        var m = w.Message!;
        Assert.That(m.ChatId, Is.EqualTo("5511999990001@s.whatsapp.net"));
        Assert.That(m.ProviderMessageId, Is.EqualTo("7C9F8118588258B709F4A0BC532FC7CA"));
        Assert.That(m.FromMe, Is.False);
        Assert.That(m.Text, Is.EqualTo("Oi, vocês abrem amanhã?"));
        Assert.That(m.MessageType, Is.EqualTo("conversation"));
        Assert.That(m.SentAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1763766000)), "messageTimestamp, not date_time");
        Assert.That(m.ChatKind, Is.EqualTo(ChatKind.Direct));
        Assert.That(m.IsControlMessage, Is.False);
    }

    [Test]
    public void ExtendedText_AndImageCaption_GiveText()
    {
        Assert.That(ParseFile("upsert_extended_text").Message!.Text, Does.StartWith("Pode ser às 15h?"));
        var image = ParseFile("upsert_image_caption").Message!;
        Assert.That(image.Text, Is.EqualTo("Quanto custa este bolo?"));
        Assert.That(image.MessageType, Is.EqualTo("imageMessage"));
    }

    [Test]
    public void Audio_HasNoText()
    {
        var audio = ParseFile("upsert_audio").Message!;
        Assert.That(audio.Text, Is.Null);
        Assert.That(audio.MessageType, Is.EqualTo("audioMessage"));
        Assert.That(audio.IsControlMessage, Is.False);
    }

    [TestCase("upsert_reaction")]
    [TestCase("upsert_protocol_delete")]
    public void ReactionsAndProtocolMessages_AreControlMessages(string name) =>
        Assert.That(ParseFile(name).Message!.IsControlMessage, Is.True);

    [Test]
    public void Group_IsRecognised() =>
        Assert.That(ParseFile("upsert_group").Message!.ChatKind, Is.EqualTo(ChatKind.GroupOrBroadcast));

    [Test]
    public void StatusBroadcast_IsRecognised() =>
        Assert.That(Parse("""{"event":"messages.upsert","data":{"key":{"remoteJid":"status@broadcast","id":"A1","fromMe":false}}}""").Message!.ChatKind,
            Is.EqualTo(ChatKind.GroupOrBroadcast));

    [Test]
    public void LidChat_IsKeyedByThePhoneJid()
    {
        Assert.That(ParseFile("upsert_lid_inbound").Message!.ChatId, Is.EqualTo("5511999990003@s.whatsapp.net"));
        Assert.That(ParseFile("upsert_fromme_phone").Message!.ChatId, Is.EqualTo("5511999990001@s.whatsapp.net"), "a @lid alt on a phone JID changes nothing");
    }

    [Test]
    public void OwnerPhoneMessage_IsFromMe()
    {
        var w = ParseFile("upsert_fromme_phone");
        Assert.That(w.Kind, Is.EqualTo(WebhookEventKind.MessageUpsert));
        Assert.That(w.Message!.FromMe, Is.True);
    }

    [Test]
    public void SendMessageEcho_IsAMessageSent()
    {
        var w = ParseFile("send_message_echo");
        Assert.That(w.Kind, Is.EqualTo(WebhookEventKind.MessageSent));
        Assert.That(w.Message!.ProviderMessageId, Is.EqualTo("3EB0C5024D9FC1B4C3AAE6"));
        Assert.That(w.Message.Text, Is.EqualTo("Olá, Ana! Sim, amanhã abrimos das 7h às 19h."));
    }

    [TestCase("messages_update")]
    [TestCase("messages_delete")]
    [TestCase("connection_update")]
    public void OtherEvents_CarryNoMessage(string name)
    {
        var w = ParseFile(name);
        Assert.That(w.Kind, Is.EqualTo(WebhookEventKind.Other));
        Assert.That(w.Message, Is.Null);
    }

    [TestCase("MESSAGES_UPSERT")]
    [TestCase("messages-upsert")]
    [TestCase(" Messages.Upsert ")]
    public void EventNames_InEveryNotation_AreUnderstood(string name) =>
        Assert.That(Parse("{\"event\":\"" + name + "\",\"data\":{\"key\":{\"remoteJid\":\"1@s.whatsapp.net\",\"id\":\"A\"}}}").Kind, Is.EqualTo(WebhookEventKind.MessageUpsert));

    [TestCase("""{"messageTimestamp": 1763766000}""", 1763766000L)]
    [TestCase("""{"messageTimestamp": "1763766000"}""", 1763766000L)]
    [TestCase("""{"messageTimestamp": 1763766000123}""", 1763766000L)]
    [TestCase("""{"messageTimestamp": {"low": 1763766000, "high": 0, "unsigned": false}}""", 1763766000L)]
    [TestCase("""{"messageTimestamp": -5}""", null)]
    [TestCase("""{"messageTimestamp": true}""", null)]
    [TestCase("""{}""", null)]
    public void Timestamps_InEveryShape(string dataFields, long? expectedSeconds)
    {
        var json = dataFields.Replace("{", """{"key":{"remoteJid":"1@s.whatsapp.net","id":"A"},""", StringComparison.Ordinal);
        if (dataFields == "{}") json = """{"key":{"remoteJid":"1@s.whatsapp.net","id":"A"}}""";
        var m = Parse("""{"event":"messages.upsert","data":""" + json + "}").Message!;
        Assert.That(m.SentAt?.ToUnixTimeSeconds(), Is.EqualTo(expectedSeconds));
    }

    [Test]
    public void WrappedContent_EphemeralAndViewOnce_IsUnwrapped()
    {
        var m = Parse("""
            {"event":"messages.upsert","data":{"key":{"remoteJid":"1@s.whatsapp.net","id":"A"},
             "message":{"ephemeralMessage":{"message":{"extendedTextMessage":{"text":"sumindo"}}}}}}
            """).Message!;
        Assert.That(m.Text, Is.EqualTo("sumindo"));
    }

    [TestCase("""{"data":{}}""", "event")]
    [TestCase("""{"event":"messages.upsert"}""", "data")]
    [TestCase("""{"event":"messages.upsert","data":{"key":{"id":"A"}}}""", "data.key.remoteJid")]
    [TestCase("""{"event":"messages.upsert","data":{"key":{"remoteJid":"1@s.whatsapp.net"}}}""", "data.key.id")]
    [TestCase("""{"event":"messages.upsert","data":{"key":{"remoteJid":"1@s.whatsapp.net","id":"A","fromMe":"no"}}}""", "data.key.fromMe")]
    [TestCase("""{"event":"messages.upsert","data":{"key":{"remoteJid":"5511999990001","id":"A"}}}""", "data.key.remoteJid")]
    [TestCase("""{"event":"send.message","data":{"key":{"remoteJid":"5511 9999@s.whatsapp.net","id":"A"}}}""", "data.key.remoteJid")]
    [TestCase("""{"event":7}""", "event")]
    public void MissingOrMistypedFields_AreValidationErrors_NamingTheField(string json, string field)
    {
        var e = Assert.Throws<RequestValidationException>(() => Parse(json))!;
        Assert.That(e.Errors.Keys, Does.Contain(field));
    }
}
