using HybridFlow.Domain.Chats;

namespace HybridFlow.Domain.Tests.Chats;

public sealed class ChatIdTests
{
    [TestCase("5511999990001@s.whatsapp.net")]
    [TestCase("123456789012345@lid")]
    [TestCase("120363025246125888@g.us")]
    [TestCase("5511999990001:12@s.whatsapp.net")]
    public void Parse_WhenWellFormed_KeepsTheText(string text) =>
        Assert.That(ChatId.Parse(text).Value, Is.EqualTo(text));

    [Test]
    public void Parse_WhenSurroundedBySpaces_Trims() =>
        Assert.That(ChatId.Parse("  5511999990001@s.whatsapp.net \n").Value, Is.EqualTo("5511999990001@s.whatsapp.net"));

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("5511999990001")]
    [TestCase("@s.whatsapp.net")]
    [TestCase("5511999990001@")]
    [TestCase("55119@99990001@s.whatsapp.net")]
    [TestCase("5511 99999 0001@s.whatsapp.net")]
    [TestCase("5511\u0001@s.whatsapp.net")]
    public void TryParse_WhenMalformed_Refuses(string? text)
    {
        Assert.That(ChatId.TryParse(text, out var chatId), Is.False);
        Assert.That(chatId, Is.Null);
    }

    [Test]
    public void TryParse_WhenLongerThanTheLimit_Refuses()
    {
        var atTheLimit = new string('1', ChatId.MaxLength - "@lid".Length) + "@lid";
        Assert.That(ChatId.TryParse(atTheLimit, out _), Is.True);
        Assert.That(ChatId.TryParse("1" + atTheLimit, out _), Is.False);
    }

    [Test]
    public void Parse_WhenMalformed_Throws() =>
        Assert.Throws<FormatException>(() => ChatId.Parse("5511999990001"));

    [TestCase("5511999990001@s.whatsapp.net", ChatKind.Direct)]
    [TestCase("123456789012345@lid", ChatKind.Direct)]
    [TestCase("120363025246125888@g.us", ChatKind.GroupOrBroadcast)]
    [TestCase("5511999990001-1600000000@G.US", ChatKind.GroupOrBroadcast)]
    [TestCase("status@broadcast", ChatKind.GroupOrBroadcast)]
    [TestCase("120363123456789012@newsletter", ChatKind.GroupOrBroadcast)]
    [TestCase("newsletter@s.whatsapp.net", ChatKind.Direct)]
    public void Kind_ByServer_TellsGroupsFromPeople(string text, ChatKind kind) =>
        Assert.That(ChatId.Parse(text).Kind, Is.EqualTo(kind));

    [Test]
    public void FromMessageKey_WhenLidWithPhoneAlt_IsThePhone()
    {
        Assert.That(ChatId.TryFromMessageKey("123456789012345@lid", "5511999990003@s.whatsapp.net", out var chatId), Is.True);
        Assert.That(chatId!.Value, Is.EqualTo("5511999990003@s.whatsapp.net"));
    }

    [TestCase("123456789012345@lid", null, "123456789012345@lid")]
    [TestCase("123456789012345@lid", "987654321098765@lid", "123456789012345@lid")]
    [TestCase("123456789012345@lid", "not a jid@s.whatsapp.net", "123456789012345@lid")]
    [TestCase("5511999990001@s.whatsapp.net", "123456789012345@lid", "5511999990001@s.whatsapp.net")]
    [TestCase("5511999990001@s.whatsapp.net", "5511999990002@s.whatsapp.net", "5511999990001@s.whatsapp.net")]
    [TestCase("120363025246125888@g.us", "5511999990002@s.whatsapp.net", "120363025246125888@g.us")]
    public void FromMessageKey_WhenNotLidWithPhoneAlt_IsTheRemoteJid(string remoteJid, string? alt, string expected)
    {
        Assert.That(ChatId.TryFromMessageKey(remoteJid, alt, out var chatId), Is.True);
        Assert.That(chatId!.Value, Is.EqualTo(expected));
    }

    [Test]
    public void FromMessageKey_WhenRemoteJidMalformed_Refuses_EvenWithAGoodAlt() =>
        Assert.That(ChatId.TryFromMessageKey("123456789012345", "5511999990003@s.whatsapp.net", out _), Is.False);

    [TestCase("5511999990001")]
    [TestCase("+5511999990001")]
    [TestCase(" 5511999990001 ")]
    public void FromPhoneNumber_WhenDigitsWithCountryCode_IsThePhoneJid(string number)
    {
        Assert.That(ChatId.IsPhoneNumber(number), Is.True);
        var chatId = ChatId.FromPhoneNumber(number);
        Assert.That(chatId.Value, Is.EqualTo("5511999990001@s.whatsapp.net"));
        Assert.That(chatId.IsPhone && chatId.Kind == ChatKind.Direct, Is.True);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("5511 99999 0001")]
    [TestCase("+55 (11) 99999-0001")]
    [TestCase("5511999990001@s.whatsapp.net")]
    [TestCase("++5511999990001")]
    [TestCase("12345")]
    [TestCase("123456789012345678901")]
    [TestCase("５５１１９９９９９０００１")]
    public void FromPhoneNumber_WhenNotDigitsWithCountryCode_Refuses(string? number)
    {
        Assert.That(ChatId.IsPhoneNumber(number), Is.False);
        Assert.That(ChatId.TryFromPhoneNumber(number, out var chatId), Is.False);
        Assert.That(chatId, Is.Null);
    }

    [TestCase("123456")]
    [TestCase("12345678901234567890")]
    public void FromPhoneNumber_AtTheLengthLimits_Accepts(string number) =>
        Assert.That(ChatId.IsPhoneNumber(number), Is.True);

    [Test]
    public void FromPhoneNumber_WhenNotANumber_Throws() =>
        Assert.Throws<FormatException>(() => ChatId.FromPhoneNumber("abc"));

    [Test]
    public void Equality_IsByValue_AndToStringIsTheValue()
    {
        Assert.That(ChatId.Parse("5511999990001@s.whatsapp.net"), Is.EqualTo(ChatId.FromPhoneNumber("+5511999990001")));
        Assert.That(ChatId.Parse("5511999990001@s.whatsapp.net").ToString(), Is.EqualTo("5511999990001@s.whatsapp.net"));
    }

    [TestCase("5511987654321@s.whatsapp.net", "551187654321@s.whatsapp.net")]
    [TestCase("551187654321@s.whatsapp.net", "5511987654321@s.whatsapp.net")]
    [TestCase("553196894405@s.whatsapp.net", "5531996894405@s.whatsapp.net")]
    public void WithAndWithoutNinthDigit_ABrazilianMobile_HasBothForms(string chat, string other) =>
        Assert.That(ChatId.Parse(chat).WithAndWithoutNinthDigit(), Is.EqualTo(new[] { chat, other }));

    [TestCase("551133334444@s.whatsapp.net")] // a landline: no ninth digit to add
    [TestCase("5511887654321@s.whatsapp.net")] // 13 digits without the 9
    [TestCase("14155550123@s.whatsapp.net")] // not Brazil
    [TestCase("5511987654321:12@s.whatsapp.net")] // a device JID
    [TestCase("123456789012345@lid")]
    [TestCase("120363025246125888@g.us")]
    public void WithAndWithoutNinthDigit_AnythingElse_IsOnlyItself(string chat) =>
        Assert.That(ChatId.Parse(chat).WithAndWithoutNinthDigit(), Is.EqualTo(new[] { chat }));

    [Test]
    public void TryFromMetaUser_WithAWaId_IsThePhoneChat()
    {
        Assert.That(ChatId.TryFromMetaUser("16505551234", "US.13491208655302741918", out var chat), Is.True);
        Assert.That(chat!.Value, Is.EqualTo("16505551234@s.whatsapp.net"));
        Assert.That(chat.IsPhone, Is.True);
        Assert.That(chat.MetaRecipient, Is.EqualTo("16505551234"));
        Assert.That(chat.Kind, Is.EqualTo(ChatKind.Direct));
    }

    [Test]
    public void TryFromMetaUser_WithoutAWaId_IsKeyedOnTheBusinessScopedUserId()
    {
        Assert.That(ChatId.TryFromMetaUser(null, "US.13491208655302741918", out var chat), Is.True);
        Assert.That(chat!.Value, Is.EqualTo("US.13491208655302741918@bsuid"));
        Assert.That(chat.IsMetaUser, Is.True);
        Assert.That(chat.IsPhone, Is.False);
        Assert.That(chat.MetaRecipient, Is.EqualTo("US.13491208655302741918"));
        Assert.That(chat.Kind, Is.EqualTo(ChatKind.Direct));
        Assert.That(ChatId.Parse(chat.Value), Is.EqualTo(chat), "the stored form parses back");
    }

    [TestCase(null, null)]
    [TestCase("", "  ")]
    [TestCase("not-a-number", null)]
    [TestCase(null, "US.1@x")]
    [TestCase(null, "US 1349")]
    [TestCase(null, "US.\u0001")]
    public void TryFromMetaUser_WhenNeitherIsUsable_Refuses(string? waId, string? userId)
    {
        Assert.That(ChatId.TryFromMetaUser(waId, userId, out var chat), Is.False);
        Assert.That(chat, Is.Null);
    }

    [Test]
    public void TryFromMetaUser_WhenTheUserIdIsTooLong_Refuses() =>
        Assert.That(ChatId.TryFromMetaUser(null, new string('U', ChatId.MetaUserIdMaxLength + 1), out _), Is.False);

    [TestCase("123456789012345@lid")]
    [TestCase("120363025246125888@g.us")]
    public void MetaRecipient_OfAnotherChat_IsNull(string chat) => Assert.That(ChatId.Parse(chat).MetaRecipient, Is.Null);
}
