using System.Globalization;
using System.Text;

namespace HybridFlow.Benchmarks;

/// <summary>docs/BENCHMARKS.md: the figures, the machine and the settings.</summary>
public static partial class Report
{
    private const double RatioBar = 0.8;
    private const double P99BarMs = 25;

    public static string Markdown(BenchmarkResults r, BenchmarkOptions o)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        void Text(string text) => md.AppendLine(text);

        Text("# HybridFlow benchmarks");
        Text("");
        Line($"Written by `scripts/bench.sh{(o.Quick ? " --quick" : "")}` on {r.StartedAt:yyyy-MM-dd HH:mm} UTC (the whole run took {r.Elapsed.TotalMinutes:0.0} min). Run it again to replace this file.");
        if (o.Quick) Text("\n> **Quick smoke run**: short runs and small data; the figures are indicative only.");
        Text("");
        if (r.Comparison is { } comparison) ComparisonSection(md, comparison, o);

        var ingest = r.Ingest;
        Text("## Summary");
        Text("");
        Text("| figure | value |");
        Text("|---|---|");
        Line($"| ingest, HybridFlow (`POST /webhook/{{instance}}`, reply_mode off, {o.Concurrency} connections) | **{ingest.MedianRps:0} deliveries/s**, p50 {Ms(ingest.MedianP50)}, p99 {Ms(ingest.MedianP99)} |");
        Line($"| same transaction in pgbench on the fixed baseline tables ({o.Concurrency} clients; does not change with our schema) | {ingest.MedianTps:0} tps, p50 {Ms(ingest.MedianPgBenchP50)}, p99 {Ms(ingest.MedianPgBenchP99)} |");
        Line($"| ratio HybridFlow / fixed baseline (median of {ingest.Pairs.Count} back-to-back pair(s)) | {ingest.MedianRatio:0.00} |");
        Line($"| CPU per delivery, HybridFlow (median) | API {ingest.ApiCpuMs.Api:0.00} ms + PostgreSQL {ingest.ApiCpuMs.Postgres:0.00} ms + load generator {ingest.ApiCpuMs.Client:0.00} ms |");
        Line($"| CPU per transaction, pgbench (median) | PostgreSQL {ingest.PgBenchCpuMs.Postgres:0.00} ms + pgbench {ingest.PgBenchCpuMs.Client:0.00} ms |");
        Line($"| the same pgbench transaction without prepared statements (`-M extended`) | {r.Unprepared.Tps:0} tps ({r.Unprepared.Tps / ingest.MedianTps:0.00} of `-M prepared`; HybridFlow is {ingest.MedianRps / r.Unprepared.Tps:0.00} of it) |");
        Line($"| issue 4 bar: ratio ≥ {RatioBar:0.0} and p99 < {P99BarMs:0} ms (fresh database; set when the baseline ran on our own schema) | {Bar(ingest)} (pgbench's own p99: {Ms(ingest.MedianPgBenchP99)}) |");
        foreach (var level in r.Growth)
            Line($"| the same bar with {level.Label} existing | {Bar(level)} (pgbench's own p99 there: {Ms(level.MedianPgBenchP99)}) |");
        Line($"| reply overhead (webhook sent → `sendText` received), {r.Reply.AchievedRate:0.#} webhooks/s | p50 {Ms(r.Reply.Overhead.P50)}, p99 {Ms(r.Reply.Overhead.P99)} ({r.Reply.Replied}/{r.Reply.Accepted} replied, {r.Reply.DoubleSends} double sends) |");
        foreach (var level in r.Growth)
            Line($"| ratio with {level.Label} existing | {level.MedianRatio:0.00} ({level.MedianRps:0} deliveries/s, p99 {Ms(level.MedianP99)}) |");
        Line($"| API peak RSS during the ingest runs | {Mb(Math.Max(r.Memory.PeakHwmAfterIngestKb ?? 0, r.Memory.MaxSampledRssKb))} |");
        if (r.Burst is { } burst) BurstSummaryRows(md, burst);
        Text("");
        Text("How the webhook path reached these figures, with the measurements behind each step: one batched round trip and");
        Text("deferred writes ([ADR-004](decisions/ADR-004-webhook-hot-path.md)); group commit across chats, index-only plans");
        Text("on the hot path and lz4 for stored bodies ([ADR-005](decisions/ADR-005-group-commit.md)). \"webhooks per transaction\"");
        Text("in the CPU lines below is the average size of those shared transactions.");
        Text("");

