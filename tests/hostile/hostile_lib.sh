# hostile_lib.sh — shared by the test_*.sh scripts of tests/hostile (sourced).
#
# Each case starts hostile_pop3d.py with one scenario, runs the real popview
# against it as a script would:
#   POPVIEW_PASSWORD=x popview --summary --format tsv --timeout 3 [--no-tls] \
#       pop3://u@127.0.0.1:PORT
# under /usr/bin/time (peak memory) and a hard time limit, stops the server,
# checks that what popview printed is safe for a terminal, and leaves in
# $WORK: NAME.out, NAME.err (stderr without the --no-tls warning, which
# every --no-tls run prints), NAME.log (the lines popview sent), NAME.rss
# (peak KiB), NAME.ms (wall time), and $pv_status.
#
# Checks print "ok - ..." or "not ok - ..."; finish() prints the count and
# fails when any check failed.  Exit codes are cli.h's: 2 connection/TLS,
# 3 authentication, 4 server or protocol.
# shellcheck shell=bash

: "${POPVIEW_BUILD_ROOT:?set by meson (the build directory)}"

HOSTILE_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
POPVIEW=${POPVIEW:-$POPVIEW_BUILD_ROOT/src/popview}
# Limits for every case; a sanitizer build may need more memory.
RSS_LIMIT_MB=${POPVIEW_HOSTILE_RSS_MB:-200}
TIME_LIMIT_S=${POPVIEW_HOSTILE_TIME_S:-15}
readonly HOSTILE_HERE POPVIEW RSS_LIMIT_MB TIME_LIMIT_S

if [[ ! -x $POPVIEW ]]; then
    echo "$(basename "$0"): $POPVIEW is not built" >&2
    exit 1
fi
for tool in python3 /usr/bin/time timeout; do
    if ! command -v "$tool" >/dev/null; then
        echo "$(basename "$0"): $tool is missing; skipping" >&2
        exit 77
    fi
done

export LC_ALL=C.UTF-8
unset POPVIEW_PASSWORD
# No ~/.netrc or terminal prompt may interfere.
export HOME=/nonexistent

WORK=$(mktemp -d "${TMPDIR:-/tmp}/popview-hostile.XXXXXX")
readonly WORK
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

checks_passed=0
checks_failed=0

pass() {
    printf 'ok - %s\n' "$1"
    checks_passed=$((checks_passed + 1))
}

# fail WHAT [FILE...]: a failed check with the start of the files it read;
# control bytes other than TAB shown as <1B>.
fail() {
    local what=$1 f
    shift
    printf 'not ok - %s\n' "$what"
    for f in "$@"; do
        if [[ -s $f ]]; then
            printf '  --- %s:\n' "$(basename "$f")"
            head -c 2000 "$f" | head -n 12 |
                perl -pe 's/([\x00-\x08\x0a-\x1f\x7f])/$1 eq "\n" ? "\n" : sprintf("<%02X>", ord $1)/ge; s/^/  /'
            echo
        fi
    done
    checks_failed=$((checks_failed + 1))
}

finish() {
    printf '%d passed, %d failed\n' "$checks_passed" "$checks_failed"
    ((checks_failed == 0))
}

start_server() {
    local scenario=$1 name=$2 i
    : >"$WORK/$name.log"
    python3 "$HOSTILE_HERE/hostile_pop3d.py" "$scenario" --log "$WORK/$name.log" \
        --lifetime 120 >"$WORK/$name.port" 2>"$WORK/$name.server-err" &
    server_pid=$!
    for ((i = 0; i < 100; i++)); do
        [[ -s $WORK/$name.port ]] && break
        sleep 0.05
    done
    port=$(head -n 1 "$WORK/$name.port")
    if [[ ! $port =~ ^[0-9]+$ ]]; then
        fail "$name: hostile_pop3d.py $scenario did not start" "$WORK/$name.server-err"
        return 1
    fi
}

stop_server() {
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=
}

# The mode every run_case uses; run_show_case switches it for one run.
pv_mode=(--summary --format tsv)

# run_show_case NAME SCENARIO N [POPVIEW OPTIONS...]: run_case with
# --show N instead of --summary.
run_show_case() {
    local name=$1 scenario=$2 n=$3
    shift 3
    pv_mode=(--show "$n")
    run_case "$name" "$scenario" "$@"
    pv_mode=(--summary --format tsv)
}

# run_case NAME SCENARIO [POPVIEW OPTIONS...]: one popview --summary run
# against SCENARIO (see above for what it leaves behind).
run_case() {
    local name=$1 scenario=$2 start end
    shift 2
    pv_status=255
    start_server "$scenario" "$name" || return 0
    start=$(date +%s%N)
    # A header cache per case: it is written after a hostile scan (which it
    # must survive), but no case may read summaries another case left.
    POPVIEW_PASSWORD=x XDG_CACHE_HOME="$WORK/cache-$name" \
        timeout -k 5 60 /usr/bin/time -f %M -o "$WORK/$name.rss" \
        "$POPVIEW" "${pv_mode[@]}" --timeout 3 "$@" "pop3://u@127.0.0.1:$port" \
        >"$WORK/$name.out" 2>"$WORK/$name.all-err" </dev/null
    pv_status=$?
    end=$(date +%s%N)
    echo $(((end - start) / 1000000)) >"$WORK/$name.ms"
    stop_server
    grep -av '^popview: WARNING: --no-tls: ' "$WORK/$name.all-err" >"$WORK/$name.err"
    if ((pv_status == 124 || pv_status == 137)); then
        fail "$name: popview still running after 60 s (killed)"
    fi
    expect_terminal_safe "$name"
}

