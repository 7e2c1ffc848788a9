using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Inbox;

/// <summary>
/// GET /api/inbox/conversations?ids=: the live list asks which changed conversations still belong in it, with its filters,
/// in one call. The visibility rule and every filter apply; another tenant's ids are never answered; bad ids are a 400.
/// </summary>
[NonParallelizable]
public sealed class InboxChangedIdsTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private static string Ids(params long[] ids) => "ids=" + string.Join(",", ids);

    [Test]
    public async Task Ids_AnswersThoseThatMatchTheFilters_OnOnePage()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var open = await t.NewConversationAsync("Bom dia", pushName: "Maria Lima");
        var resolved = await t.NewConversationAsync("Obrigada!");
        var tagged = await t.NewConversationAsync("Quero um bolo");
        var unrelated = await t.NewConversationAsync("Não perguntado");
        await t.Admin.PatchOkAsync(resolved.SessionId, """{"status": "resolved"}""");
        await t.Admin.PatchOkAsync(tagged.SessionId, """{"tags": ["vip"]}""");

        var page = await t.Admin.ListAsync(Ids(open.SessionId, resolved.SessionId, tagged.SessionId) + "&page=3&page_size=1");
        Assert.That(page.SessionIds(), Is.EquivalentTo(new[] { open.SessionId, tagged.SessionId }), "open by default; never one not asked for");
        Assert.That(page.GetProperty("total").GetInt64(), Is.EqualTo(2));
        Assert.That(page.GetProperty("page").GetInt32(), Is.EqualTo(1), "the batch is one page, whatever page was sent");
        Assert.That(page.GetProperty("page_size").GetInt32(), Is.EqualTo(3));
        Assert.That(page.GetProperty("items")[0].GetProperty("last_message").ValueKind, Is.EqualTo(JsonValueKind.Object), "the same items as the list");

        var all = new[] { open.SessionId, resolved.SessionId, tagged.SessionId };
        Assert.That((await t.Admin.ListAsync(Ids(all) + "&status=resolved")).SessionIds(), Is.EqualTo(new[] { resolved.SessionId }));
        Assert.That((await t.Admin.ListAsync(Ids(all) + "&status=all&tag=VIP")).SessionIds(), Is.EqualTo(new[] { tagged.SessionId }));
        Assert.That((await t.Admin.ListAsync(Ids(all) + "&q=maria")).SessionIds(), Is.EqualTo(new[] { open.SessionId }), "the search too");
        Assert.That((await t.Admin.ListAsync(Ids(open.SessionId, open.SessionId, unrelated.SessionId))).SessionIds(),
            Is.EquivalentTo(new[] { open.SessionId, unrelated.SessionId }), "a repeated id counts once");
    }

    [Test]
    public async Task Ids_ApplyTheVisibilityRule_AndAnotherTenantsAreNeverAnswered()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var other = await InboxTenant.CreateAsync(_app);
        var carlaEmail = $"carla-{Guid.NewGuid():N}@hybridflow.test";
        var carla = await UserSessions.CreateUserAsync(_app, t.TenantId, carlaEmail, "agent");
        var carlaClient = await UserSessions.LoginAsync(_app, carlaEmail);
        var bruno = await t.InsertUserAsync("Bruno");
        var mine = await t.NewConversationAsync();
        var brunos = await t.NewConversationAsync();
        var unassigned = await t.NewConversationAsync();
        var theirs = await other.NewConversationAsync();
        await t.Admin.PatchOkAsync(mine.SessionId, $$"""{"assignee_user_id": {{carla}}}""");
        await t.Admin.PatchOkAsync(brunos.SessionId, $$"""{"assignee_user_id": {{bruno}}}""");
        var asked = Ids(mine.SessionId, brunos.SessionId, unassigned.SessionId, theirs.SessionId);

        Assert.That((await carlaClient.ListAsync(asked + "&status=all")).SessionIds(), Is.EquivalentTo(new[] { mine.SessionId, unassigned.SessionId }),
            "an agent who logged in: theirs and the unassigned");
        Assert.That((await carlaClient.ListAsync(asked + "&assigned_to=me")).SessionIds(), Is.EqualTo(new[] { mine.SessionId }));
        Assert.That((await t.Agent.ListAsync(asked)).SessionIds(), Is.EquivalentTo(new[] { mine.SessionId, brunos.SessionId, unassigned.SessionId }),
            "an agent API key: its tenant");
        Assert.That((await t.Admin.ListAsync(asked)).SessionIds(), Does.Not.Contain(theirs.SessionId));
        Assert.That((await other.Admin.ListAsync(asked)).SessionIds(), Is.EqualTo(new[] { theirs.SessionId }));

        var onlyTheirs = await t.Admin.ListAsync(Ids(theirs.SessionId));
        Assert.That(onlyTheirs.SessionIds(), Is.Empty, "another tenant's id is simply not there: no 403, nothing learnt");
        Assert.That(onlyTheirs.GetProperty("total").GetInt64(), Is.Zero);
        var platform = await _app.Admin.ListAsync(Ids(theirs.SessionId, mine.SessionId) + $"&tenant_id={other.TenantId}");
        Assert.That(platform.SessionIds(), Is.EqualTo(new[] { theirs.SessionId }), "the platform admin's tenant_id narrows it");
    }

    [TestCase("abc")]
    [TestCase("1,,2")]
    [TestCase("0")]
    [TestCase("-4")]
    [TestCase("1;2")]
    [TestCase("99999999999999999999")]
    public async Task BadIds_Are400_NamingIds(string ids)
    {
        var t = await InboxTenant.CreateAsync(_app);
        var response = await t.Admin.GetAsync($"/api/inbox/conversations?ids={Uri.EscapeDataString(ids)}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        await ApiAssert.ProblemAsync(response, 400, "ids");
    }

    [Test]
    public async Task Ids_AreCappedAtAHundred()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var (_, session) = await t.NewConversationAsync();
        var hundred = Enumerable.Range(1, 99).Select(i => (long)i + 1_000_000_000).Append(session).ToArray();
        Assert.That((await t.Admin.ListAsync(Ids(hundred))).SessionIds(), Is.EqualTo(new[] { session }));

        var tooMany = hundred.Append(2_000_000_000).ToArray();
        var problem = await ApiAssert.ProblemAsync(await t.Admin.GetAsync($"/api/inbox/conversations?{Ids(tooMany)}"), 400, "ids");
        Assert.That(problem.GetProperty("errors").GetProperty("ids")[0].GetString(), Does.Contain("100"));
    }
}
