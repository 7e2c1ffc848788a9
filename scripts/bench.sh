#!/usr/bin/env bash
# The one command that benchmarks HybridFlow (no Docker; sized for 2 cores; works from any directory):
#
#   scripts/bench.sh              full run, about 7 minutes plus the burst; compares ingest with 75578b1 (below)
#                                 and writes docs/BENCHMARKS.md
#   scripts/bench.sh --quick      smoke run of a few minutes; writes .data/bench/BENCHMARKS-quick.md
#   scripts/bench.sh --burst-only only section e, the burst (issue 9); writes .data/bench/BENCHMARKS-burst.md
#   scripts/bench.sh --ingest-only  only section a, ingest; writes .data/bench/BENCHMARKS-ingest.md
#   scripts/bench.sh --compare-to 75578b1 --ingest-only --seconds 10 --rounds 3
#                                 this tree against another commit, ingest only (a few minutes)
#   scripts/bench.sh --burst-only --burst-chats 0   only section f, 1,000 customers of 50 tenants at once (issue 18)
#   scripts/bench.sh [--quick] [--seconds 20 --pairs 5 --growth 10000:1000 --burst-chats 60 ... --output FILE]
#                               (all options and defaults: benchmarks/HybridFlow.Benchmarks/BenchmarkOptions.cs)
#
# --compare-to COMMIT (issue 18) builds COMMIT's API too (git archive + dotnet publish, cached in
# .data/bench/builds/<sha>), starts it on a fresh database of its own (hybridflow_bench_compare; it applies its own
# migrations) and runs section a as --rounds N rounds (default 3) of: this API, COMMIT's API, the pgbench baseline,
# each after its warm-up, one API loaded at a time. It prints and writes both APIs' deliveries/s, p50, p99 and CPU
# per delivery per round and as medians, the ratios this/other and the verdict against the bar (median deliveries/s
# >= 0.95 x the other's, p99 <= 1.1 x). A full run compares with $HYBRIDFLOW_BENCH_REFERENCE (default 75578b1)
# unless --compare-to none; --quick, --ingest-only and --burst-only compare only when asked.
# The pgbench baseline is fixed: the benchmark's own tables (no triggers, only the keys the SQL needs) in a database
# of their own (hybridflow_bench_baseline), never our migrations, so it does not slow down with our schema.
#
# What it does: makes sure PostgreSQL is installed and running (the project-local cluster of scripts/run.sh, in
# .data/postgres; started here and stopped again at the end when it was not already running), publishes the API
# and the benchmark program in Release to a temp folder, creates a fresh `hybridflow_bench` database, starts the
# API on a free loopback port with LLM_PROVIDER=openai pointed at a fake model that the benchmark program hosts,
# runs the benchmark program (ingest vs pgbench, reply overhead, growth, memory, burst; see docs/BENCHMARKS.md), then
# stops the API, drops the database and removes the temp folder, also on failure or Ctrl-C.
# The burst runs on API processes of its own, each on a fresh database (hybridflow_bench_burst): the program starts
# them through $WORK/start-api.sh, written here with this run's settings (with --burst-only no other API is started).
# The burst's length is bound by the model: with REPLY_CONCURRENCY=2 it takes about chats x latency / 2 (200 s).
#
# Environment:
#   HYBRIDFLOW_PG_PORT, HYBRIDFLOW_PG_DATA  as for scripts/run.sh (the local cluster's port and folder); without
#                              HYBRIDFLOW_PG_PORT a cluster started here takes a free port when 55432 is taken.
#   HYBRIDFLOW_BENCH_TIMEOUT   hard limit in seconds for the benchmark program (default 1800; 600 with --quick;
#                              1200 with --burst-only).
#   HYBRIDFLOW_BENCH_KEEP_DB=1 keep the hybridflow_bench database afterwards (to look at the rows).
#   HYBRIDFLOW_BENCH_REFERENCE the commit a full run compares with (default 75578b1, the issue-18 bar).
set -euo pipefail

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

