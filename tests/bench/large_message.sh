#!/bin/bash
# Benchmark (a script, not a test): how much memory popview's browser needs
# to open a large message.  Issue #5's goal: "a 50 MB message opens with RSS
# growth under 16 MiB".
#
#   tests/bench/large_message.sh [BUILD_DIR]        (default: build)
#
# It serves a mailbox of three .eml files from tests/demo's demo-pop3d on
# loopback: a small one, a 50 MB one (a short text part and a 37 MB file
# attached as base64) and a 50 MB plain text log.  popview runs in tmux
# like a person uses it; its memory is read from /proc/PID/status: VmRSS
# once the index is shown (the baseline), after the message is open in the
# pager, after the raw view (r), and VmHWM, the peak, at the end.  For
# comparison the same is done with s-nail (mailx) reading the same message
# over POP3, when it is installed.  Needs tmux, python3 and a built tree.
set -euo pipefail
build=$(realpath "${1:-build}")
popview=$build/src/popview
pop3d=$build/tests/demo/demo-pop3d
[ -x "$popview" ] && [ -x "$pop3d" ] || { echo "build popview first: $popview, $pop3d" >&2; exit 1; }
tmp=$(mktemp -d /tmp/popview-bench-large.XXXXXX)
socket=popview-bench-$$
cleanup() {
    tmux -L "$socket" kill-server 2>/dev/null || true
    [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
unset TMUX

# --- the mailbox -------------------------------------------------------------
mkdir -p "$tmp/mail"
python3 - "$tmp/mail" <<'PY'
import base64, os, sys
d = sys.argv[1]
head = ("From: Bench <bench@example.org>\r\nTo: you@example.org\r\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n")
with open(os.path.join(d, "1.eml"), "wb") as f:
    f.write((head + "Subject: small\r\n\r\nhello\r\n").encode())
blob = os.urandom(37 * 1024 * 1024)
with open(os.path.join(d, "2.eml"), "wb") as f:
    f.write((head + "Subject: 50 MB attachment\r\nMIME-Version: 1.0\r\n"
             "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
             "Content-Type: text/plain\r\n\r\nThe data is attached.\r\n--b\r\n"
             "Content-Type: application/octet-stream; name=data.bin\r\n"
             "Content-Disposition: attachment; filename=data.bin\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\n").encode())
    b = base64.b64encode(blob)
    for i in range(0, len(b), 76):
        f.write(b[i:i + 76] + b"\r\n")
    f.write(b"--b--\r\n")
with open(os.path.join(d, "3.eml"), "wb") as f:
    f.write((head + "Subject: 50 MB text log\r\n\r\n").encode())
    line = b"2026-11-23T10:00:00Z host app[123]: request served in 12 ms, status 200\r\n"
    f.write(line * (50 * 1024 * 1024 // len(line)))
PY
"$pop3d" --port 0 --maildir "$tmp/mail" >"$tmp/port" 2>"$tmp/pop3d.err" &
server_pid=$!
for _ in $(seq 100); do port=$(head -n 1 "$tmp/port" 2>/dev/null || true); [ -n "$port" ] && break; sleep 0.1; done
[[ "${port:-}" =~ ^[0-9]+$ ]] || { echo "demo-pop3d did not start" >&2; exit 1; }

tmx() { tmux -L "$socket" "$@"; }
wait_for() {
    for _ in $(seq 600); do
        tmx capture-pane -p -t bench | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    echo "the screen never showed '$1':" >&2
    tmx capture-pane -p -t bench >&2
    exit 1
}
kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$pid/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# --- popview -----------------------------------------------------------------
measure() { # MSGNO LABEL
    tmx -f /dev/null new-session -d -s bench -x 120 -y 40 \
        "POPVIEW_PASSWORD=demo exec '$popview' --no-tls --no-cache pop3://demo@127.0.0.1:$port"
    wait_for "3 msgs"
    wait_for "50 MB text log"
    pid=$(tmx display-message -p -t bench '#{pane_pid}')
    sleep 0.5
    local base open open_peak raw peak
    base=$(kib VmRSS)
    tmx send-keys -t bench "$1" Enter
    wait_for "$1/3"
    tmx send-keys -t bench Enter
    wait_for "fetch it all"
    tmx send-keys -t bench y
    [ "$1" = 2 ] && wait_for "data.bin" || wait_for "status 200"
    sleep 0.5
    open=$(kib VmRSS)
    open_peak=$(kib VmHWM)
    tmx send-keys -t bench r
    wait_for "raw source"
    sleep 0.5
    raw=$(kib VmRSS)
    peak=$(kib VmHWM)
    tmx send-keys -t bench q x
    sleep 0.5
    tmx kill-server 2>/dev/null || true
    printf '%-40s %8s %8s %9s %9s %9s\n' "popview: $2" "$(mib "$base")" \
        "+$(mib $((open - base)))" "+$(mib $((open_peak - base)))" "+$(mib $((raw - base)))" \
        "+$(mib $((peak - base)))"
}

echo "popview large-message benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "popview $(git -C "$(dirname "$0")" describe --always --dirty 2>/dev/null || echo '?') ($popview)"
echo "machine: $(nproc) cores, $(uname -sr)"
echo
printf '%-40s %8s %8s %9s %9s %9s\n' "" "RSS MiB" "opened:" "peak" "raw (r):" "peak"
printf '%-40s %8s %8s %9s %9s %9s\n' "" "(index)" "growth" "growth" "growth" "growth"
measure 2 "50 MB message, 37 MB attached"
measure 3 "50 MB plain text log"

# --- popview --show: the same messages, printed ----------------------------------
for msg in 2 3; do
    /usr/bin/time -f '%M' -o "$tmp/show.rss" env POPVIEW_PASSWORD=demo "$popview" --no-tls \
        --no-cache --show "$msg" "pop3://demo@127.0.0.1:$port" >"$tmp/show.out" 2>&1 || true
    printf '%-40s %8s   peak RSS of the whole run (MiB); it printed %s lines\n' \
        "popview --show $msg" "$(mib "$(tail -n 1 "$tmp/show.rss")")" "$(wc -l <"$tmp/show.out")"
done

# --- a peer ---------------------------------------------------------------------
if command -v s-nail >/dev/null 2>&1; then
    # Commands on stdin keep the password out of the process list.
    for msg in 2 3; do
        printf 'set v15-compat\nset password=demo\nFile pop3://demo@127.0.0.1:%s\nprint %s\nxit\n' \
            "$port" "$msg" >"$tmp/snail.in"
        /usr/bin/time -f '%M' -o "$tmp/snail.rss" env HOME="$tmp" s-nail -# -:/ \
            <"$tmp/snail.in" >"$tmp/snail.out" 2>&1 || true
        lines=$(wc -l <"$tmp/snail.out")
        printf '%-40s %8s   peak RSS of the whole run (MiB); it printed %s lines\n' \
            "s-nail: print $msg" "$(mib "$(tail -n 1 "$tmp/snail.rss")")" "$lines"
    done
else
    echo "(s-nail is not installed: apt-get install s-nail to compare)"
fi
echo
echo "growth: over the RSS with the index shown; peak: VmHWM, the most RSS ever held"
echo "goal: a 50 MB message opens with RSS growth under 16 MiB"
