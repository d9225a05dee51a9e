#!/bin/bash
# Loading: against a slow server (demo-pop3d --delay-ms, 300 messages) rows
# show "…" until their summary arrives, the status line shows
# "loading N/300 R/s" with a bar, and the rows on screen load first: after G
# the last message is in while others are still on their way.
#
#   test_tui_loading.sh [PATH-TO-demo-pop3d]
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/lib.sh"
DEMO_POP3D=${1:-${DEMO_POP3D:-}}

maildir=$TUI_TMP/maildir
mkdir "$maildir"
for i in $(seq -w 1 300); do
    printf 'From: Sender %s <s%s@example.org>\nSubject: message number %s\n\nbody\n' \
        "$i" "$i" "$i" >"$maildir/$i.eml"
done
bin=${DEMO_POP3D:-$POPVIEW_BUILD_ROOT/tests/demo/demo-pop3d}
"$bin" --port 0 --delay-ms 20 --maildir "$maildir" >"$TUI_TMP/pop3d.out" 2>"$TUI_TMP/pop3d.err" &
pid=$!
on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
for _ in $(seq 100); do
    PORT=$(head -n 1 "$TUI_TMP/pop3d.out" 2>/dev/null)
    [ -n "$PORT" ] && break
    sleep 0.1
done

# 12 rows: 8 of them show messages, so nearly all start off screen.
tui_start -y 12 -e POPVIEW_PASSWORD=demo "$POPVIEW" --no-tls "pop3://demo@127.0.0.1:$PORT"
wait_for "1/300 by number"
screen | grep -qE '^ *[0-9]+ [ Ddu][ +] …' || fail "no row waits for its summary with …"
screen | grep -qE 'loading [0-9]+/300 [0-9.]+/s \[[#-]+\]' ||
    fail "the status line shows no loading progress"
keys G
wait_for "300/300 by number"
wait_row 300 '^ *300 [ Ddu][ +] [^…]'
screen | grep -qE 'loading [0-9]+/300' ||
    fail "message 300 was not loaded before the others though it was on screen"
wait_gone "loading" 60
keys g
wait_for "1/300 by number"
screen | grep -qE '^ *[0-9]+ [ Ddu][ +] …' && fail "rows still show … after loading ended"
wait_for "message number 001"

keys x
wait_for "POPVIEW-EXIT=0"
finish