# expect_status NAME WANT
expect_status() {
    local name=$1 want=$2
    if ((pv_status == want)); then
        pass "$name: exit status $pv_status"
    else
        fail "$name: exit status $pv_status, expected $want" "$WORK/$name.err" "$WORK/$name.out"
    fi
}

# expect_error NAME REGEX...: stderr (but the --no-tls warning) has one line
# per REGEX, each matching its case-insensitive extended REGEX: one line
# for the error, unless a warning comes first.
expect_error() {
    local name=$1 lines i=0 regex line
    shift
    lines=$(wc -l <"$WORK/$name.err")
    if ((lines != $#)); then
        fail "$name: stderr has $lines lines, expected $#" "$WORK/$name.err"
        return
    fi
    for regex in "$@"; do
        i=$((i + 1))
        line=$(sed -n "${i}p" "$WORK/$name.err")
        if ! printf '%s\n' "$line" | grep -Eiq -- "$regex"; then
            fail "$name: stderr line $i does not match /$regex/" "$WORK/$name.err"
            return
        fi
    done
    pass "$name: stderr is $# line(s) matching /$*/"
}

# expect_no_error NAME: nothing on stderr but the --no-tls warning.
expect_no_error() {
    local name=$1
    if [[ -s $WORK/$name.err ]]; then
        fail "$name: unexpected stderr" "$WORK/$name.err"
    else
        pass "$name: nothing on stderr"
    fi
}

# expect_rows NAME COUNT: stdout has COUNT summary rows.
expect_rows() {
    local name=$1 want=$2 got
    got=$(wc -l <"$WORK/$name.out")
    if ((got == want)); then
        pass "$name: $got rows"
    else
        fail "$name: $got rows, expected $want" "$WORK/$name.out" "$WORK/$name.err"
    fi
}

# expect_row NAME N REGEX: row N (TSV: number, UIDL, size, date, from,
# subject) matches the extended REGEX (TABs written as \t in it).
expect_row() {
    local name=$1 n=$2 regex=$3 row
    row=$(sed -n "${n}p" "$WORK/$name.out")
    if printf '%s\n' "$row" | grep -Eq -- "$(printf '%b' "$regex")"; then
        pass "$name: row $n matches /$regex/"
    else
        fail "$name: row $n does not match /$regex/" "$WORK/$name.out"
    fi
}

# The rows of the untouched mailbox of hostile_pop3d.py.
ROW1='^1\tuid-1\t146\t2025-03-02T14:05:00\+01:00\tAlice Example\tFirst message$'
ROW2='^2\tuid-2\t158\t2025-03-03T09:00:00\+00:00\tBjörn\tGrüße$'
ROW3='^3\tuid-3\t113\t2025-03-04T18:30:00-05:00\tcarol@example.org\tThird$'

expect_normal_rows() {
    local name=$1
    expect_rows "$name" 3
    expect_row "$name" 1 "$ROW1"
    expect_row "$name" 2 "$ROW2"
    expect_row "$name" 3 "$ROW3"
}

# expect_bounded NAME: peak memory and wall time within the limits.
expect_bounded() {
    local name=$1 kib ms
    kib=$(tail -n 1 "$WORK/$name.rss" 2>/dev/null)
    ms=$(cat "$WORK/$name.ms")
    if [[ ! $kib =~ ^[0-9]+$ ]]; then
        fail "$name: no peak memory measured" "$WORK/$name.rss"
    elif ((kib > RSS_LIMIT_MB * 1024)); then
        fail "$name: peak memory $((kib / 1024)) MB, limit $RSS_LIMIT_MB MB"
    else
        pass "$name: peak memory $((kib / 1024)) MB (limit $RSS_LIMIT_MB MB)"
    fi
    if ((ms > TIME_LIMIT_S * 1000)); then
        fail "$name: took $ms ms, limit $TIME_LIMIT_S s"
    else
        pass "$name: took $ms ms (limit $TIME_LIMIT_S s)"
    fi
}

# expect_sent NAME REGEX / expect_not_sent NAME REGEX: a line popview sent
# (the server's log, "N C: LINE") does / does not match REGEX (extended,
# case-insensitive, against LINE).
expect_sent() {
    local name=$1 regex=$2
    if sed 's/^[0-9]* C: //' "$WORK/$name.log" | grep -Eiq -- "$regex"; then
        pass "$name: popview sent /$regex/"
    else
        fail "$name: popview never sent /$regex/" "$WORK/$name.log"
    fi
}

expect_not_sent() {
    local name=$1 regex=$2
    if sed 's/^[0-9]* C: //' "$WORK/$name.log" | grep -Eiq -- "$regex"; then
        fail "$name: popview sent /$regex/" "$WORK/$name.log"
    else
        pass "$name: popview did not send /$regex/"
    fi
}

# No credential of any mechanism left popview.
expect_no_credentials() {
    expect_not_sent "$1" '^(USER|PASS|APOP|AUTH)( |$)'
}

# expect_terminal_safe NAME: stdout and stderr are valid UTF-8 and hold no
# control character but TAB and LF (so no ESC), no C1 control, no bidi
# override or isolate.
expect_terminal_safe() {
    local name=$1 f
    for f in "$WORK/$name.out" "$WORK/$name.all-err"; do
        if python3 - "$f" <<'EOF'; then
import re, sys
data = open(sys.argv[1], 'rb').read()
try:
    text = data.decode('utf-8')
except UnicodeDecodeError as e:
    sys.exit('not UTF-8: %s' % e)
bad = re.search('[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]', text)
sys.exit('unsafe character U+%04X' % ord(bad.group()) if bad else 0)
EOF
            pass "$name: $(basename "$f") is UTF-8 without terminal controls"
        else
            fail "$name: $(basename "$f") is not safe for a terminal" "$f"
        fi
    done
}
