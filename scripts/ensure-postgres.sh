#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, pg_ctl, postgres, psql) are installed and prints their
# bin folder on stdout (everything else goes to stderr), e.g.  BIN="$(bash scripts/ensure-postgres.sh)".
#
# Idempotent: when /usr/lib/postgresql/*/bin/initdb already exists nothing is installed. Otherwise Debian's
# `postgresql` package is installed with apt-get (through `sudo -n` when not root). Non-interactive.
#
# Env: HYBRIDFLOW_PG_BINDIR  use this bin folder (must contain initdb) instead of searching.
set -euo pipefail

log() { printf 'ensure-postgres: %s\n' "$*" >&2; }

find_bindir() {
  if [[ -n "${HYBRIDFLOW_PG_BINDIR:-}" ]]; then
    if [[ -x "$HYBRIDFLOW_PG_BINDIR/initdb" ]]; then
      printf '%s\n' "$HYBRIDFLOW_PG_BINDIR"
      return 0
    fi
    log "HYBRIDFLOW_PG_BINDIR=$HYBRIDFLOW_PG_BINDIR has no initdb"
    return 1
  fi

  # Newest Debian-style versioned folder first (sort -V: 9.6 < 10 < 15 < 16).
  local dir best=""
  while IFS= read -r dir; do
    [[ -x "$dir/initdb" ]] && best="$dir"
  done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -V || true)
  if [[ -n "$best" ]]; then
    printf '%s\n' "$best"
    return 0
  fi

  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [[ -n "$dir" && -x "$dir/initdb" ]]; then
      printf '%s\n' "$dir"
      return 0
    fi
  fi
  return 1
}

if bindir="$(find_bindir)"; then
  printf '%s\n' "$bindir"
  exit 0
fi

if [[ -n "${HYBRIDFLOW_PG_BINDIR:-}" ]]; then
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "PostgreSQL server binaries not found and apt-get is unavailable; install PostgreSQL (initdb, pg_ctl) yourself"
  log "or set HYBRIDFLOW_PG_BINDIR to its bin folder."
  exit 1
fi

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo -n)
  else
    log "PostgreSQL is not installed and this is not root (and there is no sudo): run as root"
    log "  apt-get update && apt-get install -y postgresql"
    exit 1
  fi
fi

log "PostgreSQL server binaries not found; installing Debian's postgresql package"
export DEBIAN_FRONTEND=noninteractive
${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update >&2
${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql </dev/null >&2

if bindir="$(find_bindir)"; then
  log "installed: $bindir"
  printf '%s\n' "$bindir"
  exit 0
fi
log "apt-get install postgresql succeeded but no initdb was found under /usr/lib/postgresql/*/bin"
exit 1
