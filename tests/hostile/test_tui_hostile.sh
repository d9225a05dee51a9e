#!/usr/bin/env bash
# test_tui_hostile.sh — the full-screen browser (in tmux, tests/tui/lib.sh)
# against a representative set of hostile_pop3d.py scenarios: a 10 MB
# line, a reply that never ends, a connection closed in the middle of a
# header or of a message, STAT/LIST/UIDL that disagree, -ERR response
# codes, a server silent past --timeout, one byte per second, a reset,
# STLS refused.  For each, popview must show a clear sentence on screen
# within the time the timeout allows (or carry on and show the rows),
# stay alive until q, then exit with cli.h's code for what failed (0 when
# it carried on) and give the terminal back: main screen, cursor shown.
#
# Each case: hostile_pop3d.py SCENARIO, then
#   POPVIEW_PASSWORD=x popview --timeout 3 [--no-tls] pop3://u@127.0.0.1:PORT
# in a 100x30 pane, with HOME and the cache in the test's own directory.
# shellcheck source=SCRIPTDIR/../tui/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tui/lib.sh"
HOSTILE_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

for tool in python3 timeout; do
    command -v "$tool" >/dev/null || {
        echo "$tool is missing: skipped"
        exit 77
    }
done

# Time from start to the sentence: the --timeout (3 s) and a margin, more
# under valgrind (POPVIEW_HOSTILE_TIME_S, as in hostile_lib.sh).
LIMIT=${POPVIEW_HOSTILE_TIME_S:-12}
server_pid=
on_exit 'stop_server'

stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=
    fi
}

# start_case SCENARIO [POPVIEW OPTIONS...]: the server, then popview in tmux.
start_case() {
    local scenario=$1 i
    shift
    stop_server
    python3 "$HOSTILE_HERE/hostile_pop3d.py" "$scenario" --log "$TUI_TMP/$scenario.log" \
        --lifetime 120 >"$TUI_TMP/$scenario.port" 2>"$TUI_TMP/$scenario.err" &
    server_pid=$!
    for ((i = 0; i < 100; i++)); do
        [ -s "$TUI_TMP/$scenario.port" ] && break
        sleep 0.05
    done
    port=$(head -n 1 "$TUI_TMP/$scenario.port")
    [[ $port =~ ^[0-9]+$ ]] || {
        fail "$scenario: hostile_pop3d.py did not start: $(cat "$TUI_TMP/$scenario.err")"
        return 1
    }
    case_name=$scenario
    tui_start -e POPVIEW_PASSWORD=x -e HOME="$TUI_TMP" -e XDG_CACHE_HOME="$TUI_TMP/cache" \
        "$POPVIEW" --timeout 3 "$@" "pop3://u@127.0.0.1:$port"
    started=$SECONDS
}

# within TEXT: the pane shows TEXT (fixed string, on one line) within LIMIT s.
within() {
    wait_for "$1" "$LIMIT" || return 1
    return 0
}

# alive: popview has not exited (no crash, no early exit).
alive() {
    if screen | grep -qF "POPVIEW-EXIT="; then
        fail "$case_name: popview exited on its own: $(screen | grep -F POPVIEW-EXIT=)"
        return 1
    fi
}

# leave STATUS: q (twice at most: a pager first), then the exit status and
# the terminal as the shell had it: main screen, cursor visible.
leave() {
    local want=$1 flags
    alive || return 1
    keys q
    sleep 0.3
    screen | grep -qF "POPVIEW-EXIT=" || keys q
    wait_for "POPVIEW-EXIT=" "$LIMIT" || return 1
    screen | grep -qF "POPVIEW-EXIT=$want" ||
        fail "$case_name: $(screen | grep -F POPVIEW-EXIT=), expected POPVIEW-EXIT=$want"
    flags=$(tmx display-message -p '#{alternate_on} #{cursor_flag}')
    [ "$flags" = "0 1" ] ||
        fail "$case_name: the terminal was not restored (alternate screen, cursor: $flags)"
    echo "ok - $case_name (exit $want, $((SECONDS - started)) s)"
}

# --- a 10 MB line ------------------------------------------------------------------------
start_case long-line-greeting --no-tls
within "the server sent a reply line longer than 8192 bytes"
within "Press R to"
leave 2

start_case long-line-top --no-tls
within "the server closed the connection in the middle of a reply"
leave 4

# A 10 MB Subject, properly ended: the rows come.
start_case long-header-top --no-tls
within "Grüße"
within "Third"
within "TRANSACTION"
leave 0

# --- a reply that never ends, a close in the middle --------------------------------------
start_case top-never-ends --no-tls
within "TOP reply for message 1 exceeds 16 MiB"
within "nothing was"
leave 4

start_case close-mid-line --no-tls
within "closed the connection in the middle of a reply"
leave 4

# In the middle of a message in the pager: the pager says so, the index stays.
start_case retr-close-mid --no-tls
within "First message"
within "TRANSACTION"
keys Enter
within "Message 1 could not be shown:"
within "closed the connection in the middle of a reply"
keys q
within "Third"
leave 4

# --- numbers that disagree -------------------------------------------------------------------
start_case list-more-than-stat --no-tls
within "LIST disagrees with STAT"
leave 4

# STAT says 5, LIST lists 3: carry on with the 3.
start_case list-fewer-than-stat --no-tls
within "Third"
within "3 msgs"
leave 0

# UIDL: a shared UID, one for a message that does not exist, garbage: the
# rows stay.
start_case uidl-odd --no-tls
within "Third"
within "TRANSACTION"
leave 0

# --- -ERR response codes, explained -------------------------------------------------------------
start_case in-use --no-tls
within "the mailbox is open in another client"
leave 3

start_case login-delay --no-tls
within "the server allows only one login every few minutes"
leave 3

start_case sys-temp --no-tls
within "the server has a temporary problem (not your password)"
leave 3

start_case sys-perm --no-tls
within "[SYS/PERM] Mailbox is damaged"
leave 3

start_case auth --no-tls
within "the server rejected the user name or password"
leave 3

# --- time and the connection ---------------------------------------------------------------------
start_case silent --no-tls
within "did not answer within 3 s"
leave 2

start_case silent-after-login --no-tls
within "did not answer within 3 s"
leave 4

# One byte per second (8 bytes): slower than the timeout never is, so the
# session carries on.
start_case slow-greeting --no-tls
wait_for "First message" 30
within "TRANSACTION"
leave 0

start_case reset-mid-top --no-tls
within "reading from the connection failed"
leave 4

# --- STLS refused: no credential in clear ------------------------------------------------------------
start_case stls-refused
within "refused STLS"
within "no credentials were sent"
leave 2
if grep -Eq ' C: (USER|PASS|APOP|AUTH)( |$)' "$TUI_TMP/stls-refused.log"; then
    fail "stls-refused: a credential was sent in clear: $(cat "$TUI_TMP/stls-refused.log")"
fi

stop_server
finish
