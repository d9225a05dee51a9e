#!/bin/bash
# s in the pager, beyond the .eml save of test_tui_pager.sh:
#  - the box names its keys; [a] only for a message with attachments;
#  - s m appends messages 13 and 22 of `popview --demo` to a new mbox: two
#    "From " separators (sender, asctime date in UTC), CRLF as LF, the
#    messages otherwise byte for byte; the path is offered again;
#  - a file that is not an mbox, a device and a locked mbox are refused,
#    and left as they were;
#  - s a saves attachment [2] of message 13 under its own name, the
#    decoded bytes of the part; a wrong number is refused; no overwrite
#    without asking;
#  - against demo-pop3d with a message of ours: a body line "From ..."
#    becomes ">From ...", ">From" becomes ">>From", the Return-Path is the
#    sender, and an attachment named "../.hidden/../.profile" is offered
#    as "profile";
#  - on a 64 KiB tmpfs (root only, in a mount namespace of the test's own):
#    a failed append leaves the mbox exactly as it was, a new mbox that
#    could not be written is removed, and a failed .eml or attachment save
#    leaves no file behind.
#
#   test_tui_save.sh [PATH-TO-demo-pop3d]

# A private mount namespace, so the tmpfs can never outlive the test.
if [ -z "${POPVIEW_SAVE_NS:-}" ] && [ "$(id -u)" = 0 ] &&
    unshare -m --propagation private true 2>/dev/null; then
    POPVIEW_SAVE_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/lib.sh"
DEMO_POP3D=${1:-${DEMO_POP3D:-}}
SRC=${POPVIEW_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}

# mboxrd FILE: what an mbox entry holds after its separator line.
mboxrd() {
    sed 's/\r$//' "$1" | sed -E 's/^(>*From )/>\1/'
    echo
}

# separator_ok LINE SENDER: "From SENDER Www Mmm dd hh:mm:ss yyyy", dated now.
separator_ok() {
    local re='^From '"${2//./\\.}"' (Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 123][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] [0-9]{4}$'
    if ! [[ "$1" =~ $re ]]; then
        fail "the separator '$1' is not 'From $2 <asctime>'"
        return
    fi
    local when
    when=$(date -u -d "${1#From "$2" }" +%s 2>/dev/null) || {
        fail "the date of '$1' cannot be read"
        return
    }
    local skew=$(($(date +%s) - when))
    [ "${skew#-}" -lt 600 ] || fail "the separator '$1' is not dated now (UTC)"
}

# save_eml PATH: s e, the raw message to PATH.
save_eml() {
    keys s
    wait_for "[e] as an .eml file"
    keys e
    wait_for "Save to file:"
    keys C-u "$1" Enter
    wait_for "saved message"
}

# append_mbox PATH: s m, then PATH typed over what is offered.
append_mbox() {
    keys s
    wait_for "[m] append to an mbox"
    keys m
    wait_for "Append to mbox:"
    keys C-u "$1" Enter
}

open_message() {
    keys q
    wait_for "q:Quit"
    keys "$@" Enter Enter
}

# Wide, so that notices naming long paths stay on one line.
tui_start -x 200 "$POPVIEW" --demo
wait_for "Welcome to popview: what POP3 is"
keys 1 3 Enter Enter
wait_for "Attachments:"

# --- the box -------------------------------------------------------------------------
keys s
wait_for "Save message 13 (3.0K, 3 attachments):"
wait_for "[e] as an .eml file   [m] append to an mbox   [a] an attachment"
screen | grep -qF "Esc cancels." || fail "the box does not say how to cancel"
keys Escape
wait_gone "Save message 13"
keys '?'
wait_for "Keys of the pager"
screen | grep -qF "save: the message as .eml, appended to an mbox, or an attachment" ||
    fail "the pager's help does not describe the kinds of save"
keys q
wait_for "Attachments:"

# --- mbox: 13, then 22, into a new file ------------------------------------------------
save_eml "$TUI_TMP/13.eml"
mbox=$TUI_TMP/saved.mbox
keys s m
wait_for "Append to mbox: ~/mbox"
keys C-u "$mbox" Enter
wait_for "appended message 13 to $mbox (3.0K)"
[ "$(stat -c %a "$mbox" 2>/dev/null)" = 600 ] || fail "the new mbox is not private (0600)"
open_message 2 2
wait_for "Subject: Lines that begin with a dot"
save_eml "$TUI_TMP/22.eml"
keys s
wait_for "Save message 22 (1.1K):"
screen | grep -qF "[a] an attachment" && fail "[a] is offered for a message without attachments"
keys a
screen | grep -qF "Save attachment" && fail "a did something for a message without attachments"
keys m
wait_for "Append to mbox: $mbox"
keys Enter
wait_for "appended message 22 to $mbox (1.1K)"

[ "$(grep -c '^From ' "$mbox")" = 2 ] ||
    fail "the mbox has $(grep -c '^From ' "$mbox") separator lines, not 2"
