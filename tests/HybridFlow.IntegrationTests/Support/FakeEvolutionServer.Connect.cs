using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// Connecting WhatsApp by QR code, as Evolution 2.3 does it: <c>GET /instance/connect/{instance}</c> answers the QR code
/// (<c>{pairingCode, code, base64, count}</c>, base64 a PNG data URL) while the instance is not open, and
/// <c>{instance: {instanceName, state: "open"}}</c> once it is; <c>POST /instance/create</c> (Evolution's global key as
/// apikey) creates a forgotten instance and answers its first QR code, or 403 when the name is in use. The fake then posts
/// QRCODE_UPDATED and CONNECTION_UPDATE to the webhook configured through /webhook/set, with its headers, as Evolution does.
/// </summary>
public sealed partial class FakeEvolutionServer
{
    public const string ConnectPath = "/instance/connect/";
    public const string CreateInstancePath = "/instance/create";
    public const string FakePairingCode = "WZYE-H1YY";

    private readonly ConcurrentDictionary<string, int> _qrCounts = new();
    private readonly ConcurrentDictionary<string, string?> _createdTokens = new();
    private static readonly HttpClient WebhookClient = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Evolution's AUTHENTICATION_API_KEY: /instance/create answers 401 without it.</summary>
    public string GlobalApiKey { get; set; } = "evolution-global-key-0123456789";

    /// <summary>The <c>token</c> each instance was created with through /instance/create.</summary>
    public IReadOnlyDictionary<string, string?> CreatedInstances => _createdTokens;

    /// <summary>The QR code the fake shows for the instance's <paramref name="count"/>th code: a real PNG, different for every count.</summary>
    public static string QrCodeDataUrl(string instance, int count) => "data:image/png;base64," + Convert.ToBase64String(Png(instance, count));

    /// <summary>The QR code Evolution renews (about every 40 s): QRCODE_UPDATED to the configured webhook; answers the new data URL.</summary>
    public async Task<string> RenewQrCodeAsync(string instance)
    {
        var count = _qrCounts.AddOrUpdate(instance, 1, (_, c) => c + 1);
        var qr = QrCodeDataUrl(instance, count);
        var response = await PostToConfiguredWebhookAsync(instance, QrCodeUpdatedPayload(instance, qr, FakePairingCode));
        Assert.That((int)response.Status, Is.EqualTo(200), response.Body);
        return qr;
    }

    /// <summary>The phone scanned the code: the instance is open, and CONNECTION_UPDATE says so to the configured webhook.</summary>
    public async Task LinkAsync(string instance)
    {
        _connectionStates[instance] = "open";
        var response = await PostToConfiguredWebhookAsync(instance, ConnectionUpdatePayload(instance, "open"));
        Assert.That((int)response.Status, Is.EqualTo(200), response.Body);
    }