        MachineRows(md, r.Machine, r.PostgresVersion, r.PostgresSettings);
        Text("");
        Text("Everything runs on this one machine and shares its cores: PostgreSQL, the API, the load generator (with the fake");
        Text("upstreams) and pgbench. Other programs may run too (the \"other\" CPU column): absolute figures are noisy; runs");
        Text("made back to back in the same session are what counts (the A B rounds against another commit, and the fixed");
        Text("pgbench baseline, which shows how fast the machine and PostgreSQL were at that moment).");
        Text("");

        Text("## Settings");
        Text("");
        Text("| setting | value |");
        Text("|---|---|");
        foreach (var (name, value) in o.Describe()) Line($"| {name} | {value} |");
        if (!string.IsNullOrWhiteSpace(o.ApiEnvironment)) Line($"| API environment | `{o.ApiEnvironment}` |");
        Text("");

        Text("## a. Ingest: HybridFlow against pgbench");
        Text("");
        Text("HybridFlow: closed loop, each connection posts the next delivery as soon as the previous one is answered");
        Text("(`HttpClient` with `SocketsHttpHandler`, HTTP/1.1 keep-alive). The body is");
        Text("`tests/HybridFlow.IntegrationTests/Payloads/upsert_text_inbound.json` with a unique `data.key.id`, the chat");
        Line($"drawn at random from {o.Chats:N0} chats, and the current `messageTimestamp`; the tenant has `reply_mode: \"off\"`, so");
        Text("each delivery is answered `{\"ok\":true,\"action\":\"recorded\"}` after its transaction committed. Only deliveries");
        Text("answered inside the measured window count; the warm-up before it is excluded.");
        Text("");
        BaselineDescription(md, o);
        if (r.Comparison is not null) Text("With the comparison above, these pairs are its rounds: this tree's run and the baseline's run of each round.\n");
        LevelTable(md, ingest);
        Line($"For scale, the same pgbench script with `-M extended` (every statement parsed and planned again, which is what Npgsql does with commands that are not prepared) made {r.Unprepared.Tps:0} tps (p50 {Ms(r.Unprepared.Latency.P50)}, p99 {Ms(r.Unprepared.Latency.P99)}; per transaction {r.Unprepared.Cpu.PerOperation(r.Unprepared.Transactions, "pgbench")}), {r.Unprepared.Tps / ingest.MedianTps:0.00} of the prepared baseline.");
        Text("");

        Text("## b. Reply overhead");
        Text("");
        Text("A tenant with `reply_mode: \"ai\"`, the API's `LLM_PROVIDER=openai` pointed at a fake OpenAI-compatible model and");
        Text("the instance's Evolution URL at a fake Evolution, both hosted by the benchmark on 127.0.0.1 and answering at");
        Text("once. Webhooks are sent open loop on a fixed schedule, each from a new chat; the overhead is the time from");
        Text("sending the webhook to the fake Evolution receiving that chat's `POST /message/sendText/{instance}`: the webhook");
        Text("transaction, waking a reply worker, claiming the job, reading the history, the model call, the re-check under");
        Text("the chat's lock, registering the send and the Evolution call.");
        Text("");
        var rp = r.Reply;
        Text("| | p50 | p90 | p99 | max |");
        Text("|---|---|---|---|---|");
        Line($"| reply overhead | {Ms(rp.Overhead.P50)} | {Ms(rp.Overhead.P90)} | {Ms(rp.Overhead.P99)} | {Ms(rp.Overhead.Max)} |");
        Line($"| webhook answer (`ai_queued`) | {Ms(rp.Webhook.P50)} | {Ms(rp.Webhook.P90)} | {Ms(rp.Webhook.P99)} | {Ms(rp.Webhook.Max)} |");
        Text("");
        Line($"{rp.Sent} webhooks sent at {rp.AchievedRate:0.0}/s, {rp.Accepted} answered `ai_queued`, {rp.Replied} replies received, {rp.Missing} missing after 30 s, {rp.DoubleSends} chats answered more than once. CPU: {rp.Cpu.Describe("load generator")}.");
        foreach (var e in rp.ErrorSamples) Line($"\n- error sample: `{e}`");
        Text("");

