# shellcheck shell=bash disable=SC2034  # HF_PG_* variables are read by the sourcing script
# The project-local PostgreSQL cluster, shared by scripts/run.sh and scripts/bench.sh. Source it, do not run it.
#
# The caller sets ROOT (the repository root) and defines log() and die() before sourcing. Functions:
#   hf_pg_start_local        installs PostgreSQL if needed (scripts/ensure-postgres.sh), starts -- or reuses, if
#                            already running -- the cluster in $HYBRIDFLOW_PG_DATA (default <repo>/.data/postgres),
#                            listening on 127.0.0.1:$HYBRIDFLOW_PG_PORT (default 55432) only, trust auth. Sets
#                            HF_PG_BIN (bin folder), HF_PG_DATA, HF_PG_PORT (the port it really listens on) and
#                            HF_PG_STARTED (true when this call started it, false when it was already running).
#   hf_pg_psql ARGS...       psql as the postgres user on the cluster's `postgres` database (-X -q, stop on error).
#   hf_pg_ensure_database N  creates database N when it does not exist.
#   hf_pg_postmaster_pid     prints the running postmaster's pid.
#   hf_pg_stop               stops the cluster (fast shutdown).
#   hf_free_port [PORT...]   prints a loopback port nobody listens on, other than the given ones.
#
# HF_PG_ANY_PORT=true (set by the caller): when HYBRIDFLOW_PG_PORT is unset and the default port is taken (e.g. by
# another checkout's cluster), start this cluster on a free port instead of failing.

HF_DATA_ROOT="$ROOT/.data"

hf_is_root=false
[[ "$(id -u)" -eq 0 ]] && hf_is_root=true

