#!/bin/bash
# Tests of demo-pop3d (tests/tools/demo_pop3d.c): it rejects bad options,
# prints its port on the first line, speaks POP3 over real TCP on 127.0.0.1,
# honours the --no-* switches and --maildir, and keeps one mailbox across
# connections (QUIT's deletions are seen by the next one; a concurrent
# login gets [IN-USE]).
#
#   test_demo_pop3d.sh PATH-TO-demo-pop3d
set -u
pop3d=$1
tmp=$(mktemp -d /tmp/popview-demo-pop3d.XXXXXX)
pids=()
failures=0

cleanup() {
    for p in "${pids[@]}"; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# start NAME ARGS...: runs demo-pop3d, sets $port from its first line.
start() {
    local name=$1
    shift
    "$pop3d" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pids+=($!)
    port=
    for _ in $(seq 100); do
        port=$(head -n 1 "$tmp/$name.out" 2>/dev/null)
        [ -n "$port" ] && break
        sleep 0.1
    done
    if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
        fail "$name: first line is not a port: '$port' ($(cat "$tmp/$name.err"))"
        return 1
    fi
}

# connect FD: opens a TCP connection on fd FD and reads the greeting.
connect() {
    eval "exec $1<>/dev/tcp/127.0.0.1/$port" || { fail "cannot connect to $port"; return 1; }
    reply_on "$1"
}

# reply_on FD: reads one reply line into $reply (CR removed).
reply_on() {
    reply=
    IFS= read -r -t 10 -u "$1" reply || fail "no reply on fd $1"
    reply=${reply%$'\r'}
}

# send FD LINE: sends LINE with CRLF and reads the status line.
send() {
    printf '%s\r\n' "$2" >&"$1"
    reply_on "$1"
}

# multi FD: reads a multi-line body into $lines (count in $nlines).
multi() {
    lines=()
    local line
    while IFS= read -r -t 10 -u "$1" line; do
        line=${line%$'\r'}
        [ "$line" = . ] && break
        lines+=("$line")
    done
    nlines=${#lines[@]}
}

expect() {
    case "$reply" in
    "$1"*) ;;
    *) fail "$2: expected '$1...', got '$reply'" ;;
    esac
}

# --- option errors ---
"$pop3d" --bogus >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown option does not exit with 2"
"$pop3d" >/dev/null 2>&1
[ $? -eq 2 ] || fail "a missing --port does not exit with 2"
"$pop3d" --port 70000 >/dev/null 2>&1
[ $? -eq 2 ] || fail "--port 70000 is accepted"
"$pop3d" --port 0 --maildir "$tmp/missing" >/dev/null 2>&1
[ $? -eq 1 ] || fail "a missing --maildir does not exit with 1"
"$pop3d" --help | grep -q -- '--no-pipelining' || fail "--help does not list the switches"

# --- the sample mailbox over TCP ---
if start sample --port 0; then
    connect 3
    expect "+OK popview demo POP3 server ready <" "greeting"
    send 3 CAPA
    expect "+OK" "CAPA"
    multi 3
    printf '%s\n' "${lines[@]}" | grep -qx PIPELINING || fail "CAPA lacks PIPELINING"
    send 3 "USER demo"
    expect "+OK" "USER"
    send 3 "PASS demo"
    expect "+OK demo's maildrop has" "PASS"
    send 3 STAT
    expect "+OK " "STAT"
    count=$(echo "$reply" | cut -d' ' -f2)
    [ "$count" -ge 22 ] || fail "the sample has only '$count' messages"
    send 3 "UIDL 1"
    [ "$reply" = "+OK 1 01-welcome" ] || fail "UIDL 1: '$reply'"

    # a second connection meanwhile: the maildrop is locked
    connect 4
    send 4 "USER demo"
    send 4 "PASS demo"
    expect "-ERR [IN-USE]" "concurrent login"

    send 3 "DELE 1"
    expect "+OK message 1 deleted" "DELE"
    send 3 QUIT
    expect "+OK popview demo server signing off ($((count - 1)) messages left)" "QUIT"
    exec 3<&-

    # the next connection sees the deletion
    send 4 "USER demo"
    send 4 "PASS demo"
    expect "+OK demo's maildrop has $((count - 1)) messages" "login after QUIT"
    send 4 "UIDL 1"
    [ "$reply" = "+OK 1 02-pop3-dele" ] || fail "after DELE 1 and QUIT, UIDL 1: '$reply'"
    send 4 QUIT
    exec 4<&-
fi

# --- switches and --maildir ---
mkdir "$tmp/mail"
printf 'Subject: one\n\n.hidden line\n' >"$tmp/mail/1.eml"
printf 'Subject: two\n\nbody\n' >"$tmp/mail/2.eml"
if start switches --port 0 --maildir "$tmp/mail" --no-capa --no-top --no-uidl --no-apop \
    --user u --password 'p w'; then
    connect 5
    [ "$reply" = "+OK popview demo POP3 server ready" ] || fail "--no-apop greeting: '$reply'"
    send 5 CAPA
    [ "$reply" = "-ERR unknown command" ] || fail "--no-capa: '$reply'"
    send 5 "USER demo"
    send 5 "PASS demo"
    expect "-ERR [AUTH]" "--user/--password: demo/demo"
    send 5 "USER u"
    send 5 "PASS p w"
    expect "+OK u's maildrop has 2 messages (52 octets)" "--maildir login"
    send 5 "TOP 1 0"
    [ "$reply" = "-ERR unknown command" ] || fail "--no-top: '$reply'"
    send 5 "UIDL"
    [ "$reply" = "-ERR unknown command" ] || fail "--no-uidl: '$reply'"
    send 5 "RETR 1"
    expect "+OK 30 octets" "RETR 1"
    multi 5
    [ "${lines[2]-}" = "..hidden line" ] || fail "RETR 1 not dot-stuffed: '${lines[2]-}'"
    send 5 QUIT
    exec 5<&-
fi

# --- --delay-ms ---
if start slow --port 0 --delay-ms 300; then
    t0=$(date +%s%N)
    connect 6
    t1=$(date +%s%N)
    [ $(((t1 - t0) / 1000000)) -ge 250 ] || fail "--delay-ms 300: greeting after $(((t1 - t0) / 1000000)) ms"
    send 6 QUIT
    exec 6<&-
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "demo-pop3d: all checks passed"
