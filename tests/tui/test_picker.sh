#!/bin/bash
# Issue 7, accounts: a config file with two accounts on demo-pop3d (a real
# POP3 server on loopback) and popview run with no URL:
#  - the picker lists both (name, user@host:port, TLS mode), starts on
#    default_account, moves with k/j and the account's number, and Enter
#    opens the chosen one (its name is on the status line);
#  - q in the picker leaves with 0 and opens nothing; a 20x2 terminal
#    still shows the account under the cursor;
#  - -a NAME opens that account without the picker, and one account alone
#    opens at once; --summary takes default_account;
#  - the [ui] settings reach the browser: key.quit moves quit to Q (q then
#    does nothing), sort, date_format and colors = never; so does the
#    account's save_folder (S saves there, then marks);
#  - config errors name file:line before any screen starts, and a file
#    others can write to is refused.
#
#   test_picker.sh [PATH-TO-demo-pop3d]
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/lib.sh"
DEMO_POP3D=${1:-${DEMO_POP3D:-}}
demo_pop3d

XDG=$TUI_TMP/xdg
CONFIG=$XDG/popview/config
mkdir -p "$XDG/popview" "$TUI_TMP/home"
# The header cache goes to the test's folder, not the real home.
ENVS=(-e XDG_CONFIG_HOME="$XDG" -e XDG_CACHE_HOME="$TUI_TMP/cache" -e HOME="$TUI_TMP/home"
    -e POPVIEW_PASSWORD=demo)

