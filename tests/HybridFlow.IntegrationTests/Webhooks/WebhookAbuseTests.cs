using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Webhooks;

/// <summary>
/// Strangers on the webhook routes: their refusals are counted per source address and never spend an instance's budget,
/// and before a caller is authenticated at most 256 KiB of its body is read.
/// </summary>
public sealed class WebhookAbuseTests
{
    private const int RefusalLimit = 5;
    private const int DeliveryLimit = 12;
    private const int PreAuthenticationLimit = 256 * 1024;
    private HybridFlowApp _app = null!;
    private string _instance = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["RATE_LIMIT_WEBHOOK_UNAUTH_PER_MINUTE"] = RefusalLimit.ToString(CultureInfo.InvariantCulture),
            ["RATE_LIMIT_WEBHOOK_PER_MINUTE"] = DeliveryLimit.ToString(CultureInfo.InvariantCulture),
        });
        (_, _instance) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "off" });
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    /// <summary>A client whose connections come from <paramref name="source"/> (any 127.x address is this machine).</summary>
    private static HttpClient ClientFrom(string source, Uri baseAddress) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { BaseAddress = baseAddress };

    private static HttpRequestMessage Delivery(string path, string body, string? secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (secret is not null) request.Headers.Add("X-Webhook-Secret", secret);
        return request;
    }

    private string Customer(string instance, string? apiKey = "not-the-instance-key", int padding = 0)
    {
        var payload = Payloads.CustomerText(Payloads.NewChatId(), "Oi").WithInstance(instance);
        payload["apikey"] = apiKey;
        if (padding > 0) payload["padding"] = new string('x', padding);
        return payload.ToJsonString();
    }

    private static string RandomInstance() => "guess-" + Guid.NewGuid().ToString("N")[..12];

    [Test]
    public async Task AFloodOfStrangersOnARealInstancesPath_Gets429PerAddress_WhileEvolutionsDeliveriesKeepTheirBudget()
    {
        // A real API process, so that the stranger (127.0.0.2) and Evolution (127.0.0.1) connect from different addresses.
        await using var api = await ApiProcess.StartAsync(_app.Settings);
        using var stranger = ClientFrom("127.0.0.2", api.BaseAddress);
        using var evolution = ClientFrom("127.0.0.1", api.BaseAddress);

        var attempts = new Func<HttpRequestMessage>[]
        {
            () => Delivery($"webhook/{_instance}", Customer(_instance), secret: null),
            () => Delivery($"webhook/{_instance}", Customer(_instance), "wrong-secret-wrong-secret"),
            () => Delivery($"webhook/{RandomInstance()}", Customer(_instance), secret: null),
            () => Delivery("webhooks/evolution", Customer(RandomInstance()), "wrong-secret-wrong-secret"),
        };
        for (var i = 0; i < RefusalLimit; i++)
        {
            var response = await stranger.SendAsync(attempts[i % attempts.Length]());
            Assert.That((int)response.StatusCode, Is.EqualTo(401), $"refusal {i + 1}: {await response.Content.ReadAsStringAsync()}");
        }
        for (var i = 0; i < 4 * DeliveryLimit; i++)
        {
            var response = await stranger.SendAsync(attempts[i % attempts.Length]());
            Assert.That((int)response.StatusCode, Is.EqualTo(429), $"flood {i + 1}: {await response.Content.ReadAsStringAsync()}");
            Assert.That(response.Headers.RetryAfter?.Delta?.TotalSeconds, Is.InRange(1, 60));
        }
        // Refused before its body is read: a body that would otherwise be 413 is 429 too.
        var big = await stranger.SendAsync(Delivery($"webhook/{_instance}", Customer(_instance, padding: 2 * PreAuthenticationLimit), secret: null));
        Assert.That((int)big.StatusCode, Is.EqualTo(429), await big.Content.ReadAsStringAsync());

        // Evolution's deliveries, authenticated, get the instance's whole budget: the stranger spent none of it.
        for (var i = 0; i < DeliveryLimit; i++)
        {
            var response = await evolution.SendAsync(Delivery($"webhook/{_instance}", Customer(_instance), HybridFlowApp.WebhookSecret));
            var body = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(200), $"delivery {i + 1}: {body}\n{api.Output}");
            Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("action").GetString(), Is.EqualTo("recorded"));
        }
        var overBudget = await evolution.SendAsync(Delivery($"webhook/{_instance}", Customer(_instance), HybridFlowApp.WebhookSecret));
        Assert.That((int)overBudget.StatusCode, Is.EqualTo(429), "the instance's own budget still holds");

        // The stranger's address is still refused, even with the right secret (its refusals are spent for the window).
        var strangerWithSecret = await stranger.SendAsync(Delivery($"webhook/{_instance}", Customer(_instance), HybridFlowApp.WebhookSecret));
        Assert.That((int)strangerWithSecret.StatusCode, Is.EqualTo(429));
    }

    [Test]
    public async Task ABodyOver256KiB_WithoutHeaderCredentials_Is413BeforeAuthentication_AndWithThemIsAccepted()
    {
        var before = await _app.ScalarAsync<long>("SELECT count(*) FROM messages");
        var large = Customer(_instance, apiKey: HybridFlowApp.EvolutionApiKey, padding: PreAuthenticationLimit);
        Assert.That(Encoding.UTF8.GetByteCount(large), Is.GreaterThan(PreAuthenticationLimit));

        // Even the body's right apikey is not read past 256 KiB: without header, token or Bearer credentials it is 413.
        var declared = await _app.Client.SendAsync(Delivery($"webhook/{_instance}", large, secret: null));
        Assert.That((int)declared.StatusCode, Is.EqualTo(413), await declared.Content.ReadAsStringAsync());
        Assert.That(declared.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await declared.Content.ReadAsStringAsync(), Does.Contain(PreAuthenticationLimit.ToString(CultureInfo.InvariantCulture)));

        // Chunked, with no Content-Length: the reading itself stops.
        var chunked = new HttpRequestMessage(HttpMethod.Post, $"/webhook/{_instance}")
        {
            Content = new StreamContent(System.IO.Pipelines.PipeReader.Create(new MemoryStream(Encoding.UTF8.GetBytes(large))).AsStream()),
        };
        chunked.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        var chunkedResponse = await _app.Client.SendAsync(chunked);
        Assert.That((int)chunkedResponse.StatusCode, Is.EqualTo(413), await chunkedResponse.Content.ReadAsStringAsync());
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM messages"), Is.EqualTo(before), "refused bodies store nothing");

        // Wrong header credentials on a large body: refused as what they are.
        var wrong = await _app.Client.SendAsync(Delivery($"webhook/{_instance}", large, "wrong-secret-wrong-secret"));
        Assert.That((int)wrong.StatusCode, Is.EqualTo(401), await wrong.Content.ReadAsStringAsync());

        // With the secret header, today's 16 MiB limit applies, on the path route and on the shared one (instance in the body).
        var withSecret = await _app.Client.SendAsync(Delivery($"webhook/{_instance}", large, HybridFlowApp.WebhookSecret));
        Assert.That((int)withSecret.StatusCode, Is.EqualTo(200), await withSecret.Content.ReadAsStringAsync());
        var shared = await _app.Client.SendAsync(Delivery("webhooks/evolution", Customer(_instance, padding: 4 * PreAuthenticationLimit), HybridFlowApp.WebhookSecret));
        Assert.That((int)shared.StatusCode, Is.EqualTo(200), await shared.Content.ReadAsStringAsync());
        var another = Customer(_instance, apiKey: null, padding: PreAuthenticationLimit);
        var token = await _app.Client.SendAsync(Delivery($"webhook/{_instance}?token={HybridFlowApp.WebhookSecret}", another, secret: null));
        Assert.That((int)token.StatusCode, Is.EqualTo(200), await token.Content.ReadAsStringAsync());
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM messages"), Is.EqualTo(before + 3));
    }

    [Test]
    public async Task ABodyNamingTwoInstances_CannotUseOnesSecretToDeliverToTheOther()
    {
        var (_, other) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "off" }, webhookSecret: "the-other-instance-secret-0123456789");
        // The secret is checked for the first "instance"; a JSON reader keeps the last one.
        var body = Customer(_instance, apiKey: null);
        var twoInstances = body.Insert(body.LastIndexOf('}'), $",\"instance\": \"{other}\"");
        var response = await _app.Client.SendAsync(Delivery("webhooks/evolution", twoInstances, HybridFlowApp.WebhookSecret));
        Assert.That((int)response.StatusCode, Is.EqualTo(400), await response.Content.ReadAsStringAsync());
        Assert.That(await _app.ScalarAsync<long>(
            "SELECT count(*) FROM sessions s JOIN instances i ON i.id = s.instance_id WHERE i.instance_name = $1", other), Is.EqualTo(0));
    }
}
