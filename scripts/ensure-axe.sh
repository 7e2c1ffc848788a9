#!/usr/bin/env bash
# Makes sure axe-core (the accessibility checker the browser tests inject into pages) is installed from npm and
# prints the path of its axe.min.js on stdout (everything else goes to stderr), e.g.  AXE="$(bash scripts/ensure-axe.sh)".
#
# Idempotent: the pinned version goes into <repo>/.tools/axe-core (git-ignored) with `npm install`, once. Nothing is
# fetched from a CDN and nothing from node_modules is committed. Needs node and npm (as root without npm, Debian's
# `npm` package is installed).
#
# Env: HYBRIDFLOW_AXE_PATH  use this axe.min.js instead (must exist).
set -euo pipefail

AXE_VERSION="4.14.1"

log() { printf 'ensure-axe: %s\n' "$*" >&2; }

if [[ -n "${HYBRIDFLOW_AXE_PATH:-}" ]]; then
  if [[ -f "$HYBRIDFLOW_AXE_PATH" ]]; then
    printf '%s\n' "$HYBRIDFLOW_AXE_PATH"
    exit 0
  fi
  log "HYBRIDFLOW_AXE_PATH=$HYBRIDFLOW_AXE_PATH does not exist"
  exit 1
fi

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
prefix="$ROOT/.tools/axe-core"
axe="$prefix/node_modules/axe-core/axe.min.js"
package="$prefix/node_modules/axe-core/package.json"

installed_version() {
  [[ -f "$package" ]] && grep -o '"version": *"[^"]*"' "$package" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/'
}

if [[ -f "$axe" && "$(installed_version || true)" == "$AXE_VERSION" ]]; then
  printf '%s\n' "$axe"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  if [[ "$(id -u)" -eq 0 ]]; then
    log "installing npm (Debian's package)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq npm >/dev/null; }
  else
    log "npm is not installed (as root: apt-get install -y npm); the accessibility checks cannot run"
    exit 1
  fi
fi

log "installing axe-core@$AXE_VERSION into ${prefix#"$ROOT"/}"
mkdir -p "$prefix"
# A package.json of its own keeps npm from walking up to some other project.
[[ -f "$prefix/package.json" ]] || printf '{ "private": true }\n' > "$prefix/package.json"
npm install --prefix "$prefix" --no-audit --no-fund --save-exact --loglevel=error "axe-core@$AXE_VERSION" >&2
if [[ ! -f "$axe" ]]; then
  log "npm finished but $axe is missing"
  exit 1
fi
printf '%s\n' "$axe"
