#!/usr/bin/env bash
# Opt-in: a Docker engine and an offline-built PostgreSQL image for the integration tests, on a Debian 12 machine
# with no container registry (like CI). Not called by scripts/test.sh: the test command never installs Docker.
#
#   scripts/container-engine.sh start   install the engine if missing, start dockerd if not running, build the
#                                       image if missing; writes the env vars the tests need to
#                                       $HYBRIDFLOW_ENGINE_STATE/env (source it) and prints them
#   scripts/container-engine.sh stop    stop the dockerd that `start` started (nothing else); safe to repeat
#
# Why Debian 13's docker.io: Debian 12's engine (API 1.41) refuses Testcontainers 4 (API 1.44); trixie's 26.1.5
# installs over bookworm's containerd and runc. Why debootstrap: no image can be pulled here.
# Idempotent: a second `start` only finds what is there. Needs root (apt-get, dpkg, dockerd). Logs go to stderr.
#
# Env: HYBRIDFLOW_TEST_POSTGRES_IMAGE  image to build (default hybridflow/postgres:15)
#      HYBRIDFLOW_ENGINE_STATE         state folder (default /var/lib/hybridflow-engine: machine-wide, as dockerd is)
set -euo pipefail

IMAGE="${HYBRIDFLOW_TEST_POSTGRES_IMAGE:-hybridflow/postgres:15}"
STATE="${HYBRIDFLOW_ENGINE_STATE:-/var/lib/hybridflow-engine}"
PG_MAJOR=15
DOCKER_MIN_API=1.44

