#!/usr/bin/env bash
# run-fuzzers.sh BUILD_DIR SECONDS — runs every libFuzzer target of
# tests/fuzz for SECONDS each, one after the other (the CI machine has two
# cores; libFuzzer uses one), with its dictionary and a copy of its seed
# corpus in a temporary directory, so the corpus in the repository is never
# modified.  BUILD_DIR is a meson build made with clang and -Dfuzz=true:
#   CC=clang meson setup build-fuzz -Dfuzz=true -Dintegration=false
#   ninja -C build-fuzz -j2 fuzz
#   tests/fuzz/run-fuzzers.sh build-fuzz 30
# Prints one line per target ("ok" with the run count, or what failed) and
# exits non-zero when any target crashed, leaked, hung, ran out of memory,
# or was not built.  Inputs that failed are kept in
# BUILD_DIR/fuzz-artifacts/ (reproduce with: BUILD_DIR/tests/fuzz/TARGET FILE);
# each crash becomes a regression case in the unit test of its layer
# (tests/pop3, tests/mail) and a seed here.
set -uo pipefail

if (($# != 2)) || [[ ! $2 =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 BUILD_DIR SECONDS" >&2
    exit 2
fi
build=$1
seconds=$2
if [[ ! -d $build ]]; then
    echo "$0: $build is not a build directory" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)

# target  dictionary  largest input
targets=(
    "fuzz_reply_parser reply_parser.dict 65536"
    "fuzz_multiline reply_parser.dict 65536"
    "fuzz_header header.dict 4096"
    "fuzz_mime fuzz_mime.dict 65536"
    "fuzz_html fuzz_html.dict 16384"
    "fuzz_sanitize sanitize.dict 4096"
)

work=$(mktemp -d "${TMPDIR:-/tmp}/popview-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=0
for entry in "${targets[@]}"; do
    read -r name dict max_len <<<"$entry"
    exe=$build/tests/fuzz/$name
    if [[ ! -x $exe ]]; then
        printf '%-18s NOT BUILT (%s missing: meson setup with CC=clang -Dfuzz=true)\n' \
            "$name:" "$exe"
        failed=1
        continue
    fi
    corpus=$work/$name
    mkdir -p "$corpus"
    cp "$here/corpus/$name/"* "$corpus/"
    seeds=$(find "$corpus" -type f | wc -l)
    log=$work/$name.log
    status=0
    "$exe" -dict="$here/$dict" -max_len="$max_len" -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/$name-" "$corpus" >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    inputs=$(find "$corpus" -type f | wc -l)
    if ((status == 0)); then
        printf '%-18s ok, %s runs in %s s, corpus %s -> %s inputs\n' "$name:" "${runs:-?}" \
            "$seconds" "$seeds" "$inputs"
    else
        failed=1
        what=$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" |
            sed 's/^==[0-9]*==//' | cut -c1-160)
        saved=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        printf '%-18s FAILED (exit %d): %s; input: %s\n' "$name:" "$status" \
            "${what:-see log}" "${saved:-none}"
        cp "$log" "$artifacts/$name.log"
    fi
done
exit "$failed"
