using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Reliability;

/// <summary>
/// The fuzz test's intermittent 500 (ADR-021), replayed in order: a Cloud API message whose type held a NUL reached
/// PostgreSQL, which refused it; when that was the use that auto-prepared the append statement, Npgsql kept the
/// statement without its result columns, and the next delivery on the connection read no result set (a 500).
/// </summary>
public sealed class RefusedStatementTests
{
    private HybridFlowApp _app = null!;
    private string _phoneNumberId = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        // An app of its own: the webhook pool's connection must be fresh, so that the statement is prepared here.
        _app = await HybridFlowApp.StartAsync(realHttp: true);
        (_, _, _phoneNumberId) = await _app.CreateTenantWithMetaInstanceAsync();
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task AMessageTypeHoldingNul_IsStoredAsUnknown_AndTheDeliveriesAfterItStillWork()
    {
        var outcomes = new List<string>();
        // One after another, so that the deliveries share the webhook pool's one connection; every third use of the
        // append statement carries the hostile type, so one of them is the fifth use, the one that prepares it.
        for (var round = 0; round < 6; round++)
        {
            var waId = FakeGraphApi.NewWaId();
            var first = _app.Graph.CustomerText(_phoneNumberId, waId, $"round {round}");
            outcomes.Add("new " + (int)(await _app.Graph.PostWebhookAsync(first)).StatusCode);

            var hostile = _app.Graph.CustomerText(_phoneNumberId, waId, "hostile type");
            var message = FakeGraphApi.ValueOf(hostile)["messages"]![0]!.AsObject();
            message["type"] = "te\u0000xt";
            message["te\u0000xt"] = new JsonObject { ["body"] = "hostile type" };
            outcomes.Add("hostile " + (int)(await _app.Graph.PostWebhookAsync(hostile)).StatusCode);

            outcomes.Add("duplicate " + (int)(await _app.Graph.PostWebhookAsync(JsonNode.Parse(first.ToJsonString())!)).StatusCode);
        }

        Assert.That(outcomes, Is.All.EndsWith(" 200"), string.Join(", ", outcomes));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM messages WHERE message_type = 'unknown'"), Is.EqualTo(6),
            "each hostile message is kept, as a message of unknown type");
    }
}
