#!/usr/bin/env bash
# The whole test suite, as the README's second command runs it:
#  1. the normal build (warnings as errors) and every meson test: unit,
#     integration against a private Dovecot, TUI tests in tmux;
#  2. the tests again under AddressSanitizer + UndefinedBehaviorSanitizer
#     (a build of their own): unit, integration, hostile servers and TUI,
#     every suite but lint, docs and fuzz;
#  3. when valgrind is installed, the unit, integration, hostile-server and
#     TUI tests under memcheck (`meson test --setup valgrind`, tests/valgrind:
#     the test programs and every popview the scripts start), on the normal
#     build; any invalid access or definite/indirect leak fails the test,
#     and each valgrind report with an error counts as one more failure
#     (POPVIEW_VALGRIND_SUITES, default "unit integration hostile tui"; ""
#     skips);
#  4. when clang is installed, every libFuzzer target for a short fixed time
#     (POPVIEW_FUZZ_SECONDS, default 30; 0 skips), each counted as a test.
# Ends with "N passed, N failed" (meson's test counts of the runs, plus the
# fuzz targets) and exits non-zero if anything failed.
#
# Measured on 2 cores (2026-11): the sanitizer run of every suite 2 min 6 s
# (its build 1 min), the valgrind run about 7 min (unit about 3 min,
# integration 1.5, hostile 1.5, TUI 1.5); the whole run about 13 min.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

build=${POPVIEW_BUILD_DIR:-build}
asan=${POPVIEW_ASAN_BUILD_DIR:-build-asan}
fuzz=${POPVIEW_FUZZ_BUILD_DIR:-build-fuzz}
fuzz_seconds=${POPVIEW_FUZZ_SECONDS:-30}
valgrind_suites=${POPVIEW_VALGRIND_SUITES-unit integration hostile tui}
passed=0
failed=0
status=0

# Reads meson's summary ("Ok: 3", "Fail: 1", ...) from a test log.
count() {
  local log=$1 ok fail xfail xpass timeout
  ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  xfail=$(sed -n 's/^Expected Fail: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  xpass=$(sed -n 's/^Unexpected Pass: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  timeout=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  passed=$((passed + ${ok:-0} + ${xfail:-0}))
  failed=$((failed + ${fail:-0} + ${xpass:-0} + ${timeout:-0}))
}

# Runs a build step; a failed step counts as one failed test, so the
# closing line never looks green when nothing could run.
step() {
  echo "==> $*"
  if ! "$@"; then
    echo "run-all: failed: $*" >&2
    status=1
    failed=$((failed + 1))
    return 1
  fi
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ ! -f "$build/build.ninja" ]; then
  step meson setup "$build" -Dwerror=true
fi
built=0
if step ninja -C "$build"; then
  built=1
  meson test -C "$build" --print-errorlogs --num-processes 2 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  count "$log"
fi

if [ ! -f "$asan/build.ninja" ]; then
  step meson setup "$asan" -Db_sanitize=address,undefined -Db_lundef=false
else
  # A sanitizer build made before the integration tests ran here too.
  step meson configure "$asan" -Dintegration=true
fi
if step ninja -C "$asan"; then
  # The shadow memory counts as popview's in the hostile tests' limit.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    POPVIEW_HOSTILE_RSS_MB=1000 \
    meson test -C "$asan" --no-suite lint --no-suite docs --no-suite fuzz --print-errorlogs \
    --num-processes 2 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  count "$log"
fi

# Valgrind's reports (tests/valgrind/lib.sh writes one file per process):
# each holding an error is shown and counted as a failure, so an error in a
# popview whose exit status a script does not check is still seen.
valgrind_reports() {
  local dir=$1 f bad=0
  [ -d "$dir" ] || return 0
  while IFS= read -r f; do
    echo "==> valgrind found errors: $f" >&2
    head -n 60 "$f" >&2
    bad=$((bad + 1))
  done < <(grep -lE '== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|[0-9,]+ bytes in [0-9,]+ blocks are (definitely|indirectly) lost)' "$dir"/*.log 2>/dev/null)
  failed=$((failed + bad))
  [ "$bad" -eq 0 ] || status=1
}

if [ "$built" -eq 1 ] && [ -n "$valgrind_suites" ] && command -v valgrind >/dev/null 2>&1; then
  vg_logs=$(cd "$build" && pwd)/meson-logs/valgrind
  rm -rf "$vg_logs"
  suite_args=()
  for s in $valgrind_suites; do
    suite_args+=(--suite "$s")
  done
  echo "==> valgrind: ${valgrind_suites}"
  POPVIEW_VALGRIND_LOG_DIR=$vg_logs meson test -C "$build" --setup valgrind "${suite_args[@]}" \
    --print-errorlogs --num-processes 2 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  count "$log"
  valgrind_reports "$vg_logs"
else
  echo "==> valgrind skipped (not installed, no build, or POPVIEW_VALGRIND_SUITES empty)"
fi

if [ "$fuzz_seconds" -gt 0 ] && command -v clang >/dev/null 2>&1; then
  if [ ! -f "$fuzz/build.ninja" ]; then
    CC=clang step meson setup "$fuzz" -Dfuzz=true -Dintegration=false -Dwerror=true
  fi
  if step ninja -C "$fuzz" fuzz; then
    tests/fuzz/run-fuzzers.sh "$fuzz" "$fuzz_seconds" 2>&1 | tee "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
    passed=$((passed + $(grep -c ': ok' "$log")))
    failed=$((failed + $(grep -c ': FAILED' "$log")))
  fi
else
  echo "==> fuzzing skipped (no clang, or POPVIEW_FUZZ_SECONDS=0)"
fi

[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit "$status"
