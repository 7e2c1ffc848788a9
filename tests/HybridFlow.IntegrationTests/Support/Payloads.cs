using System.Text.Json.Nodes;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>The real-shaped Evolution bodies of shared/payloads (copied into Payloads/), adjustable per test.</summary>
public static class Payloads
{
    // A random start per test run and a counter: unique within the run (sequence + random could repeat a number once
    // a test made more than a thousand chats), and unlikely to meet a number left by an earlier run.
    private static int _sequence = Random.Shared.Next(10_000_000, 80_000_000);

    public static JsonObject Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Payloads", name + ".json");
        return JsonNode.Parse(File.ReadAllText(path))!.AsObject();
    }

    /// <summary>A unique phone JID per call, so tests in one class never share a chat.</summary>
    public static string NewChatId() => $"55119{Interlocked.Increment(ref _sequence):D8}@s.whatsapp.net";

    public static string NewMessageId() => Guid.NewGuid().ToString("N").ToUpperInvariant();

    /// <summary>A customer text in <paramref name="chatId"/>, sent now.</summary>
    public static JsonObject CustomerText(string chatId, string text, string? messageId = null, DateTimeOffset? at = null)
    {
        var p = Load("upsert_text_inbound");
        var data = p["data"]!;
        data["key"]!["remoteJid"] = chatId;
        data["key"]!["id"] = messageId ?? NewMessageId();
        data["message"]!["conversation"] = text;
        data["messageTimestamp"] = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        return p;
    }

    /// <summary>The owner typing on the phone in <paramref name="chatId"/>.</summary>
    public static JsonObject OwnerText(string chatId, string text, DateTimeOffset? at = null)
    {
        var p = Load("upsert_fromme_phone");
        var data = p["data"]!;
        data["key"]!["remoteJid"] = chatId;
        data["key"]!["id"] = NewMessageId();
        data["message"]!["conversation"] = text;
        data["messageTimestamp"] = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        return p;
    }

    /// <summary>Evolution's send.message echo for a message sent through its REST API.</summary>
    public static JsonObject SendMessageEcho(string chatId, string text, string keyId, DateTimeOffset? at = null)
    {
        var p = Load("send_message_echo");
        var data = p["data"]!;
        data["key"]!["remoteJid"] = chatId;
        data["key"]!["id"] = keyId;
        data["message"]!["conversation"] = text;
        data["messageTimestamp"] = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        return p;
    }

    public static JsonObject WithInstance(this JsonObject payload, string instance)
    {
        payload["instance"] = instance;
        return payload;
    }
}
