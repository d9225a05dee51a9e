#!/usr/bin/env bash
# The whole test suite, as the README's second command runs it:
#  1. the normal build (warnings as errors) and every meson test: unit,
#     integration against a private Dovecot, TUI tests in tmux;
#  2. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer;
#  3. when clang is installed, every libFuzzer target for a short fixed time
#     (POPVIEW_FUZZ_SECONDS, default 30; 0 skips), each counted as a test.
# Ends with "N passed, N failed" (meson's test counts of the runs, plus the
# fuzz targets) and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

build=${POPVIEW_BUILD_DIR:-build}
asan=${POPVIEW_ASAN_BUILD_DIR:-build-asan}
fuzz=${POPVIEW_FUZZ_BUILD_DIR:-build-fuzz}
fuzz_seconds=${POPVIEW_FUZZ_SECONDS:-30}
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
if step ninja -C "$build"; then
  meson test -C "$build" --print-errorlogs --num-processes 2 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  count "$log"
fi

if [ ! -f "$asan/build.ninja" ]; then
  step meson setup "$asan" -Db_sanitize=address,undefined -Db_lundef=false -Dintegration=false
fi
if step ninja -C "$asan"; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C "$asan" --suite unit --print-errorlogs --num-processes 2 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  count "$log"
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
