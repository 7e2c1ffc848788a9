#!/usr/bin/env bash
# The one command that runs every test:  scripts/test.sh [extra `dotnet test` arguments...]
#
# Makes sure PostgreSQL is installed (the integration tests start throwaway clusters themselves, or use
# HYBRIDFLOW_TEST_DATABASE_URL when set) and axe-core from npm (scripts/ensure-axe.sh, for the browser tests'
# accessibility checks), runs `dotnet test HybridFlow.sln -c Release` with a TRX logger, sums
# the TRX counters of every test project and prints, as its last line,
#   N passed, N failed[, N skipped]
# Before it, the ten slowest test classes (scripts/slowest-classes.sh: each class's wall time; the integration
# classes run several at once, so they add up to more than the run took). Exits non-zero when the build failed, any
# test failed, or no test ran. The TRX files end up in <repo>/.test-results/<Project>.trx.
#
# Why not `--results-directory .test-results`: with one fixed LogFileName every project would write the same
# file there and overwrite each other. Without it each project writes <project>/TestResults/results.trx,
# which is then moved into .test-results.
set -euo pipefail

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

RESULTS="$ROOT/.test-results"

bindir="$(bash "$ROOT/scripts/ensure-postgres.sh")" || {
  echo "test.sh: PostgreSQL is not available; the integration tests need it" >&2
  echo "0 passed, 0 failed"
  exit 1
}
echo "test.sh: PostgreSQL binaries in $bindir" >&2

# axe-core for the browser tests' accessibility checks, from npm into the git-ignored .tools folder.
if axe="$(bash "$ROOT/scripts/ensure-axe.sh")"; then
  export HYBRIDFLOW_AXE_PATH="$axe"
  echo "test.sh: axe-core at ${axe#"$ROOT"/}" >&2
else
  echo "test.sh: axe-core could not be installed; the accessibility checks will fail" >&2
fi

# Remove stale results so only this run is counted.
rm -rf "$RESULTS"
find "$ROOT" -path "$ROOT/.git" -prune -o -name '*.trx' -path '*/TestResults/*' -type f -print0 | xargs -0 -r rm -f
mkdir -p "$RESULTS"
marker="$RESULTS/.started"
touch "$marker"

set +e
dotnet test "$ROOT/HybridFlow.sln" -c Release \
  --logger "trx;LogFileName=results.trx" \
  --logger "console;verbosity=normal" \
  "$@"
test_rc=$?
set -e

# Gather this run's TRX files into .test-results/<Project>.trx.
trx_files=()
while IFS= read -r -d '' trx; do
  case "$trx" in
    "$RESULTS"/*) dest="$trx" ;;
    */TestResults/*)
      project="$(basename -- "${trx%%/TestResults/*}")"
      dest="$RESULTS/$project.trx"
      n=2
      while [[ -e "$dest" ]]; do dest="$RESULTS/$project-$n.trx"; n=$((n + 1)); done
      mv -f -- "$trx" "$dest"
      rmdir --ignore-fail-on-non-empty -- "${trx%/*}" 2>/dev/null || true
      ;;
    *) dest="$trx" ;;
  esac
  trx_files+=("$dest")
done < <(find "$ROOT" -path "$ROOT/.git" -prune -o -name '*.trx' -type f -newer "$marker" -print0)

rm -f "$marker"

# Sum <Counters total=".." executed=".." passed=".." failed=".." error=".." timeout=".." aborted=".." .../>.
attr() { # attr NAME COUNTERS_TAG -> value or 0
  local v
  v="$(printf '%s' "$2" | grep -o " $1=\"[0-9]*\"" | head -n 1 | tr -dc '0-9')"
  printf '%s' "${v:-0}"
}
total=0 passed=0 failed=0
for trx in ${trx_files[@]+"${trx_files[@]}"}; do
  counters="$(tr '\n' ' ' < "$trx" | grep -o '<Counters [^>]*>' | head -n 1 || true)"
  if [[ -z "$counters" ]]; then
    echo "test.sh: no <Counters> in $trx" >&2
    failed=$((failed + 1))
    continue
  fi
  t="$(attr total "$counters")"
  p="$(attr passed "$counters")"
  f=$(($(attr failed "$counters") + $(attr error "$counters") + $(attr timeout "$counters") + $(attr aborted "$counters")))
  echo "test.sh: ${trx#"$ROOT"/}: $t total, $p passed, $f failed" >&2
  total=$((total + t))
  passed=$((passed + p))
  failed=$((failed + f))
done
skipped=$((total - passed - failed))
if ((skipped < 0)); then skipped=0; fi

rc=0
if ((test_rc != 0)); then
  echo "test.sh: dotnet test exited with $test_rc (build failure, failing tests or a crashed test host)" >&2
  rc=1
fi
if ((failed > 0)); then
  rc=1
fi
if ((passed + failed == 0)); then
  echo "test.sh: no test ran (${#trx_files[@]} TRX file(s) found)" >&2
  rc=1
fi

if ((${#trx_files[@]} > 0)); then
  echo "test.sh: the ten slowest test classes (sum of their tests' durations):"
  bash "$ROOT/scripts/slowest-classes.sh" 10 "${trx_files[@]}" || echo "test.sh: could not read the durations" >&2
  if ((failed > 0)); then
    # Last, just above the summary, so a log read from its end still names them.
    echo "test.sh: the failed tests:"
    bash "$ROOT/scripts/failed-tests.sh" "${trx_files[@]}" || echo "test.sh: could not read the failures" >&2
  fi
fi

summary="$passed passed, $failed failed"
if ((skipped > 0)); then
  summary+=", $skipped skipped"
fi
echo "$summary"
exit "$rc"
