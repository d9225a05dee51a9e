#!/bin/bash
# Resizing: at 40x10 the index and the pager still fit (no line wider than
# the pane, the hint and status lines in place), below that popview says
# "terminal too small (need 40x10)" instead of drawing garbage, and back at
# 100x30 the index and the pager look as they did before.
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/lib.sh"

# widest: the widest line of the pane, in columns.
widest() {
    screen | wc -L
}

resize() {
    tmx resize-window -x "$1" -y "$2"
}

tui_start "$POPVIEW" --demo
wait_for "Welcome to popview: what POP3 is"

resize 40 10
wait_for "Welcome to po"
[ "$(widest)" -le 40 ] || fail "a line is wider than the 40-column pane"
[ "$(screen | sed -n 1p | cut -c1-7)" = popview ] || fail "the hint line is gone at 40x10"
screen | grep -qF "1/28 by number" || fail "the status line is gone at 40x10"
[ "$(screen | wc -l)" -le 10 ] || fail "more than 10 lines at 40x10"

resize 30 8
wait_for "terminal too small"
wait_for "(need 40x10)"
screen | grep -qF "Welcome" && fail "rows are drawn on a screen that is too small"

resize 100 30
wait_for "Welcome to popview: what POP3 is"
wait_gone "terminal too small"
widths=$(screen | grep -E '^ *[0-9]+ [ Ddu][ +] ' | while IFS= read -r line; do
    printf '%s\n' "$line" | wc -L
done | sort -u)
[ "$widths" = 100 ] || fail "after resizing back, rows end in columns: $(echo "$widths" | tr '\n' ' ')"

# The pager wraps at 40 columns and unwraps again.
keys 1 3 Enter Enter
wait_for "Attachments:"
resize 40 10
wait_for "msg 13"
[ "$(widest)" -le 40 ] || fail "a pager line is wider than the 40-column pane"
keys G
wait_for "budget-notes.txt"
resize 100 30
wait_for "Attachments:"
keys g
wait_for "From: Priya Raman <priya.raman@example.net>"
"$POPVIEW" --demo --show 13 2>/dev/null | sed 's/ *$//' >"$TUI_TMP/show13.txt"
n=$(wc -l <"$TUI_TMP/show13.txt")
screen | sed -n "2,$((n + 1))p" | sed 's/ *$//' >"$TUI_TMP/pager13.txt"
cmp -s "$TUI_TMP/show13.txt" "$TUI_TMP/pager13.txt" ||
    fail "after resizing back the pager differs from --show 13"

keys x
wait_for "POPVIEW-EXIT=0"
finish
