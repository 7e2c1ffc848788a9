#!/usr/bin/env bash
# The failed tests of a run:  scripts/failed-tests.sh FILE.trx...
# Prints each failed test's class and name and the first lines of its message, so a run whose log is read only
# from its end (CI keeps the tail) still says which tests failed and why. Plain awk, like slowest-classes.sh.
set -euo pipefail
(($# > 0)) || exit 0

awk -v RS='<' '
  function attr(tag, name,    m) {
    if (match(tag, " " name "=\"[^\"]*\"")) { m = substr(tag, RSTART + length(name) + 3, RLENGTH - length(name) - 4); return m }
    return ""
  }
  function unescape(s) {
    gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s); gsub(/&apos;/, "\047", s); gsub(/&amp;/, "\\&", s)
    return s
  }
  FNR == 1 { file++ }
  /^UnitTestResult / { inFailed = (attr($0, "outcome") == "Failed"); if (inFailed) { n++; name[n] = unescape(attr($0, "testName")); id[n] = file SUBSEP attr($0, "testId") } }
  /^Message>/ && inFailed { msg[n] = unescape(substr($0, 9)) }
  /^\/UnitTestResult>/ { inFailed = 0 }
  /^UnitTest / { test = attr($0, "id") }
  /^TestMethod / { class[file SUBSEP test] = attr($0, "className") }
  END {
    for (i = 1; i <= n; i++) {
      printf "  FAILED %s.%s\n", (id[i] in class) ? class[id[i]] : "?", name[i]
      lines = split(msg[i], l, "\n"); shown = 0
      for (j = 1; j <= lines && shown < 6; j++) if (l[j] ~ /[^ \t\r]/) { printf "    %s\n", l[j]; shown++ }
    }
  }
' "$@"
