using System.Text;
using System.Text.Json.Nodes;

namespace HybridFlow.IntegrationTests.Fuzzing;

/// <summary>Makes hostile webhook bodies from the real payloads: types swapped, fields removed, huge strings, deep nesting, broken bytes.</summary>
public sealed class WebhookFuzzer
{
    private static readonly string[] PayloadNames =
    [
        "upsert_text_inbound", "upsert_extended_text", "upsert_image_caption", "upsert_audio", "upsert_reaction",
        "upsert_group", "upsert_lid_inbound", "upsert_fromme_phone", "send_message_echo", "messages_update",
        "messages_delete", "upsert_protocol_delete", "connection_update",
    ];

    private readonly Random _random;
    private readonly List<JsonObject> _seeds;

    public WebhookFuzzer(int seed, Func<string, JsonObject> load) : this(seed, load, PayloadNames) { }

    /// <summary>Seeded with other payloads (the Cloud API's, Payloads/meta).</summary>
    public WebhookFuzzer(int seed, Func<string, JsonObject> load, IReadOnlyList<string> payloadNames)
    {
        _random = new Random(seed);
        _seeds = payloadNames.Select(load).ToList();
    }

    /// <summary>One body as raw bytes (it may be invalid UTF-8 or invalid JSON on purpose).</summary>
    public byte[] Next(string instance)
    {
        var roll = _random.Next(100);
        if (roll < 5) return RandomBytes();
        if (roll < 10) return Truncated(instance);
        if (roll < 14) return Encoding.UTF8.GetBytes(DeepNesting(_random.Next(10, 400)));

        var body = (JsonObject)_seeds[_random.Next(_seeds.Count)].DeepClone();
        body["instance"] = instance;
        if (body["data"]?["key"] is JsonObject key) key["id"] = "FUZZ" + _random.NextInt64().ToString("X", System.Globalization.CultureInfo.InvariantCulture);
        var mutations = _random.Next(1, 6);
        for (var i = 0; i < mutations; i++) Mutate(body);
        var text = body.ToJsonString();
        return roll < 20 ? CorruptUtf8(Encoding.UTF8.GetBytes(text)) : Encoding.UTF8.GetBytes(text);
    }

    private void Mutate(JsonObject root)
    {
        var nodes = new List<(JsonNode Parent, object Key)>();
        Collect(root, nodes, 0);
        if (nodes.Count == 0) return;
        var (parent, key) = nodes[_random.Next(nodes.Count)];
        var replacement = _random.Next(12) switch
        {
            0 => null,
            1 => (JsonNode?)_random.Next(),
            2 => -_random.NextInt64(),
            3 => _random.NextDouble() * 1e300,
            4 => _random.Next(2) == 0,
            5 => new string((char)_random.Next(32, 0x2FFF), _random.Next(0, 200_000)),
            6 => new JsonArray(1, "x", null, new JsonObject()),
            7 => new JsonObject { ["low"] = _random.Next(), ["high"] = _random.Next(), ["unsigned"] = true },
            8 => "\u0000\ud83d\ude00\u202e" + new string('\\', _random.Next(0, 10)),
            9 => JsonNode.Parse(DeepNesting(_random.Next(5, 60))),
            10 => "",
            _ => Remove(parent, key),
        };
        if (ReferenceEquals(replacement, RemovedMarker)) return;
        switch (parent)
        {
            case JsonObject o: o[(string)key] = replacement; break;
            case JsonArray a: a[(int)key] = replacement; break;
        }
    }

    private static readonly JsonNode RemovedMarker = JsonValue.Create("removed")!;

    private static JsonNode Remove(JsonNode parent, object key)
    {
        switch (parent)
        {
            case JsonObject o: o.Remove((string)key); break;
            case JsonArray a: a.RemoveAt((int)key); break;
        }
        return RemovedMarker;
    }

    private static void Collect(JsonNode node, List<(JsonNode, object)> into, int depth)
    {
        if (depth > 8) return;
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    into.Add((o, name));
                    if (child is not null) Collect(child, into, depth + 1);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    into.Add((a, i));
                    if (a[i] is { } child) Collect(child, into, depth + 1);
                }
                break;
        }
    }

    private string DeepNesting(int depth)
    {
        var open = _random.Next(2) == 0 ? "{\"a\":" : "[";
        var close = open == "[" ? "]" : "}";
        return "{\"event\":\"messages.upsert\",\"data\":" + string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)) + "}";
    }

    private byte[] RandomBytes()
    {
        var bytes = new byte[_random.Next(0, 4096)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private byte[] Truncated(string instance)
    {
        var body = (JsonObject)_seeds[_random.Next(_seeds.Count)].DeepClone();
        body["instance"] = instance;
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        return bytes[..Math.Max(1, _random.Next(bytes.Length))];
    }

    private byte[] CorruptUtf8(byte[] bytes)
    {
        for (var i = 0; i < _random.Next(1, 4); i++) bytes[_random.Next(bytes.Length)] = (byte)_random.Next(0x80, 0x100);
        return bytes;
    }
}
