using System.Text;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Webhooks.Meta;

namespace HybridFlow.Application.Tests.Webhooks;

/// <summary>The Cloud API's bodies (Payloads/meta), what the parser reads of them, and what it tolerates; the signature check.</summary>
public sealed class MetaWebhookParserTests
{
    private static string File(string name) => System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "meta", name + ".json"));

    private static MetaWebhook Parse(string json) => MetaWebhookParser.Parse(Encoding.UTF8.GetBytes(json));

    [Test]
    public void ACustomersText_IsReadWithItsChat_Time_AndContactName()
    {
        var change = Parse(File("messages_text")).Changes.Single();
        Assert.That(change.PhoneNumberId, Is.EqualTo("106540352242922"));
        var message = change.Messages.Single();
        Assert.That(message.ChatId, Is.EqualTo("16505551234@s.whatsapp.net"));
        Assert.That(message.Text, Is.EqualTo("Hi"));
        Assert.That(message.MessageType, Is.EqualTo("text"));
        Assert.That(message.SentAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1749416383)));
        Assert.That(message.ContactName, Is.EqualTo("Sheena"));
    }

    [TestCase("messages_image", "imageMessage", "1003383421387256", true, "Is this cake available?")]
    [TestCase("messages_audio", "audioMessage", "1266417858432543", true, null)]
    [TestCase("messages_interactive", "interactive", null, false, "Opening hours")]
    [TestCase("messages_button", "button", null, false, "Yes, please")]
    [TestCase("messages_unsupported", "unsupported", null, false, null)]
    public void EachType_GivesItsTextAndMedia(string file, string type, string? mediaId, bool answerableMedia, string? text)
    {
        var message = Parse(File(file)).Changes.Single().Messages.Single();
        Assert.That((message.MessageType, message.MediaId, message.IsAnswerableMedia, message.Text), Is.EqualTo((type, mediaId, answerableMedia, text)));
    }

    [Test]
    public void WithoutAWaId_TheChatIsTheBusinessScopedUserId_AndNoProfileIsNoName()
    {
        var message = Parse(File("messages_bsuid")).Changes.Single().Messages.Single();
        Assert.That(message.ChatId, Is.EqualTo("US.13491208655302741918@bsuid"));
        Assert.That(message.ContactName, Is.Null);
    }

    [Test]
    public void Statuses_CarryTheirCallbackData_AndAFailuresError()
    {
        var sent = Parse(File("statuses_sent")).Changes.Single().Statuses.Single();
        Assert.That((sent.Status, sent.CallbackData, sent.Error), Is.EqualTo(("sent", "42:0", (MetaError?)null)));
        var failed = Parse(File("statuses_failed")).Changes.Single().Statuses.Single();
        Assert.That(failed.Status, Is.EqualTo("failed"));
        Assert.That(failed.Error!.Code, Is.EqualTo(131047));
        Assert.That(MetaStatuses.FailureDetail(failed.Error), Does.StartWith("131047: more than 24 hours since the customer's last message"));
        Assert.That(MetaStatuses.FailureDetail(new MetaError(999999, "Some new error", null)), Is.EqualTo("999999: Some new error"));
    }

    [Test]
    public void Echoes_NameTheCustomer_AndWhatARevokeOrEditIsAbout()
    {
        var text = Parse(File("echo_text")).Changes.Single().Echoes.Single();
        Assert.That((text.ChatId, text.Text, text.IsRevoke, text.IsEdit), Is.EqualTo(("16505551234@s.whatsapp.net", "Hi! This is the owner.", false, false)));
        var revoke = Parse(File("echo_revoke")).Changes.Single().Echoes.Single();
        Assert.That((revoke.IsRevoke, revoke.OriginalMessageId), Is.EqualTo((true, "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA")));
        var edit = Parse(File("echo_edit")).Changes.Single().Echoes.Single();
        Assert.That((edit.IsEdit, edit.Text), Is.EqualTo((true, "Hi! This is the owner (edited).")));
    }

    [TestCase("""{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"messages":[{"type":"text"},{"id":"w","type":"text"},5,null]}}]}]}""", 2)]
    [TestCase("""{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"statuses":[{"id":"w"},{"status":"read"}]}}]}]}""", 2)]
    [TestCase("""{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1"},"messages":[{"id":"w","from":"16505551234","type":"text","text":{"body":"\ud800"}}]}}]}]}""", 0)]
    public void ItemsWithoutWhatIdentifiesThem_AreCountedAndSkipped(string json, int unreadable)
    {
        var change = Parse(json).Changes.Single();
        Assert.That(change.Unreadable, Is.EqualTo(unreadable));
        Assert.That(change.Messages.Count + change.Statuses.Count + change.Unreadable, Is.EqualTo(change.ItemCount));
    }

    [TestCase("[]")]
    [TestCase("not json")]
    [TestCase("\"text\"")]
    public void ABodyThatIsNotAJsonObject_IsRefused(string json) =>
        Assert.Throws<RequestValidationException>(() => Parse(json));

    [Test]
    public void InvalidUtf8_IsRefused() =>
        Assert.Throws<RequestValidationException>(() => MetaWebhookParser.Parse(new byte[] { (byte)'{', (byte)'"', 0xff, (byte)'"', (byte)':', (byte)'1', (byte)'}' }));

    [Test]
    public void AnotherObjectOrNoEntries_HasNoChanges()
    {
        Assert.That(Parse("""{"object":"page","entry":[{"changes":[{"field":"messages","value":{}}]}]}""").Changes, Is.Empty);
        Assert.That(Parse("""{"object":"whatsapp_business_account"}""").Changes, Is.Empty);
    }

    [Test]
    public void TheSignature_HoldsOnlyForTheExactBytes_AndTheSecret()
    {
        var body = Encoding.ASCII.GetBytes("""{"text":"Ol\u00e1 ana@exemplo.com \/"}""");
        var header = MetaSignature.For(body, "app-secret");
        Assert.That(header, Does.StartWith("sha256=").And.Length.EqualTo(71));
        Assert.That(MetaSignature.IsValid(body, header, "app-secret"), Is.True);
        Assert.That(MetaSignature.IsValid(body, header.ToUpperInvariant().Replace("SHA256=", "sha256="), "app-secret"), Is.True, "hex in either case");
        Assert.That(MetaSignature.IsValid(body, header, "another-secret"), Is.False);
        Assert.That(MetaSignature.IsValid(Encoding.UTF8.GetBytes("""{"text":"Olá ana@exemplo.com /"}"""), header, "app-secret"), Is.False,
            "the same JSON written otherwise is not what was signed");
        Assert.That(MetaSignature.IsValid(body, header, null), Is.False, "no secret: nothing verifies");
        Assert.That(MetaSignature.IsValid(body, header, ""), Is.False);
        Assert.That(MetaSignature.IsValid(body, null, "app-secret"), Is.False);
        Assert.That(MetaSignature.IsValid(body, "sha256=" + new string('g', 64), "app-secret"), Is.False);
        Assert.That(MetaSignature.IsValid(body, header[..^2], "app-secret"), Is.False);
    }
}
