#!/usr/bin/env bash
# The one command that benchmarks HybridFlow (no Docker; sized for 2 cores; works from any directory):
#
#   scripts/bench.sh              full run, about 5 minutes plus the burst; writes docs/BENCHMARKS.md
#   scripts/bench.sh --quick      smoke run of a few minutes; writes .data/bench/BENCHMARKS-quick.md
#   scripts/bench.sh --burst-only only section e, the burst (issue 9); writes .data/bench/BENCHMARKS-burst.md
#   scripts/bench.sh --burst-only --burst-chats 0   only section f, 1,000 customers of 50 tenants at once (issue 18)
#   scripts/bench.sh [--quick] [--seconds 20 --pairs 5 --growth 10000:1000 --burst-chats 60 ... --output FILE]
#                               (all options and defaults: benchmarks/HybridFlow.Benchmarks/BenchmarkOptions.cs)
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
has_output=false
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true ;;
    --burst-only) burst_only=true ;;
    --output) has_output=true ;;
    --help | -h)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
  esac
done
extra_args=()
if ! $has_output; then
  if $burst_only || $quick; then
    # A smoke run or a single section must not overwrite the committed figures.
    mkdir -p "$ROOT/.data/bench"
    extra_args+=(--output "$ROOT/.data/bench/BENCHMARKS-$($burst_only && echo burst || echo quick).md")
  else
    extra_args+=(--output "$ROOT/docs/BENCHMARKS.md")
  fi
fi
if $burst_only; then default_limit=1200; elif $quick; then default_limit=600; else default_limit=1800; fi
limit="${HYBRIDFLOW_BENCH_TIMEOUT:-$default_limit}"
[[ "$limit" =~ ^[0-9]+$ ]] || die "HYBRIDFLOW_BENCH_TIMEOUT must be a number of seconds, got '$limit'"

command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is required"

DB_NAME=hybridflow_bench
BURST_DB_NAME=hybridflow_bench_burst
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
    hf_pg_psql -c "DROP DATABASE IF EXISTS $BURST_DB_NAME WITH (FORCE)" >/dev/null 2>&1 || log "could not drop database $BURST_DB_NAME"
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
launcher="$WORK/start-api.sh"
{
  printf '#!/usr/bin/env bash\n# Written by scripts/bench.sh for one run: start-api.sh PORT DATABASE [NAME=VALUE...]\nset -euo pipefail\n'
  printf 'port="$1" database="$2"\nshift 2\ncd %q\n' "$WORK/api"
  printf 'exec env -u ASPNETCORE_URLS -u URLS -u EVOLUTION_WEBHOOK_SHARED_SECRET -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL'
  printf ' -u %s' OPENAI_API_KEY OPENAI_BASE_URL LLM_PROVIDER LLM_TIMEOUT LLM_MAX_CONCURRENCY REPLY_WORKERS REPLY_CONCURRENCY \
    REPLY_TENANT_CONCURRENCY REPLY_JOB_LEASE_SECONDS DOTNET_gcServer
  printf ' \\\n  %q' ASPNETCORE_ENVIRONMENT=Production ADMIN_API_KEY="$admin_key" SECRETS_ENCRYPTION_KEY="$encryption_key" METRICS_PUBLIC=true \
    "${api_settings[@]}"
  printf ' \\\n  DATABASE_URL=%q"$database" PORT="$port" "$@" dotnet %q\n' \
    "postgres://postgres@127.0.0.1:$HF_PG_PORT/" "$WORK/api/HybridFlow.Api.dll"
} >"$launcher"
chmod 700 "$launcher"
if ! $burst_only; then
  log "starting the API on 127.0.0.1:$api_port (log: $WORK/api.log)"
  "$launcher" "$api_port" "$DB_NAME" >"$WORK/api.log" 2>&1 &
  api_pid=$!
  main_api_args=(--api-url "http://127.0.0.1:$api_port/" --api-pid "$api_pid")
else
  main_api_args=()
fi

# 5. The benchmark program (it waits for the API's /health itself).
log "running the benchmark (limit ${limit} s)"
set +e
TMPDIR="$WORK" HYBRIDFLOW_BENCH_ADMIN_KEY="$admin_key" \
  HYBRIDFLOW_BENCH_DB="Host=127.0.0.1;Port=$HF_PG_PORT;Username=postgres;Database=$DB_NAME" \
  timeout --signal=TERM --kill-after=30 "$limit" \
  dotnet "$WORK/bench/HybridFlow.Benchmarks.dll" \
  "${main_api_args[@]}" \
  --api-launcher "$launcher" \
  --burst-database "$BURST_DB_NAME" \
  --postmaster-pid "$postmaster_pid" \
  --fake-port "$fake_port" \
  --pgbench "$pgbench_bin" \
  --api-env "${api_settings[*]} (REPLY_CONCURRENCY, REPLY_WORKERS and the rest: defaults)" \
  "${extra_args[@]}" "$@" &
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
