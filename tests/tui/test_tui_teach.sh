#!/bin/bash
# Issue 4, teaching POP3: the transcript pane and its full screen, the
# command console, explain mode, the server inspector and their keys in
# the help, against `popview --demo` (which logs in with APOP at once) and
# against demo-pop3d with --auth USER:
#  - the transcript shows "APOP demo ****" / "USER demo" and "PASS ****",
#    never the password or the digest;
#  - :NOOP shows the server's +OK, :DELE 2 marks row 2, :USER x (not
#    allowed after login) is explained and not sent unless confirmed;
#  - a secret typed in the console shows as ****; Tab completes; long
#    replies fold and Enter unfolds them; + and - resize the pane;
#  - e adds notes and the state's reminder; i shows PIPELINING in words.
#
#   test_tui_teach.sh [PATH-TO-demo-pop3d]
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/lib.sh"
DEMO_POP3D=${1:-${DEMO_POP3D:-}}

# A transcript line as the pane draws it: direction, time, text.
TIME='[0-9]{2}:[0-9]{2}:[0-9]{2}'

has_line() { # has_line REGEX: the pane shows a line matching REGEX
    screen | grep -qE -- "$1"
}

wait_line() { # wait_line REGEX
    local deadline=$((SECONDS + TUI_TIMEOUT))
    while [ "$SECONDS" -le "$deadline" ]; do
        has_line "$1" && return 0
        sleep 0.1
    done
    fail "no line matches /$1/"
    return 1
}

# Line number (1-based) of the first line holding TEXT, or 0.
line_of() {
    screen | grep -nF -- "$1" | head -n 1 | cut -d: -f1 | grep . || echo 0
}

no_secret_shown() { # the password and the APOP digest never appear
    if has_line "(PASS|APOP demo) [^*]" || has_line "APOP [^ ]+ [0-9a-f]{32}"; then
        fail "a secret is on the screen: $(screen | grep -E '(PASS|APOP)')"
    fi
}

tui_start "$POPVIEW" --demo
wait_for "28 msgs"
wait_for "Things to try in this demo mailbox"

# --- t: the pane, live, with the keys; full screen from the start ------------------
keys t
wait_for "POP3 transcript (keys here"
wait_line "^S: $TIME   "                       # data lines of the loading TOP replies
wait_for "more lines, "                          # long replies are folded
keys T
wait_for "transcript: "
keys g
wait_line "^S: $TIME \+OK popview demo POP3 server ready <"
wait_line "^C: $TIME CAPA$"
wait_line "^C: $TIME APOP demo \*\*\*\*$"
wait_line "^\*  $TIME state: AUTHORIZATION -> TRANSACTION"
no_secret_shown
keys q
wait_for "POP3 transcript (keys here"

# --- + and - resize the pane (the keys are in it) --------------------------------
before=$(line_of "POP3 transcript")
keys +
deadline=$((SECONDS + TUI_TIMEOUT))
while [ "$(line_of "POP3 transcript")" -ge "$before" ] && [ $SECONDS -le $deadline ]; do sleep 0.1; done
grown=$(line_of "POP3 transcript")
[ "$grown" -lt "$before" ] || fail "+ did not make the pane taller (title on line $before, then $grown)"
keys - -
deadline=$((SECONDS + TUI_TIMEOUT))
while [ "$(line_of "POP3 transcript")" -le "$before" ] && [ $SECONDS -le $deadline ]; do sleep 0.1; done
[ "$(line_of "POP3 transcript")" -gt "$before" ] || fail "- did not make the pane shorter"

# --- Tab gives the keys back to the index ---------------------------------------------
keys Tab
wait_for "POP3 transcript (Tab gives it the keys"
wait_for "q:Quit"
keys j
wait_for "2/28 by number"

# --- the console: Tab completes, a secret shows as ****, NOOP gets +OK ----------------
keys : n o Tab
wait_for ":NOOP"
keys C-u P A S S Space h u n t e r 2
wait_for ":PASS ****"
screen | grep -qF "hunter2" && fail "the password typed in the console is on the screen"
keys Enter # after login PASS is a mistake: the box shows it masked
wait_for "PASS is not allowed in the TRANSACTION state"
wait_for "PASS ****"
screen | grep -qF "hunter2" && fail "the password typed in the console is in the box"
keys n
wait_for "not sent"
keys : Up Z # the line with the password was not kept: Up recalls nothing
wait_line "^:Z$"
keys Escape
wait_gone ":Z"
keys : N O O P Enter
wait_line "^C: $TIME NOOP$"
wait_line "^S: $TIME \+OK"
wait_for "NOOP: the server said +OK"

