using HybridFlow.Application.Common.Interfaces;
using NUnit.Framework;
using HybridFlow.Domain.Tenants;
using static HybridFlow.IntegrationTests.Llm.LlmTestSupport;

namespace HybridFlow.IntegrationTests.Llm;

/// <summary>
/// The conversation issue's model side, the same for every provider: the <c>request_human</c> tool, images, and the
/// tenant's own account (its key on the wire instead of the platform's, never crossing tenants, never in an error; its
/// base URL through the outbound address guard unless the platform admin set it).
/// </summary>
public abstract partial class ReplyGeneratorContractTests<TGenerator>
{
    protected const string TenantKeyA = "sk-tenant-a-0123456789abcdefXYZ";
    protected const string TenantKeyB = "sk-tenant-b-9876543210fedcbaQRS";

    /// <summary>The platform's key in <see cref="ServerSettings"/>.</summary>
    protected abstract string GlobalKey { get; }

    /// <summary>What a tenant would save as llm_base_url to reach <see cref="Server"/> with this provider.</summary>
    protected abstract Uri TenantBaseUrl { get; }

    private static ReplyPrompt WithHandoffTool(ReplyPrompt prompt) => prompt with { OfferHandoffTool = true };

    private static ReplyPrompt ForTenant(string? apiKey, string? baseUrl = null, bool trusted = false) =>
        Prompt() with { Credentials = new LlmCredentials(apiKey, baseUrl, trusted) };

