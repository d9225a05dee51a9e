#!/bin/bash
# A message over 5 MB asks before it is fetched: n cancels, p fetches a
# preview (TOP, the header and 50 lines) that says it is one and cannot be
# saved, y fetches it all.  Served by demo-pop3d from a maildir holding one
# 6.4 MB message and one small one.
#
#   test_tui_large.sh [PATH-TO-demo-pop3d]
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/lib.sh"
DEMO_POP3D=${1:-${DEMO_POP3D:-}}

maildir=$TUI_TMP/maildir
mkdir "$maildir"
{
    printf 'From: Big Sender <big@example.org>\nSubject: six megabytes of log\n'
    printf 'Date: Mon, 02 Nov 2026 10:00:00 +0000\n\n'
    awk 'BEGIN { for (i = 1; i <= 110000; i++)
        printf "log line %06d: the quick brown fox jumps over the lazy dog\n", i }'
} >"$maildir/1.eml"
printf 'From: small@example.org\nSubject: a small one\n\nhello\n' >"$maildir/2.eml"
size=$(wc -c <"$maildir/1.eml")
[ "$size" -gt $((5 * 1024 * 1024)) ] || fail "the big message has only $size bytes"

bin=${DEMO_POP3D:-$POPVIEW_BUILD_ROOT/tests/demo/demo-pop3d}
"$bin" --port 0 --maildir "$maildir" >"$TUI_TMP/pop3d.out" 2>"$TUI_TMP/pop3d.err" &
pid=$!
on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
for _ in $(seq 100); do
    PORT=$(head -n 1 "$TUI_TMP/pop3d.out" 2>/dev/null)
    [ -n "$PORT" ] && break
    sleep 0.1
done

tui_start -e POPVIEW_PASSWORD=demo "$POPVIEW" --no-tls "pop3://demo@127.0.0.1:$PORT"
wait_for "six megabytes of log"
wait_for "a small one"

keys Enter
wait_for "Message 1 is "
wait_for "[p] preview"
keys n
wait_gone "Message 1 is "
screen | grep -qF "msg 1 " && fail "n opened the message anyway"

keys Enter
wait_for "Message 1 is "
keys p
wait_for "[popview: a preview: the header and the first 50 lines of the body"
wait_for "log line 000001"
keys G
wait_for "log line 000050"
screen | grep -qF "log line 000051" && fail "the preview has more than 50 lines"
keys s
wait_for "save: only a preview was fetched"
keys q
wait_for "q:Quit"

keys Enter
wait_for "Message 1 is "
keys y
wait_for "log line 000001" 60
screen | grep -qF "[popview: a preview" && fail "the whole message is still called a preview"
# Of a text this long the pager shows the first 2 MiB and says what is
# left out (memory stays bounded whatever the size); the raw view too.
keys G
wait_for "[popview: the text goes on for another"
screen | grep -qF "log line 110000" && fail "all 6 MB of text were rendered"
keys r
wait_for "raw source"
keys G
wait_for "[popview: the raw source shows its first 2.0M of"
keys q
wait_for "q:Quit"

keys x
wait_for "POPVIEW-EXIT=0"
finish
