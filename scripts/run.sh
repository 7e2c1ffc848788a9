#!/usr/bin/env bash
# The one command that runs the HybridFlow API:
#
#   scripts/run.sh [extra `dotnet run` arguments...]      (works from any directory)
#
# Without DATABASE_URL it installs PostgreSQL if needed (scripts/ensure-postgres.sh), starts -- or reuses, if
# already running -- a project-local cluster in .data/postgres (git-ignored; owned by the `postgres` OS user
# when run as root) listening on 127.0.0.1 only, with trust auth, creates the `hybridflow` database if missing,
# and exports DATABASE_URL=postgres://postgres@127.0.0.1:PORT/hybridflow. The cluster keeps running after the
# API exits and is reused next time; stop it with
#   pg_ctl stop -D .data/postgres            (as root: runuser -u postgres -- <bindir>/pg_ctl stop -D ...)
#
# Environment:
#   DATABASE_URL            use this server as is; no local cluster is started.
#   HYBRIDFLOW_PG_PORT      port of the local cluster (default 55432). A cluster that is already running keeps
#                           the port it was started with.
#   HYBRIDFLOW_PG_DATA      data folder of the local cluster (default <repo>/.data/postgres).
#   PORT                    HTTP port of the API (default 8080).
#   SECRETS_ENCRYPTION_KEY  when unset in development (ASPNETCORE_ENVIRONMENT and DOTNET_ENVIRONMENT unset, or
#                           "Development"), a random base64 32-byte key is generated once into .data/secrets.key
#                           and exported. Outside development nothing is generated.
#   HYBRIDFLOW_RUN_DRY=1    dry run: do everything above, print PORT and DATABASE_URL, and exit 0 instead of
#                           starting the API (used to test this script without building the service).
set -euo pipefail

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