log() { printf 'bench.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# shellcheck source=scripts/lib/local-postgres.sh
source "$ROOT/scripts/lib/local-postgres.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

quick=false
burst_only=false
ingest_only=false
has_output=false
compare_to=""
compare_given=false
bench_args=() # everything but --compare-to goes on to the benchmark program
while (($# > 0)); do
  case "$1" in
    --quick) quick=true ;;
    --burst-only) burst_only=true ;;
    --ingest-only) ingest_only=true ;;
    --output) has_output=true ;;
    --compare-to)
      (($# >= 2)) || die "--compare-to needs a commit (or none)"
      compare_to="$2" compare_given=true
      shift 2
      continue
      ;;
    --help | -h)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
  esac
  bench_args+=("$1")
  shift
done
if ! $compare_given && ! $quick && ! $burst_only && ! $ingest_only; then compare_to="${HYBRIDFLOW_BENCH_REFERENCE:-75578b1}"; fi
[[ "$compare_to" == none ]] && compare_to=""
if [[ -n "$compare_to" ]] && $burst_only; then die "--compare-to compares the ingest section, which --burst-only skips"; fi
extra_args=()
if ! $has_output; then
  if $burst_only || $quick || $ingest_only; then
    # A smoke run or a single section must not overwrite the committed figures.
    mkdir -p "$ROOT/.data/bench"
    extra_args+=(--output "$ROOT/.data/bench/BENCHMARKS-$($burst_only && echo burst || { $ingest_only && echo ingest; } || echo quick).md")
  else
    extra_args+=(--output "$ROOT/docs/BENCHMARKS.md")
  fi
fi
if $burst_only; then default_limit=1200; elif $quick || $ingest_only; then default_limit=600; else default_limit=1800; fi
# The comparison adds the other API's start, warm-up and runs.
[[ -n "$compare_to" ]] && default_limit=$((default_limit + 600))
limit="${HYBRIDFLOW_BENCH_TIMEOUT:-$default_limit}"
[[ "$limit" =~ ^[0-9]+$ ]] || die "HYBRIDFLOW_BENCH_TIMEOUT must be a number of seconds, got '$limit'"

command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is required"

DB_NAME=hybridflow_bench
BURST_DB_NAME=hybridflow_bench_burst
BASELINE_DB_NAME=hybridflow_bench_baseline
COMPARE_DB_NAME=hybridflow_bench_compare
WORK="$(mktemp -d "${TMPDIR:-/tmp}/hybridflow-bench.XXXXXX")"
api_pid=""
bench_pid=""
db_created=false
HF_PG_STARTED=false

stop_process() { # stop_process PID NAME [group]: SIGTERM, then SIGKILL (to its process group with "group") after 15 s
  local pid="$1" name="$2" group="${3:-}" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within 15 s; killing it"
    if [[ -n "$group" ]]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # timeout(1) runs the program in its own process group (led by timeout) and passes SIGTERM on to it.
  [[ -n "$bench_pid" ]] && stop_process "$bench_pid" "the benchmark program" group
  [[ -n "$api_pid" ]] && stop_process "$api_pid" "the API"
  if $db_created && [[ "${HYBRIDFLOW_BENCH_KEEP_DB:-}" != "1" ]]; then
    hf_pg_psql -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || log "could not drop database $DB_NAME"
  fi
  if $db_created; then
    local other
    for other in "$BURST_DB_NAME" "$BASELINE_DB_NAME" "$COMPARE_DB_NAME"; do
      hf_pg_psql -c "DROP DATABASE IF EXISTS $other WITH (FORCE)" >/dev/null 2>&1 || log "could not drop database $other"
    done
  fi
  if [[ "$HF_PG_STARTED" == "true" ]]; then
    log "stopping the PostgreSQL cluster this run started"
    hf_pg_stop >/dev/null 2>&1 || log "could not stop PostgreSQL in $HF_PG_DATA"
  fi
  rm -rf -- "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. PostgreSQL and pgbench.
HF_PG_ANY_PORT=true hf_pg_start_local
pgbench_bin="$HF_PG_BIN/pgbench"
if [[ ! -x "$pgbench_bin" ]]; then
  pgbench_bin="$(command -v pgbench || true)"
  [[ -n "$pgbench_bin" ]] || die "pgbench not found in $HF_PG_BIN or on PATH (Debian's postgresql package has it)"
fi
postmaster_pid="$(hf_pg_postmaster_pid)"

# 2. Release builds of the API and of the benchmark program, outside the source tree.
log "publishing the API and the benchmark program (Release) to $WORK"
dotnet publish "$ROOT/src/HybridFlow.Api/HybridFlow.Api.csproj" -c Release -o "$WORK/api" --nologo -v quiet >&2 \
  || die "dotnet publish of the API failed"
dotnet publish "$ROOT/benchmarks/HybridFlow.Benchmarks/HybridFlow.Benchmarks.csproj" -c Release -o "$WORK/bench" --nologo -v quiet >&2 \
  || die "dotnet publish of the benchmark failed"
this_label="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "this tree")"
if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]]; then this_label+="+changes"; fi