mapfile -t seps < <(grep '^From ' "$mbox")
separator_ok "${seps[0]:-}" priya.raman@example.net
separator_ok "${seps[1]:-}" sam.ortiz@example.com
if grep -q $'\r' "$mbox"; then
    fail "the mbox still has CR characters"
fi
{
    printf '%s\n' "${seps[0]:-}"
    mboxrd "$TUI_TMP/13.eml"
    printf '%s\n' "${seps[1]:-}"
    mboxrd "$TUI_TMP/22.eml"
} >"$TUI_TMP/expected.mbox"
cmp -s "$TUI_TMP/expected.mbox" "$mbox" ||
    fail "the mbox differs from the two messages: $(diff "$TUI_TMP/expected.mbox" "$mbox" | head -5)"
grep -qx '\.hidden' "$mbox" || fail "the dot lines of message 22 are not in the mbox as written"

# --- refusals: not an mbox, a device, a locked mbox --------------------------------------
printf 'my notes\nFrom here on, nothing\n' >"$TUI_TMP/notes.txt"
cp "$TUI_TMP/notes.txt" "$TUI_TMP/notes.before"
append_mbox "$TUI_TMP/notes.txt"
wait_for "notes.txt is not an mbox (it does not start with \"From \"); nothing was written"
cmp -s "$TUI_TMP/notes.txt" "$TUI_TMP/notes.before" || fail "the file that is not an mbox changed"
append_mbox /dev/full
wait_for "cannot append to /dev/full: it is not a regular file"
[ -c /dev/full ] || fail "/dev/full is no longer a character device"
append_mbox "$TUI_TMP"
wait_for "it is a directory; give a file name"
cp "$mbox" "$TUI_TMP/mbox.before"
if command -v python3 >/dev/null 2>&1; then
    # Another mail program holds an fcntl() lock (lockf) on the mbox.
    python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)' "$mbox" >"$TUI_TMP/locker.out" 2>&1 &
    locker=$!
    on_exit "kill $locker 2>/dev/null"
    for _ in $(seq 100); do
        grep -q locked "$TUI_TMP/locker.out" && break
        sleep 0.1
    done
    grep -q locked "$TUI_TMP/locker.out" || fail "the lock holder did not start"
    append_mbox "$mbox"
    wait_for "is locked by another program; nothing was written"
    kill "$locker" 2>/dev/null
    wait "$locker" 2>/dev/null
    cmp -s "$mbox" "$TUI_TMP/mbox.before" || fail "the locked mbox changed"
else
    echo "python3 is not installed: the locked mbox is checked by test_files only"
fi

# --- attachments of message 13 -------------------------------------------------------------
awk '/filename="budget-notes.txt"/ { f = 1; next }
    f && /^\r?$/ { g = 1; next }
    g && /^--/ { exit }
    g { print }' "$SRC/assets/demo/13-attachments.eml" | base64 -d >"$TUI_TMP/notes.expected" ||
    fail "cannot decode the budget notes from the demo message"
open_message 1 3
wait_for "Attachments:"
keys s a
wait_for "Save attachment number (2, 3, 4): 2"
keys C-u 9 Enter
wait_for "no attachment '9' in message 13; its attachments are 2, 3, 4"
keys s a
wait_for "Save attachment number (2, 3, 4): 2"
keys Enter
wait_for "Save attachment 2 to file: budget-notes.txt"
keys Enter
wait_for "saved attachment 2 of message 13 to budget-notes.txt (386B)"
cmp -s "$TUI_TMP/budget-notes.txt" "$TUI_TMP/notes.expected" ||
    fail "the saved attachment is not the decoded part"
head -n 1 "$TUI_TMP/budget-notes.txt" | grep -qx "Greenfield Community Garden - budget notes, 10 Feb 2024" ||
    fail "the saved attachment does not start with the notes' title"
[ "$(wc -c <"$TUI_TMP/budget-notes.txt")" = 386 ] || fail "the notes are not 386 bytes as listed"
keys s a C-u '[4]' Enter
wait_for "Save attachment 4 to file: invoice-2024-017.pdf"
keys C-u "$TUI_TMP/invoice.pdf" Enter
wait_for "saved attachment 4 of message 13 to"
[ "$(head -c 5 "$TUI_TMP/invoice.pdf")" = "%PDF-" ] || fail "the saved invoice is not a PDF"
echo "precious" >"$TUI_TMP/keep.txt"
keys s a Enter
wait_for "Save attachment 2 to file: budget-notes.txt"
keys C-u "$TUI_TMP/keep.txt" Enter
wait_for "Replace it with attachment 2 of message 13?"
keys n
wait_for "not saved; the file was left as it was"
[ "$(cat "$TUI_TMP/keep.txt")" = precious ] || fail "the file was replaced after n"
leftovers=$(find "$TUI_TMP" -name '.popview-save-*' | wc -l)
[ "$leftovers" -eq 0 ] || fail "$leftovers temporary file(s) left behind"

