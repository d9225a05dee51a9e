#!/bin/bash
# S (save-and-mark, issue #6's "save then delete"; D is mark-by-rule) in
# `popview --demo`, with no save folder configured, so popview asks:
#  - S on message 1, to a new mbox: the mbox holds the message (its "From "
#    separator and Subject), and only then is the row marked;
#  - S on message 2, to "DIR/" (a maildir, created): one file in new/, none
#    left in tmp/, the row marked; the last folder is offered again;
#  - S on message 3 to a folder that cannot be written (a path through a
#    regular file) and to a directory that is not a maildir: the error
#    shows, the row stays unmarked, and nothing is created;
#  - in the pager S does the same for the message shown;
#  - the help lists S; x leaves without deleting anything.
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/lib.sh"

tui_start "$POPVIEW" --demo
wait_for "Welcome to popview: what POP3 is"
wait_for "28 msgs"

# --- S to an mbox -------------------------------------------------------------
keys S
wait_for "Save message 1, then mark it (mbox, or maildir/):"
# shellcheck disable=SC2088 # the prompt shows the tilde itself
screen | grep -qF "~/mbox" || fail "the prompt does not offer ~/mbox"
row 1 | grep -qE '^ *1  ' || fail "message 1 was marked before it was saved: '$(row 1)'"
keys C-u "$TUI_TMP/saved.mbox" Enter
# The notice of the save gives way to the server's answer to DELE.
wait_row 1 '^ *1 D'
wait_for "message 1 marked for deletion"
[ -f "$TUI_TMP/saved.mbox" ] || fail "no mbox was written"
head -n 1 "$TUI_TMP/saved.mbox" | grep -qE '^From [^ ]+ (Mon|Tue|Wed|Thu|Fri|Sat|Sun) ' ||
    fail "the mbox does not start with a From separator: '$(head -n 1 "$TUI_TMP/saved.mbox")'"
grep -qF 'Subject: Welcome to popview: what POP3 is' "$TUI_TMP/saved.mbox" ||
    fail "the mbox does not hold message 1"
grep -q $'\r' "$TUI_TMP/saved.mbox" && fail "the mbox has CR line ends"
keys j

# --- S to a maildir, created ----------------------------------------------------------
keys S
wait_for "Save message 2, then mark it"
screen | grep -qF "$TUI_TMP/saved.mbox" || fail "the last folder is not offered again"
keys C-u "$TUI_TMP/Mail/" Enter
wait_row 2 '^ *2 D'
n_new=$(find "$TUI_TMP/Mail/new" -type f | wc -l)
n_tmp=$(find "$TUI_TMP/Mail/tmp" -type f | wc -l)
[ "$n_new" -eq 1 ] || fail "the maildir's new/ holds $n_new files, not 1"
[ "$n_tmp" -eq 0 ] || fail "the maildir's tmp/ still holds $n_tmp files"
[ -d "$TUI_TMP/Mail/cur" ] || fail "the maildir has no cur/"
file=$(find "$TUI_TMP/Mail/new" -type f | head -n 1)
if [ -z "$file" ] || ! grep -q '^Subject: ' "$file"; then
    fail "the maildir file holds no message"
fi
[ -n "$file" ] && grep -q $'\r' "$file" && fail "the maildir file has CR line ends"
keys j

# --- failures leave the row unmarked ----------------------------------------------------
: >"$TUI_TMP/plainfile"
keys S
wait_for "Save message 3, then mark it"
keys C-u "$TUI_TMP/plainfile/box" Enter
wait_for "message 3 was not saved, so it stays unmarked"
sleep 0.5
row 3 | grep -qE '^ *3  ' || fail "message 3 was marked although its save failed: '$(row 3)'"
[ -s "$TUI_TMP/plainfile" ] && fail "the failed save wrote into the file in its way"

mkdir "$TUI_TMP/notmaildir"
keys S
wait_for "Save message 3, then mark it"
keys C-u "$TUI_TMP/notmaildir" Enter
wait_for "is not a maildir"
screen | grep -qF "stays unmarked" || fail "the error does not say the message stays unmarked"
sleep 0.5
row 3 | grep -qE '^ *3  ' || fail "message 3 was marked although it was not saved: '$(row 3)'"
[ -z "$(ls -A "$TUI_TMP/notmaildir")" ] || fail "something was written into a directory that is not a maildir"
wait_for "marked 2"

# --- S in the pager --------------------------------------------------------------------------
keys Enter
wait_for "msg 3  message"
keys S
wait_for "Save message 3, then mark it"
keys C-u "$TUI_TMP/saved.mbox" Enter
wait_for "message 3 marked for deletion"
[ "$(grep -c '^From ' "$TUI_TMP/saved.mbox")" -eq 2 ] ||
    fail "the mbox should hold 2 messages, it has $(grep -c '^From ' "$TUI_TMP/saved.mbox")"
keys q
wait_row 3 '^ *3 D'
wait_for "marked 3"

# --- the help names S -------------------------------------------------------------------
keys '?'
wait_for "save-and-mark"
screen | grep -E '^ *S +save-and-mark +save to the save folder \(mbox, or maildir/\), then mark' >/dev/null ||
    fail "the help does not explain S"
keys q

# --- x deletes nothing -----------------------------------------------------------------------
keys x
wait_for "POPVIEW-EXIT=0"
finish
