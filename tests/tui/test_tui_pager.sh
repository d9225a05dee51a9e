#!/bin/bash
# The pager of `popview --demo`: Enter on message 13 shows exactly what
# `popview --demo --show 13` prints (headers, body, "Attachments:" with
# budget-notes.txt); h, r and m switch to the full header, the raw source
# and the MIME tree; / finds text; s offers .eml, mbox and attachment,
# and s e saves the raw message and never replaces a file without asking
# (the mbox and attachment saves are in test_tui_save.sh), nor a device;
# | pipes it to a command; message 24's
# escape sequences show as visible "^[" text and change neither the colours
# nor the pane title; q and Left go back.
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/lib.sh"

# body_lines N: the pager's first N text lines (the screen below the hint line).
body_lines() {
    screen | sed -n "2,$(($1 + 1))p"
}

tui_start "$POPVIEW" --demo
wait_for "Welcome to popview: what POP3 is"
title_start=$(tmx display -p '#{pane_title}')

# --- message 13 as --show prints it ----------------------------------------------
keys 1 3 Enter Enter
wait_for "Attachments:"
wait_for "budget-notes.txt"
"$POPVIEW" --demo --show 13 >"$TUI_TMP/show13.txt" 2>/dev/null ||
    fail "popview --demo --show 13 failed"
n=$(wc -l <"$TUI_TMP/show13.txt")
[ "$n" -gt 10 ] || fail "--show 13 printed only $n lines"
body_lines "$n" | sed 's/ *$//' >"$TUI_TMP/pager13.txt"
sed 's/ *$//' "$TUI_TMP/show13.txt" >"$TUI_TMP/show13.trim"
diff -u "$TUI_TMP/show13.trim" "$TUI_TMP/pager13.txt" >"$TUI_TMP/diff13" ||
    fail "the pager differs from --show 13: $(cat "$TUI_TMP/diff13")"
screen | grep -qF "msg 13" || fail "the status line does not name message 13"

# --- the other modes -------------------------------------------------------------------
keys h
wait_for "Message-ID: <budget-2024-02@example.net>"
wait_for "showing the full header"
keys h
wait_gone "Message-ID:"
keys m
wait_for "1  multipart/mixed"
wait_for "1.2  text/plain; charset=utf-8  base64"
keys m
wait_for "Attachments:"
keys r
wait_for 'Content-Disposition: attachment; filename="budget-notes.txt"'
wait_for "showing the raw source"
keys r
wait_for "Attachments:"

# --- search in the text ------------------------------------------------------------------
keys / c o m p o s t Enter
wait_for "found 'compost' on line"
keys / n o t - t h e r e Enter
wait_for "not found: 'not-there'"

# --- the pager's help ----------------------------------------------------------------------
keys '?'
wait_for "Keys of the pager"
for want in save-message pipe-message display-toggle-weed view-raw-message view-attachments; do
    screen | grep -qF "$want" || fail "the pager's help lacks $want"
done
keys q
wait_for "Attachments:"

# --- save: the raw message, and no silent overwrite ----------------------------------------
size13=$("$POPVIEW" --demo --summary --format tsv 2>/dev/null | awk -F '\t' '$1 == 13 {print $3}')
saved=$TUI_TMP/saved13.eml
keys s
wait_for "[e] as an .eml file   [m] append to an mbox   [a] an attachment"
keys e
wait_for "Save to file: message-13.eml"
keys C-u "$saved" Enter
wait_for "saved message 13 to"
[ -f "$saved" ] || fail "nothing was written to $saved"
[ "$(wc -c <"$saved")" = "$size13" ] ||
    fail "the saved file has $(wc -c <"$saved") bytes, LIST said $size13"
grep -q "^Subject: Garden budget: notes, chart and invoice" "$saved" ||
    fail "the saved file is not the raw message"
leftovers=$(find "$TUI_TMP" -maxdepth 1 -name '.popview-save-*' | wc -l)
[ "$leftovers" -eq 0 ] || fail "$leftovers temporary file(s) left next to the saved one"
echo "precious" >"$TUI_TMP/keep.eml"
keys s e
wait_for "Save to file:"
keys C-u "$TUI_TMP/keep.eml" Enter
wait_for "already exists"
keys n
wait_for "not saved; the file was left as it was"
[ "$(cat "$TUI_TMP/keep.eml")" = precious ] || fail "the file was replaced after n"
keys s e
wait_for "Save to file:"
keys C-u "$TUI_TMP/keep.eml" Enter
wait_for "already exists"
keys y
wait_for "saved message 13 to"
cmp -s "$saved" "$TUI_TMP/keep.eml" || fail "y did not replace the file with the message"
keys s e
wait_for "Save to file:"
keys C-u "$TUI_TMP/no/such/dir/x.eml" Enter
wait_for "cannot save to"
# A device is never replaced by a file, even when asked to.
keys s e
wait_for "Save to file:"
keys C-u /dev/null Enter
wait_for "cannot save to /dev/null: it is not a regular file"
[ -c /dev/null ] || fail "/dev/null is no longer a character device"

# --- pipe ------------------------------------------------------------------------------------
keys '|'
wait_for "Pipe to command:"
keys "wc -c > $TUI_TMP/piped" Enter
wait_for "[press any key to return to popview]"
keys Space
wait_for "Attachments:"
[ "$(tr -d ' ' <"$TUI_TMP/piped" 2>/dev/null)" = "$size13" ] ||
    fail "the command read $(cat "$TUI_TMP/piped" 2>/dev/null) bytes, not $size13"
keys '|'
wait_for "Pipe to command:"
keys "exit 3" Enter
wait_for "[press any key to return to popview]"
keys Space
wait_for "the command exited with status 3"

# --- back, then message 24 and its escape sequences ------------------------------------------
keys q
wait_for "q:Quit"
keys 2 4 Enter Enter
wait_for "Subject: Your invoice"
wait_for '^[[5;31mOVERDUE^[[0m'
wait_for '1. Set the window title (OSC 0):       ^[]0;pwned^G<- here'
wait_for '2. Clear the screen (CSI 2J):          ^[[2J<- here'
screen | grep -qF "<U+009B>31m" || fail "the C1 control is not shown as <U+009B>"
# Only SGR sequences of popview's own may be in the pane, and none blinks.
screen_e >"$TUI_TMP/pane24.esc"
if grep -qP '\x1b\]' "$TUI_TMP/pane24.esc"; then
    fail "an OSC sequence reached the pane"
fi
grep -oP '\x1b\[[0-9;]*m' "$TUI_TMP/pane24.esc" | tr -d '\033[m' | tr ';' '\n' |
    awk 'BEGIN { skip = 0 }
        skip > 0 { skip--; next }
        $0 == "38" || $0 == "48" { mode = 1; next }
        mode == 1 { mode = 0; skip = ($0 == "5") ? 1 : 3; next }
        $0 == "5" || $0 == "6" { found = 1 }
        END { exit found ? 1 : 0 }' || fail "a blinking attribute reached the pane"
title_now=$(tmx display -p '#{pane_title}')
[ "$title_now" = "$title_start" ] || fail "the pane title changed: '$title_start' -> '$title_now'"
keys Left
wait_for "q:Quit"
row 24 | grep -qF 'Your invoice ^[]0;you have been hacked^Gis' ||
    fail "the index row of message 24 is not shown as visible text: '$(row 24)'"

keys x
wait_for "POPVIEW-EXIT=0"
finish
