using HybridFlow.Application.Messages.Commands;

namespace HybridFlow.Application.Tests.Messages;

/// <summary>The chat_id and number rules of send-message, with the messages a 400 carries.</summary>
public sealed class SendMessageCommandValidatorTests
{
    private const string NotAChatId = "chat_id must be a WhatsApp chat id such as 5511999990001@s.whatsapp.net (or send number instead).";
    private const string NotOneToOne = "chat_id must be a one-to-one chat: groups, broadcasts and newsletters are not handled.";
    private const string NotANumber = "number must be the phone number's digits with the country code, e.g. 5511999990001.";

    private static IReadOnlyList<string> Errors(string? chatId, string? number, string property) =>
        new SendMessageCommandValidator().Validate(new SendMessageCommand("demo", chatId, number, "Oi", SendAsNames.Bot))
            .Errors.Where(e => e.PropertyName == property).Select(e => e.ErrorMessage).ToList();

    [TestCase("5511999990001@s.whatsapp.net")]
    [TestCase(" 123456789012345@lid ")]
    public void ChatId_WhenOneToOne_IsAccepted(string chatId) =>
        Assert.That(Errors(chatId, null, "chat_id"), Is.Empty);

    [TestCase("5511999990001")]
    [TestCase("@s.whatsapp.net")]
    [TestCase("a@b@s.whatsapp.net")]
    public void ChatId_WhenMalformed_SaysWhatAChatIdIs(string chatId) =>
        Assert.That(Errors(chatId, null, "chat_id"), Is.EqualTo(new[] { NotAChatId }));

    [TestCase("120363025246125888@g.us")]
    [TestCase("status@broadcast")]
    [TestCase("120363123456789012@newsletter")]
    public void ChatId_WhenGroupOrBroadcast_SaysOneToOneOnly(string chatId) =>
        Assert.That(Errors(chatId, null, "chat_id"), Is.EqualTo(new[] { NotOneToOne }));

    [Test]
    public void ChatId_WhenTooLong_GivesTheLengthErrorAlone()
    {
        var errors = Errors(new string('1', 300) + "@g.us", null, "chat_id");
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0], Does.Contain("256"));
    }

    [TestCase("5511999990001", true)]
    [TestCase("+5511999990001", true)]
    [TestCase("+55 (11) 99999-0001", false)]
    [TestCase("12345", false)]
    public void Number_IsDigitsWithCountryCode(string number, bool accepted) =>
        Assert.That(Errors(null, number, "number"), accepted ? Is.Empty : Is.EqualTo(new[] { NotANumber }));
}
