using HybridFlow.Application.Inbox.Commands;
using HybridFlow.Application.Templates;

namespace HybridFlow.Application.Tests.Templates;

/// <summary>A template's variables: how many its body takes, the body filled in, and what Meta would refuse in one.</summary>
public sealed class MessageTemplatesTests
{
    [TestCase("Olá {{1}}, seu pedido {{2}} está pronto.", 2)]
    [TestCase("Sem variáveis.", 0)]
    [TestCase("{{1}} e de novo {{1}}", 1)]
    [TestCase("Espaços {{ 2 }} contam: {{1}}", 2)]
    [TestCase("", 0)]
    [TestCase(null, 0)]
    public void VariableCount_IsTheHighestPlaceholder(string? body, int count) =>
        Assert.That(MessageTemplates.VariableCount(body), Is.EqualTo(count));

    [Test]
    public void Fill_PutsEachVariableInItsPlace() =>
        Assert.That(MessageTemplates.Fill("Olá {{1}}, seu pedido {{2}} está pronto, {{1}}.", ["Ana", "4521"]),
            Is.EqualTo("Olá Ana, seu pedido 4521 está pronto, Ana."));

    [Test]
    public void Fill_LeavesAPlaceholderWithoutAVariable() =>
        Assert.That(MessageTemplates.Fill("{{1}} e {{2}}", ["Ana"]), Is.EqualTo("Ana e {{2}}"));

    [TestCase("Ana", true)]
    [TestCase("Ana Souza, pedido 12", true)]
    [TestCase("", false)]
    [TestCase("   ", false)]
    [TestCase("duas\nlinhas", false)]
    [TestCase("com\ttab", false)]
    [TestCase("cinco     espaços", false)]
    [TestCase("quatro    espaços", true)]
    public void VariableProblem_NamesWhatMetaRefuses(string text, bool accepted) =>
        Assert.That(MessageTemplates.VariableProblem(text) is null, Is.EqualTo(accepted));

    [Test]
    public void VariableProblem_RefusesAVariableLongerThanABody() =>
        Assert.That(MessageTemplates.VariableProblem(new string('a', MessageTemplates.VariableMax + 1)), Is.Not.Null);

    private static IReadOnlyList<string> Errors(string? name, string? language, params string?[] variables) =>
        new SendInboxTemplateCommandValidator().Validate(new SendInboxTemplateCommand(7, name, language, variables))
            .Errors.Select(e => e.PropertyName).ToList();

    [Test]
    public void Validator_AcceptsANameALanguageAndVariables() =>
        Assert.That(Errors("order_ready", "pt_BR", "Ana", "4521"), Is.Empty);

    [TestCase(null)]
    [TestCase("")]
    [TestCase("Order Ready")]
    [TestCase("pedido-pronto")]
    public void Validator_RefusesAName(string? name) => Assert.That(Errors(name, "pt_BR"), Does.Contain("name"));

    [TestCase(null)]
    [TestCase("portuguese")]
    [TestCase("pt-BR")]
    public void Validator_RefusesALanguage(string? language) => Assert.That(Errors("order_ready", language), Does.Contain("language"));

    [TestCase("en")]
    [TestCase("en_US")]
    [TestCase("zh_HK")]
    public void Validator_AcceptsMetasLanguageCodes(string language) => Assert.That(Errors("order_ready", language), Is.Empty);

    [Test]
    public void Validator_NamesTheVariableMetaWouldRefuse() =>
        Assert.That(Errors("order_ready", "pt_BR", "Ana", "duas\nlinhas"), Is.EqualTo(new[] { "variables[1]" }));

    [Test]
    public void Validator_RefusesTooManyVariables() =>
        Assert.That(Errors("order_ready", "pt_BR", [.. Enumerable.Repeat("x", MessageTemplates.VariablesMax + 1)]), Does.Contain("variables"));
}