# 2b. With --compare-to, the other commit's API: built once per commit (a commit does not change) and kept.
compare_args=()
if [[ -n "$compare_to" ]]; then
  compare_sha="$(git -C "$ROOT" rev-parse --verify --quiet "$compare_to^{commit}")" \
    || die "--compare-to: '$compare_to' is not a commit of this repository"
  compare_label="$(git -C "$ROOT" rev-parse --short "$compare_sha")"
  compare_build="$ROOT/.data/bench/builds/$compare_sha"
  if [[ -f "$compare_build/.complete" ]]; then
    log "reusing the Release build of $compare_label in $compare_build"
  else
    log "building $compare_label's API (git archive + dotnet publish, Release) into $compare_build"
    rm -rf -- "$compare_build"
    mkdir -p "$compare_build/source"
    git -C "$ROOT" archive "$compare_sha" | tar -x -C "$compare_build/source" || die "git archive of $compare_label failed"
    dotnet publish "$compare_build/source/src/HybridFlow.Api/HybridFlow.Api.csproj" -c Release -o "$compare_build/api" --nologo -v quiet >&2 \
      || die "dotnet publish of $compare_label's API failed"
    rm -rf -- "$compare_build/source"
    touch "$compare_build/.complete"
  fi
fi

# 3. A fresh database (the API applies the migrations when it starts).
hf_pg_psql -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null
hf_pg_psql -c "CREATE DATABASE $DB_NAME" >/dev/null
db_created=true

# 4. The API, as its own process, through a launcher the benchmark program uses too (for the burst's processes).
api_port="$(hf_free_port)" || die "no free port found"
fake_port="$(hf_free_port "$api_port")" || die "no free port found"
admin_key="bench-admin-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
encryption_key="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
api_settings=(
  LOG_LEVEL=warning
  LLM_PROVIDER=openai
  "OPENAI_BASE_URL=http://127.0.0.1:$fake_port/v1"
  OPENAI_API_KEY=sk-bench-fake
  OPENAI_MODEL=gpt-bench
  REPLY_POLL_MS=50
  # The burst's model takes seconds per answer (--burst-latency, at most 30): well inside this.
  LLM_TIMEOUT=60
  # The load is one instance and one key far beyond any real budget: rate limits would measure themselves.
  RATE_LIMIT_WEBHOOK_PER_MINUTE=0
  RATE_LIMIT_API_PER_MINUTE=0
)
# start-api.sh PORT DATABASE [NAME=VALUE...]: the API in the foreground (exec, so its pid is the API's); the extra
# settings come last and win. Nothing from the caller's environment that the API reads gets through.
write_launcher() { # write_launcher FILE API_DIR: the launcher for the published API in API_DIR
  local file="$1" app="$2"
  {
    printf '#!/usr/bin/env bash\n# Written by scripts/bench.sh for one run: start-api.sh PORT DATABASE [NAME=VALUE...]\nset -euo pipefail\n'
    printf 'port="$1" database="$2"\nshift 2\ncd %q\n' "$app"
    printf 'exec env -u ASPNETCORE_URLS -u URLS -u EVOLUTION_WEBHOOK_SHARED_SECRET -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL'
    printf ' -u %s' OPENAI_API_KEY OPENAI_BASE_URL LLM_PROVIDER LLM_TIMEOUT LLM_MAX_CONCURRENCY REPLY_WORKERS REPLY_CONCURRENCY \
      REPLY_TENANT_CONCURRENCY REPLY_JOB_LEASE_SECONDS DOTNET_gcServer
    printf ' \\\n  %q' ASPNETCORE_ENVIRONMENT=Production ADMIN_API_KEY="$admin_key" SECRETS_ENCRYPTION_KEY="$encryption_key" METRICS_PUBLIC=true \
      "${api_settings[@]}"
    printf ' \\\n  DATABASE_URL=%q"$database" PORT="$port" "$@" dotnet %q\n' \
      "postgres://postgres@127.0.0.1:$HF_PG_PORT/" "$app/HybridFlow.Api.dll"
  } >"$file"
  chmod 700 "$file"
}
launcher="$WORK/start-api.sh"
write_launcher "$launcher" "$WORK/api"
if [[ -n "$compare_to" ]]; then
  # The same settings for the other commit's API (an older API ignores the ones it does not know).
  write_launcher "$WORK/start-compare-api.sh" "$compare_build/api"
  compare_args=(--compare-launcher "$WORK/start-compare-api.sh" --compare-label "$compare_label" --compare-database "$COMPARE_DB_NAME")
