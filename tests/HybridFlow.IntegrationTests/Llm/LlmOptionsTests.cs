using HybridFlow.Infrastructure.Llm;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using static HybridFlow.IntegrationTests.Llm.LlmTestSupport;

namespace HybridFlow.IntegrationTests.Llm;

public sealed class LlmOptionsTests
{
    [Test]
    public void FromConfiguration_WhenNothingIsSet_UsesDefaultsAndStaticProvider()
    {
        var options = Options();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Provider, Is.EqualTo("static"));
            Assert.That(options.OpenAiModel, Is.EqualTo("gpt-4o-mini"));
            Assert.That(options.AnthropicModel, Is.EqualTo("claude-sonnet-4-5"));
            Assert.That(options.MaxTokens, Is.EqualTo(1024));
            Assert.That(options.Timeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(options.StaticReply, Is.EqualTo(LlmOptions.DefaultStaticReply));
            Assert.That(options.IsOpenAiConfigured, Is.False);
            Assert.That(options.IsAnthropicConfigured, Is.False);
        }
    }

    [TestCase(null, null)]
    [TestCase("0", null)]
    [TestCase("8", 8)]
    public void FromConfiguration_LlmMaxConcurrency_IsACapOrNoLimit(string? raw, int? expected) =>
        Assert.That(Options(("LLM_MAX_CONCURRENCY", raw)).MaxConcurrency, Is.EqualTo(expected));

    [TestCase("-1")]
    [TestCase("two")]
    public void FromConfiguration_WhenLlmMaxConcurrencyIsNotACount_NamesTheVariable(string raw) =>
        Assert.That(() => Options(("LLM_MAX_CONCURRENCY", raw)), Throws.TypeOf<OptionsValidationException>().With.Message.Contains("LLM_MAX_CONCURRENCY"));

    [Test]
    public void FromConfiguration_WhenOnlyOpenAiKeyIsSet_DefaultsToOpenAi()
    {
        var options = Options(("OPENAI_API_KEY", "sk-test"), ("ANTHROPIC_API_KEY", ""));

        Assert.That(options.Provider, Is.EqualTo("openai"));
    }

    [Test]
    public void FromConfiguration_WhenOnlyOpenAiBaseUrlIsSet_DefaultsToOpenAiWithoutKey()
    {
        var options = Options(("OPENAI_BASE_URL", "http://localhost:11434/v1"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Provider, Is.EqualTo("openai"));
            Assert.That(options.IsOpenAiConfigured, Is.True);
            Assert.That(options.OpenAiApiKey, Is.Null);
        }
    }

    [Test]
    public void FromConfiguration_WhenOnlyAnthropicKeyIsSet_DefaultsToAnthropic()
    {
        var options = Options(("ANTHROPIC_API_KEY", "sk-ant-test"));

        Assert.That(options.Provider, Is.EqualTo("anthropic"));
    }

    [Test]
    public void FromConfiguration_WhenProviderIsExplicit_WinsOverKeysAndIgnoresCase()
    {
        var options = Options(("LLM_PROVIDER", " Anthropic "), ("OPENAI_API_KEY", "sk-test"));

        Assert.That(options.Provider, Is.EqualTo("anthropic"));
    }

    [Test]
    public void FromConfiguration_WhenValuesAreSet_ReadsThem()
    {
        var options = Options(
            ("OPENAI_MODEL", "gpt-4.1"),
            ("ANTHROPIC_MODEL", "claude-haiku-4-5"),
            ("ANTHROPIC_BASE_URL", "https://gateway.example.com/anthropic"),
            ("LLM_MAX_TOKENS", "256"),
            ("LLM_TIMEOUT", "2.5"),
            ("LLM_STATIC_REPLY", "Já respondemos!"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.OpenAiModel, Is.EqualTo("gpt-4.1"));
            Assert.That(options.AnthropicModel, Is.EqualTo("claude-haiku-4-5"));
            Assert.That(options.AnthropicBaseUrl, Is.EqualTo(new Uri("https://gateway.example.com/anthropic")));
            Assert.That(options.MaxTokens, Is.EqualTo(256));
            Assert.That(options.Timeout, Is.EqualTo(TimeSpan.FromSeconds(2.5)));
            Assert.That(options.StaticReply, Is.EqualTo("Já respondemos!"));
        }
    }

    [TestCase("LLM_MAX_TOKENS", "many")]
    [TestCase("LLM_MAX_TOKENS", "0")]
    [TestCase("LLM_MAX_TOKENS", "-5")]
    [TestCase("LLM_TIMEOUT", "ten")]
    [TestCase("LLM_TIMEOUT", "0")]
    [TestCase("LLM_TIMEOUT", "1e9")]
    [TestCase("LLM_PROVIDER", "gemini")]
    [TestCase("OPENAI_BASE_URL", "localhost:11434")]
    [TestCase("ANTHROPIC_BASE_URL", "ftp://example.com")]
    public void FromConfiguration_WhenValueIsInvalid_ThrowsNamingTheVariable(string key, string value)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Options((key, value)));

        Assert.That(ex.Message, Does.Contain(key));
    }
}
