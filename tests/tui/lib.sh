# shellcheck shell=bash
# Shared helpers of the TUI tests (sourced, not run): popview runs in a tmux
# server of its own (-L popview-test-$$, no configuration file), keys go in
# with send-keys and the screen comes back with capture-pane.  Waiting is a
# poll with a time limit, never a fixed sleep, so a slow machine only makes
# the tests slower, not flaky.
#
#   tui_start CMD...     start CMD in a 100x30 pane; its exit status is
#                        printed as "POPVIEW-EXIT=N" when it ends
#   keys KEY...          tmux send-keys
#   screen               the pane as text; screen_e with attributes (-e)
#   wait_for TEXT        until the pane shows TEXT (fixed string)
#   wait_gone TEXT       until it does not
#   fail MESSAGE         count a failure (the pane is shown once)
#
# Every test ends with `finish`, which exits non-zero after any failure.

set -u
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
unset TMUX NO_COLOR

if ! command -v tmux >/dev/null 2>&1; then
    echo "tmux is not installed: skipped"
    exit 77
fi

: "${POPVIEW_BUILD_ROOT:?POPVIEW_BUILD_ROOT must name the build directory}"
POPVIEW=${POPVIEW:-$POPVIEW_BUILD_ROOT/src/popview}
TUI_SOCKET=popview-test-$$
_sockets=()
TUI_TIMEOUT=${TUI_TIMEOUT:-15}
TUI_TMP=$(mktemp -d /tmp/popview-tui.XXXXXX)
# A header cache of the test's own: a run must not find summaries another
# test (or another run) left for the same server.
export XDG_CACHE_HOME=$TUI_TMP/cache
failures=0
_cleanup_hooks=()

_tui_cleanup() {
    local hook
    for hook in "${_cleanup_hooks[@]}"; do
        eval "$hook"
    done
    local socket
    for socket in "${_sockets[@]}"; do
        tmux -L "$socket" kill-server 2>/dev/null
    done
    rm -rf "$TUI_TMP"
}
trap _tui_cleanup EXIT

# on_exit 'command': run at exit, before the tmux server goes.
on_exit() {
    _cleanup_hooks+=("$1")
}

tmx() {
    tmux -L "$TUI_SOCKET" "$@"
}

# tui_start [-x COLS -y ROWS] [-e VAR=VALUE]... CMD...
tui_start() {
    local cols=100 rows=30
    local envs=()
    while [ $# -gt 0 ]; do
        case $1 in
        -x) cols=$2; shift 2 ;;
        -y) rows=$2; shift 2 ;;
        -e) envs+=(-e "$2"); shift 2 ;;
        *) break ;;
        esac
    done
    local cmd
    cmd=$(printf '%q ' "$@")
    # A server per run: a server still shutting down cannot be reused.
    [ ${#_sockets[@]} -gt 0 ] && tmx kill-server 2>/dev/null
    TUI_SOCKET=popview-test-$$-$((${#_sockets[@]} + 1))
    _sockets+=("$TUI_SOCKET")
    # In the test's own folder: a save with a default name must never land
    # in the source tree or the build directory.
    tmx -f /dev/null new-session -d -c "$TUI_TMP" -x "$cols" -y "$rows" "${envs[@]}" \
        "$cmd; echo POPVIEW-EXIT=\$?; sleep 600"
    tmx set-option -g remain-on-exit on >/dev/null
}

keys() {
    tmx send-keys "$@"
}

screen() {
    tmx capture-pane -p
}

screen_e() {
    tmx capture-pane -p -e
}

_shown=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
    if [ "$_shown" -eq 0 ]; then
        _shown=1
        echo "----- the pane at the first failure -----" >&2
        screen >&2
        echo "------------------------------------------" >&2
    fi
}

# wait_for TEXT [SECONDS]: true once the pane shows TEXT.
wait_for() {
    local limit=${2:-$TUI_TIMEOUT}
    local deadline=$((SECONDS + limit))
    while [ "$SECONDS" -le "$deadline" ]; do
        if screen | grep -qF -- "$1"; then
            return 0
        fi
        sleep 0.1
    done
    fail "waited ${limit}s for '$1'"
    return 1
}

# wait_gone TEXT [SECONDS]: true once the pane no longer shows TEXT.
wait_gone() {
    local limit=${2:-$TUI_TIMEOUT}
    local deadline=$((SECONDS + limit))
    while [ "$SECONDS" -le "$deadline" ]; do
        if ! screen | grep -qF -- "$1"; then
            return 0
        fi
        sleep 0.1
    done
    fail "waited ${limit}s for '$1' to go away"
    return 1
}

# row N: the index row of message N (leading number, then flags).
row() {
    screen | grep -E "^ *$1 [ Ddu][ +] " | head -n 1
}

# wait_row N REGEX: until message N's row matches REGEX.
wait_row() {
    local deadline=$((SECONDS + TUI_TIMEOUT))
    while [ "$SECONDS" -le "$deadline" ]; do
        if row "$1" | grep -qE -- "$2"; then
            return 0
        fi
        sleep 0.1
    done
    fail "row $1 never matched /$2/: '$(row "$1")'"
    return 1
}

# demo_pop3d [ARG...]: starts tests/demo's server on a free port (ARGs
# such as --maildir DIR passed on); sets $PORT.
demo_pop3d() {
    local bin=${DEMO_POP3D:-}
    [ -n "$bin" ] || bin=$POPVIEW_BUILD_ROOT/tests/demo/demo-pop3d
    "$bin" --port 0 "$@" >"$TUI_TMP/pop3d.out" 2>"$TUI_TMP/pop3d.err" &
    local pid=$!
    on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
    PORT=
    for _ in $(seq 100); do
        PORT=$(head -n 1 "$TUI_TMP/pop3d.out" 2>/dev/null)
        [ -n "$PORT" ] && break
        sleep 0.1
    done
    [[ "$PORT" =~ ^[0-9]+$ ]] || {
        echo "demo-pop3d did not start: $(cat "$TUI_TMP/pop3d.err")" >&2
        exit 1
    }
}

# uidls: the UIDL column of `popview --summary` against demo-pop3d.
uidls() {
    POPVIEW_PASSWORD=demo "$POPVIEW" --no-tls --summary --format tsv \
        "pop3://demo@127.0.0.1:$PORT" 2>/dev/null | cut -f 2
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures failure(s)" >&2
        exit 1
    fi
    echo "all checks passed"
    exit 0
}
