using System.Globalization;
using System.Text;

namespace HybridFlow.Benchmarks;

/// <summary>The comparison against another commit, the fixed baseline's description and the --ingest-only report.</summary>
public static partial class Report
{
    /// <summary>This tree's figures next to the other commit's, from the same run, with the verdict against issue 18's bar.</summary>
    private static void ComparisonSection(StringBuilder md, IngestComparison c, BenchmarkOptions o)
    {
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        void Text(string text) => md.AppendLine(text);
        var (t, r, v) = (c.This, c.Other, c.Verdict);

        Line($"## Ingest: {c.ThisLabel} against {c.OtherLabel}, same run");
        Text("");
        Line($"Both APIs, this tree ({c.ThisLabel}) and {c.OtherLabel}, published in Release and running side by side, each on a fresh");
        Line($"database of its own (each applied its own migrations), with the same settings and the same load: `POST /webhook/{{instance}}`");
        Line($"with `X-Webhook-Secret` (both commits take it the same way), reply_mode off, {o.Concurrency} connections, {o.Chats:N0} chats, after a");
        Line($"{o.InitialWarmup.TotalSeconds:0.#} s warm-up each. {c.Rounds.Count} round(s), each: {c.ThisLabel}, then {c.OtherLabel}, then the fixed pgbench baseline, each");
        Line($"{o.Duration.TotalSeconds:0.#} s after a `CHECKPOINT` (the APIs after a {o.Warmup.TotalSeconds:0.#} s warm-up too). Only one API is loaded at a time; the CPU");
        Text("figures are each API process's own and PostgreSQL's (all its processes). Medians over the rounds:");
        Text("");
        Line($"| | {c.ThisLabel} | {c.OtherLabel} | {c.ThisLabel} / {c.OtherLabel} |");
        Text("|---|---|---|---|");
        Line($"| **deliveries/s** | **{t.Rps:0}** | **{r.Rps:0}** | **{v.RpsRatio:0.00}** |");
        Line($"| p50 | {Ms(t.P50)} | {Ms(r.P50)} | {t.P50 / r.P50:0.00} |");
        Line($"| **p99** | **{Ms(t.P99)}** | **{Ms(r.P99)}** | **{v.P99Ratio:0.00}** |");
        Line($"| CPU per delivery, API process | {Ms(t.ApiCpuMs)} | {Ms(r.ApiCpuMs)} | {t.ApiCpuMs / r.ApiCpuMs:0.00} |");
        Line($"| CPU per delivery, PostgreSQL | {Ms(t.PostgresCpuMs)} | {Ms(r.PostgresCpuMs)} | {t.PostgresCpuMs / r.PostgresCpuMs:0.00} |");
        Line($"| errors (all rounds) | {t.Errors} | {r.Errors} | |");
        Line($"| fixed pgbench baseline, same rounds | {c.BaselineTps:0} tps, p50 {Ms(c.BaselineP50)}, p99 {Ms(c.BaselineP99)}, PostgreSQL {Ms(c.BaselinePostgresCpuMs)} per transaction | | |");
        Text("");
        Line($"**Issue 18 bar** (median deliveries/s ≥ {ComparisonVerdict.MinRpsRatio:0.00} × {c.OtherLabel}'s, p99 ≤ {ComparisonVerdict.MaxP99Ratio:0.0} × {c.OtherLabel}'s): **{v.Describe()}**.");
        Text("");
        Line($"| round | load before | {c.ThisLabel} deliveries/s | p50 | p99 | CPU/delivery API + PG | {c.OtherLabel} deliveries/s | p50 | p99 | CPU/delivery API + PG | baseline tps | deliveries/s this/other | p99 this/other |");
        Text("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var x in c.Rounds)
            Line($"| {x.Index} | {x.LoadBefore} | {x.This.RequestsPerSecond:0} | {Ms(x.This.Latency.P50)} | {Ms(x.This.Latency.P99)} | {PerDelivery(x.This)} | {x.Other.RequestsPerSecond:0} | {Ms(x.Other.Latency.P50)} | {Ms(x.Other.Latency.P99)} | {PerDelivery(x.Other)} | {x.Baseline.Tps:0} | {x.RpsRatio:0.00} | {x.P99Ratio:0.00} |");
        Line($"| **median** | | **{t.Rps:0}** | {Ms(t.P50)} | **{Ms(t.P99)}** | {Ms(t.ApiCpuMs)} + {Ms(t.PostgresCpuMs)} | **{r.Rps:0}** | {Ms(r.P50)} | **{Ms(r.P99)}** | {Ms(r.ApiCpuMs)} + {Ms(r.PostgresCpuMs)} | {c.BaselineTps:0} | {Stats.Median(c.Rounds.Select(x => x.RpsRatio)):0.00} | {Stats.Median(c.Rounds.Select(x => x.P99Ratio)):0.00} |");
        Text("");
        var lost = c.Rounds.Where(x => x.ThisStored < x.This.AcceptedTotal || x.OtherStored < x.Other.AcceptedTotal).ToList();
        Line($"Every delivery answered 200 was checked against each API's messages table: {(lost.Count == 0 ? "all stored" : $"**rounds {string.Join(", ", lost.Select(x => x.Index))} lost messages**")}.");
        if (c.OtherLogErrors.Length > 0) Line($"\n- {Truncate(c.OtherLogErrors, 400)}");
        Text("");
    }

    /// <summary>What the pgbench baseline runs, and on what.</summary>
    private static void BaselineDescription(StringBuilder md, BenchmarkOptions o)
    {
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        void Text(string text) => md.AppendLine(text);
        Text("The baseline is **fixed**: pgbench runs the SQL such a delivery needs, as one transaction, on tables of the");
        Line($"benchmark's own in a database of their own (`{o.BaselineDatabase}`), created from the fixed DDL below and never");
        Text("from migrations/: no triggers, no foreign keys, no indexes beyond the primary keys and the two unique constraints");
        Text("the `ON CONFLICT`s use. It does not change with our schema, so a trigger or an index we add shows as a lower");
        Text("ratio instead of slowing the baseline down with us. Same raw JSON and text as the HTTP load, chats drawn from the");
        Text("same number of chats, random message ids; it runs right after the HybridFlow run (a `CHECKPOINT` before each run),");
        Text("and its tables are emptied before each data size.");
        Text("");
        Text("```sql");
        Text(PgBenchRunner.Script.Trim());
        Text("```");
        Text("");
        Text("<details><summary>The baseline's tables</summary>");
        Text("");
        Text("```sql");
        Text(PgBenchRunner.BaselineSchema.Trim());
        Text("```");
        Text("");
        Text("</details>");
        Text("");
    }

    /// <summary>The report of scripts/bench.sh --ingest-only: the comparison (if run), section a, the machine and the settings.</summary>
    public static string IngestOnlyMarkdown(IngestOnlyResults r, BenchmarkOptions o)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        void Text(string text) => md.AppendLine(text);

        Text("# HybridFlow benchmarks: ingest alone");
        Text("");
        Line($"Written by `scripts/bench.sh --ingest-only` on {r.StartedAt:yyyy-MM-dd HH:mm} UTC (the run took {r.Elapsed.TotalMinutes:0.0} min). The full run (`scripts/bench.sh`) includes this section and writes docs/BENCHMARKS.md.");
        Text("");
        if (r.Comparison is { } comparison) ComparisonSection(md, comparison, o);

        var ingest = r.Ingest;
        Text("## Summary");
        Text("");
        Text("| figure | value |");
        Text("|---|---|");
        Line($"| ingest, HybridFlow (`POST /webhook/{{instance}}`, reply_mode off, {o.Concurrency} connections) | **{ingest.MedianRps:0} deliveries/s**, p50 {Ms(ingest.MedianP50)}, p99 {Ms(ingest.MedianP99)} |");
        Line($"| same transaction in pgbench on the fixed baseline tables ({o.Concurrency} clients; does not change with our schema) | {ingest.MedianTps:0} tps, p50 {Ms(ingest.MedianPgBenchP50)}, p99 {Ms(ingest.MedianPgBenchP99)} |");
        Line($"| ratio HybridFlow / fixed baseline (median of {ingest.Pairs.Count} pair(s)) | {ingest.MedianRatio:0.00} |");
        Line($"| CPU per delivery, HybridFlow (median) | API {ingest.ApiCpuMs.Api:0.00} ms + PostgreSQL {ingest.ApiCpuMs.Postgres:0.00} ms + load generator {ingest.ApiCpuMs.Client:0.00} ms |");
        Line($"| CPU per transaction, pgbench (median) | PostgreSQL {ingest.PgBenchCpuMs.Postgres:0.00} ms + pgbench {ingest.PgBenchCpuMs.Client:0.00} ms |");
        Line($"| the same pgbench transaction with `-M extended` | {r.Unprepared.Tps:0} tps ({r.Unprepared.Tps / ingest.MedianTps:0.00} of `-M prepared`) |");
        Text("");
        MachineRows(md, r.Machine, r.PostgresVersion, r.PostgresSettings);
        Text("");
        Text("## Settings");
        Text("");
        Text("| setting | value |");
        Text("|---|---|");
        foreach (var (name, value) in o.Describe()) Line($"| {name} | {value} |");
        if (!string.IsNullOrWhiteSpace(o.ApiEnvironment)) Line($"| API environment | `{o.ApiEnvironment}` |");
        Text("");
        Text("## a. Ingest: HybridFlow against the fixed baseline");
        Text("");
        BaselineDescription(md, o);
        LevelTable(md, ingest);
        return md.ToString();
    }

    private static string PerDelivery(IngestResult run) =>
        run.Completed > 0
            ? Ms(run.Cpu.Api * 1000 / run.Completed) + " + " + Ms(run.Cpu.Postgres * 1000 / run.Completed)
            : "–";
}