    /// <summary>Posts an event to the URL and headers the instance's /webhook/set stored, as Evolution's webhook controller does.</summary>
    public async Task<(int Status, string Body)> PostToConfiguredWebhookAsync(string instance, JsonObject payload)
    {
        var webhook = WebhookOf(instance) ?? throw new InvalidOperationException($"No webhook was configured for {instance}.");
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.GetProperty("url").GetString())
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (webhook.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object)
            foreach (var header in headers.EnumerateObject())
                request.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
        using var response = await WebhookClient.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>QRCODE_UPDATED as Evolution 2.3's Baileys service sends it (<c>data.qrcode: {instance, pairingCode, code, base64}</c>).</summary>
    public static JsonObject QrCodeUpdatedPayload(string instance, string qrDataUrl, string? pairingCode) => new()
    {
        ["event"] = "qrcode.updated",
        ["instance"] = instance,
        ["data"] = new JsonObject
        {
            ["qrcode"] = new JsonObject
            {
                ["instance"] = instance,
                ["pairingCode"] = pairingCode,
                ["code"] = "2@y8Kp3QfV0mZx7TnE4sWbLq9R,Hf2cJ8dQxL0pYvN6tKzS3aWmE5rBu1g=,Zk9PqL2wXv7TnE4sWbLq9RHf2cJ8dQxL0pYvN6tKzS=,aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9f=",
                ["base64"] = qrDataUrl,
            },
        },
        ["destination"] = "https://hybridflow.example.com/webhook/" + instance,
        ["date_time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        ["sender"] = null,
        ["server_url"] = "https://evo.example.com",
        ["apikey"] = null,
    };

    /// <summary>CONNECTION_UPDATE as Evolution 2.3 sends it; an open one names the account (wuid, profileName).</summary>
    public static JsonObject ConnectionUpdatePayload(string instance, string state)
    {
        var data = new JsonObject { ["instance"] = instance };
        if (state == "open")
        {
            data["wuid"] = "5511988887777@s.whatsapp.net";
            data["profileName"] = "Padaria Demo";
            data["profilePictureUrl"] = null;
        }
        data["state"] = state;
        data["statusReason"] = state == "close" ? 401 : 200;
        return new JsonObject
        {
            ["event"] = "connection.update",
            ["instance"] = instance,
            ["data"] = data,
            ["destination"] = "https://hybridflow.example.com/webhook/" + instance,
            ["date_time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["sender"] = state == "open" ? "5511988887777@s.whatsapp.net" : null,
            ["server_url"] = "https://evo.example.com",
            ["apikey"] = null,
        };
    }

    private void ResetConnect()
    {
        _qrCounts.Clear();
        _createdTokens.Clear();
        GlobalApiKey = "evolution-global-key-0123456789";
    }

    /// <summary>Evolution's connectToWhatsapp: the state when open, else a new QR code (the instance is then connecting).</summary>
    private async Task ConnectAsync(HttpContext context, Dictionary<string, string> headers, string body, string instance)
    {
        if (_connectionStates.TryGetValue(instance, out var state) && state == "open")
        {
            await AnswerAsync(context, headers, body, 200, JsonSerializer.Serialize(new { instance = new { instanceName = instance, state = "open" } }));
            return;
        }
        _connectionStates[instance] = "connecting";
        var count = _qrCounts.AddOrUpdate(instance, 1, (_, c) => c + 1);
        await AnswerAsync(context, headers, body, 200, JsonSerializer.Serialize(new
        {
            pairingCode = FakePairingCode, code = "2@fakeqrcode" + count.ToString(CultureInfo.InvariantCulture), base64 = QrCodeDataUrl(instance, count), count,
        }));
    }

    /// <summary>Evolution's createInstance: the global key only, a name in use is 403, a new instance answers its first QR code.</summary>
    private async Task CreateInstanceAsync(HttpContext context, Dictionary<string, string> headers, string body)
    {
        if (headers.GetValueOrDefault("apikey") != GlobalApiKey)
        {
            await AnswerAsync(context, headers, body, 401, """{"status":401,"error":"Unauthorized","response":{"message":"Unauthorized"}}""");
            return;
        }
        var request = JsonNode.Parse(body);
        var name = request?["instanceName"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name))
        {
            await AnswerAsync(context, headers, body, 400, """{"status":400,"error":"Bad Request","response":{"message":["instanceName is required"]}}""");
            return;
        }
        if (!_missingInstances.ContainsKey(name) || _createdTokens.ContainsKey(name))
        {
            await AnswerAsync(context, headers, body, 403,
                JsonSerializer.Serialize(new { status = 403, error = "Forbidden", response = new { message = new[] { $"This name \"{name}\" is already in use." } } }));
            return;
        }
        _missingInstances.TryRemove(name, out _);
        var token = request?["token"]?.GetValue<string>();
        _createdTokens[name] = token;
        _connectionStates[name] = "connecting";
        var count = _qrCounts.AddOrUpdate(name, 1, (_, c) => c + 1);
        await AnswerAsync(context, headers, body, 201, JsonSerializer.Serialize(new
        {
            instance = new { instanceName = name, instanceId = Guid.NewGuid().ToString(), integration = "WHATSAPP-BAILEYS", status = "connecting" },
            hash = token,
            webhook = new { },
            settings = new { rejectCall = false, groupsIgnore = false },
            qrcode = new { pairingCode = FakePairingCode, code = "2@fakeqrcode", base64 = QrCodeDataUrl(name, count), count },
        }));
    }

    /// <summary>A small grayscale PNG whose pixels depend on the instance and the count.</summary>
    private static byte[] Png(string instance, int count)
    {
        const int size = 21;
        var seed = instance.Aggregate(count * 7919, (h, c) => h * 31 + c);
        var raw = new byte[size * (size + 1)];
        for (var y = 0; y < size; y++)
        {
            raw[y * (size + 1)] = 0; // filter: none
            for (var x = 0; x < size; x++)
                raw[y * (size + 1) + 1 + x] = (byte)(((x * 73 + y * 151 + seed) >> 3 & 1) == 0 ? 0 : 255);
        }
        using var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var header = new byte[13];
        header[3] = size;
        header[7] = size;
        header[8] = 8; // bit depth
        header[9] = 0; // grayscale
        Chunk(png, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);
            Chunk(png, "IDAT", compressed.ToArray());
        }
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var typeBytes = Encoding.ASCII.GetBytes(type);
        png.Write(BigEndian((uint)data.Length));
        png.Write(typeBytes);
        png.Write(data);
        png.Write(BigEndian(Crc32([.. typeBytes, .. data])));
    }

    private static byte[] BigEndian(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return crc ^ 0xFFFFFFFFu;
    }
}
