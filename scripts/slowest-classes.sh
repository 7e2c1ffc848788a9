#!/usr/bin/env bash
# The slowest test classes of a run:  scripts/slowest-classes.sh [N] FILE.trx...
# Sums each class's test durations from the TRX files (UnitTestResult duration, joined to its UnitTest's className)
# and prints the N slowest (default 10), slowest first. Setup that runs outside a test (a class's OneTimeSetUp) is
# not in any test's duration. The integration classes run side by side (tests/HybridFlow.IntegrationTests/Parallelism.cs)
# but a class's own tests one after another, so the sum is still that class's wall time, stretched by its neighbours'
# load; the run itself takes less than the sum over all classes. Plain awk, so it runs wherever the tests do.
set -euo pipefail

count=10
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then count="$1"; shift; fi
(($# > 0)) || exit 0

# One tag per record: the TRX files are read as a stream of "<...>" tags.
awk -v RS='<' '
  function attr(tag, name,    m) {
    if (match(tag, " " name "=\"[^\"]*\"")) { m = substr(tag, RSTART + length(name) + 3, RLENGTH - length(name) - 4); return m }
    return ""
  }
  function seconds(d,    p) { split(d, p, ":"); return p[1] * 3600 + p[2] * 60 + p[3] }
  FNR == 1 { file++ }
  /^UnitTestResult / { duration[file, attr($0, "testId")] += seconds(attr($0, "duration")) }
  /^UnitTest / { test = attr($0, "id") }
  /^TestMethod / { class[file, test] = attr($0, "className") }
  END {
    for (key in duration) {
      name = (key in class) ? class[key] : "(unknown class)"
      total[name] += duration[key]
      tests[name]++
    }
    for (name in total) printf "%.1f\t%d\t%s\n", total[name], tests[name], name
  }
' "$@" | sort -t$'\t' -k1,1nr | head -n "$count" |
  awk -F'\t' '{ printf "  %8.1f s  %4d tests  %s\n", $1, $2, $3 }'
