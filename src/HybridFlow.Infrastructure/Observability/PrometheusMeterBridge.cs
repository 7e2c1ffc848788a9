using System.Diagnostics.Metrics;
using System.Globalization;
using Prometheus;

namespace HybridFlow.Infrastructure.Observability;

/// <summary>
/// Publishes this host's HybridFlow meter in its own prometheus-net <see cref="CollectorRegistry"/>, which GET /metrics
/// serves. Counters become prometheus-net counters (<c>name_total</c>), histograms keep their advised buckets, observable
/// gauges are read at scrape time; the unit "s" adds <c>_seconds</c>. prometheus-net's own MeterAdapter is not used:
/// in 8.2.1 it exposes .NET counters as gauges without <c>_total</c>, names series "meter_instrument" without unit
/// suffixes and drops series idle for at most a day, which would break the documented names and types.
/// Only this host's meter is listened to (by reference), so several hosts in one process never mix their numbers.
/// </summary>
public sealed class PrometheusMeterBridge : IDisposable
{
    private readonly MeterListener _listener;
    private readonly List<Sink> _observables = [];
    // One scrape at a time: the queue snapshot is shared by the observable gauges.
    private readonly SemaphoreSlim _scrape = new(1, 1);

    /// <param name="metrics">The host's instruments.</param>
    /// <param name="readQueue">Reads the reply queue right before each scrape; null leaves the queue gauges out of it.</param>
    internal PrometheusMeterBridge(HybridFlowMetrics metrics, Func<CancellationToken, Task<ReplyQueueSnapshot?>> readQueue)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        // Process CPU, memory, threads and GC counts: cheap, and what a dashboard expects next to the service's own series.
        DotNetStats.Register(Registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);

        var meter = metrics.Meter;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (!ReferenceEquals(instrument.Meter, meter)) return;
                var sink = Sink.For(instrument, factory);
                if (sink is null) return;
                if (instrument.IsObservable) lock (_observables) _observables.Add(sink);
                listener.EnableMeasurementEvents(instrument, sink);
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((Sink)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((Sink)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((Sink)state!).Record(value, tags));
        _listener.Start();
        metrics.StartOutcomeSeriesAtZero();

        Registry.AddBeforeCollectCallback(async ct =>
        {
            await _scrape.WaitAsync(ct);
            try
            {
                Sink[] observables;
                lock (_observables) observables = [.. _observables];
                // A gauge that reports nothing this time (the database did not answer, or the read failed) is left out, not shown stale.
                foreach (var sink in observables) sink.Unpublish();
                metrics.SetReplyQueue(await readQueue(ct));
                _listener.RecordObservableInstruments();
            }
            finally
            {
                _scrape.Release();
            }
        });
    }

    public CollectorRegistry Registry { get; }

    public void Dispose()
    {
        _listener.Dispose();
        _scrape.Dispose();
    }

    /// <summary>One instrument's Prometheus collector, created at its first measurement, when its tag names are known.</summary>
    private abstract class Sink
    {
        private readonly Lock _lock = new();
        private volatile string[]? _labelNames;

        protected Sink(Instrument instrument, string suffix)
        {
            var name = PrometheusName(instrument.Name);
            var unit = instrument.Unit switch { "s" => "_seconds", "ms" => "_milliseconds", "By" => "_bytes", _ => "" };
            if (!name.EndsWith(unit, StringComparison.Ordinal)) name += unit;
            if (!name.EndsWith(suffix, StringComparison.Ordinal)) name += suffix;
            Name = name;
            Help = string.IsNullOrWhiteSpace(instrument.Description) ? name : instrument.Description;
        }

        protected string Name { get; }
        protected string Help { get; }

        public static Sink? For(Instrument instrument, IMetricFactory factory) => instrument switch
        {
            Counter<long> or Counter<int> or Counter<double> => new CounterSink(instrument, factory),
            Histogram<double> h => new HistogramSink(instrument, factory, h.Advice?.HistogramBucketBoundaries),
            Histogram<long> h => new HistogramSink(instrument, factory, h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList()),
            Histogram<int> h => new HistogramSink(instrument, factory, h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList()),
            ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double> => new GaugeSink(instrument, factory),
            _ => null, // HybridFlow has no other kind; a new one must be mapped here before it shows up in /metrics.
        };

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var names = _labelNames;
            if (names is null)
            {
                lock (_lock)
                {
                    if (_labelNames is null)
                    {
                        string[] created = [.. SortedTagNames(tags)];
                        Create(created);
                        _labelNames = created;
                    }
                    names = _labelNames;
                }
            }
            var values = new string[names.Length];
            for (var i = 0; i < names.Length; i++) values[i] = TagValue(tags, names[i]);
            Record(value, values);
        }

        public abstract void Unpublish();

        protected abstract void Create(string[] labelNames);
        protected abstract void Record(double value, string[] labelValues);

        private static IEnumerable<string> SortedTagNames(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var names = new List<string>(tags.Length);
            foreach (var tag in tags) names.Add(PrometheusName(tag.Key));
            return names.Distinct().Order(StringComparer.Ordinal);
        }

        /// <summary>The tag's value as text; "" when this measurement lacks a tag the series was created with.</summary>
        private static string TagValue(ReadOnlySpan<KeyValuePair<string, object?>> tags, string labelName)
        {
            foreach (var tag in tags)
                if (PrometheusName(tag.Key) == labelName) return Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? "";
            return "";
        }

        private static string PrometheusName(string name)
        {
            var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray();
            return chars.Length == 0 || char.IsAsciiDigit(chars[0]) ? "_" + new string(chars) : new string(chars);
        }
    }

    private sealed class CounterSink(Instrument instrument, IMetricFactory factory) : Sink(instrument, "_total")
    {
        private Counter? _counter;

        protected override void Create(string[] labelNames) => _counter = factory.CreateCounter(Name, Help, labelNames);

        protected override void Record(double value, string[] labelValues) => _counter!.WithLabels(labelValues).Inc(value);

        public override void Unpublish() { }
    }

    private sealed class HistogramSink(Instrument instrument, IMetricFactory factory, IReadOnlyList<double>? bounds) : Sink(instrument, "")
    {
        private Histogram? _histogram;

        protected override void Create(string[] labelNames) =>
            _histogram = factory.CreateHistogram(Name, Help, labelNames, new HistogramConfiguration
            {
                // Without advice, prometheus-net's default buckets (5 ms to 10 s).
                Buckets = bounds is { Count: > 0 } ? [.. bounds.Where(double.IsFinite).Distinct().Order()] : null,
            });

        protected override void Record(double value, string[] labelValues) => _histogram!.WithLabels(labelValues).Observe(value);

        public override void Unpublish() { }
    }

    private sealed class GaugeSink(Instrument instrument, IMetricFactory factory) : Sink(instrument, "")
    {
        private Gauge? _gauge;

        protected override void Create(string[] labelNames) => _gauge = factory.CreateGauge(Name, Help, labelNames);

        protected override void Record(double value, string[] labelValues) => _gauge!.WithLabels(labelValues).Set(value);

        public override void Unpublish()
        {
            var gauge = _gauge;
            if (gauge is null) return;
            // GetAllLabelValues leaves out the label-less series.
            if (gauge.LabelNames.Length == 0) gauge.Unpublish();
            else foreach (var labelValues in gauge.GetAllLabelValues()) gauge.WithLabels(labelValues).Unpublish();
        }
    }
}