# --- a full file system --------------------------------------------------------------------
small=$TUI_TMP/small
mkdir "$small"
if [ -n "${POPVIEW_SAVE_NS:-}" ] && mount -t tmpfs -o size=64k,mode=0700 popview-test "$small"; then
    on_exit "umount -l '$small' 2>/dev/null"
    cp "$mbox" "$small/box"
    # Message 15 is 1.5 MB: its append fills the 64 KiB and then fails.
    open_message 1 5
    wait_for "Subject: Weather station KE-07" 30
    append_mbox "$small/box"
    wait_for "could not append to $small/box: No space left on device; the mbox was left as it was"
    cmp -s "$small/box" "$mbox" || fail "the failed append left the mbox changed"
    append_mbox "$small/new.mbox"
    wait_for "could not append to $small/new.mbox: No space left on device; the new file was removed"
    [ -e "$small/new.mbox" ] && fail "the new mbox that could not be written is still there"
    keys s e
    wait_for "Save to file:"
    keys C-u "$small/15.eml" Enter
    wait_for "cannot save to $small/15.eml: writing failed: No space left on device"
    # Now the file system is full to the last page: an attachment fails too.
    dd if=/dev/zero of="$small/filler" bs=1k 2>/dev/null
    open_message 1 3
    wait_for "Attachments:"
    keys s a Enter
    wait_for "Save attachment 2 to file:"
    keys C-u "$small/notes.txt" Enter
    wait_for "cannot save to $small/notes.txt: writing failed: No space left on device"
    rm -f "$small/filler"
    left=$(cd "$small" && find . -mindepth 1 ! -name box | wc -l)
    [ "$left" -eq 0 ] || fail "failed saves left files behind: $(ls -A "$small")"
else
    echo "cannot mount a tmpfs (not root, or no mount namespace): full-disk checks skipped"
fi
keys x
wait_for "POPVIEW-EXIT=0"

# --- "From " lines and a hostile attachment name, through demo-pop3d -------------------------
maildir=$TUI_TMP/maildir
mkdir "$maildir"
cat >"$maildir/from-lines.eml" <<'EOF'
Return-Path: <list-bounces@lists.example.org>
From: Ana Lima <ana@example.org>
To: Demo User <demo@popview.example>
Subject: From lines in the body
Date: Wed, 03 Apr 2024 09:00:00 +0000
Message-ID: <from-lines@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

From the garden: this line starts with From and a space.
>From a reply that was quoted once already.
Fromage is not a From line, and neither is From: this one.
--b1
Content-Type: text/plain; name="x"
Content-Disposition: attachment; filename="../.hidden/../.profile"

PATH=$PATH:/tmp/evil
--b1--
EOF
demo_pop3d --maildir "$maildir"
tui_start -x 200 -e POPVIEW_PASSWORD=demo "$POPVIEW" --no-tls "pop3://demo@127.0.0.1:$PORT"
wait_for "TRANSACTION"
wait_for "From lines in the body"
keys Enter
wait_for "Attachments:"
save_eml "$TUI_TMP/from.eml"
mbox2=$TUI_TMP/from.mbox
append_mbox "$mbox2"
wait_for "appended message 1 to $mbox2"
mapfile -t seps2 < <(grep '^From ' "$mbox2")
[ "${#seps2[@]}" = 1 ] || fail "the body's From lines were not all quoted: ${seps2[*]}"
separator_ok "${seps2[0]:-}" list-bounces@lists.example.org
grep -qx '>From the garden: this line starts with From and a space.' "$mbox2" ||
    fail "a body line starting with 'From ' is not quoted as '>From '"
grep -qx '>>From a reply that was quoted once already.' "$mbox2" ||
    fail "a body line starting with '>From ' is not quoted as '>>From '"
grep -qx 'Fromage is not a From line, and neither is From: this one.' "$mbox2" ||
    fail "a line that is not a From line was changed"
{
    printf '%s\n' "${seps2[0]:-}"
    mboxrd "$TUI_TMP/from.eml"
} >"$TUI_TMP/expected2.mbox"
cmp -s "$TUI_TMP/expected2.mbox" "$mbox2" || fail "the mbox differs from the message"
keys s a
wait_for "Save attachment 2 to file: profile"
keys Enter
wait_for "saved attachment 2 of message 1 to profile"
# shellcheck disable=SC2016 # the literal text of the attachment
[ "$(cat "$TUI_TMP/profile" 2>/dev/null)" = 'PATH=$PATH:/tmp/evil' ] ||
    fail "the attachment was not saved as 'profile'"
[ -e "$TUI_TMP/.profile" ] && fail "the attachment was saved as a hidden file"
[ -e "$TUI_TMP/.hidden" ] && fail "the attachment's name made a directory"
keys x
wait_for "POPVIEW-EXIT=0"
finish
