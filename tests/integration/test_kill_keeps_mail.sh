#!/bin/bash
# Nothing lost: a message leaves the server only at QUIT after a confirmed
# DELE.  Run as
#   with-dovecot.sh test_kill_keeps_mail.sh
# The browser marks two of bob's messages (the server acknowledged DELE for
# both), then popview is killed: with SIGKILL (no cleanup at all: the
# connection just drops) and with SIGTERM.  Each time bob still has all five
# messages afterwards, with the same UIDLs.
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/../tui/lib.sh"
: "${POPVIEW_TEST_BOB_USER:?run this through with-dovecot.sh}"

url=pop3s://$POPVIEW_TEST_BOB_USER@localhost:$POPVIEW_TEST_POP3S_PORT
bob() {
    POPVIEW_PASSWORD=$POPVIEW_TEST_BOB_PASSWORD "$POPVIEW" --cafile "$POPVIEW_TEST_CA" "$@" "$url"
}

bob --summary --format tsv | cut -f2 >"$TUI_TMP/before.uidl" || fail "--summary before failed"
[ "$(wc -l <"$TUI_TMP/before.uidl")" -eq 5 ] || fail "bob does not have 5 messages"

for signal in KILL TERM; do
    tui_start -e "POPVIEW_PASSWORD=$POPVIEW_TEST_BOB_PASSWORD" \
        "$POPVIEW" --cafile "$POPVIEW_TEST_CA" "$url"
    wait_for "1/5 by number"
    keys d
    keys j
    keys d
    # Both marks acknowledged by the server, as the status line says.
    wait_for "marked 2 ("
    pid=$(pgrep -n -f -- "--cafile $POPVIEW_TEST_CA $url") || fail "popview is not running"
    kill -s "$signal" "$pid"
    # Wait for the process itself (the pane's text may wrap long paths).
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && fail "popview still runs after SIG$signal"
    bob --summary --format tsv | cut -f2 >"$TUI_TMP/after.uidl" || fail "--summary after failed"
    cmp -s "$TUI_TMP/before.uidl" "$TUI_TMP/after.uidl" ||
        fail "SIGKILL/SIGTERM after DELE lost mail ($signal): $(diff "$TUI_TMP/before.uidl" "$TUI_TMP/after.uidl")"
done

finish