# --- :DELE 2 marks row 2, as d would -------------------------------------------------
keys : D E L E Space 2 Enter
wait_row 2 '^ *2 D'
wait_line "^C: $TIME DELE 2$"
wait_for "marked 1"

# --- :USER x after login: explained, not sent; then sent when confirmed ----------------
keys : U S E R Space x Enter
wait_for "USER is not allowed in the TRANSACTION state"
wait_for "[s] send it anyway"
keys n
wait_for "not sent"
keys T G
wait_for "transcript: "
has_line "USER x" && fail "USER x was sent although it was not confirmed"
keys q
keys : U S E R Space x Enter
wait_for "[s] send it anyway"
keys s
wait_line "^C: $TIME USER x$"
wait_line "^S: $TIME -ERR"
wait_for "USER: the server said -ERR"
# Colours tell them apart: the command cyan, the -ERR red (theme roles).
screen_e | grep -F "USER x" | grep -qF $'\e[36m' || fail "the command line is not in the command colour"
screen_e | grep -F -- "-ERR" | grep -qF $'\e[31m' || fail "the -ERR line is not red"

# --- a long reply folds; Enter unfolds it ------------------------------------------------
keys : L I S T Enter
wait_line "^C: $TIME LIST$"
wait_for "LIST: the server said +OK"
keys Tab
wait_for "POP3 transcript (keys here"
keys G
wait_line "^ +… 25 more lines, [0-9]+ octets …$"
keys Enter
wait_for "transcript: " # the cursor went to the LIST line
keys G
wait_line "^S: $TIME   28 [0-9]+$"
has_line "25 more lines" && fail "Enter did not unfold the LIST reply"
keys Enter
wait_line "^ +… 25 more lines, [0-9]+ octets …$"

# --- e: explain mode ---------------------------------------------------------------------
keys e
wait_for "explain mode: a note under each command"
wait_line "^ TRANSACTION: logged in, the mailbox is locked"
keys j # the cursor is on LIST's reply: its note is the next row
wait_line "↳ one line per message follows: its number and its size in octets"
keys : N O O P Enter
keys G # follow the session again
wait_line "↳ does nothing; it keeps an idle session alive \(RFC 1939 section 5\)"
wait_line "↳ the server is still there"
keys e
wait_gone "TRANSACTION: logged in, the mailbox is locked"

# --- i: the server inspector -----------------------------------------------------------
keys i
wait_for "What the server is"
wait_for "PIPELINING"
wait_for "several commands may be sent without waiting for each reply (RFC 2449 section 6.6)"
wait_for "never deletes mail on its own"
wait_for "popview-demo-"
keys q
wait_gone "What the server is"

# --- ? in the console lists what can be typed now --------------------------------------
keys :
keys '?'
wait_for "Commands you can type in the TRANSACTION state"
wait_for "RETR message-number"
screen | grep -qE "^ +USER " && fail "USER is listed as valid after login"
keys Escape q
wait_gone "Commands you can type"

# --- the help lists the new keys (generated from the tables) ------------------------------
keys Tab
wait_for "POP3 transcript (Tab gives it the keys"
keys '?'
wait_for "Keys of the index"
keys G
for want in "transcript-pane" "transcript " "switch-pane" "pop3-console" "explain" \
    "server-info"; do
    screen | grep -qF -- "$want" || fail "the index help lacks '$want'"
done
keys q
keys Tab '?'
wait_for "Keys of the transcript"
for want in "fold-reply" "grow-pane" "shrink-pane"; do
    screen | grep -qF -- "$want" || fail "the transcript help lacks '$want'"
done
keys q
no_secret_shown

# --- QUIT typed in the console asks like q --------------------------------------------
keys : Q U I T Enter
wait_for "1 message marked"
keys n
wait_for "POP3 transcript"
keys x
wait_for "POPVIEW-EXIT=0"

# --- against demo-pop3d with USER/PASS: "PASS ****", never the password ----------------------
demo_pop3d
tui_start -e POPVIEW_PASSWORD=demo "$POPVIEW" --no-tls --auth USER "pop3://demo@127.0.0.1:$PORT"
wait_for "28 msgs"
keys T g
wait_line "^C: $TIME USER demo$"
wait_line "^C: $TIME PASS \*\*\*\*$"
has_line "PASS demo" && fail "the password is in the transcript"
no_secret_shown
keys q x
wait_for "POPVIEW-EXIT=0"

finish
