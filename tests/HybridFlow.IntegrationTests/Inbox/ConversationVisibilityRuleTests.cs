using HybridFlow.Application.Inbox;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Inbox;

/// <summary>The visibility rule's two forms agree: ConversationScope.SqlCondition run by PostgreSQL selects what Sees says.</summary>
[NonParallelizable]
public sealed class ConversationVisibilityRuleTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    // (id, tenant, assignee): every combination of two tenants and no one, user 40 or user 41.
    private static readonly (int Id, long Tenant, long? Assignee)[] Rows =
        [(1, 7, null), (2, 7, 40), (3, 7, 41), (4, 8, null), (5, 8, 40), (6, 8, 41)];

    private static readonly ConversationScope[] Scopes =
    [
        new(null, null, null),   // the platform admin, every tenant
        new(7, null, null),      // the platform admin with tenant_id, a tenant admin, an agent API key
        new(7, null, 40),        // a tenant admin who logged in
        new(7, 40, 40),          // an agent who logged in
        new(8, 41, 41),
    ];

    [Test]
    public async Task TheSqlForm_SelectsExactlyWhatTheCSharpFormSees([Range(0, 4)] int scopeIndex)
    {
        var scope = Scopes[scopeIndex];
        var args = new List<object>();
        var condition = scope.SqlCondition("v.tenant_id", "v.assignee_user_id", value =>
        {
            args.Add(value);
            return "$" + args.Count;
        }) ?? "true";
        var values = string.Join(", ", Rows.Select(r => $"({r.Id}, {r.Tenant}::bigint, {(r.Assignee is { } a ? a + "::bigint" : "NULL::bigint")})"));
        var seenBySql = await _app.ScalarAsync<string>(
            $"SELECT coalesce(string_agg(v.id::text, ',' ORDER BY v.id), '') FROM (VALUES {values}) v(id, tenant_id, assignee_user_id) WHERE {condition}",
            [.. args]);
        var seenByCSharp = string.Join(",", Rows.Where(r => scope.Sees(r.Tenant, r.Assignee)).Select(r => r.Id));
        Assert.That(seenBySql, Is.EqualTo(seenByCSharp), scope.ToString());
    }
}
