using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace HybridFlow.Infrastructure.Observability;

/// <summary>
/// Collects the measurements of the HybridFlow meter with a <see cref="MeterListener"/> and renders them in the
/// Prometheus text exposition format 0.0.4: counters as <c>name_total</c>, histograms as cumulative <c>_bucket{le=...}</c>
/// plus <c>_sum</c> and <c>_count</c>, gauges as is; the unit "s" adds <c>_seconds</c>. Only this host's meter is
/// listened to (by reference), so several hosts in one process never mix their numbers.
/// </summary>
public sealed class PrometheusRegistry : IDisposable
{
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly MeterListener _listener;
    private readonly List<InstrumentState> _instruments = [];
    private readonly Lock _renderLock = new();

    public PrometheusRegistry(HybridFlowMetrics metrics)
    {
        var meter = metrics.Meter;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (!ReferenceEquals(instrument.Meter, meter)) return;
                var state = InstrumentState.For(instrument);
                if (state is null) return;
                lock (_instruments) _instruments.Add(state);
                listener.EnableMeasurementEvents(instrument, state);
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.Start();
        metrics.StartOutcomeSeriesAtZero();
    }

    /// <summary>Reads the observable instruments now and renders everything.</summary>
    public string Render()
    {
        lock (_renderLock)
        {
            InstrumentState[] instruments;
            lock (_instruments) instruments = [.. _instruments];
            foreach (var state in instruments.Where(s => s.IsObservable)) state.Clear();
            _listener.RecordObservableInstruments();

            var text = new StringBuilder();
            foreach (var state in instruments) state.Render(text);
            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private abstract class InstrumentState
    {
        private readonly Lock _lock = new();

        protected InstrumentState(Instrument instrument, string type)
        {
            Name = BaseName(instrument) + (type == "counter" && !BaseName(instrument).EndsWith("_total", StringComparison.Ordinal) ? "_total" : "");
            Help = string.IsNullOrWhiteSpace(instrument.Description) ? Name : instrument.Description;
            Type = type;
            IsObservable = instrument.IsObservable;
        }

        protected string Name { get; }
        private string Help { get; }
        private string Type { get; }
        public bool IsObservable { get; }

        public static InstrumentState? For(Instrument instrument) => instrument switch
        {
            Histogram<double> h => new HistogramState(h, h.Advice?.HistogramBucketBoundaries),
            Histogram<long> h => new HistogramState(h, h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList()),
            Histogram<int> h => new HistogramState(h, h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList()),
            Counter<long> or Counter<int> or Counter<double> => new SumState(instrument, "counter", cumulative: false),
            ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => new SumState(instrument, "counter", cumulative: true),
            UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double> => new SumState(instrument, "gauge", cumulative: false),
            _ => new SumState(instrument, "gauge", cumulative: true), // gauges and observable up-down counters report the current value
        };

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            lock (_lock) Add(labels, value);
        }

        public void Clear()
        {
            lock (_lock) Reset();
        }

        public void Render(StringBuilder text)
        {
            text.Append("# HELP ").Append(Name).Append(' ').Append(EscapeHelp(Help)).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(Type).Append('\n');
            lock (_lock) RenderSamples(text);
        }

        protected abstract void Add(string labels, double value);
        protected abstract void Reset();
        protected abstract void RenderSamples(StringBuilder text);

        protected static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

        /// <summary>Label pairs sorted by name, values escaped, without the braces: <c>a="x",b="y"</c>.</summary>
        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0) return "";
            var pairs = new List<(string Key, string Value)>(tags.Length);
            foreach (var tag in tags) pairs.Add((SanitizeName(tag.Key), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
            pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            return string.Join(',', pairs.Select(p => $"{p.Key}=\"{EscapeLabelValue(p.Value)}\""));
        }

        private static string BaseName(Instrument instrument)
        {
            var name = SanitizeName(instrument.Name);
            var suffix = instrument.Unit switch
            {
                "s" => "_seconds",
                "ms" => "_milliseconds",
                "By" => "_bytes",
                _ => "",
            };
            return suffix.Length > 0 && !name.EndsWith(suffix, StringComparison.Ordinal) ? name + suffix : name;
        }

        private static string SanitizeName(string name)
        {
            var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_').ToArray();
            if (chars.Length == 0 || char.IsAsciiDigit(chars[0])) return "_" + new string(chars);
            return new string(chars);
        }

        public static string EscapeLabelValue(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

        private static string EscapeHelp(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

        protected static string Number(double value) => value switch
        {
            double.PositiveInfinity => "+Inf",
            double.NegativeInfinity => "-Inf",
            double.NaN => "NaN",
            _ => value.ToString("R", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Counters add up deltas; observable instruments and gauges report their current value.</summary>
    private sealed class SumState : InstrumentState
    {
        private readonly bool _cumulative;
        private readonly SortedDictionary<string, double> _values = new(StringComparer.Ordinal);

        public SumState(Instrument instrument, string type, bool cumulative) : base(instrument, type) => _cumulative = cumulative;

        protected override void Add(string labels, double value) =>
            _values[labels] = _cumulative ? value : _values.GetValueOrDefault(labels) + value;

        protected override void Reset() => _values.Clear();

        protected override void RenderSamples(StringBuilder text)
        {
            foreach (var (labels, value) in _values) text.Append(Name).Append(Braces(labels)).Append(' ').Append(Number(value)).Append('\n');
        }
    }

    private sealed class HistogramState : InstrumentState
    {
        private readonly double[] _bounds;
        private readonly SortedDictionary<string, (long[] Counts, double Sum, long Count)> _series = new(StringComparer.Ordinal);

        public HistogramState(Instrument instrument, IReadOnlyList<double>? bounds) : base(instrument, "histogram") =>
            _bounds = [.. (bounds is { Count: > 0 } ? bounds : DefaultBuckets).Where(double.IsFinite).Distinct().Order()];

        protected override void Add(string labels, double value)
        {
            if (!_series.TryGetValue(labels, out var s)) s = (new long[_bounds.Length + 1], 0, 0);
            var index = Array.FindIndex(_bounds, b => value <= b);
            s.Counts[index < 0 ? _bounds.Length : index]++;
            _series[labels] = (s.Counts, s.Sum + value, s.Count + 1);
        }

        protected override void Reset() => _series.Clear();

        protected override void RenderSamples(StringBuilder text)
        {
            foreach (var (labels, s) in _series)
            {
                var prefix = labels.Length == 0 ? "" : labels + ",";
                long cumulative = 0;
                for (var i = 0; i < _bounds.Length; i++)
                {
                    cumulative += s.Counts[i];
                    text.Append(Name).Append("_bucket{").Append(prefix).Append("le=\"").Append(Number(_bounds[i])).Append("\"} ").Append(cumulative).Append('\n');
                }
                text.Append(Name).Append("_bucket{").Append(prefix).Append("le=\"+Inf\"} ").Append(s.Count).Append('\n');
                text.Append(Name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Number(s.Sum)).Append('\n');
                text.Append(Name).Append("_count").Append(Braces(labels)).Append(' ').Append(s.Count).Append('\n');
            }
        }
    }
}