        Text("## c. Growth: the same ingest pairs with existing data");
        Text("");
        Text("Before each size the chat tables are emptied (`TRUNCATE`) and another tenant's instance is seeded directly with");
        Text("`INSERT ... SELECT generate_series` in one transaction: the sessions, the messages (a third of them bot replies;");
        Text("their raw JSON is the ~300-byte message part of a body, not the whole 2 KB, to keep seeding a million rows short)");
        Text("and one timeline event per message, then `VACUUM ANALYZE`. The pairs then add their own rows on top, so the");
        Text("table shows the message count at the start and at the end. The cost of a webhook should not grow with the data:");
        Text("the ratio and the deliveries per second should stay where they are on a fresh database.");
        Text("");
        Text("| existing data | messages at start → end | seeding | HybridFlow deliveries/s | p50 | p99 | CPU per delivery (API + PostgreSQL) | pgbench tps | ratio (median) | vs fresh |");
        Text("|---|---|---|---|---|---|---|---|---|---|");
        Line($"| fresh database (section a) | {ingest.MessagesAtStart:N0} → {ingest.MessagesAtEnd:N0} | | {ingest.MedianRps:0} | {Ms(ingest.MedianP50)} | {Ms(ingest.MedianP99)} | {CpuMs(ingest)} | {ingest.MedianTps:0} | {ingest.MedianRatio:0.00} | 1.00 |");
        foreach (var level in r.Growth)
            Line($"| {level.Label} | {level.MessagesAtStart:N0} → {level.MessagesAtEnd:N0} | {level.SeedTime?.TotalSeconds:0.0} s | {level.MedianRps:0} | {Ms(level.MedianP50)} | {Ms(level.MedianP99)} | {CpuMs(level)} | {level.MedianTps:0} | {level.MedianRatio:0.00} | {level.MedianRatio / ingest.MedianRatio:0.00} |");
        Text("");
        foreach (var level in r.Growth)
        {
            Line($"### {level.Label}");
            Text("");
            LevelTable(md, level);
        }

        Text("## d. Memory");
        Text("");
        Text("The API process's resident memory, from `/proc/<pid>/status`. The kernel's VmHWM can miss a peak that the GC");
        Text("gave back with `madvise`, so VmRSS is also sampled every 100 ms; the peak is the larger of the two.");
        Text("");
        Text("| | |");
        Text("|---|---|");
        Line($"| peak RSS (VmHWM) after the ingest runs of section a (includes start-up) | {Mb(r.Memory.PeakHwmAfterIngestKb)} |");
        Line($"| highest VmRSS sampled every 100 ms during the measured ingest windows | {Mb(r.Memory.MaxSampledRssKb)} |");
        Line($"| mean VmRSS during those windows | {Mb(r.Memory.MeanSampledRssKb)} |");
        Line($"| VmRSS right after section a | {Mb(r.Memory.RssAfterIngestKb)} |");
        Line($"| peak RSS (VmHWM) after the reply and growth runs too (before the burst, which has API processes of its own) | {Mb(r.Memory.PeakHwmAtEndKb)} |");
        Text("");

