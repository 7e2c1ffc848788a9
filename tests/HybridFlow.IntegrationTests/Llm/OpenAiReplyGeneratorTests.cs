using System.Text.Json;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Llm;
using NUnit.Framework;
using static HybridFlow.IntegrationTests.Llm.LlmTestSupport;

namespace HybridFlow.IntegrationTests.Llm;

public sealed class OpenAiReplyGeneratorTests : ReplyGeneratorContractTests<OpenAiReplyGenerator>
{
    private const string ApiKey = "sk-test-openai-secret";

    private protected override OpenAiReplyGenerator Create(LlmOptions options) => new(options);

    protected override (string Key, string? Value)[] ServerSettings =>
        [("OPENAI_API_KEY", ApiKey), ("OPENAI_BASE_URL", Server.OpenAiBaseUrl.ToString()), ("LLM_TIMEOUT", "1")];

    protected override (string Key, string? Value)[] UnreachableSettings() =>
        [("OPENAI_API_KEY", ApiKey), ("OPENAI_BASE_URL", UnusedLocalUrl("/v1").ToString())];

    protected override string GlobalKey => ApiKey;

    protected override Uri TenantBaseUrl => Server.OpenAiBaseUrl;

    [Test]
    public async Task Generate_WhenServerReplies_SendsSystemPromptHistoryModelAndMaxTokens()
    {
        Server.ReplyText = "  Abrimos às 8h!  ";
        var generator = Generator(("LLM_MAX_TOKENS", "321"));
        var prompt = Prompt(
            model: "gpt-4.1-mini",
            history: [Customer("Oi"), Assistant("Olá! Como posso ajudar?"), Customer("Vocês abrem amanhã?"), Customer("E a que horas?")]);

        var reply = (await generator.GenerateAsync(prompt, CancellationToken.None)).Text;

        Assert.That(reply, Is.EqualTo("Abrimos às 8h!"));
        var request = Server.Requests.Single();
        var messages = request.Json.GetProperty("messages").EnumerateArray()
            .Select(m => (Role: m.GetProperty("role").GetString(), Content: ContentText(m)))
            .ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.Path, Is.EqualTo("/v1/chat/completions"));
            Assert.That(request.Header("authorization"), Is.EqualTo($"Bearer {ApiKey}"));
            Assert.That(request.Json.GetProperty("model").GetString(), Is.EqualTo("gpt-4.1-mini"));
            Assert.That(request.Json.GetProperty("max_completion_tokens").GetInt32(), Is.EqualTo(321));
            Assert.That(messages, Is.EqualTo(new (string?, string?)[]
            {
                ("system", SystemPrompt),
                ("user", "Oi"),
                ("assistant", "Olá! Como posso ajudar?"),
                ("user", "Vocês abrem amanhã?"),
                ("user", "E a que horas?"),
            }));
        }
    }

    [Test]
    public async Task Generate_WhenPromptHasNoModel_UsesConfiguredModel()
    {
        var generator = Generator(("OPENAI_MODEL", "llama3.2"));

        await generator.GenerateAsync(Prompt(model: " "), CancellationToken.None);

        Assert.That(Server.Requests.Single().Json.GetProperty("model").GetString(), Is.EqualTo("llama3.2"));
    }

    [Test]
    public async Task Generate_WhenOnlyBaseUrlIsSet_SendsPlaceholderKeyForLocalServers()
    {
        var generator = new OpenAiReplyGenerator(Options(("OPENAI_BASE_URL", Server.OpenAiBaseUrl.ToString())));

        var reply = (await generator.GenerateAsync(Prompt(), CancellationToken.None)).Text;

        Assert.That(reply, Is.EqualTo("Hello from the fake model"));
        Assert.That(Server.Requests.Single().Header("authorization"), Does.StartWith("Bearer "));
    }

    [Test]
    public async Task Generate_WhenBaseUrlHasPathPrefix_PostsChatCompletionsUnderIt()
    {
        var generator = new OpenAiReplyGenerator(Options(
            ("OPENAI_API_KEY", ApiKey),
            ("OPENAI_BASE_URL", new Uri(Server.BaseAddress, "api/v1").ToString())));

        await generator.GenerateAsync(Prompt(), CancellationToken.None);

        Assert.That(Server.Requests.Single().Path, Is.EqualTo("/api/v1/chat/completions"));
    }

    [TestCase(401)]
    [TestCase(403)]
    [TestCase(404)]
    [TestCase(400)]
    public async Task Generate_WhenServerRejectsRequest_ThrowsPermanent(int status)
    {
        Server.StatusCode = status;
        var generator = Generator();

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => generator.GenerateAsync(Prompt(), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.Message, Does.Contain(status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Test]
    public async Task Generate_WhenUnauthorized_KeepsKeyAndMessageTextOutOfException()
    {
        Server.StatusCode = 401;
        // Real OpenAI 401 bodies quote a masked key; make sure nothing from the body or prompt leaks.
        Server.Responder = _ => new FakeResponse(401, JsonSerializer.Serialize(new
        {
            error = new { message = $"Incorrect API key provided: {ApiKey}. Olá, vocês abrem amanhã?", type = "invalid_request_error", code = "invalid_api_key" },
        }));
        var generator = Generator();

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => generator.GenerateAsync(Prompt(), CancellationToken.None));

        var everything = string.Join("\n", Chain(ex).Select(e => e.Message));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(everything, Does.Not.Contain(ApiKey));
            Assert.That(everything, Does.Not.Contain("abrem amanhã"));
            Assert.That(ex.Message, Does.Contain("invalid_api_key"));
        }
    }

    protected override string ErrorJson(int status) => FakeLlmServer.OpenAiErrorJson(status);

    [TestCase(500)]
    [TestCase(503)]
    [TestCase(429)]
    public async Task Generate_WhenServerFailsTransiently_ThrowsNonPermanentWithoutSdkRetries(int status)
    {
        Server.StatusCode = status;
        var generator = Generator();

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => generator.GenerateAsync(Prompt(), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.False);
            Assert.That(Server.Requests, Has.Count.EqualTo(1));
        }
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase(null)]
    public async Task Generate_WhenReplyIsEmpty_ThrowsNonPermanent(string? content)
    {
        Server.Responder = request => new FakeResponse(200, FakeLlmServer.OpenAiCompletionJson("m", content));
        var generator = Generator();

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => generator.GenerateAsync(Prompt(), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.False);
            Assert.That(ex.Message, Does.Contain("empty reply"));
        }
    }

    [Test]
    public async Task Generate_WhenNeitherKeyNorBaseUrlIsSet_ThrowsPermanent()
    {
        var generator = new OpenAiReplyGenerator(Options());

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => generator.GenerateAsync(Prompt(), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.Message, Does.Contain("OPENAI_API_KEY"));
        }
    }

    private static string? ContentText(JsonElement message)
    {
        var content = message.GetProperty("content");
        return content.ValueKind == JsonValueKind.String
            ? content.GetString()
            : string.Concat(content.EnumerateArray().Select(part => part.GetProperty("text").GetString()));
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }

    [Test]
    public async Task Generate_ReportsUsage_WithPromptTokensAsAllInputAndTheCachedOnes()
    {
        // OpenAI's prompt_tokens already include prompt_tokens_details.cached_tokens.
        Server.Usage = new FakeUsage(InputTokens: 1_800, OutputTokens: 42, CachedTokens: 1_536);

        var reply = await Generator().GenerateAsync(Prompt(), CancellationToken.None);

        Assert.That(reply.Usage, Is.EqualTo(new TokenUsage(InputTokens: 1_800, OutputTokens: 42, CachedInputTokens: 1_536)));
    }

    [Test]
    public async Task Generate_ReportsUsageOfAHandoffCall()
    {
        Server.HandoffReason = "quer um humano";
        Server.Usage = new FakeUsage(InputTokens: 900, OutputTokens: 12, CachedTokens: 0);

        var reply = await Generator().GenerateAsync(Prompt() with { OfferHandoffTool = true }, CancellationToken.None);

        Assert.That(reply.Usage, Is.EqualTo(new TokenUsage(900, 12, 0)));
    }

    [Test]
    public async Task Generate_TwoRepliesOfOneChat_ShareTheirStablePrefix()
    {
        // Automatic prefix caching needs the same leading bytes: system prompt, tool, then the history oldest first.
        var generator = Generator();
        ConversationTurn[] history = [Customer("Oi"), Assistant("Olá!"), Customer("Abrem amanhã?")];
        await generator.GenerateAsync(Prompt(history: history) with { OfferHandoffTool = true }, CancellationToken.None);
        await generator.GenerateAsync(Prompt(history: [.. history, Assistant("Sim, às 8h."), Customer("E domingo?")]) with { OfferHandoffTool = true }, CancellationToken.None);

        var first = Server.Requests[0].Json;
        var second = Server.Requests[1].Json;
        var firstMessages = first.GetProperty("messages").EnumerateArray().Select(m => m.GetRawText()).ToArray();
        var secondMessages = second.GetProperty("messages").EnumerateArray().Select(m => m.GetRawText()).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.GetProperty("messages")[0].GetProperty("role").GetString(), Is.EqualTo("system"));
            Assert.That(second.GetProperty("tools").GetRawText(), Is.EqualTo(first.GetProperty("tools").GetRawText()));
            Assert.That(secondMessages.Take(firstMessages.Length), Is.EqualTo(firstMessages), "the second prompt starts with the first");
        }
    }
}
