using HybridFlow.Application.Common.Interfaces;
using NUnit.Framework;
using static HybridFlow.IntegrationTests.Llm.LlmTestSupport;

namespace HybridFlow.IntegrationTests.Llm;

/// <summary>
/// Issue 19: a reply cut at the token limit says so (OpenAI finish_reason length, Anthropic stop_reason max_tokens), a
/// longer reply asks for twice LLM_MAX_TOKENS, and an account out of credit is an account failure, not a rate limit.
/// </summary>
public abstract partial class ReplyGeneratorContractTests<TGenerator>
{
    [Test]
    public async Task Generate_WhenStoppedAtTheTokenLimit_SaysTruncated()
    {
        Server.FitsInTokens = 1_000;
        var reply = await Generator(("LLM_MAX_TOKENS", "300")).GenerateAsync(Prompt(), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reply.Truncated, Is.True);
            Assert.That(reply.Text, Is.EqualTo(Server.TruncatedText));
        }
    }

    [Test]
    public async Task Generate_WhenItFits_IsNotTruncated()
    {
        Server.FitsInTokens = 300;
        var reply = await Generator(("LLM_MAX_TOKENS", "300")).GenerateAsync(Prompt(), CancellationToken.None);
        Assert.That(reply.Truncated, Is.False);
        Assert.That(reply.Text, Is.EqualTo(Server.ReplyText));
    }

    [Test]
    public async Task Generate_WithMaxTokensScaleTwo_AsksForTwiceLlmMaxTokens()
    {
        await Generator(("LLM_MAX_TOKENS", "300")).GenerateAsync(Prompt() with { MaxTokensScale = 2 }, CancellationToken.None);
        Assert.That(FakeLlmServer.MaxTokens(Server.Requests.Single()), Is.EqualTo(600));
    }

    [Test]
    public async Task Generate_WhenTheAccountIsOutOfCredit_IsAnAccountFailure_NotARateLimit()
    {
        Server.AccountExhausted = true;
        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => Generator().GenerateAsync(Prompt(), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsAccountExhausted, Is.True);
            Assert.That(ex.IsRateLimited, Is.False, "OpenAI's insufficient_quota comes as a 429, but waiting does not help");
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.Message, Does.Contain("out of credit"));
            Assert.That(ex.Message, Does.Not.Contain("Plans & Billing").And.Not.Contain("exceeded your current quota"), "the provider's text is not copied");
            Assert.That(Server.Requests, Has.Count.EqualTo(1));
        }
    }
}