        if (r.Burst is { } b) BurstSection(md, b, o);
        else
        {
            Text("## e. Burst");
            Text("");
            Text("Not run in this report (`--burst-chats 0`).");
            Text("");
        }
        return md.ToString();
    }

    /// <summary>The report of scripts/bench.sh --burst-only: the machine, the settings and section e.</summary>
    public static string BurstOnlyMarkdown(BurstOnlyResults r, BenchmarkOptions o)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        void Text(string text) => md.AppendLine(text);

        Text("# HybridFlow benchmarks: the burst alone");
        Text("");
        Line($"Written by `scripts/bench.sh --burst-only` on {r.StartedAt:yyyy-MM-dd HH:mm} UTC (the run took {r.Elapsed.TotalMinutes:0.0} min). The full run (`scripts/bench.sh`) includes this section and writes docs/BENCHMARKS.md.");
        Text("");
        Text("## Summary");
        Text("");
        Text("| figure | value |");
        Text("|---|---|");
        BurstSummaryRows(md, r.Burst);
        Text("");
        MachineRows(md, r.Machine, r.PostgresVersion, r.PostgresSettings);
        if (!string.IsNullOrWhiteSpace(o.ApiEnvironment)) Line($"| API environment | `{o.ApiEnvironment}` |");
        Text("");
        BurstSection(md, r.Burst, o);
        return md.ToString();
    }

    /// <summary>The "Machine" heading and the rows both reports share.</summary>
    private static void MachineRows(StringBuilder md, MachineInfo machine, string postgresVersion, IEnumerable<(string Name, string Value)> postgresSettings)
    {
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        md.AppendLine("## Machine").AppendLine().AppendLine("| | |").AppendLine("|---|---|");
        Line($"| CPU | {machine.CpuModel} |");
        Line($"| cores | {machine.LogicalCpus} (as .NET sees them: {machine.ProcessorCount}) |");
        Line($"| memory | {machine.Memory} |");
        Line($"| OS | {machine.Os}, kernel {machine.Kernel} |");
        Line($"| .NET | {machine.DotNet} |");
        Line($"| PostgreSQL | {postgresVersion} |");
        Line($"| PostgreSQL settings | {string.Join(", ", postgresSettings.Select(s => $"`{s.Name}={s.Value}`"))} |");
        Line($"| load average at the start (1/5/15 min) | {machine.LoadAverage} |");
    }

    private static void BurstSummaryRows(StringBuilder md, BurstResult b)
    {
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        if (b.Tenants is { } tenants) TenantsSummaryRows(md, tenants, b.TenantsFresh);
        if (b.Default is null || b.Limited is null || b.Capped is null) return;
        var d = b.Default;
        var l = b.Limited;
        Line($"| burst: {b.Chats} chats of one tenant write at once, the model answers in {Sec(b.ModelLatency)} (API defaults) | last reply after **{LastReply(d)}**; reply latency p50 {S(d.Latency.P50)}, p99 {S(d.Latency.P99)}, max {S(d.Latency.Max)} |");
        Line($"| another tenant's customer, writing {Sec(b.OtherAfter)} into the burst | **{Other(d)}** |");
        Line($"| the same burst with `REPLY_CONCURRENCY=2` | last reply after {LastReply(l)}; p50 {S(l.Latency.P50)}, p99 {S(l.Latency.P99)}; other tenant {Other(l)}; **ratio {(b.Ratio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "–")}** (time to the last reply, concurrency 2 / defaults) |");
        Line($"| the same burst with `{b.Capped.Configuration.Describe}` (the caps issue 9 first proposed) | last reply after {LastReply(b.Capped)}; p50 {S(b.Capped.Latency.P50)}, p99 {S(b.Capped.Latency.P99)}; other tenant {Other(b.Capped)}; {Replies(b.Capped)} |");
        Line($"| replies per chat (defaults; concurrency 2) | {Replies(d)}; {Replies(l)} |");
        Line($"| API peak RSS and PostgreSQL connections during the burst (defaults) | {Mb(d.PeakRssKb)}; {d.PeakConnections} connections open, {d.PeakBusyConnections} busy (peaks) |");
        Line($"| issue 9 bar: all {b.Chats} answered within 2·L + 2 s = {Sec(b.LastReplyBar)}, the other tenant within L + 1 s = {Sec(b.OtherTenantBar)}, exactly one reply each | {BurstBar(b)} |");
    }

    private static void BurstSection(StringBuilder md, BurstResult b, BenchmarkOptions o)
    {
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        void Text(string text) => md.AppendLine(text);
        if (b.Default is null || b.Limited is null || b.Capped is null)
        {
            if (b.Tenants is { } only) TenantsSection(md, only, b.TenantsRuns);
            return;
        }
        var d = b.Default;
        var l = b.Limited;
        var c = b.Capped;

        Text("## e. Burst: many chats at once, a model that takes its time");
        Text("");
        Line($"A broadcast gets its answers: {b.Chats} chats of tenant A each send one message at the same moment (one");
        Text("real-shaped `messages.upsert` webhook per chat, all posted at once, each on its own connection), and the fake");
        Line($"OpenAI-compatible model answers every request after {Sec(b.ModelLatency)}, as a real model does. {Sec(b.OtherAfter)} after the");
        Text("burst started, one customer of tenant B (its own instance) writes. The fake Evolution records every");
        Text("`sendText` with its arrival time. Reply latency is from posting a chat's webhook to its first `sendText`");
        Text("arriving; the time to the last reply is from the first webhook of the burst to the last chat's first");
        Line($"`sendText`. After the last reply the run waits {Sec(b.ModelLatency > TimeSpan.FromSeconds(2) ? b.ModelLatency : TimeSpan.FromSeconds(2))} more, so a late second reply is counted too.");
        Text("");
        Text("Each column is an API process of its own, started for the burst with the settings of the rest of the run plus");
        Text("the ones named, on a freshly created database, then stopped: so the two start alike, and sections a to c do");
        Text("not share the machine with an idle second API (in a full run their API stays up, idle, during the burst).");
        Line($"Before the burst, {d.WarmupChats} chats (half of each tenant) are answered with the model answering at once, to");
        Text("warm the process up (JIT, connection pools); they are not counted. The API's RSS is sampled every 100 ms, and `pg_stat_activity` for that database every 100 ms");
        Text("(\"open\": the API's connections, \"busy\": those not idle, i.e. running a statement or inside a transaction).");
        Line($"Both tenants' reply debounce is {Debounce(d)} (`debounce_seconds` set through the admin API), so nothing waits on purpose.");
        Text("`REPLY_WORKERS=2` is passed alongside `REPLY_CONCURRENCY=2`: before `REPLY_CONCURRENCY` existed, the API ran");
        Text("`REPLY_WORKERS` loops (default 2) of one job each, so there both columns measure the same thing.");
        Text("");
        Line($"| | defaults | `{l.Configuration.Describe}` | `{c.Configuration.Describe}` |");
        Text("|---|---|---|---|");
        Line($"| load average before the burst (1/5/15 min) | {d.LoadBefore} | {l.LoadBefore} | {c.LoadBefore} |");
        Line($"| webhooks answered 200 | {d.Accepted}/{d.Chats} | {l.Accepted}/{l.Chats} | {c.Accepted}/{c.Chats} |");
        Line($"| webhook answer p50 / p99 | {Ms(d.Webhook.P50)} / {Ms(d.Webhook.P99)} | {Ms(l.Webhook.P50)} / {Ms(l.Webhook.P99)} | {Ms(c.Webhook.P50)} / {Ms(c.Webhook.P99)} |");
        Line($"| **time to the last reply** | **{LastReply(d)}** | **{LastReply(l)}** | **{LastReply(c)}** |");
        Line($"| reply latency p50 | {S(d.Latency.P50)} | {S(l.Latency.P50)} | {S(c.Latency.P50)} |");
        Line($"| reply latency p90 | {S(d.Latency.P90)} | {S(l.Latency.P90)} | {S(c.Latency.P90)} |");
        Line($"| reply latency p99 | {S(d.Latency.P99)} | {S(l.Latency.P99)} | {S(c.Latency.P99)} |");
        Line($"| reply latency max | {S(d.Latency.Max)} | {S(l.Latency.Max)} | {S(c.Latency.Max)} |");
        Line($"| **the other tenant's customer** | **{Other(d)}** | **{Other(l)}** | **{Other(c)}** |");
        Line($"| replies per chat | {Replies(d)} | {Replies(l)} | {Replies(c)} |");
        Line($"| model requests in flight (peak, at the fake model) | {d.PeakModelCalls} | {l.PeakModelCalls} | {c.PeakModelCalls} |");
        Line($"| API peak RSS during the burst (sampled) | {Mb(d.PeakRssKb)} | {Mb(l.PeakRssKb)} | {Mb(c.PeakRssKb)} |");
        Line($"| PostgreSQL connections, peak open / busy | {d.PeakConnections} / {d.PeakBusyConnections} | {l.PeakConnections} / {l.PeakBusyConnections} | {c.PeakConnections} / {c.PeakBusyConnections} |");
        Line($"| warm-up chats answered | {d.WarmupReplied}/{d.WarmupChats} | {l.WarmupReplied}/{l.WarmupChats} | {c.WarmupReplied}/{c.WarmupChats} |");
        Line($"| error lines in the API's log | {d.LoggedErrors.Count} | {l.LoggedErrors.Count} | {c.LoggedErrors.Count} |");
        Text("");
        Line($"Time to the last reply, `REPLY_CONCURRENCY=2` over the defaults: **{(b.Ratio is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "–")}**.");
        Line($"With only two replies in flight the last reply cannot come before about {b.Chats} × {Sec(b.ModelLatency)} / 2 = {Sec(b.Chats * b.ModelLatency / 2)}.");
        Text("In general it cannot come before ⌈chats / jobs in flight⌉ × L, and the burst is all one tenant's, so a cap on one");
        Text("tenant's jobs in flight (`REPLY_TENANT_CONCURRENCY`) bounds it as well as the process's. The third column runs the");
        Line($"caps issue 9 first proposed as defaults (64 per process, 16 per tenant): then {b.Chats} chats of one tenant need");
        Line($"⌈{b.Chats} / 16⌉ = {(b.Chats + 15) / 16} model calls in a row, about {Sec((b.Chats + 15) / 16 * b.ModelLatency)}, whatever the machine; the defaults (1024 per process, 128");
        Text("per tenant; ADR-012) keep most of the process for the other tenants and let one tenant's broadcast through in two rounds.");
        Text("");
        Line($"Bar (issue 9): with the defaults, all {b.Chats} chats answered within 2·L + 2 s = {Sec(b.LastReplyBar)}, the other tenant's customer within L + 1 s = {Sec(b.OtherTenantBar)}, and exactly one reply each: {BurstBar(b)}.");
        foreach (var e in d.ErrorSamples.Concat(l.ErrorSamples).Concat(c.ErrorSamples).Distinct().Take(5)) Line($"\n- webhook error sample: `{e}`");
        foreach (var first in new[] { d.LoggedErrors.First, l.LoggedErrors.First, c.LoggedErrors.First }.OfType<string>()) Line($"\n- first error line of an API log: `{Truncate(first, 300)}`");
        Text("");
        if (b.Tenants is { } tenants) TenantsSection(md, tenants, b.TenantsRuns);
        _ = o;
    }

    private static void TenantsSummaryRows(StringBuilder md, TenantsBurstResult t, TenantsBurstResult? fresh)
    {
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        Line($"| burst of many tenants: {t.Customers} customers of {t.Tenants} tenants write within {Sec(t.Spread)}, the model answers in {Sec(t.ModelLatency)} ({t.Settings}; {t.ProcessLabel}) | last reply after **{TenantsLastReply(t)}**; reply latency p50 {S(t.Reply.P50)}, p99 {S(t.Reply.P99)}; webhook acknowledgement p50 {Ms(t.Acknowledgement.P50)}, p99 **{Ms(t.Acknowledgement.P99)}** |");
        if (fresh is { } f)
            Line($"| the same on the {f.ProcessLabel}, right after its start and warm-up (the JIT still at work) | last reply after {TenantsLastReply(f)}; webhook acknowledgement p50 {Ms(f.Acknowledgement.P50)}, p99 {Ms(f.Acknowledgement.P99)}; {TenantsReplies(f)} |");
        Line($"| issue 18 bars: {TenantsReplies(t)}; last reply ≤ 8 s (stretch 2·L + 2 = {Sec(t.LastReplyStretch)}); acknowledgement p99 ≤ 400 ms (stretch 250 ms) | {MetOrMissed(t.ExactlyOnceEach)}; {MetOrMissed(t.LastReplyMet)} (stretch {MetOrMissed(t.LastReplyStretchMet)}); {MetOrMissed(t.AckMet)} (stretch {MetOrMissed(t.AckStretchMet)}) |");
        Line($"| CPU per reply in that burst; peak RSS; peak connections | API {t.CpuMsPerReply.Api:0.00} ms + PostgreSQL {t.CpuMsPerReply.Postgres:0.00} ms (machine {Percent(t.Cpu)} busy); {Mb(t.PeakRssKb)}; PostgreSQL {t.PeakConnections} open / {t.PeakBusyConnections} busy, model {t.ModelConnections}, Evolution {t.EvolutionConnections} |");
    }

    private static void TenantsSection(StringBuilder md, TenantsBurstResult t, IReadOnlyList<TenantsBurstResult> runs)
    {
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        void Text(string text) => md.AppendLine(text);
        Text("## f. Burst of many tenants: a thousand customers at once");
        Text("");
        Line($"{t.Customers} customers of {t.Tenants} tenants ({t.Customers / t.Tenants} each; every tenant with an instance and a webhook secret of its own) each send");
        Line($"one real-shaped `messages.upsert` webhook, spread evenly over {Sec(t.Spread)} (customer i at i/{t.Customers} of it, each on its own");
        Line($"connection), and the fake model answers every request after {Sec(t.ModelLatency)}. The API runs with `{t.Settings}` in a process of its own");
        Line($"on a fresh database; the tenants keep the API's default settings: their debounce is {(t.DebounceSeconds is { } s ? $"{s} s" : "as the API sets it")}, so no reply waits on purpose.");
        Text("Before the burst each tenant's instance answers one chat with the model answering at once (warm-up, not counted).");
        Text("Each process takes two bursts of new customers: the first right after its start and warm-up, while tiered compilation");
        Text("still recompiles the reply path; the second 3 s after the first one's last reply, as on a process that has run a while.");
        Text("The table is the second one's (the bars are read there); every run of both kinds is listed below it.");
        Text("The time to the last reply is from the first webhook to the last customer's first `sendText`; each webhook carries an");
        Text("`X-Correlation-Id` that the API passes on to its model call, so each reply is split into legs at the fake model.");
        Text("CPU is from /proc between the first webhook and the last reply (PostgreSQL: the postmaster and all its backends).");
        Text("");
        Text("| figure | value | bar |");
        Text("|---|---|---|");
        Line($"| load average before (1/5/15 min) | {t.LoadBefore} | |");
        Line($"| webhooks answered 200 | {t.Accepted}/{t.Customers} | |");
        Line($"| replies | {TenantsReplies(t)} | every customer exactly once: **{MetOrMissed(t.ExactlyOnceEach)}** |");
        Line($"| **time to the last reply** | **{TenantsLastReply(t)}** | ≤ 8 s: **{MetOrMissed(t.LastReplyMet)}**; stretch ≤ {Sec(t.LastReplyStretch)}: {MetOrMissed(t.LastReplyStretchMet)} |");
        Line($"| reply latency p50 / p90 / p99 / max | {S(t.Reply.P50)} / {S(t.Reply.P90)} / {S(t.Reply.P99)} / {S(t.Reply.Max)} | |");
        Line($"| **webhook acknowledgement** p50 / p90 / p99 / max | {Ms(t.Acknowledgement.P50)} / {Ms(t.Acknowledgement.P90)} / **{Ms(t.Acknowledgement.P99)}** / {Ms(t.Acknowledgement.Max)} | p99 ≤ 400 ms: **{MetOrMissed(t.AckMet)}**; stretch ≤ 250 ms: {MetOrMissed(t.AckStretchMet)} |");
        Line($"| leg 1: webhook sent → model request arrives, p50 / p99 | {S(t.WebhookToModel.P50)} / {S(t.WebhookToModel.P99)} | |");
        Line($"| leg 3: model answer → `sendText` arrives, p50 / p99 | {S(t.ModelToSend.P50)} / {S(t.ModelToSend.P99)} | |");
        Line($"| model requests in flight (peak) | {t.PeakModelCalls} | |");
        Line($"| CPU, first webhook to last reply | {t.Cpu.Describe("load generator + fakes")} | |");
        Line($"| **CPU per reply** | API {t.CpuMsPerReply.Api:0.00} ms + PostgreSQL {t.CpuMsPerReply.Postgres:0.00} ms | |");
        Line($"| API peak RSS (sampled every 100 ms) | {Mb(t.PeakRssKb)} | |");
        Line($"| connections: PostgreSQL peak open / busy; model and Evolution (distinct, during the burst) | {t.PeakConnections} / {t.PeakBusyConnections}; {t.ModelConnections}; {t.EvolutionConnections} | |");
        Line($"| error lines in the API's log | {t.LoggedErrors.Count} | |");
        foreach (var e in t.ErrorSamples) Line($"\n- webhook error sample: `{e}`");
        if (t.LoggedErrors.First is { } first) Line($"\n- first error line of the API log: `{Truncate(first, 300)}`");
        Text("");
        if (runs.Count < 2) return;
        Line($"The table shows the median of {runs.Count(r => r.Settings == t.Settings && r.WarmProcess)} warm run(s) with `{t.Settings}` (by time to the last reply). Every run, in order (\"other\": CPU of programs outside the benchmark, in cores):");
        Text("");
        Text("| settings | process | other | last reply | ack p50 / p99 | reply p50 / p99 | legs 1 / 3, p50 | CPU per reply, API + PostgreSQL | PostgreSQL connections peak | replies |");
        Text("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in runs)
            Line($"| `{r.Settings}` | {r.ProcessLabel} | {r.Cpu.Other / r.Cpu.Seconds:0.00} | {TenantsLastReply(r)} | {Ms(r.Acknowledgement.P50)} / {Ms(r.Acknowledgement.P99)} | {S(r.Reply.P50)} / {S(r.Reply.P99)} | {S(r.WebhookToModel.P50)} / {S(r.ModelToSend.P50)} | {r.CpuMsPerReply.Api:0.00} + {r.CpuMsPerReply.Postgres:0.00} ms | {r.PeakConnections} | {(r.ExactlyOnceEach ? "exactly once each" : TenantsReplies(r))} |");
        Text("");
    }

    private static string MetOrMissed(bool met) => met ? "met" : "missed";

    private static string Percent(CpuUsage cpu) =>
        cpu.Seconds > 0 ? (cpu.MachineBusy / (cpu.Seconds * cpu.CoreCount)).ToString("0%", CultureInfo.InvariantCulture) : "?";

    private static string TenantsLastReply(TenantsBurstResult t) =>
        t.TimeToLastReply is { } last ? S(last.TotalMilliseconds) : $"– ({t.Missing} never answered; the last answered one after {S(t.LastReplySoFar.TotalMilliseconds)})";

    private static string TenantsReplies(TenantsBurstResult t) =>
        t.ExactlyOnceEach
            ? $"exactly one each ({t.Replied}/{t.Customers})"
            : $"{t.Replied}/{t.Customers} answered, {t.Missing} missing, {t.DoubleReplies} answered more than once ({t.ExtraSends} extra sends)";

    private static string BurstBar(BurstResult b)
    {
        if (b.BarMet) return "met";
        var misses = new List<string>();
        if (!b.LastReplyMet) misses.Add($"last reply after {LastReply(b.Default!)}");
        if (!b.OtherTenantMet) misses.Add($"the other tenant after {Other(b.Default!)}");
        if (!b.Default!.ExactlyOnceEach) misses.Add(Replies(b.Default));
        return "**not met**: " + string.Join("; ", misses);
    }

    private static string LastReply(BurstRunResult run) =>
        run.TimeToLastReply is { } t ? S(t.TotalMilliseconds) : $"– ({run.Missing} never answered; the last answered one after {S(run.LastReplySoFar.TotalMilliseconds)})";

    private static string Other(BurstRunResult run) =>
        run.OtherTenantMs is { } ms ? S(ms) : run.OtherTenantAccepted ? "no reply" : "webhook not accepted";

    private static string Replies(BurstRunResult run) =>
        run.ExactlyOnceEach
            ? $"exactly one each ({run.Replied}/{run.Chats}, the other tenant's 1)"
            : $"{run.Replied}/{run.Chats} answered, {run.Missing} missing, {run.DoubleReplies} answered more than once ({run.ExtraSends} extra sends), the other tenant's answered {run.OtherTenantReplies}×";

    private static string Debounce(BurstRunResult run) => run.DebounceSeconds is { } s ? $"{s} s" : "0 s requested (the API did not echo it back)";

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    private static string Sec(TimeSpan span) => span.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture) + " s";

    private static string S(double ms) => double.IsNaN(ms) ? "–" : (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static void LevelTable(StringBuilder md, LevelResult level)
    {
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        Line($"| pair | load before | HybridFlow deliveries/s | p50 | p99 | max | errors | pgbench tps | p50 | p99 | ratio |");
        Line($"|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var p in level.Pairs)
            Line($"| {p.Index} | {p.LoadBefore} | {p.Api.RequestsPerSecond:0} | {Ms(p.Api.Latency.P50)} | {Ms(p.Api.Latency.P99)} | {Ms(p.Api.Latency.Max)} | {p.Api.Errors} | {p.PgBench.Tps:0} | {Ms(p.PgBench.Latency.P50)} | {Ms(p.PgBench.Latency.P99)} | {p.Ratio:0.00} |");
        Line($"| **median** | | **{level.MedianRps:0}** | {Ms(level.MedianP50)} | **{Ms(level.MedianP99)}** | | {level.Errors} | **{level.MedianTps:0}** | {Ms(level.MedianPgBenchP50)} | {Ms(level.MedianPgBenchP99)} | **{level.MedianRatio:0.00}** |");
        md.AppendLine();
        md.AppendLine("Where the CPU went during each run (average cores busy, from /proc; PostgreSQL is the postmaster and all its");
        md.AppendLine("backends), and the CPU time per delivery or transaction:");
        md.AppendLine();
        foreach (var p in level.Pairs)
        {
            Line($"- pair {p.Index}, HybridFlow: {p.Api.Cpu.Describe("load generator")}; per delivery {p.Api.Cpu.PerOperation(p.Api.Completed, "load generator")}{BenchmarkRun.GroupSize(p.Api)}");
            Line($"- pair {p.Index}, pgbench: {p.PgBench.Cpu.Describe("pgbench")}; per transaction {p.PgBench.Cpu.PerOperation(p.PgBench.Transactions, "pgbench")}");
        }
        md.AppendLine();
        var lost = level.Pairs.Where(p => p.StoredMessages < p.Api.AcceptedTotal).ToList();
        Line($"Every delivery answered 200 was checked against the messages table: {(lost.Count == 0 ? "all stored" : $"**{lost.Sum(p => p.Api.AcceptedTotal - p.StoredMessages)} missing**")} ({level.Pairs.Sum(p => p.Api.AcceptedTotal):N0} deliveries, warm-up included).");
        foreach (var sample in level.Pairs.SelectMany(p => p.Api.ErrorSamples).Take(3)) Line($"\n- error sample: `{sample}`");
        md.AppendLine();
    }

    private static string CpuMs(LevelResult level) =>
        string.Create(CultureInfo.InvariantCulture, $"{level.ApiCpuMs.Api:0.00} + {level.ApiCpuMs.Postgres:0.00} ms");

    private static string Bar(LevelResult level) =>
        level.MedianRatio >= RatioBar && level.MedianP99 < P99BarMs ? "met"
        : level.MedianRatio >= RatioBar ? $"**not met**: ratio {level.MedianRatio:0.00}, but p99 {Ms(level.MedianP99)}"
        : $"**not met**: ratio {level.MedianRatio:0.00}, p99 {Ms(level.MedianP99)}";

    private static string Ms(double value) => double.IsNaN(value) ? "–" : value.ToString(value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    private static string Mb(long? kb) => kb is { } v ? (v / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " MiB" : "–";
}