fi
if ! $burst_only; then
  log "starting the API on 127.0.0.1:$api_port (log: $WORK/api.log)"
  "$launcher" "$api_port" "$DB_NAME" >"$WORK/api.log" 2>&1 &
  api_pid=$!
  main_api_args=(--api-url "http://127.0.0.1:$api_port/" --api-pid "$api_pid")
else
  main_api_args=()
fi

# 5. The benchmark program (it waits for the API's /health itself).
# With autogroup scheduling on, the kernel shares the CPUs between sessions, not processes: `nice` on other work
# (builds, test runs) then does not give this run priority, and its figures pay for that work (ADR-011).
if [[ "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)" == 1 ]]; then
  log "warning: kernel.sched_autogroup_enabled is 1, so niced work elsewhere still takes CPU from this run" \
    "(as root: sysctl -w kernel.sched_autogroup_enabled=0)"
fi
log "running the benchmark (limit ${limit} s)"
set +e
TMPDIR="$WORK" HYBRIDFLOW_BENCH_ADMIN_KEY="$admin_key" \
  HYBRIDFLOW_BENCH_DB="Host=127.0.0.1;Port=$HF_PG_PORT;Username=postgres;Database=$DB_NAME" \
  timeout --signal=TERM --kill-after=30 "$limit" \
  dotnet "$WORK/bench/HybridFlow.Benchmarks.dll" \
  "${main_api_args[@]}" \
  --api-launcher "$launcher" \
  --burst-database "$BURST_DB_NAME" \
  --baseline-database "$BASELINE_DB_NAME" \
  --this-label "$this_label" \
  "${compare_args[@]}" \
  --postmaster-pid "$postmaster_pid" \
  --fake-port "$fake_port" \
  --pgbench "$pgbench_bin" \
  --api-env "${api_settings[*]} (REPLY_CONCURRENCY, REPLY_WORKERS and the rest: defaults)" \
  "${extra_args[@]}" "${bench_args[@]}" &
bench_pid=$!
wait "$bench_pid"
rc=$?
bench_pid=""
set -e

if ((rc != 0)); then
  if ((rc == 124)); then log "the benchmark did not finish within ${limit} s (HYBRIDFLOW_BENCH_TIMEOUT)"; fi
  if [[ -n "$api_pid" ]]; then
    if ! kill -0 "$api_pid" 2>/dev/null; then log "the API process is gone"; fi
    log "last lines of the API log:"
    tail -n 40 "$WORK/api.log" >&2 || true
  fi
  exit "$rc"
fi
if [[ -n "$api_pid" ]] && grep -q '"@l":"\(Error\|Fatal\)"' "$WORK/api.log"; then
  log "the API logged errors during the run:"
  grep '"@l":"\(Error\|Fatal\)"' "$WORK/api.log" | head -n 5 >&2
fi
