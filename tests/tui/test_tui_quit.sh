#!/bin/bash
# Marks and quitting against demo-pop3d (one mailbox shared by every
# connection, so what QUIT deleted is seen by the next `popview --summary`):
#  - d on two messages and u on one, then q and y: exactly the one still
#    marked is gone, and popview prints the server's answer;
#  - the same typed faster than the server answers gives the same result;
#  - D with >SIZE, <DATE and text marks what it says; x and Ctrl-C leave
#    without deleting anything; q with nothing marked quits at once;
#  - n in the confirmation keeps browsing;
#  - a wrong password shows the server's refusal, and q then exits with 3.
#
#   test_tui_quit.sh [PATH-TO-demo-pop3d]
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/lib.sh"
DEMO_POP3D=${1:-${DEMO_POP3D:-}}
demo_pop3d

start_popview() {
    tui_start -e POPVIEW_PASSWORD=demo "$POPVIEW" --no-tls "pop3://demo@127.0.0.1:$PORT"
    wait_for "TRANSACTION"
    wait_for "1/$1 by number"
}

[ "$(uidls | wc -l)" -eq 28 ] || fail "the demo mailbox does not start with 28 messages"

# --- d d, u on one, q, n, q, y ----------------------------------------------------
start_popview 28
screen | grep -qF "WARNING: --no-tls" || fail "no warning about the unencrypted connection"
keys d
wait_row 1 '^ *1 D'
keys d
wait_row 2 '^ *2 D'
wait_for "marked 2"
keys k u
wait_row 2 '^ *2  '
wait_for "marked 1 (2.2K)"
row 1 | grep -qE '^ *1 D' || fail "unmarking 2 lost the mark of 1: '$(row 1)'"
keys q
wait_for "1 message marked (2.2K)."
keys n
wait_gone "1 message marked"
keys q
wait_for "Quit and let the server delete it now (QUIT)?"
keys y
wait_for "POPVIEW-EXIT=0"
screen | grep -qF "popview: 1 message deleted; the server said: popview demo server signing off" ||
    fail "the server's answer to QUIT is not shown"
uidls >"$TUI_TMP/after1"
[ "$(wc -l <"$TUI_TMP/after1")" -eq 27 ] || fail "27 messages should be left, not $(wc -l <"$TUI_TMP/after1")"
grep -qx 01-welcome "$TUI_TMP/after1" && fail "the marked message 01-welcome is still there"
grep -qx 02-pop3-dele "$TUI_TMP/after1" || fail "the unmarked message 02-pop3-dele was deleted"

# --- the same keys at once: marks wait for the server's answers ----------------------
start_popview 27
keys d d k u
wait_row 1 '^ *1 D'
wait_row 2 '^ *2  '
wait_for "marked 1"
keys U
wait_row 1 '^ *1  '
wait_gone "marked 1"

# --- D rules ---------------------------------------------------------------------------
keys D
wait_for "mark messages whose From/Subject contains"
keys '>1M' Enter
wait_for "marked 1 (1.5M)"
weather=$(screen | grep -F "Weather station KE-07" | awk '{print $1}')
wait_row "$weather" "^ *$weather D"
keys D '<2023-01-01' Enter
wait_for "marked 4 "
wait_row 1 '^ *1 D'
wait_row 3 '^ *3 D'
row 4 | grep -qE '^ *4  ' || fail "message 4 (2023) was marked by <2023-01-01: '$(row 4)'"
# "garden": Garden budget and the six messages of the garden thread.
keys D g a r d e n Enter
wait_for "marked 11 "
wait_row 12 '^ *12 D'
keys D '>2Q' Enter
wait_for "cannot read the size after '>'"

# --- x leaves without deleting anything ---------------------------------------------------
keys x
wait_for "POPVIEW-EXIT=0"
screen | grep -qF "popview: nothing was deleted" || fail "x does not say that nothing was deleted"
[ "$(uidls | wc -l)" -eq 27 ] || fail "x deleted messages"

# --- Ctrl-C too ---------------------------------------------------------------------------
start_popview 27
keys d
wait_row 1 '^ *1 D'
keys C-c
wait_for "POPVIEW-EXIT=0"
[ "$(uidls | wc -l)" -eq 27 ] || fail "Ctrl-C deleted messages"

# --- q with nothing marked quits at once ----------------------------------------------------
start_popview 27
keys q
wait_for "POPVIEW-EXIT=0"
[ "$(uidls | wc -l)" -eq 27 ] || fail "q with nothing marked deleted messages"

# --- a refused login ------------------------------------------------------------------------
tui_start -e POPVIEW_PASSWORD=wrong "$POPVIEW" --no-tls "pop3://demo@127.0.0.1:$PORT"
wait_for "the server rejected the user name or password"
wait_for "Press R to try again, or q to leave."
keys q
wait_for "POPVIEW-EXIT=3"

finish
