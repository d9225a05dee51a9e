#!/bin/bash
# The browser against a real server, run as
#   with-dovecot.sh test_tui_dovecot.sh
# alice's ~300 messages: the end of the list loads as soon as it is shown
# (visible rows first), the jump works, x leaves.
# bob's 5 messages over implicit TLS: the index lists them, message 1 in the
# pager is what --show 1 prints, d on messages 2 and 4, q, y: afterwards
# `popview --summary` lists exactly the other three (by UIDL).
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/lib.sh"
: "${POPVIEW_TEST_BOB_USER:?run this through with-dovecot.sh}"

# --- alice: browsing a large mailbox ------------------------------------------------
alice_url=pop3s://$POPVIEW_TEST_USER@localhost:$POPVIEW_TEST_POP3S_PORT
total=$(POPVIEW_PASSWORD=$POPVIEW_TEST_PASSWORD "$POPVIEW" --cafile "$POPVIEW_TEST_CA" \
    --summary --format tsv "$alice_url" | wc -l)
[ "$total" -ge 150 ] || fail "alice has only $total messages"
tui_start -e "POPVIEW_PASSWORD=$POPVIEW_TEST_PASSWORD" \
    "$POPVIEW" --cafile "$POPVIEW_TEST_CA" "$alice_url"
wait_for "1/$total by number"
keys G
wait_for "$total/$total by number"
wait_row "$total" "^ *$total [ Ddu][ +] [^…]"
keys 1 5 0 Enter
wait_for "150/$total by number"
wait_row 150 "^ *150 [ Ddu][ +] [^…]"
keys x
wait_for "POPVIEW-EXIT=0"

# --- bob: marks and QUIT --------------------------------------------------------------
url=pop3s://$POPVIEW_TEST_BOB_USER@localhost:$POPVIEW_TEST_POP3S_PORT

bob() {
    POPVIEW_PASSWORD=$POPVIEW_TEST_BOB_PASSWORD "$POPVIEW" --cafile "$POPVIEW_TEST_CA" "$@" "$url"
}

bob --summary --format tsv >"$TUI_TMP/before.tsv" || fail "--summary before failed"
[ "$(wc -l <"$TUI_TMP/before.tsv")" -eq 5 ] || fail "bob does not have 5 messages"
bob --show 1 2>/dev/null | sed 's/ *$//' >"$TUI_TMP/show1.txt"

tui_start -e "POPVIEW_PASSWORD=$POPVIEW_TEST_BOB_PASSWORD" \
    "$POPVIEW" --cafile "$POPVIEW_TEST_CA" "$url"
wait_for "TRANSACTION"
wait_for "1/5 by number"
screen | grep -qF "$POPVIEW_TEST_BOB_USER@localhost" || fail "the status line lacks the account"
subject1=$(awk -F '\t' '$1 == 1 {print $6}' "$TUI_TMP/before.tsv")
wait_for "${subject1:0:30}"

keys Enter
wait_for "msg 1 "
n=$(wc -l <"$TUI_TMP/show1.txt")
[ "$n" -gt 3 ] || fail "--show 1 printed only $n lines"
lines=$(awk 'length > 99 {long = 1} END {print long ? "long" : "short"}' "$TUI_TMP/show1.txt")
if [ "$lines" = short ] && [ "$n" -lt 26 ]; then
    screen | sed -n "2,$((n + 1))p" | sed 's/ *$//' >"$TUI_TMP/pager1.txt"
    cmp -s "$TUI_TMP/show1.txt" "$TUI_TMP/pager1.txt" ||
        fail "the pager differs from --show 1: $(diff "$TUI_TMP/show1.txt" "$TUI_TMP/pager1.txt")"
fi
keys q
wait_for "q:Quit"

keys j d
wait_row 2 '^ *2 D'
keys j d
wait_row 4 '^ *4 D'
wait_for "marked 2"
keys q
wait_for "2 messages marked"
keys y
wait_for "POPVIEW-EXIT=0"
screen | grep -qF "popview: 2 messages deleted; the server said:" ||
    fail "the answer to QUIT is not reported"

bob --summary --format tsv >"$TUI_TMP/after.tsv" || fail "--summary after failed"
cut -f 2 "$TUI_TMP/before.tsv" | sed -n '1p;3p;5p' >"$TUI_TMP/want"
cut -f 2 "$TUI_TMP/after.tsv" >"$TUI_TMP/got"
cmp -s "$TUI_TMP/want" "$TUI_TMP/got" ||
    fail "left on the server: $(tr '\n' ' ' <"$TUI_TMP/got"), want $(tr '\n' ' ' <"$TUI_TMP/want")"

finish
