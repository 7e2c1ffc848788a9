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
#   ASPNETCORE_ENVIRONMENT  Development unless it or DOTNET_ENVIRONMENT is set: readable console logs instead of the
#                           JSON lines a deployment writes.
#   SECRETS_ENCRYPTION_KEY  when unset in development (ASPNETCORE_ENVIRONMENT and DOTNET_ENVIRONMENT unset, or
#                           "Development"), a random base64 32-byte key is generated once into .data/secrets.key
#                           and exported. Outside development nothing is generated.
#   ADMIN_API_KEY           when unset in development, a random key is generated once into .data/admin-api.key and
#                           exported (the curl examples of the README read it from there).
#   HYBRIDFLOW_RUN_DRY=1    dry run: do everything above, print PORT and DATABASE_URL, and exit 0 instead of
#                           starting the API (used to test this script without building the service).
set -euo pipefail

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

log() { printf 'run.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

export PORT="${PORT:-8080}"

# shellcheck source=scripts/lib/local-postgres.sh
source "$ROOT/scripts/lib/local-postgres.sh"
DATA_ROOT="$HF_DATA_ROOT"

start_local_postgres() {
  hf_pg_start_local
  hf_pg_ensure_database hybridflow
  export DATABASE_URL="postgres://postgres@127.0.0.1:$HF_PG_PORT/hybridflow"
}

if [[ -z "${DATABASE_URL:-}" ]]; then
  start_local_postgres
fi

environment_name="${ASPNETCORE_ENVIRONMENT:-${DOTNET_ENVIRONMENT:-Development}}"
if [[ -z "${ASPNETCORE_ENVIRONMENT:-}" && -z "${DOTNET_ENVIRONMENT:-}" ]]; then
  export ASPNETCORE_ENVIRONMENT=Development
fi
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

# The admin API's key: in development, one is generated once into .data/admin-api.key, so that any shell can use it
# (`export ADMIN_API_KEY=$(cat .data/admin-api.key)`) without it having been exported where the service started.
if [[ -z "${ADMIN_API_KEY:-}" && "${environment_name,,}" == "development" ]]; then
  admin_key_file="$DATA_ROOT/admin-api.key"
  if [[ ! -s "$admin_key_file" ]]; then
    mkdir -p "$DATA_ROOT"
    (
      umask 077
      head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$admin_key_file.tmp.$$"
      mv -f "$admin_key_file.tmp.$$" "$admin_key_file"
    )
    log "generated a development ADMIN_API_KEY in $admin_key_file"
  fi
  ADMIN_API_KEY="$(tr -d '[:space:]' < "$admin_key_file")"
  export ADMIN_API_KEY
fi

if [[ "${HYBRIDFLOW_RUN_DRY:-}" == "1" ]]; then
  printf 'PORT=%s\n' "$PORT"
  printf 'DATABASE_URL=%s\n' "$DATABASE_URL"
  exit 0
fi

exec dotnet run --project "$ROOT/src/HybridFlow.Api" -c Release "$@"
