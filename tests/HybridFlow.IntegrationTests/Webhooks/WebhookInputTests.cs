using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Webhooks;

/// <summary>Every authentication form, and bad input answered 4xx with nothing stored.</summary>
public sealed class WebhookInputTests
{
    private const string GlobalSecret = "global-webhook-secret-0123456789";
    private HybridFlowApp _app = null!;
    private string _instance = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["EVOLUTION_WEBHOOK_SHARED_SECRET"] = GlobalSecret });
        (_, _instance) = await _app.CreateTenantWithInstanceAsync();
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    /// <summary>Messages received (replies to earlier tests' messages keep arriving in the background and are not counted).</summary>
    private Task<long> StoredMessagesAsync() => _app.ScalarAsync<long>("SELECT count(*) FROM messages WHERE direction <> 'bot'")!;

    private Task<long> StoredSessionsAsync() => _app.ScalarAsync<long>("SELECT count(*) FROM sessions")!;

    private async Task AssertRefusedAndNothingStored(HttpResponseMessage response, int expectedStatus)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(expectedStatus), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), body);
    }

    /// <summary>A customer message without the body apikey, so that only the credential under test can authenticate it.</summary>
    private string Body(string chatId)
    {
        var payload = Payloads.CustomerText(chatId, "Oi").WithInstance(_instance);
        payload["apikey"] = null;
        return payload.ToJsonString();
    }

    [Test]
    public async Task SecretHeader_OfTheInstance_OrTheGlobalSecret_IsAccepted()
    {
        Assert.That((int)(await _app.PostRawWebhookAsync($"/webhook/{_instance}", Body(Payloads.NewChatId()), HybridFlowApp.WebhookSecret)).StatusCode, Is.EqualTo(200));
        Assert.That((int)(await _app.PostRawWebhookAsync($"/webhook/{_instance}", Body(Payloads.NewChatId()), GlobalSecret)).StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task TokenQuery_IsAccepted()
    {
        var response = await _app.PostRawWebhookAsync($"/webhook/{_instance}?token={HybridFlowApp.WebhookSecret}", Body(Payloads.NewChatId()), secret: null);
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task EvolutionJwtBearer_SignedWithTheSecret_IsAccepted_AndAnExpiredOneIsNot()
    {
        async Task<int> Send(string jwt)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/webhook/{_instance}")
            {
                Content = new StringContent(Body(Payloads.NewChatId()), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", jwt);
            return (int)(await _app.Client.SendAsync(request)).StatusCode;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.That(await Send(Jwt(HybridFlowApp.WebhookSecret, now, now + 600)), Is.EqualTo(200));
        Assert.That(await Send(Jwt(HybridFlowApp.WebhookSecret, now - 1200, now - 600)), Is.EqualTo(401), "expired");
        Assert.That(await Send(Jwt("some-other-secret-entirely", now, now + 600)), Is.EqualTo(401), "wrong signature");
    }

    /// <summary>The token Evolution makes from a jwt_key header (webhook.controller.ts): HS256 over {iat, exp, app, action}.</summary>
    private static string Jwt(string secret, long iat, long exp)
    {
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = B64(Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}"""));
        var payload = B64(Encoding.UTF8.GetBytes($$"""{"iat":{{iat}},"exp":{{exp}},"app":"evolution","action":"webhook"}"""));
        var signature = B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(header + "." + payload)));
        return $"{header}.{payload}.{signature}";
    }

    [Test]
    public async Task BodyApiKey_EqualToTheInstanceKey_IsAccepted_OnTheSharedRoute()
    {
        var payload = Payloads.CustomerText(Payloads.NewChatId(), "Oi").WithInstance(_instance);
        payload["apikey"] = HybridFlowApp.EvolutionApiKey;
        var response = await _app.PostRawWebhookAsync("/webhooks/evolution", payload.ToJsonString(), secret: null);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        Assert.That((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("action").GetString(), Is.EqualTo("ai_queued"));
    }

    [TestCase(null)]
    [TestCase("wrong-secret-wrong-secret")]
    public async Task MissingOrWrongSecret_Is401_AndStoresNothing(string? secret)
    {
        var before = (await StoredMessagesAsync(), await StoredSessionsAsync());
        var payload = Payloads.CustomerText(Payloads.NewChatId(), "Oi").WithInstance(_instance);
        payload["apikey"] = "not-the-instance-key";
        await AssertRefusedAndNothingStored(await _app.PostRawWebhookAsync($"/webhook/{_instance}", payload.ToJsonString(), secret), 401);
        Assert.That((await StoredMessagesAsync(), await StoredSessionsAsync()), Is.EqualTo(before));
    }

    [Test]
    public async Task UnknownInstance_Is401_WithTheSameAnswerAsAKnownOne_SoStrangersCannotTellWhichExist()
    {
        var before = await StoredMessagesAsync();
        async Task<(int Status, string Body)> Answer(string path, string body, string? secret)
        {
            var response = await _app.PostRawWebhookAsync(path, body, secret);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        string Shared(string instance)
        {
            var payload = Payloads.CustomerText(Payloads.NewChatId(), "Oi").WithInstance(instance);
            payload["apikey"] = "not-the-instance-key";
            return payload.ToJsonString();
        }

        foreach (var secret in new[] { null, "wrong-secret-wrong-secret", HybridFlowApp.WebhookSecret })
        {
            // The instance secret of one instance is a wrong secret for any other, known or not.
            var known = secret == HybridFlowApp.WebhookSecret
                ? (await _app.CreateTenantWithInstanceAsync(webhookSecret: "another-instance-secret-0123456789")).Instance
                : _instance;
            var unknown = await Answer("/webhook/no-such-instance", Body(Payloads.NewChatId()), secret);
            Assert.That(unknown.Status, Is.EqualTo(401), unknown.Body);
            Assert.That(await Answer($"/webhook/{known}", Body(Payloads.NewChatId()), secret), Is.EqualTo(unknown), $"secret {secret ?? "none"}");
            Assert.That(await Answer("/webhooks/evolution", Shared("no-such-instance"), secret), Is.EqualTo(unknown));
            Assert.That(await Answer("/webhooks/evolution", Shared(known), secret), Is.EqualTo(unknown));
        }
        Assert.That(await StoredMessagesAsync(), Is.EqualTo(before));

        // The global secret holds for every instance: its holder may learn which ones exist.
        var global = await _app.PostRawWebhookAsync("/webhook/no-such-instance", Body(Payloads.NewChatId()), GlobalSecret);
        Assert.That((int)global.StatusCode, Is.EqualTo(404), await global.Content.ReadAsStringAsync());
    }

    [TestCase("{\"event\": \"messages.upsert\", \"data\": {")]
    [TestCase("not json at all")]
    [TestCase("")]
    [TestCase("[1, 2, 3]")]
    [TestCase("\"just a string\"")]
    [TestCase("{\"event\": \"messages.upsert\", \"data\": {\"key\": {\"remoteJid\": \"5511\\ud800@s.whatsapp.net\", \"id\": \"X1\"}}}")]
    [TestCase("{\"event\": \"messages.upsert\", \"data\": {\"key\": {\"remoteJid\": \"5511999990001\", \"id\": \"X2\"}, \"message\": {\"conversation\": \"Oi\"}}}")]
    public async Task MalformedBody_Is400_AndStoresNothing(string body)
    {
        var before = await StoredMessagesAsync();
        var response = await _app.PostRawWebhookAsync($"/webhook/{_instance}", body);
        Assert.That((int)response.StatusCode, Is.EqualTo(400), await response.Content.ReadAsStringAsync());
        Assert.That(await StoredMessagesAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task MissingFields_Are400_NamingTheField()
    {
        var cases = new (Action<JsonObject> Break, string Field)[]
        {
            (p => p.Remove("event"), "event"),
            (p => p.Remove("data"), "data"),
            (p => p["data"]!.AsObject().Remove("key"), "data.key"),
            (p => p["data"]!["key"]!.AsObject().Remove("id"), "data.key.id"),
            (p => p["data"]!["key"]!.AsObject().Remove("remoteJid"), "data.key.remoteJid"),
        };
        var before = await StoredMessagesAsync();
        foreach (var (breakIt, field) in cases)
        {
            var payload = Payloads.CustomerText(Payloads.NewChatId(), "Oi").WithInstance(_instance);
            breakIt(payload);
            var response = await _app.PostRawWebhookAsync($"/webhook/{_instance}", payload.ToJsonString());
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.That((int)response.StatusCode, Is.EqualTo(400), $"{field}: {problem}");
            Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, $"errors names {field}: {problem}");
        }
        Assert.That(await StoredMessagesAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task WrongTypes_Are400_AndStoreNothing()
    {
        var cases = new Action<JsonObject>[]
        {
            p => p["event"] = 42,
            p => p["data"] = "text",
            p => p["data"]!["key"] = new JsonArray(),
            p => p["data"]!["key"]!["fromMe"] = "yes",
            p => p["data"]!["key"]!["id"] = 12345,
            p => p["data"]!["key"]!["remoteJid"] = new JsonObject { ["x"] = 1 },
        };
        var before = await StoredMessagesAsync();
        foreach (var breakIt in cases)
        {
            var payload = Payloads.CustomerText(Payloads.NewChatId(), "Oi").WithInstance(_instance);
            breakIt(payload);
            var response = await _app.PostRawWebhookAsync($"/webhook/{_instance}", payload.ToJsonString());
            Assert.That((int)response.StatusCode, Is.EqualTo(400), payload.ToJsonString());
        }
        Assert.That(await StoredMessagesAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task OddButValidShapes_AreTolerated()
    {
        // Sent now (an old message is not answered: stale_message_minutes), in Long's object form and as a string.
        var sentNow = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var weird = Payloads.CustomerText(Payloads.NewChatId(), "Oi").WithInstance(_instance);
        weird["data"]!["messageTimestamp"] = new JsonObject { ["low"] = sentNow, ["high"] = 0, ["unsigned"] = false };
        weird["data"]!["message"]!["conversation"] = "texto com \u0000 nulo";
        weird["extra"] = new JsonObject { ["deep"] = new JsonArray(1, "2", null) };
        Assert.That(await _app.DeliverAsync(_instance, weird), Is.EqualTo("ai_queued"));

        var stringTimestamp = Payloads.CustomerText(Payloads.NewChatId(), "Oi").WithInstance(_instance);
        stringTimestamp["data"]!["messageTimestamp"] = sentNow.ToString(System.Globalization.CultureInfo.InvariantCulture);
        stringTimestamp["event"] = "MESSAGES_UPSERT";
        Assert.That(await _app.DeliverAsync(_instance, stringTimestamp), Is.EqualTo("ai_queued"));

        var unknownEvent = new JsonObject { ["event"] = "presence.update", ["data"] = new JsonObject { ["id"] = "x" } };
        Assert.That(await _app.DeliverAsync(_instance, unknownEvent), Is.EqualTo("ignored_event"));
    }

    [Test]
    public async Task OversizedBody_Is413_AndStoresNothing()
    {
        var before = await StoredMessagesAsync();
        var payload = Payloads.CustomerText(Payloads.NewChatId(), new string('a', 17 * 1024 * 1024)).WithInstance(_instance);
        await AssertRefusedAndNothingStored(await _app.PostRawWebhookAsync($"/webhook/{_instance}", payload.ToJsonString()), 413);
        Assert.That(await StoredMessagesAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task WrongContentType_Is415()
    {
        var response = await _app.PostRawWebhookAsync($"/webhook/{_instance}", Body(Payloads.NewChatId()), contentType: "text/plain");
        Assert.That((int)response.StatusCode, Is.EqualTo(415));
    }
}
