#!/usr/bin/env bash
# test_cli_cache.sh — the header cache with `popview --summary` against
# Dovecot, run as
#   with-dovecot.sh test_cli_cache.sh
# The first run fills $XDG_CACHE_HOME/popview (a 0700 directory, a 0600
# file); the second sends LIST and UIDL but no TOP (read back from --trace)
# and prints the same rows.  A message added to the maildir is the only one
# asked for with TOP; a message deleted on the server leaves the output and
# the cache; a damaged cache file is ignored (every header asked for again,
# the same rows, nothing on stderr) and rebuilt; --no-cache neither reads
# nor writes it; the browser reads and writes the same cache (no TOP on its
# second open, a notice saying so); without $XDG_CACHE_HOME the cache goes
# to ~/.cache/popview.
set -euo pipefail
# shellcheck source=SCRIPTDIR/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

export XDG_CACHE_HOME=$WORK/xdg-cache
CACHE_DIR=$XDG_CACHE_HOME/popview
url=pop3s://alice@localhost:$POPVIEW_TEST_POP3S_PORT

expected_with_uidl alice "$WORK/alice.tsv"
messages=$(wc -l <"$WORK/alice.tsv")

# summary NAME [ARGS...]: --summary --format tsv with a trace in NAME.trace.
summary() {
    local name=$1
    shift
    run_pv "$name" "$POPVIEW_TEST_PASSWORD" --summary --format tsv --cafile "$POPVIEW_TEST_CA" \
        --trace "$WORK/$name.trace" "$@" "$url"
    expect_status "$name" 0
    if [[ -s $WORK/$name.err ]]; then
        fail "$name: something on stderr" "$WORK/$name.err"
    fi
}

# tops NAME: how many TOP commands the trace shows.
tops() {
    grep -Ec ' C: TOP [0-9]+ 0$' "$WORK/$1.trace" || true
}

# expect_tops NAME N
expect_tops() {
    local got
    got=$(tops "$1")
    if [[ $got == "$2" ]]; then
        pass "$1: $2 TOP commands on the wire"
    else
        fail "$1: $got TOP commands on the wire, expected $2" "$WORK/$1.trace"
    fi
}

cache_file() {
    find "$CACHE_DIR" -maxdepth 1 -type f -name '*.cache' | head -n 1
}

# --- --no-cache: no directory, no file ---------------------------------------
summary nocache --no-cache
expect_tops nocache "$messages"
expect_same nocache "$WORK/alice.tsv" "$WORK/nocache.out"
if [[ -e $CACHE_DIR ]]; then
    fail "nocache: $CACHE_DIR was made"
else
    pass "nocache: no cache directory made"
fi

# --- cold: every header, and the cache is written ----------------------------
summary cold
expect_tops cold "$messages"
expect_same cold "$WORK/alice.tsv" "$WORK/cold.out"
file=$(cache_file)
if [[ -n $file && $(stat -c %a "$file") == 600 && $(stat -c %a "$CACHE_DIR") == 700 ]]; then
    pass "cold: cache file $(basename "$file") (0600) in a 0700 directory"
else
    fail "cold: no cache file with mode 0600 in a 0700 $CACHE_DIR"
fi
if grep -Fq -- "$POPVIEW_TEST_PASSWORD" "$file"; then
    fail "cold: the password is in the cache file"
else
    pass "cold: the password is not in the cache file"
fi

# --- warm: LIST and UIDL, no TOP, the same rows --------------------------------
summary warm
expect_tops warm 0
expect_same warm "$WORK/alice.tsv" "$WORK/warm.out"
if grep -Eq ' C: LIST$' "$WORK/warm.trace" && grep -Eq ' C: UIDL$' "$WORK/warm.trace"; then
    pass "warm: LIST and UIDL were sent"
else
    fail "warm: LIST or UIDL missing from the trace" "$WORK/warm.trace"
fi

# The text format from the cache equals the text format without it.
run_pv text-nocache "$POPVIEW_TEST_PASSWORD" --summary --no-cache --cafile "$POPVIEW_TEST_CA" "$url"
run_pv text-warm "$POPVIEW_TEST_PASSWORD" --summary --cafile "$POPVIEW_TEST_CA" "$url"
expect_same text-warm "$WORK/text-nocache.out" "$WORK/text-warm.out"

# --- a new message: exactly that one is fetched --------------------------------
new=$POPVIEW_TEST_MAILDIR/new/1900000000.cachetest.localhost
printf 'From: Newcomer <new@example.org>\r\nSubject: Arrived after the cache\r\nDate: Wed, 5 Mar 2025 12:00:00 +0000\r\n\r\nHello.\r\n' >"$new"
chown --reference="$POPVIEW_TEST_MAILDIR" "$new"
summary added
expect_tops added 1
if grep -Eq " C: TOP $((messages + 1)) 0$" "$WORK/added.trace"; then
    pass "added: TOP $((messages + 1)) 0, the new message"
else
    fail "added: not TOP for the new message" "$WORK/added.trace"
fi
head -n "$messages" "$WORK/added.out" >"$WORK/added-head.out"
expect_same added "$WORK/alice.tsv" "$WORK/added-head.out"
if tail -n 1 "$WORK/added.out" | grep -Fq $'Newcomer\tArrived after the cache'; then
    pass "added: the new message's row"
