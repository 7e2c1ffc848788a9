using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Tenants;

namespace HybridFlow.Application.Tests.Tenants;

public sealed class PlatformModelsTests
{
    private static readonly PlatformModels Models = new("openai", "gpt-4o-mini", "claude-sonnet-4-5", "whisper-1",
        PlatformModels.ParseList("openai:gpt-4o, anthropic:claude-opus-4"));

    private static TenantModelChoice Choice(string? provider = null, string? llm = null, string? vision = null, string? transcription = null, bool own = false) =>
        new(provider, llm, vision, transcription, own);

    [Test]
    public void IsAllowed_TheConfiguredModelsAndTheListedOnes_OnThePlatformsKey()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Models.IsAllowed(Choice(llm: "gpt-4o-mini"), ModelSetting.LlmModel), Is.True);
            Assert.That(Models.IsAllowed(Choice(llm: "gpt-4o"), ModelSetting.LlmModel), Is.True);
            Assert.That(Models.IsAllowed(Choice("anthropic", "claude-opus-4"), ModelSetting.LlmModel), Is.True);
            Assert.That(Models.IsAllowed(Choice(transcription: "whisper-1"), ModelSetting.TranscriptionModel), Is.True);
            Assert.That(Models.IsAllowed(Choice(), ModelSetting.LlmModel), Is.True, "no model named: the default");
        }
    }

    [Test]
    public void IsAllowed_AnyOtherModel_OrAListedModelUnderAnotherProvider_IsNot()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Models.IsAllowed(Choice(llm: "o1-pro"), ModelSetting.LlmModel), Is.False);
            Assert.That(Models.IsAllowed(Choice("anthropic", "gpt-4o"), ModelSetting.LlmModel), Is.False);
            Assert.That(Models.IsAllowed(Choice(vision: "gpt-4.5-preview"), ModelSetting.VisionModel), Is.False);
            Assert.That(Models.IsAllowed(Choice(transcription: "gpt-4o-transcribe"), ModelSetting.TranscriptionModel), Is.False);
        }
    }

    [Test]
    public void IsAllowed_WithTheTenantsOwnAccount_AnyModel_ButTranscriptionOnlyWhenItsProviderIsOpenAi()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Models.IsAllowed(Choice(llm: "o1-pro", own: true), ModelSetting.LlmModel), Is.True);
            Assert.That(Models.IsAllowed(Choice(transcription: "gpt-4o-transcribe", own: true), ModelSetting.TranscriptionModel), Is.True);
            // An Anthropic tenant's voice notes go to the platform's OpenAI account.
            Assert.That(Models.IsAllowed(Choice("anthropic", transcription: "gpt-4o-transcribe", own: true), ModelSetting.TranscriptionModel), Is.False);
        }
    }

    [Test]
    public void EnsureAllowed_NamesTheRefusedField()
    {
        var e = Assert.Throws<RequestValidationException>(() =>
            Models.EnsureAllowed(Choice(llm: "gpt-4o", vision: "o1-pro"), [ModelSetting.LlmModel, ModelSetting.VisionModel]));
        Assert.That(e!.Errors.Keys, Is.EquivalentTo(new[] { "vision_model" }));
    }

    [TestCase("gpt-4o")]
    [TestCase("mistral:large")]
    [TestCase("openai:")]
    public void ParseList_RejectsEntriesThatAreNotProviderAndModel(string raw) =>
        Assert.Throws<FormatException>(() => PlatformModels.ParseList(raw));
}
