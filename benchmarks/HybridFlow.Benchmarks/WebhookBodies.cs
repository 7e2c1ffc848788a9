using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HybridFlow.Benchmarks;

/// <summary>
/// Real-shaped messages.upsert bodies (tests/HybridFlow.IntegrationTests/Payloads/upsert_text_inbound.json) with a
/// unique data.key.id, the chat's remoteJid and the current messageTimestamp filled in. The template is cut once into
/// literal pieces, so making a body costs the load generator next to nothing.
/// </summary>
public sealed class WebhookBodies
{
    private const string IdMark = "__HF_BENCH_ID__";
    private const string NumberMark = "__HF_BENCH_NUMBER__";
    private const string TimeMark = "__HF_BENCH_TS__";

    private readonly string[] _pieces;
    private readonly int[] _slots;

    private WebhookBodies(string template, string instance)
    {
        Instance = instance;
        var pieces = new List<string>();
        var slots = new List<int>();
        var rest = template;
        while (true)
        {
            var next = new[] { (Mark: "\"" + TimeMark + "\"", Slot: 2), (Mark: IdMark, Slot: 0), (Mark: NumberMark, Slot: 1) }
                .Select(m => (m.Mark, m.Slot, At: rest.IndexOf(m.Mark, StringComparison.Ordinal)))
                .Where(m => m.At >= 0)
                .OrderBy(m => m.At)
                .FirstOrDefault();
            if (next.Mark is null)
            {
                pieces.Add(rest);
                break;
            }
            pieces.Add(rest[..next.At]);
            slots.Add(next.Slot);
            rest = rest[(next.At + next.Mark.Length)..];
        }
        _pieces = [.. pieces];
        _slots = [.. slots];
    }

    public string Instance { get; }

    /// <summary>The text of the template message (what a customer wrote).</summary>
    public string Text { get; private init; } = "";

    public static WebhookBodies Load(string instance)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Payloads", "upsert_text_inbound.json");
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        root["instance"] = instance;
        var data = root["data"]!.AsObject();
        var key = data["key"]!.AsObject();
        key["id"] = IdMark;
        key["remoteJid"] = NumberMark + "@s.whatsapp.net";
        data["messageTimestamp"] = TimeMark;
        var text = data["message"]!["conversation"]!.GetValue<string>();
        // Evolution sends UTF-8 as is, not \u-escaped.
        var json = root.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        return new WebhookBodies(json, instance) { Text = text };
    }

    /// <summary>A WhatsApp-like message id: 32 upper-case hex digits, unique per (run, sequence).</summary>
    public static string MessageId(uint run, long sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{run:X8}{sequence:X24}");

    /// <summary>The phone number of chat <paramref name="chat"/> in a block: 55 11 + 9 digits.</summary>
    public static string Number(int block, long chat) =>
        string.Create(CultureInfo.InvariantCulture, $"5511{block}{chat:D8}");

    public string Body(string messageId, string number, long unixSeconds)
    {
        var builder = new StringBuilder(_pieces.Sum(p => p.Length) + 64);
        for (var i = 0; i < _pieces.Length; i++)
        {
            builder.Append(_pieces[i]);
            if (i >= _slots.Length) break;
            switch (_slots[i])
            {
                case 0: builder.Append(messageId); break;
                case 1: builder.Append(number); break;
                default: builder.Append(unixSeconds.ToString(CultureInfo.InvariantCulture)); break;
            }
        }
        return builder.ToString();
    }

    public byte[] Utf8Body(string messageId, string number, long unixSeconds) => Encoding.UTF8.GetBytes(Body(messageId, number, unixSeconds));
}