else
    fail "added: the new message's row is missing" "$WORK/added.out"
fi

# --- a message deleted on the server: gone from the output and the cache -------
size_before=$(stat -c %s "$file")
python3 - <<'EOF'
import os, poplib, ssl
ctx = ssl.create_default_context(cafile=os.environ["POPVIEW_TEST_CA"])
c = poplib.POP3_SSL("localhost", int(os.environ["POPVIEW_TEST_POP3S_PORT"]), context=ctx, timeout=20)
c.user("alice")
c.pass_(os.environ["POPVIEW_TEST_PASSWORD"])
c.dele(1)
c.quit()
EOF
summary deleted
expect_tops deleted 0
# The rows are the earlier ones without message 1, renumbered.
tail -n +2 "$WORK/added.out" | awk -F'\t' -v OFS='\t' '{ $1 = $1 - 1; print }' >"$WORK/deleted.want"
expect_same deleted "$WORK/deleted.want" "$WORK/deleted.out"
if (($(stat -c %s "$file") < size_before)); then
    pass "deleted: the cache file lost the deleted message's entry"
else
    fail "deleted: the cache file did not shrink ($size_before bytes before)"
fi

# --- a damaged file: ignored, every header fetched, rebuilt ---------------------
python3 - "$file" <<'EOF'
import sys
p = sys.argv[1]
data = bytearray(open(p, "rb").read())
data[len(data) // 2] ^= 0x20
open(p, "wb").write(data)
EOF
summary damaged
expect_tops damaged "$((messages))"
expect_same damaged "$WORK/deleted.out" "$WORK/damaged.out"
summary rebuilt
expect_tops rebuilt 0
expect_same rebuilt "$WORK/deleted.out" "$WORK/rebuilt.out"

# --- --no-cache leaves an existing cache alone ----------------------------------
before=$(stat -c '%i %Y %s' "$file")
sleep 1
summary nocache-again --no-cache
expect_tops nocache-again "$messages"
if [[ $(stat -c '%i %Y %s' "$file") == "$before" ]]; then
    pass "nocache-again: the cache file was not touched"
else
    fail "nocache-again: the cache file changed"
fi

# --- the browser: a warm open says so and sends no TOP ----------------------------
# (the same cache as --summary: the worker thread reads and writes it)
if command -v tmux >/dev/null 2>&1; then
    socket=pv-cache-$$
    # browse NAME DONE: opens the browser in tmux, runs the command DONE
    # until it succeeds (20 s at most), keeps the screen in NAME.screen and
    # leaves with x.
    browse() {
        local name=$1 done=$2 i
        tmux -L "$socket" new-session -d -x 120 -y 30 \
            "env XDG_CACHE_HOME='$XDG_CACHE_HOME' POPVIEW_PASSWORD='$POPVIEW_TEST_PASSWORD' \
             LC_ALL=C.UTF-8 '$POPVIEW' --cafile '$POPVIEW_TEST_CA' --trace '$WORK/$name.trace' '$url'"
        for ((i = 0; i < 100; i++)); do
            tmux -L "$socket" capture-pane -p >"$WORK/$name.screen"
            eval "$done" && break
            sleep 0.2
        done
        sleep 0.5
        tmux -L "$socket" capture-pane -p >"$WORK/$name.screen"
        tmux -L "$socket" send-keys x
        for ((i = 0; i < 50; i++)); do
            tmux -L "$socket" has-session 2>/dev/null || break
            sleep 0.1
        done
        tmux -L "$socket" kill-server 2>/dev/null || true
    }
    rm -rf "$CACHE_DIR"
    notice="summaries of $messages messages from the cache, 0 to fetch"
    # The conditions are evaluated inside browse, again and again: quoted so.
    # shellcheck disable=SC2016
    browse tui-cold '[[ $(tops tui-cold) == "$messages" ]]'
    expect_tops tui-cold "$messages"
    # shellcheck disable=SC2016
    browse tui-warm 'grep -Fq "$notice" "$WORK/tui-warm.screen"'
    expect_tops tui-warm 0
    if grep -Fq "$notice" "$WORK/tui-warm.screen"; then
        pass "tui-warm: the message line says the summaries came from the cache"
    else
        fail "tui-warm: no notice about the cache on the screen" "$WORK/tui-warm.screen"
    fi
    if grep -Eq ' C: LIST$' "$WORK/tui-warm.trace" && grep -Eq ' C: UIDL$' "$WORK/tui-warm.trace"; then
        pass "tui-warm: LIST and UIDL were sent"
    else
        fail "tui-warm: LIST or UIDL missing from the trace" "$WORK/tui-warm.trace"
    fi
else
    echo "tmux is not installed: the browser checks are skipped"
fi

# --- without XDG_CACHE_HOME: ~/.cache/popview -------------------------------------
home=$WORK/home
mkdir -p "$home"
HOME=$home XDG_CACHE_HOME='' run_pv home "$POPVIEW_TEST_PASSWORD" --summary --format tsv \
    --cafile "$POPVIEW_TEST_CA" "$url"
expect_status home 0
if compgen -G "$home/.cache/popview/*.cache" >/dev/null; then
    pass "home: the cache is in ~/.cache/popview"
else
    fail "home: no cache in ~/.cache/popview"
fi

finish