log() { printf 'container-engine: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ "$(id -u)" -eq 0 ]] || die "needs root (it installs packages and starts dockerd)"
export DEBIAN_FRONTEND=noninteractive

# The Debian mirror apt already uses for the given suite, read from apt's own sources (deb822 or one-line).
debian_mirror() {
  local suite="$1" uri
  uri="$(awk -v suite="$suite" '
    function flush() { if (!done && uris != "" && (" " suites " ") ~ (" " suite " ") && types ~ /deb( |$)/) { split(uris, u, " "); print u[1]; done = 1; exit } uris = suites = types = "" }
    /^[[:space:]]*$/ { flush(); next }
    /^Types:/  { sub(/^Types:[[:space:]]*/, "");  types = $0 }
    /^URIs:/   { sub(/^URIs:[[:space:]]*/, "");   uris = $0 }
    /^Suites:/ { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
    END { flush() }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  if [[ -z "$uri" ]]; then
    uri="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk -v suite="$suite" '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) == suite) { print $i; exit } }')"
  fi
  [[ -n "$uri" ]] || die "no apt source for suite '$suite' in /etc/apt/sources.list*"
  printf '%s\n' "${uri%/}"
}

server_api() { docker version --format '{{.Server.APIVersion}}' 2>/dev/null; }
api_at_least() { [[ "$(printf '%s\n%s\n' "$DOCKER_MIN_API" "$1" | sort -V | head -n 1)" == "$DOCKER_MIN_API" ]]; }
dockerd_api() { # true when the installed dockerd is new enough (25.x serves API 1.44, 26.x 1.45; bookworm's 20.10 1.41)
  local v
  v="$(dockerd --version 2>/dev/null | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')"
  [[ -n "$v" ]] && ((v >= 25))
}

apt_updated=false
apt_install() {
  if ! $apt_updated; then
    log "apt-get update"
    apt-get update -qq >&2
    apt_updated=true
  fi
  log "apt-get install $*"
  apt-get install -y -qq --no-install-recommends "$@" >&2
}

install_engine() {
  if command -v dockerd >/dev/null 2>&1 && dockerd_api; then
    log "engine: $(dockerd --version) already installed"
    return 0
  fi
  local t0=$SECONDS codename mirror scratch deb
  codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
  [[ "$codename" == bookworm ]] || log "warning: written for Debian 12 (bookworm), this is '${codename:-unknown}'"
  # bookworm's docker.io first: it brings containerd, runc, iptables and the init scripts' users and groups.
  apt_install docker.io
  mirror="$(debian_mirror "$codename")"
  scratch="$STATE/apt-trixie"
  rm -rf "$scratch"
  mkdir -p "$scratch/lists/partial" "$scratch/debs"
  # A private sources list and lists folder: the system's apt sources and state are not changed.
  printf 'deb %s trixie main\n' "$mirror" >"$scratch/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$scratch/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$scratch/lists")
  log "engine: fetching Debian 13's docker.io from the same mirror"
  apt-get "${opts[@]}" update -qq >&2
  # As root into a root-owned folder: apt's _apt sandbox user could not write there.
  (cd "$scratch/debs" && apt-get "${opts[@]}" -o APT::Sandbox::User=root download docker.io >&2)
  deb="$(compgen -G "$scratch/debs/docker.io_*.deb" | head -n 1)" || die "docker.io .deb was not downloaded"
  log "engine: dpkg -i $(basename -- "$deb")"
  dpkg -i "$deb" >&2
  rm -rf "$scratch"
  log "engine: installed docker.io $(dpkg-query -W -f '${Version}' docker.io) in $((SECONDS - t0)) s"
}

start_engine() {
  local api
  if api="$(server_api)" && [[ -n "$api" ]]; then
    api_at_least "$api" || die "a Docker engine is running but serves API $api; Testcontainers 4 needs $DOCKER_MIN_API"
    log "engine: dockerd already running (API $api), not started by this call"
    return 0
  fi
  mkdir -p "$STATE"
  log "engine: starting dockerd (log: $STATE/dockerd.log)"
  # setsid: dockerd outlives this script and is not hit by the caller's Ctrl-C; `stop` ends it by its pid.
  setsid dockerd >"$STATE/dockerd.log" 2>&1 </dev/null &
  local pid=$! i
  echo "$pid" >"$STATE/dockerd.pid"
  for ((i = 0; i < 120; i++)); do
    if api="$(server_api)" && [[ -n "$api" ]]; then
      # dockerd's own pid file names the daemon itself, whatever setsid did.
      pid="$(cat /var/run/docker.pid 2>/dev/null || echo "$pid")"
      echo "$pid" >"$STATE/dockerd.pid"
      log "engine: dockerd pid $pid up (API $api)"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$STATE/dockerd.log" >&2; rm -f "$STATE/dockerd.pid"; die "dockerd exited"; }
    sleep 0.5
  done
  tail -n 20 "$STATE/dockerd.log" >&2
  die "dockerd did not answer within 60 s"
}

stop_engine() {
  local pid i
  pid="$(cat "$STATE/dockerd.pid" 2>/dev/null || true)"
  if [[ -z "$pid" ]]; then
    log "engine: no dockerd started by this script; nothing to stop"
    return 0
  fi
  # Only our dockerd: the pid must still be a dockerd process.
  if [[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" != dockerd ]]; then
    log "engine: dockerd pid $pid is gone already"
    rm -f "$STATE/dockerd.pid"
    return 0
  fi
  # The test fixture removes its containers itself; anything left is from a killed test run.
  local left
  left="$(docker ps -aq --filter label=hybridflow.tests 2>/dev/null || true)"
  if [[ -n "$left" ]]; then
    log "engine: removing $(wc -w <<<"$left") test container(s) left behind"
    # shellcheck disable=SC2086  # one id per word
    docker rm -f $left >/dev/null 2>&1 || true
  fi
  log "engine: stopping dockerd pid $pid"
  kill -TERM "$pid"
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "engine: dockerd pid $pid did not stop within 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$STATE/dockerd.pid"
  log "engine: stopped"
}

# Honours the official postgres image's contract (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB), which is what
# Testcontainers' PostgreSQL module sets.
write_entrypoint() {
  cat >"$1" <<'EOF'
#!/bin/sh
set -eu
PGBIN=/usr/lib/postgresql/__PG_MAJOR__/bin
PGDATA="${PGDATA:-/var/lib/postgresql/data}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  [ -n "${POSTGRES_PASSWORD:-}" ] || { echo "entrypoint: POSTGRES_PASSWORD is required" >&2; exit 1; }
  mkdir -p "$PGDATA" /run/postgresql
  chown postgres:postgres "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  chown postgres "$pwfile"
  as_pg "$PGBIN/initdb" -D "$PGDATA" -U "$user" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  # Clients come through the published port, i.e. from the bridge's gateway: allow any address, with a password.
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    as_pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -U "$user" -d postgres -c "CREATE DATABASE \"$db\""
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  fi
fi
mkdir -p /run/postgresql
chown postgres:postgres /run/postgresql
# docker stop sends SIGTERM, which postgres reads as a "smart" shutdown that waits for every client to leave;
# the official image sets STOPSIGNAL SIGINT (fast shutdown) instead. Do the same by translating the signal.
# setpriv directly, not through as_pg: a function would run in a subshell, and $! would be that subshell.
setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/postgres" -D "$PGDATA" -c listen_addresses='*' "$@" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' TERM INT
status=0
wait "$pid" || status=$?
# wait returns early when a trapped signal arrives: wait again for postgres itself.
while kill -0 "$pid" 2>/dev/null; do wait "$pid" || status=$?; done
exit "$status"
EOF
  sed -i "s/__PG_MAJOR__/$PG_MAJOR/" "$1"
  chmod 755 "$1"
}

# debootstrap mounts /proc and /sys inside the root it builds; after a failure they may still be there.
remove_rootfs() {
  local root="$1" target
  [[ -e "$root" ]] || return 0
  while IFS= read -r target; do
    umount -l -- "$target" 2>/dev/null || true
  done < <(findmnt -rn -o TARGET | grep -F -- "$root/" | sort -r)
  rm -rf --one-file-system -- "$root"
}

# Two images: the debootstrapped file system (slow, built once) and, on top of it, the entrypoint (seconds; built
# again whenever the entrypoint in this script changes, recognised by its hash in a label).
build_image() {
  local t0=$SECONDS base="$IMAGE-rootfs" scratch entry hash have
  scratch="$STATE/entrypoint"
  mkdir -p "$scratch"
  entry="$scratch/docker-entrypoint.sh"
  write_entrypoint "$entry"
  hash="$(sha256sum "$entry" | cut -c1-16)"
  have="$(docker image inspect -f '{{index .Config.Labels "hybridflow.entrypoint"}}' "$IMAGE" 2>/dev/null || true)"
  if [[ "$have" == "$hash" ]]; then
    log "image: $IMAGE already built ($(docker image inspect -f '{{.Created}}' "$IMAGE"))"
    return 0
  fi
  docker image inspect "$base" >/dev/null 2>&1 || build_rootfs_image "$base"
  log "image: $IMAGE = $base + entrypoint $hash"
  local id
  id="$(docker create "$base" true)"
  docker cp "$entry" "$id:/usr/local/bin/docker-entrypoint.sh"
  docker commit \
    --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
    --change 'CMD []' \
    --change 'ENV PGDATA=/var/lib/postgresql/data' \
    --change 'EXPOSE 5432' \
    --change "LABEL hybridflow.entrypoint=$hash" \
    "$id" "$IMAGE" >/dev/null
  docker rm "$id" >/dev/null
  rm -rf "$scratch"
  log "image: built $IMAGE in $((SECONDS - t0)) s"
}

build_rootfs_image() {
  local base="$1" t0=$SECONDS codename mirror root tool
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-bookworm}")"
  mirror="$(debian_mirror "$codename")"
  root="$STATE/rootfs"
  remove_rootfs "$root"
  log "image: debootstrap $codename with postgresql-$PG_MAJOR into $root (minutes)"
  debootstrap --variant=minbase --include="postgresql-$PG_MAJOR" "$codename" "$root" "$mirror" >"$STATE/debootstrap.log" 2>&1 ||
    { tail -n 20 "$STATE/debootstrap.log" >&2; remove_rootfs "$root"; die "debootstrap failed (log: $STATE/debootstrap.log)"; }
  # The Debian package creates a cluster of its own in the root file system: the entrypoint makes its own.
  rm -rf "$root/var/lib/postgresql/$PG_MAJOR" "$root/etc/postgresql/$PG_MAJOR"
  rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
  # Testcontainers waits with pg_isready inside the container: it must be on PATH.
  for tool in pg_isready psql initdb pg_ctl postgres; do
    ln -sf "/usr/lib/postgresql/$PG_MAJOR/bin/$tool" "$root/usr/local/bin/$tool"
  done
  log "image: docker import as $base"
  tar -C "$root" --one-file-system -c . | docker import --change 'EXPOSE 5432' - "$base" >/dev/null
  remove_rootfs "$root"
  log "image: built $base in $((SECONDS - t0)) s"
}

write_env() {
  mkdir -p "$STATE"
  cat >"$STATE/env" <<EOF
export HYBRIDFLOW_TEST_POSTGRES=container
export HYBRIDFLOW_TEST_POSTGRES_IMAGE=$IMAGE
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
EOF
  log "env for the tests (written to $STATE/env; source it):"
  sed 's/^/  /' "$STATE/env" >&2
}

case "${1:-}" in
  start)
    t0=$SECONDS
    install_engine
    start_engine
    build_image
    write_env
    log "ready in $((SECONDS - t0)) s"
    ;;
  stop) stop_engine ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
