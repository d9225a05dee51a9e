#!/bin/bash
# The index of `popview --demo`: the demo subjects are there, rows with CJK,
# Cyrillic, Arabic and emoji text keep the size column where it belongs
# (wcwidth, not bytes or characters), and movement, jump, search, sort and
# the generated help do what the keys promise.  q with nothing marked leaves
# at once with status 0.  With NO_COLOR set the roles use attributes only.
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/lib.sh"

tui_start "$POPVIEW" --demo
wait_for "Welcome to popview: what POP3 is"
wait_for "28 msgs"
wait_for "Things to try in this demo mailbox"

# --- every row ends in the same column: the size column is aligned -------------
# capture-pane trims trailing blanks, so a row's display width (wc -L counts
# columns, two for CJK) is where its right-aligned size ends.
widths=$(screen | grep -E '^ *[0-9]+ [ Ddu][ +] ' | while IFS= read -r line; do
    printf '%s\n' "$line" | wc -L
done | sort -u)
[ "$(printf '%s\n' "$widths" | wc -l)" -eq 1 ] ||
    fail "rows end in different columns: $(echo "$widths" | tr '\n' ' ')"
[ "$widths" = 100 ] || fail "rows should end in the last column (100), they end in $widths"
row 8 | grep -qF "山田 太郎" || fail "message 8 does not show its Japanese sender: '$(row 8)'"
row 8 | grep -qF "お花見のご案内" || fail "message 8 does not show its Japanese subject"
row 9 | grep -qE "702B$" || fail "message 9 (Chinese) does not end with its size: '$(row 9)'"
row 13 | grep -qE '^ *13  \+ ' || fail "message 13 has no attachment marker: '$(row 13)'"
row 6 | grep -qF "Шахматный клуб" || fail "message 6 (KOI8-R) is not decoded: '$(row 6)'"

# --- the status line ---------------------------------------------------------
screen | grep -qF "TRANSACTION" || fail "the status line does not say TRANSACTION"
screen | grep -qF "1/28 by number" || fail "the status line does not show the position"

# --- movement and jump -----------------------------------------------------------
keys j j
wait_for "3/28 by number"
keys G
wait_for "28/28 by number"
keys g
wait_for "1/28 by number"
keys 1 3 Enter
wait_for "13/28 by number"
keys Space
wait_for "/28 by number"
keys Home
wait_for "1/28 by number"

# --- search: / and n -------------------------------------------------------------
keys / g a r d e n Enter
wait_for "13/28 by number" # "Garden budget" is the first From/Subject with it
keys n
wait_for "16/28 by number"
keys N
wait_for "13/28 by number"
keys / n o - s u c h - t e x t Enter
wait_for "no From or Subject contains 'no-such-text'"

# --- sort: o cycles, O reverses; the cursor stays on its message ------------------
keys o
wait_for "by date"
keys o
wait_for "by from"
keys o o
wait_for "by size"
keys O
wait_for "by size (rev)"
# The largest message (15, 1.5 MB) is first when sizes go down.
first=$(screen | sed -n 2p)
printf '%s\n' "$first" | grep -qE '^ *15 ' || fail "sorted by size, reversed: first row '$first'"
keys o
wait_for "by number (rev)"
keys O
wait_for "by number"

# --- help: generated from the key tables ----------------------------------------
keys '?'
wait_for "Keys of the index"
for want in "delete-message" "undelete-message" "delete-pattern" "exit-no-commit" \
    "sort-mailbox" "1-9"; do
    screen | grep -qF -- "$want" || fail "the help lacks '$want'"
done
keys q
wait_gone "Keys of the index"
wait_for "q:Quit"

# --- a key that means nothing says so ------------------------------------------------
keys Z
wait_for "Z does nothing here; press ? for the keys"

# --- colours: roles in colour, none with NO_COLOR -----------------------------------
# sgr_params: the parameters of every SGR sequence in the pane, one a line
# (39 and 49, "default colour", are tmux's own resets).
sgr_params() {
    screen_e | grep -oP '\x1b\[[0-9;]*m' | tr -d '\033[m' | tr ';' '\n'
}
sgr_params | grep -qxE '3[0-7]|4[0-7]|38|48' || fail "no colours without NO_COLOR"

# --- q with nothing marked quits at once -------------------------------------------
keys q
wait_for "POPVIEW-EXIT=0"
screen | grep -qF "nothing was deleted" || fail "no word about what QUIT did"

tui_start -e NO_COLOR=1 "$POPVIEW" --demo
wait_for "Welcome to popview: what POP3 is"
if sgr_params | grep -qxE '3[0-8]|4[0-8]|9[0-7]|10[0-7]'; then
    fail "NO_COLOR=1, yet colours reached the pane"
fi
sgr_params | grep -qx 7 || fail "NO_COLOR=1: the cursor row is not shown in reverse video"
keys q
wait_for "POPVIEW-EXIT=0"

finish
