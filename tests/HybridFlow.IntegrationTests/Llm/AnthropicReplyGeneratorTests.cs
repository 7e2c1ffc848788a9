using System.Text.Json;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Llm;
using NUnit.Framework;
using static HybridFlow.IntegrationTests.Llm.LlmTestSupport;

namespace HybridFlow.IntegrationTests.Llm;

public sealed class AnthropicReplyGeneratorTests : ReplyGeneratorContractTests<AnthropicReplyGenerator>
{
    private const string ApiKey = "sk-ant-test-secret";

    private protected override AnthropicReplyGenerator Create(LlmOptions options) => new(options);

    protected override (string Key, string? Value)[] ServerSettings =>
        [("ANTHROPIC_API_KEY", ApiKey), ("ANTHROPIC_BASE_URL", Server.BaseAddress.ToString()), ("LLM_TIMEOUT", "1")];

    protected override (string Key, string? Value)[] UnreachableSettings() =>
        [("ANTHROPIC_API_KEY", ApiKey), ("ANTHROPIC_BASE_URL", UnusedLocalUrl("/").ToString())];

    protected override string GlobalKey => ApiKey;

    protected override Uri TenantBaseUrl => Server.BaseAddress;

    [Test]
    public async Task Generate_WhenServerReplies_SendsSystemFieldMessagesModelMaxTokensAndApiKey()
    {
        Server.ReplyText = "Abrimos às 8h!";
        var generator = Generator(("LLM_MAX_TOKENS", "321"));
        var prompt = Prompt(
            model: "claude-haiku-4-5",
            history: [Customer("Oi"), Assistant("Olá! Como posso ajudar?"), Customer("Vocês abrem amanhã?")]);

        var reply = (await generator.GenerateAsync(prompt, CancellationToken.None)).Text;

        Assert.That(reply, Is.EqualTo("Abrimos às 8h!"));
        var request = Server.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.Path, Is.EqualTo("/v1/messages"));
            Assert.That(request.Header("x-api-key"), Is.EqualTo(ApiKey));
            Assert.That(request.Header("anthropic-version"), Is.Not.Null.And.Not.Empty);
            Assert.That(request.Json.GetProperty("model").GetString(), Is.EqualTo("claude-haiku-4-5"));
            Assert.That(request.Json.GetProperty("max_tokens").GetInt32(), Is.EqualTo(321));
            Assert.That(SystemText(request.Json), Is.EqualTo(SystemPrompt));
            Assert.That(Messages(request.Json), Is.EqualTo(new (string?, string?)[]
            {
                ("user", "Oi"),
                ("assistant", "Olá! Como posso ajudar?"),
                ("user", "Vocês abrem amanhã?"),
            }));
        }
    }

    [Test]
    public async Task Generate_WhenHistoryDoesNotAlternate_DropsLeadingAssistantAndMergesSameRoleTurns()
    {
        var generator = Generator();
        var prompt = Prompt(history:
        [
            Assistant("Bem-vindo à Padaria Central!"),
            Assistant("Em que posso ajudar?"),
            Customer("Oi"),
            Customer("Tem pão de queijo?"),
            Customer("   "),
            Assistant("Temos sim!"),
            Assistant("Quer reservar?"),
            Customer("Quero 10"),
        ]);

        await generator.GenerateAsync(prompt, CancellationToken.None);

        Assert.That(Messages(Server.Requests.Single().Json), Is.EqualTo(new (string?, string?)[]
        {
            ("user", "Oi\nTem pão de queijo?"),
            ("assistant", "Temos sim!\nQuer reservar?"),
            ("user", "Quero 10"),
        }));
    }

    [Test]
    public async Task Generate_WhenPromptHasNoModel_UsesConfiguredModel()
    {
        var generator = Generator(("ANTHROPIC_MODEL", "claude-opus-4-1"));

        await generator.GenerateAsync(Prompt(), CancellationToken.None);

        Assert.That(Server.Requests.Single().Json.GetProperty("model").GetString(), Is.EqualTo("claude-opus-4-1"));
    }

    [Test]
    public async Task Generate_WhenReplyHasSeveralTextBlocks_ConcatenatesThem()
    {
        Server.Responder = _ => new FakeResponse(200, FakeLlmServer.AnthropicMessageJson("m", "Abrimos ", "às 8h", "!"));
        var generator = Generator();

        var reply = (await generator.GenerateAsync(Prompt(), CancellationToken.None)).Text;

        Assert.That(reply, Is.EqualTo("Abrimos às 8h!"));
    }

    [Test]
    public async Task Generate_WhenSystemPromptIsBlank_OmitsSystemField()
    {
        var generator = Generator();

        await generator.GenerateAsync(Prompt() with { SystemPrompt = "" }, CancellationToken.None);

        Assert.That(Server.Requests.Single().Json.TryGetProperty("system", out _), Is.False);
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
            Assert.That(ex.Message, Does.Not.Contain(ApiKey));
        }
    }

    protected override string ErrorJson(int status) => FakeLlmServer.AnthropicErrorJson(status);

    /// <summary>Anthropic's "overloaded": a rate limit too.</summary>
    [TestCase(529)]
    public Task Generate_WhenOverloaded_ThrowsRateLimitedWithTheRetryAfter(int status) => AssertRateLimitedWithTheRetryAfterAsync(status);

    [TestCase(500)]
    [TestCase(529)]
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

    [Test]
    public async Task Generate_WhenReplyHasNoText_ThrowsNonPermanent()
    {
        Server.Responder = _ => new FakeResponse(200, FakeLlmServer.AnthropicMessageJson("m"));
        var generator = Generator();

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => generator.GenerateAsync(Prompt(), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.False);
            Assert.That(ex.Message, Does.Contain("empty reply"));
        }
    }

    [Test]
    public async Task Generate_WhenHistoryHasNoCustomerTurn_ThrowsPermanentWithoutCallingServer()
    {
        var generator = Generator();

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(
            () => generator.GenerateAsync(Prompt(history: [Assistant("Olá!")]), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(Server.Requests, Is.Empty);
        }
    }

    [Test]
    public async Task Generate_WhenKeyIsNotSet_ThrowsPermanent()
    {
        using var generator = new AnthropicReplyGenerator(Options(("ANTHROPIC_BASE_URL", Server.BaseAddress.ToString())));

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => generator.GenerateAsync(Prompt(), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.Message, Does.Contain("ANTHROPIC_API_KEY"));
            Assert.That(Server.Requests, Is.Empty);
        }
    }

    private static string? SystemText(JsonElement body)
    {
        var system = body.GetProperty("system");
        return system.ValueKind == JsonValueKind.String
            ? system.GetString()
            : string.Concat(system.EnumerateArray().Select(block => block.GetProperty("text").GetString()));
    }

    private static (string? Role, string? Text)[] Messages(JsonElement body) =>
        body.GetProperty("messages").EnumerateArray()
            .Select(m =>
            {
                var content = m.GetProperty("content");
                var text = content.ValueKind == JsonValueKind.String
                    ? content.GetString()
                    : string.Concat(content.EnumerateArray().Select(block => block.GetProperty("text").GetString()));
                return (m.GetProperty("role").GetString(), text);
            })
            .ToArray();

    [Test]
    public async Task Generate_ReportsUsage_AddingCacheReadsAndWritesToTheInputTokens()
    {
        // Anthropic's input_tokens leave out cache_read_input_tokens and cache_creation_input_tokens.
        Server.Usage = new FakeUsage(InputTokens: 120, OutputTokens: 42, CachedTokens: 1_536, CacheCreationTokens: 300);

        var reply = await Generator().GenerateAsync(Prompt(), CancellationToken.None);

        Assert.That(reply.Usage, Is.EqualTo(new TokenUsage(InputTokens: 1_956, OutputTokens: 42, CachedInputTokens: 1_536)));
    }

    [Test]
    public async Task Generate_PutsTheSystemPromptInOneTextBlockMarkedForCaching()
    {
        await Generator().GenerateAsync(Prompt() with { OfferHandoffTool = true }, CancellationToken.None);

        var request = Server.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.SystemCacheControl, Is.EqualTo(new[] { "ephemeral" }));
            Assert.That(SystemText(request.Json), Is.EqualTo(SystemPrompt));
            Assert.That(request.Tool("request_human")?.TryGetProperty("cache_control", out _), Is.False,
                "the system block's breakpoint already covers the tool before it");
        }
    }

    [Test]
    public async Task Generate_WithNoSystemPrompt_MarksTheToolForCaching()
    {
        await Generator().GenerateAsync(Prompt() with { SystemPrompt = "", OfferHandoffTool = true }, CancellationToken.None);

        var request = Server.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Json.TryGetProperty("system", out _), Is.False);
            Assert.That(request.Tool("request_human")?.GetProperty("cache_control").GetProperty("type").GetString(), Is.EqualTo("ephemeral"));
        }
    }

    [Test]
    public async Task Generate_WithAPhotoOfAKindAnthropicCannotRead_SendsOnlyTheCaption()
    {
        var prompt = Prompt(history: new ConversationTurn(ConversationRole.Customer, "Olha isto", new ConversationImage("image/heic", [1, 2, 3])));

        await Generator().GenerateAsync(prompt, CancellationToken.None);

        var request = Server.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Images, Is.Empty);
            Assert.That(Messages(request.Json), Is.EqualTo(new (string?, string?)[] { ("user", "Olha isto") }));
        }
    }

    [Test]
    public async Task Generate_WithAPhotoAfterATextOfTheSameCustomer_JoinsThemInOneUserMessage()
    {
        var prompt = Prompt(history:
        [
            Customer("Oi"),
            new ConversationTurn(ConversationRole.Customer, "", new ConversationImage("image/png", [9, 9, 9])),
        ]);

        await Generator().GenerateAsync(prompt, CancellationToken.None);

        var request = Server.Requests.Single();
        var content = request.Json.GetProperty("messages").EnumerateArray().Single().GetProperty("content");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(content.EnumerateArray().Select(block => block.GetProperty("type").GetString()), Is.EqualTo(new[] { "text", "image" }));
            Assert.That(request.Images.Single().MimeType, Is.EqualTo("image/png"));
        }
    }
}
