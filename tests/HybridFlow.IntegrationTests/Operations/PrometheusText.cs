using System.Globalization;
using System.Text.RegularExpressions;

namespace HybridFlow.IntegrationTests.Operations;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, as a scraper would read /metrics: every sample must
/// belong to a family declared by HELP and TYPE lines before it, names and labels must be well formed, values must parse.
/// </summary>
public sealed partial class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    private PrometheusText(IReadOnlyList<Sample> samples, IReadOnlyDictionary<string, string> types, IReadOnlyDictionary<string, string> help)
    {
        Samples = samples;
        Types = types;
        Help = help;
    }

    public IReadOnlyList<Sample> Samples { get; }
    /// <summary>Family name to TYPE (counter, gauge, histogram, ...).</summary>
    public IReadOnlyDictionary<string, string> Types { get; }
    public IReadOnlyDictionary<string, string> Help { get; }

    public static PrometheusText Parse(string text)
    {
        Assert.That(text, Does.EndWith("\n"), "the exposition ends with a line feed");
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>();
        var help = new Dictionary<string, string>();
        foreach (var line in text.Split('\n').Where(l => l.Length > 0))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ', 2);
                Assert.That(MetricName().IsMatch(parts[0]), Is.True, line);
                Assert.That(help.TryAdd(parts[0], parts.Length > 1 ? parts[1] : ""), Is.True, $"one HELP per family: {line}");
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ');
                Assert.That(parts, Has.Length.EqualTo(2), line);
                Assert.That(parts[1], Is.AnyOf("counter", "gauge", "histogram", "summary", "untyped"), line);
                Assert.That(types.TryAdd(parts[0], parts[1]), Is.True, $"one TYPE per family: {line}");
                continue;
            }
            Assert.That(line, Does.Not.StartWith("#"), $"only HELP and TYPE comments are written: {line}");

            var match = SampleLine().Match(line);
            Assert.That(match.Success, Is.True, $"malformed sample line: {line}");
            var name = match.Groups["name"].Value;
            var labels = new Dictionary<string, string>();
            var labelText = match.Groups["labels"].Value;
            if (labelText.Length > 0)
            {
                var consumed = 0;
                foreach (Match label in LabelPair().Matches(labelText))
                {
                    Assert.That(label.Index, Is.EqualTo(consumed), $"malformed labels: {line}");
                    labels.Add(label.Groups["key"].Value, Unescape(label.Groups["value"].Value));
                    consumed = label.Index + label.Length;
                }
                Assert.That(consumed, Is.EqualTo(labelText.Length), $"malformed labels: {line}");
            }
            var family = Family(name, types);
            Assert.That(family, Is.Not.Null, $"sample before its TYPE line: {line}");
            samples.Add(new Sample(name, labels, ParseValue(match.Groups["value"].Value)));
        }
        Assert.That(help.Keys, Is.EquivalentTo(types.Keys), "every family has both HELP and TYPE");
        return new PrometheusText(samples, types, help);
    }

    /// <summary>The value of the one sample with this name and exactly these labels; null when absent.</summary>
    public double? Value(string name, params (string Key, string Value)[] labels)
    {
        var matches = Samples.Where(s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).ToList();
        Assert.That(matches.Count, Is.LessThanOrEqualTo(1), $"{name} is not unique");
        return matches.Count == 1 ? matches[0].Value : null;
    }

    /// <summary>0 when the series is absent (a counter that has not counted yet).</summary>
    public double ValueOrZero(string name, params (string Key, string Value)[] labels) => Value(name, labels) ?? 0;

    /// <summary>The histogram's buckets for one label set, by <c>le</c>, in file order.</summary>
    public IReadOnlyList<(string Le, double Count)> Buckets(string family, params (string Key, string Value)[] labels) =>
        Samples.Where(s => s.Name == family + "_bucket" && s.Labels.Count == labels.Length + 1
                           && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value))
            .Select(s => (s.Labels["le"], s.Value))
            .ToList();

    private static string? Family(string sampleName, Dictionary<string, string> types)
    {
        if (types.ContainsKey(sampleName)) return sampleName;
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && types.TryGetValue(sampleName[..^suffix.Length], out var type) && type is "histogram" or "summary")
                return sampleName[..^suffix.Length];
        }
        return null;
    }

    private static double ParseValue(string value) => value switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Unescape(string value) =>
        EscapeSequence().Replace(value, m => m.Value[1] switch { 'n' => "\n", var c => c.ToString() });

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\\n]|\\[\\"n])*)",?""")]
    private static partial Regex LabelPair();

    [GeneratedRegex(@"\\[\\""n]")]
    private static partial Regex EscapeSequence();
}