# Runs a PostgreSQL server tool as the cluster owner: `postgres` when we are root (initdb/postgres refuse to
# run as root), else ourselves. cd / so the tool never starts in a folder the postgres user cannot read.
as_pg() {
  if $hf_is_root; then
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

hf_pg_start_local() {
  local bin pg_port pgdata version port initdb_output

  bin="$(bash "$ROOT/scripts/ensure-postgres.sh")" || die "PostgreSQL is not available (see above)"
  pg_port="${HYBRIDFLOW_PG_PORT:-55432}"
  [[ "$pg_port" =~ ^[0-9]+$ ]] || die "HYBRIDFLOW_PG_PORT must be a number, got '$pg_port'"

  if $hf_is_root; then
    id -u postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' OS user (apt-get install -y postgresql creates it)"
    command -v runuser >/dev/null 2>&1 || die "running as root needs runuser (util-linux) to start PostgreSQL as 'postgres'"
  fi

  mkdir -p "$HF_DATA_ROOT"
  pgdata="${HYBRIDFLOW_PG_DATA:-$HF_DATA_ROOT/postgres}"
  if $hf_is_root && [[ -z "${HYBRIDFLOW_PG_DATA:-}" ]] && ! runuser -u postgres -- test -x "$HF_DATA_ROOT"; then
    # e.g. a checkout under /root (mode 700): the postgres user cannot reach .data, so keep the cluster elsewhere.
    pgdata="/var/tmp/hybridflow-pg-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)/postgres"
    log "the postgres user cannot reach $HF_DATA_ROOT; keeping the cluster in $pgdata instead"
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
    if $hf_is_root; then chown postgres: "$pgdata"; fi
    if ! initdb_output="$(as_pg "$bin/initdb" -D "$pgdata" -A trust -U postgres -E UTF8 --locale=C 2>&1)"; then
      printf '%s\n' "$initdb_output" >&2
      die "initdb failed (see above)"
    fi
    # TCP on loopback only; no unix socket (avoids socket-path length limits and permission issues).
    printf '\n# added by scripts/lib/local-postgres.sh\nlisten_addresses = '"'"'127.0.0.1'"'"'\nunix_socket_directories = '"'"''"'"'\n' \
      >> "$pgdata/postgresql.conf"
  fi

  HF_PG_STARTED=false
  if cluster_running "$bin" "$pgdata"; then
    # Line 4 of postmaster.pid is the port the running server listens on.
    port="$(sed -n 4p "$pgdata/postmaster.pid" | tr -d '[:space:]')"
    [[ "$port" =~ ^[0-9]+$ ]] || port="$pg_port"
    if [[ "$port" != "$pg_port" && -n "${HYBRIDFLOW_PG_PORT:-}" ]]; then
      log "reusing the running cluster on port $port (HYBRIDFLOW_PG_PORT=$pg_port applies after it is stopped)"
    else
      log "reusing the running PostgreSQL cluster on 127.0.0.1:$port"
    fi
  else
    port="$pg_port"
    if [[ -z "${HYBRIDFLOW_PG_PORT:-}" && "${HF_PG_ANY_PORT:-false}" == "true" ]] && hf_port_in_use "$port"; then
      port="$(hf_free_port "$pg_port")" || die "port $pg_port is taken and no free port was found"
      log "port $pg_port is taken (another checkout's cluster?); using $port for this one"
    fi
    log "starting PostgreSQL on 127.0.0.1:$port (log: $pgdata/server.log)"
    if ! as_pg "$bin/pg_ctl" start -w -t 60 -D "$pgdata" -l "$pgdata/server.log" -o "-p $port" >&2; then
      tail -n 30 "$pgdata/server.log" >&2 2>/dev/null || true
      die "could not start PostgreSQL on port $port (in use? set HYBRIDFLOW_PG_PORT)"
    fi
    HF_PG_STARTED=true
  fi

  HF_PG_BIN="$bin"
  HF_PG_DATA="$pgdata"
  HF_PG_PORT="$port"

  local tries=0
  until hf_pg_psql -tA -c 'SELECT 1' >/dev/null 2>&1; do
    tries=$((tries + 1))
    if ((tries >= 60)); then
      tail -n 30 "$pgdata/server.log" >&2 2>/dev/null || true
      die "PostgreSQL in $pgdata does not accept connections on 127.0.0.1:$port"
    fi
    sleep 0.5
  done
}

hf_pg_psql() {
  "$HF_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
    -d "host=127.0.0.1 port=$HF_PG_PORT user=postgres dbname=postgres sslmode=disable connect_timeout=10" "$@"
}

hf_pg_ensure_database() {
  local name="$1" exists
  exists="$(hf_pg_psql -tA -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" \
    || die "cannot query PostgreSQL on port $HF_PG_PORT"
  if [[ "$exists" != "1" ]]; then
    log "creating database $name"
    hf_pg_psql -c "CREATE DATABASE \"$name\"" >&2 || die "could not create database $name"
  fi
}

hf_pg_postmaster_pid() {
  head -n 1 "$HF_PG_DATA/postmaster.pid" 2>/dev/null | tr -d '[:space:]'
}

hf_pg_stop() {
  as_pg "$HF_PG_BIN/pg_ctl" stop -D "$HF_PG_DATA" -m fast -w -t 60 >&2
}

# True when something listens on 127.0.0.1:$1 (bash's /dev/tcp, no extra tools).
hf_port_in_use() {
  (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# shellcheck disable=SC2120  # the callers in other scripts pass ports to avoid
hf_free_port() {
  local port taken i
  for ((i = 0; i < 200; i++)); do
    # Below Linux's ephemeral range (32768-60999): a port chosen now and bound later must not be taken meanwhile by
    # some outgoing connection (a benchmark's fake upstreams lost theirs that way).
    port=$((20000 + RANDOM % 12000))
    for taken in "$@"; do [[ "$port" == "$taken" ]] && continue 2; done
    if ! hf_port_in_use "$port"; then
      printf '%s\n' "$port"
      return 0
    fi
  done
  return 1
}