# write_config [UI-LINES...]: two accounts on the demo server, default beta.
write_config() {
    {
        echo "# two accounts on the same demo server"
        echo "default_account = beta"
        echo
        echo "[account alpha]"
        echo "host = 127.0.0.1"
        echo "port = $PORT"
        echo "tls = none"
        echo "user = demo"
        echo "save_folder = $TUI_TMP/saved.mbox"
        echo
        echo "[account beta]"
        echo "host = 127.0.0.1"
        echo "port = $PORT"
        echo "tls = none"
        echo "user = demo"
        echo "cache = no"
        if [ $# -gt 0 ]; then
            echo
            echo "[ui]"
            printf '%s\n' "$@"
        fi
    } >"$CONFIG"
    chmod 600 "$CONFIG"
}

start() { # start [-x COLS -y ROWS] [ARG...]: popview with the test's config
    local size=()
    if [ "${1:-}" = -x ]; then
        size=(-x "$2" -y "$4")
        shift 4
    fi
    tui_start "${size[@]}" "${ENVS[@]}" "$POPVIEW" "$@"
}

# --- the picker lists both accounts and starts on default_account ----------------------
write_config
start
wait_for "popview: choose an account"
screen | grep -qE "^ +1  alpha +demo@127\.0\.0\.1:$PORT +no TLS" || fail "alpha is not listed"
screen | grep -qE "^ +2  beta +demo@127\.0\.0\.1:$PORT +no TLS" || fail "beta is not listed"
wait_for "account 2 of 2"
keys k
wait_for "account 1 of 2"
keys j
wait_for "account 2 of 2"
keys 1
wait_for "account 1 of 2"
keys Enter
wait_for "TRANSACTION"
wait_for "demo@127.0.0.1 (alpha)"
wait_for "1/28 by number"
screen | grep -qF "WARNING: no TLS (tls = none or --no-tls): this connection is not encrypted" ||
    fail "no warning about the unencrypted connection"
keys q
wait_for "POPVIEW-EXIT=0"

# --- a number, then Enter, opens the other one -----------------------------------------
start
wait_for "account 2 of 2"
keys 1 2 Enter
wait_for "demo@127.0.0.1 (beta)"
keys q
wait_for "POPVIEW-EXIT=0"

# --- q leaves without opening anything ---------------------------------------------------
start
wait_for "popview: choose an account"
keys q
wait_for "POPVIEW-EXIT=0"
screen | grep -qF "TRANSACTION" && fail "q in the picker opened an account"

# --- a tiny terminal still shows the current account --------------------------------------
start -x 20 -y 2
wait_for "2  beta"
keys k
wait_for "1  alpha"
keys Escape
wait_for "POPVIEW-EXIT=0"

# --- -a NAME and a single account: no picker ------------------------------------------------
start -a alpha
wait_for "demo@127.0.0.1 (alpha)"
screen | grep -qF "choose an account" && fail "-a alpha still showed the picker"
keys q
wait_for "POPVIEW-EXIT=0"

# One account alone: opened at once.
printf '[account solo]\nhost = 127.0.0.1\nport = %s\ntls = none\nuser = demo\n' "$PORT" >"$CONFIG"
start
wait_for "demo@127.0.0.1 (solo)"
screen | grep -qF "choose an account" && fail "a single account showed the picker"
keys q
wait_for "POPVIEW-EXIT=0"
write_config

# (A wide pane: the messages carry the config file's full path.)
start -x 250 -y 10 -a gamma
wait_for "POPVIEW-EXIT=1"
screen | grep -qF "config has no [account gamma]; its accounts: alpha, beta" ||
    fail "-a with an unknown name does not list the accounts"

# --summary with two accounts takes default_account (beta) without a screen.
rows=$(XDG_CONFIG_HOME=$XDG XDG_CACHE_HOME=$TUI_TMP/cache HOME=$TUI_TMP/home POPVIEW_PASSWORD=demo \
    "$POPVIEW" --summary --format tsv 2>"$TUI_TMP/err" | wc -l)
[ "$rows" -eq 28 ] || fail "--summary with default_account printed $rows rows: $(cat "$TUI_TMP/err")"

# --- the [ui] settings reach the browser -----------------------------------------------------
write_config "key.quit = Q" "sort = size,reverse" "date_format = %d.%m.%Y" "colors = never"
start -a beta
wait_for "demo@127.0.0.1 (beta)"
wait_for "1/28 by size (rev)"
wait_for "Q:Quit"
wait_row 15 '[0-9]{2}\.[0-9]{2}\.[0-9]{4}'
# The largest message first, its date as the format says.
screen | grep -qE "^ *15 .* [0-9]{2}\.[0-9]{2}\.[0-9]{4} " || fail "the date format or the sort order is not applied"
if screen_e | grep -oP '\x1b\[[0-9;]*m' | tr -d '\033[m' | tr ';' '\n' | grep -qxE '3[0-7]|4[0-7]|38|48'; then
    fail "colors = never, yet colours reached the pane"
fi
keys q
wait_for "q does nothing here"
keys Q
wait_for "POPVIEW-EXIT=0"

# colors = always wins over NO_COLOR, and an element's colours are the config's:
# the key line at the top red on green (SGR 31 and 42).
write_config "colors = always" "color.title = red,green,bold"
tui_start "${ENVS[@]}" -e NO_COLOR=1 "$POPVIEW" -a beta
wait_for "demo@127.0.0.1 (beta)"
top_sgr=$(screen_e | head -n 1 | grep -oP '\x1b\[[0-9;]*m' | tr -d '\033[m' | tr ';' '\n')
if ! grep -qx 31 <<<"$top_sgr" || ! grep -qx 42 <<<"$top_sgr"; then
    fail "color.title = red,green did not colour the top line: $(tr '\n' ' ' <<<"$top_sgr")"
fi
keys q
wait_for "POPVIEW-EXIT=0"

# --- the account's save_folder: S appends the message there, then marks it -------------------
write_config
start -a alpha
wait_for "1/28 by number"
keys S
wait_row 1 '^ *1 D'
grep -q "^Subject: Welcome to popview" "$TUI_TMP/saved.mbox" 2>/dev/null ||
    fail "S did not save message 1 to the account's save_folder"
keys x
wait_for "POPVIEW-EXIT=0"

# --- mistakes in the file: file, line, problem; unsafe permissions ------------------------------
write_config "colour = never"
start -x 250 -y 10
wait_for "POPVIEW-EXIT=1"
screen | grep -qF "config:19: unknown setting 'colour' in [ui] (did you mean 'colors'?)" ||
    fail "a misspelt setting is not reported with its line"

write_config
chmod 664 "$CONFIG"
start -x 250 -y 10
wait_for "POPVIEW-EXIT=1"
screen | grep -qF "refused: its group can write to it" || fail "a group-writable config was read"

finish