    [Test]
    public async Task Generate_WhenHandoffToolIsNotAsked_OffersNoTool()
    {
        await Generator().GenerateAsync(Prompt(), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Server.Requests.Single().ToolNames, Is.Empty);
            Assert.That(Server.Requests.Single().ToolChoice, Is.Null);
        }
    }

    [Test]
    public async Task Generate_WhenHandoffToolIsAsked_OffersRequestHumanWithARequiredReasonAndAutoChoice()
    {
        var reply = await Generator().GenerateAsync(WithHandoffTool(Prompt()), CancellationToken.None);

        var request = Server.Requests.Single();
        var tool = request.Tool("request_human");
        var schema = tool?.TryGetProperty("parameters", out var parameters) == true ? parameters : tool?.GetProperty("input_schema");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reply.Handoff, Is.Null, "the model answered with text");
            Assert.That(request.ToolNames, Is.EqualTo(new[] { "request_human" }));
            Assert.That(tool?.GetProperty("description").GetString(), Is.Not.Empty);
            Assert.That(schema?.GetProperty("type").GetString(), Is.EqualTo("object"));
            Assert.That(schema?.GetProperty("properties").GetProperty("reason").GetProperty("type").GetString(), Is.EqualTo("string"));
            Assert.That(schema?.GetProperty("properties").GetProperty("reason").GetProperty("description").GetString(),
                Is.EqualTo("why the customer needs a person"));
            Assert.That(schema?.GetProperty("required").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { "reason" }));
            Assert.That(request.ToolChoice, Does.Contain("auto"));
        }
    }

    [Test]
    public async Task Generate_WhenModelCallsRequestHuman_AnswersAHandoffWithTheReason()
    {
        Server.HandoffReason = "O cliente quer falar com o gerente sobre um reembolso.";

        var reply = await Generator().GenerateAsync(WithHandoffTool(Prompt()), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reply.Handoff?.Reason, Is.EqualTo("O cliente quer falar com o gerente sobre um reembolso."));
            Assert.That(reply.Text, Is.Empty);
            Assert.That(reply.Usage.OutputTokens, Is.EqualTo(5), "a handoff still reports what the call cost");
        }
    }

    [Test]
    public async Task Generate_WhenModelCallsRequestHumanWithText_KeepsTheTextBesideTheHandoff()
    {
        Server.HandoffReason = "pediu um atendente";
        Server.HandoffText = "Vou chamar alguém da equipe.";

        var reply = await Generator().GenerateAsync(WithHandoffTool(Prompt()), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reply.Handoff?.Reason, Is.EqualTo("pediu um atendente"));
            Assert.That(reply.Text, Is.EqualTo("Vou chamar alguém da equipe."));
        }
    }

    [TestCase("{\"reason\": ")]
    [TestCase("{}")]
    [TestCase("{\"reason\": 42}")]
    [TestCase("{\"reason\": \"   \"}")]
    public async Task Generate_WhenToolArgumentsAreMalformed_AnswersAHandoffWithAGenericReason(string arguments)
    {
        Server.HandoffArgumentsJson = arguments;

        var reply = await Generator().GenerateAsync(WithHandoffTool(Prompt()), CancellationToken.None);

        Assert.That(reply.Handoff?.Reason, Is.Not.Null.And.Not.Empty.And.Contains("person"));
    }

    [Test]
    public async Task Generate_WhenToolIsOfferedButModelSaysNothing_ThrowsEmptyReply()
    {
        Server.ReplyText = "   ";

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(
            () => Generator().GenerateAsync(WithHandoffTool(Prompt()), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Message, Does.Contain("empty reply"));
            Assert.That(ex.IsPermanent, Is.False);
        }
    }

    [Test]
    public async Task Generate_WithACustomersPhoto_SendsTheImageBesideItsCaption()
    {
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4];
        var prompt = Prompt(history:
        [
            Customer("Oi"),
            Assistant("Olá!"),
            new ConversationTurn(ConversationRole.Customer, "Vocês têm este bolo?", new ConversationImage("image/jpeg", jpeg)),
        ]);

        await Generator().GenerateAsync(prompt, CancellationToken.None);

        var image = Server.Requests.Single().Images.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(image.Role, Is.EqualTo("user"));
            Assert.That(image.MimeType, Is.EqualTo("image/jpeg"));
            Assert.That(image.Data, Is.EqualTo(jpeg));
            Assert.That(image.TextsBeside, Is.EqualTo(new[] { "Vocês têm este bolo?" }));
        }
    }

    [Test]
    public async Task Generate_WithATenantKey_SendsItInsteadOfThePlatformKey()
    {
        await Generator().GenerateAsync(ForTenant(TenantKeyA), CancellationToken.None);

        var request = Server.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.ApiKey, Is.EqualTo(TenantKeyA));
            Assert.That(request.Headers.Values, Has.None.Contains(GlobalKey));
        }
    }

    [Test]
    public async Task Generate_ForTwoTenantsAndThePlatform_EachCallCarriesOnlyItsOwnKey()
    {
        // Five calls at once on a busy machine: more room than the fixture's 1 s.
        var generator = Generator(("LLM_TIMEOUT", "15"));
        string?[] keys = [TenantKeyA, TenantKeyB, null, TenantKeyB, TenantKeyA];
        await Task.WhenAll(keys.Select(key => generator.GenerateAsync(
            Prompt(history: Customer(key ?? "global")) with { Credentials = key is null ? null : new LlmCredentials(key, null) },
            CancellationToken.None)));

        var requests = Server.Requests;
        Assert.That(requests, Has.Count.EqualTo(keys.Length));
        foreach (var request in requests)
        {
            // Each prompt names whose call it is, so the request can be matched to the key it must carry.
            var expected = request.Body.Contains(TenantKeyA, StringComparison.Ordinal) ? TenantKeyA
                : request.Body.Contains(TenantKeyB, StringComparison.Ordinal) ? TenantKeyB
                : GlobalKey;
            var others = new[] { TenantKeyA, TenantKeyB, GlobalKey }.Where(k => k != expected);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(request.ApiKey, Is.EqualTo(expected));
                Assert.That(request.Headers.Values, Has.None.Matches<string>(value => others.Any(other => value!.Contains(other, StringComparison.Ordinal))));
            }
        }
    }

    [TestCase(401)]
    [TestCase(403)]
    public async Task Generate_WhenTheProviderRejectsTheTenantKey_ThrowsPermanentNamingTheTenantKeyWithoutIt(int status)
    {
        Server.StatusCode = status;
        // OpenAI echoes a masked part of a wrong key.
        Server.ErrorMessage = $"Incorrect API key provided: {TenantKeyA[..5]}***{TenantKeyA[^3..]}. Full key: {TenantKeyA}";

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => Generator().GenerateAsync(ForTenant(TenantKeyA), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.IsRateLimited, Is.False);
            Assert.That(ex.Message, Does.Contain("tenant's own API key").And.Contain($"HTTP {status}"));
            Assert.That(ex.ToString(), Does.Not.Contain(TenantKeyA).And.Not.Contain(TenantKeyA[^3..]).And.Not.Contain("Incorrect API key"));
        }
    }

    [Test]
    public async Task Generate_WhenTheProviderRejectsThePlatformKey_DoesNotBlameTheTenant()
    {
        Server.StatusCode = 401;

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => Generator().GenerateAsync(Prompt(), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.Message, Does.Not.Contain("tenant"));
            Assert.That(ex.ToString(), Does.Not.Contain(GlobalKey));
        }
    }

    [Test]
    public async Task Generate_WhenAnUntrustedTenantBaseUrlIsLoopback_IsRefusedByTheGuardWithoutACall()
    {
        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => Generator().GenerateAsync(
            ForTenant(TenantKeyA, TenantBaseUrl.ToString(), trusted: false), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.Message, Does.Contain("llm_base_url").And.Contain("private"));
            Assert.That(ex.ToString(), Does.Not.Contain(TenantKeyA));
            Assert.That(Server.Requests, Is.Empty, "nothing reached the loopback server");
        }
    }

    [Test]
    public async Task Generate_WhenATrustedTenantBaseUrlIsLoopback_IsCalledWithTheTenantKey()
    {
        var reply = await Generator().GenerateAsync(ForTenant(TenantKeyA, TenantBaseUrl.ToString(), trusted: true), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reply.Text, Is.EqualTo("Hello from the fake model"));
            Assert.That(Server.Requests.Single().ApiKey, Is.EqualTo(TenantKeyA));
        }
    }

    [Test]
    public async Task Generate_WhenATenantSetsABaseUrlButNoKey_NeverSendsThePlatformKeyThere()
    {
        await Generator().GenerateAsync(ForTenant(apiKey: null, TenantBaseUrl.ToString(), trusted: true), CancellationToken.None);

        var request = Server.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.ApiKey, Is.Not.Null.And.Not.EqualTo(GlobalKey));
            Assert.That(request.Headers.Values, Has.None.Contains(GlobalKey));
        }
    }

    [Test]
    public async Task Generate_WhenTheTenantBaseUrlIsNotAUrl_ThrowsPermanentWithoutACall()
    {
        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(
            () => Generator().GenerateAsync(ForTenant(TenantKeyA, "ftp://example.com/v1"), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.Message, Does.Contain("llm_base_url"));
            Assert.That(Server.Requests, Is.Empty);
        }
    }
}