log() { printf 'run.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

export PORT="${PORT:-8080}"
DATA_ROOT="$ROOT/.data"

is_root=false
[[ "$(id -u)" -eq 0 ]] && is_root=true

# Runs a PostgreSQL server tool as the cluster owner: `postgres` when we are root (initdb/postgres refuse to
# run as root), else ourselves. cd / so the tool never starts in a folder the postgres user cannot read.
as_pg() {
  if $is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

# True when the cluster in $2 is running. A postmaster that was killed can linger for a moment as a zombie,
# which pg_ctl status still reports as running: wait for it to disappear instead.
cluster_running() {
  local bin="$1" pgdata="$2" pid state i
  as_pg "$bin/pg_ctl" status -D "$pgdata" >/dev/null 2>&1 || return 1
  pid="$(head -n 1 "$pgdata/postmaster.pid" 2>/dev/null | tr -d '[:space:]')" || return 0
  [[ -d /proc/self ]] || return 0
  for ((i = 0; i < 40; i++)); do
    [[ -r "/proc/$pid/stat" ]] || return 1
    state="$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)"
    [[ "$state" == "Z" ]] || return 0
    sleep 0.25
  done
  return 0
}

start_local_postgres() {
  local bin pg_port pgdata version port psql_conn exists initdb_output

  bin="$(bash "$ROOT/scripts/ensure-postgres.sh")" || die "PostgreSQL is not available (see above)"
  pg_port="${HYBRIDFLOW_PG_PORT:-55432}"
  [[ "$pg_port" =~ ^[0-9]+$ ]] || die "HYBRIDFLOW_PG_PORT must be a number, got '$pg_port'"

  if $is_root; then
    id -u postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' OS user (apt-get install -y postgresql creates it)"
    command -v runuser >/dev/null 2>&1 || die "running as root needs runuser (util-linux) to start PostgreSQL as 'postgres'"
  fi

  mkdir -p "$DATA_ROOT"
  pgdata="${HYBRIDFLOW_PG_DATA:-$DATA_ROOT/postgres}"
  if $is_root && [[ -z "${HYBRIDFLOW_PG_DATA:-}" ]] && ! runuser -u postgres -- test -x "$DATA_ROOT"; then
    # e.g. a checkout under /root (mode 700): the postgres user cannot reach .data, so keep the cluster elsewhere.
    pgdata="/var/tmp/hybridflow-pg-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)/postgres"
    log "the postgres user cannot reach $DATA_ROOT; keeping the cluster in $pgdata instead"
    mkdir -p "$(dirname -- "$pgdata")"
    chmod 755 "$(dirname -- "$pgdata")"
  fi

  # An existing cluster must be run by the binaries of its own major version.
  if [[ -s "$pgdata/PG_VERSION" ]]; then
    version="$(tr -d '[:space:]' < "$pgdata/PG_VERSION")"
    if [[ -x "/usr/lib/postgresql/$version/bin/pg_ctl" ]]; then
      bin="/usr/lib/postgresql/$version/bin"
    fi
  else
    log "initialising a new PostgreSQL cluster in $pgdata"
    mkdir -p "$pgdata"
    chmod 700 "$pgdata"
    if $is_root; then chown postgres: "$pgdata"; fi
    if ! initdb_output="$(as_pg "$bin/initdb" -D "$pgdata" -A trust -U postgres -E UTF8 --locale=C 2>&1)"; then
      printf '%s\n' "$initdb_output" >&2
      die "initdb failed (see above)"
    fi
    # TCP on loopback only; no unix socket (avoids socket-path length limits and permission issues).
    printf '\n# added by scripts/run.sh\nlisten_addresses = '"'"'127.0.0.1'"'"'\nunix_socket_directories = '"'"''"'"'\n' \
      >> "$pgdata/postgresql.conf"
  fi

  if cluster_running "$bin" "$pgdata"; then
    # Line 4 of postmaster.pid is the port the running server listens on.
    port="$(sed -n 4p "$pgdata/postmaster.pid" | tr -d '[:space:]')"
    [[ "$port" =~ ^[0-9]+$ ]] || port="$pg_port"
    if [[ "$port" != "$pg_port" ]]; then
      log "reusing the running cluster on port $port (HYBRIDFLOW_PG_PORT=$pg_port applies after it is stopped)"
    else
      log "reusing the running PostgreSQL cluster on 127.0.0.1:$port"
    fi
  else
    port="$pg_port"
    log "starting PostgreSQL on 127.0.0.1:$port (log: $pgdata/server.log)"
    if ! as_pg "$bin/pg_ctl" start -w -t 60 -D "$pgdata" -l "$pgdata/server.log" -o "-p $port" >&2; then
      tail -n 30 "$pgdata/server.log" >&2 2>/dev/null || true
      die "could not start PostgreSQL on port $port (in use? set HYBRIDFLOW_PG_PORT)"
    fi
  fi

  psql_conn="host=127.0.0.1 port=$port user=postgres dbname=postgres sslmode=disable connect_timeout=10"
  local tries=0
  until "$bin/psql" -X -q -tA -d "$psql_conn" -c 'SELECT 1' >/dev/null 2>&1; do
    tries=$((tries + 1))
    if ((tries >= 60)); then
      tail -n 30 "$pgdata/server.log" >&2 2>/dev/null || true
      die "PostgreSQL in $pgdata does not accept connections on 127.0.0.1:$port"
    fi
    sleep 0.5
  done
  exists="$("$bin/psql" -X -q -v ON_ERROR_STOP=1 -tA -d "$psql_conn" \
    -c "SELECT 1 FROM pg_database WHERE datname = 'hybridflow'")" || die "cannot query PostgreSQL on port $port"
  if [[ "$exists" != "1" ]]; then
    log "creating database hybridflow"
    "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$psql_conn" -c 'CREATE DATABASE hybridflow' >&2 \
      || die "could not create database hybridflow"
  fi

  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/hybridflow"
}

if [[ -z "${DATABASE_URL:-}" ]]; then
  start_local_postgres
fi

environment_name="${ASPNETCORE_ENVIRONMENT:-${DOTNET_ENVIRONMENT:-Development}}"
if [[ -z "${SECRETS_ENCRYPTION_KEY:-}" && "${environment_name,,}" == "development" ]]; then
  key_file="$DATA_ROOT/secrets.key"
  if [[ ! -s "$key_file" ]]; then
    mkdir -p "$DATA_ROOT"
    (
      umask 077
      head -c 32 /dev/urandom | base64 | tr -d '\n' > "$key_file.tmp.$$"
      mv -f "$key_file.tmp.$$" "$key_file"
    )
    log "generated a development SECRETS_ENCRYPTION_KEY in $key_file"
  fi
  SECRETS_ENCRYPTION_KEY="$(tr -d '[:space:]' < "$key_file")"
  export SECRETS_ENCRYPTION_KEY
fi

if [[ "${HYBRIDFLOW_RUN_DRY:-}" == "1" ]]; then
  printf 'PORT=%s\n' "$PORT"
  printf 'DATABASE_URL=%s\n' "$DATABASE_URL"
  exit 0
fi

exec dotnet run --project "$ROOT/src/HybridFlow.Api" -c Release "$@"
