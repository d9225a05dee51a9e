#!/bin/bash
# Remakes the README's screenshots from a real run of `popview --demo` in
# tmux: keys go in with send-keys, the screen comes back with capture-pane
# -e, and render_pane.py draws it as a PNG.
#
#   assets/screenshots/make.sh [POPVIEW]     (default: build/src/popview)
#
# Needs tmux, and for the drawing Debian's python3-pil, fonts-dejavu-core,
# fonts-wqy-microhei and fonts-noto-color-emoji.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
popview=$(realpath "${1:-$here/../../build/src/popview}")
socket=popview-shots-$$
tmp=$(mktemp -d)
trap 'tmux -L "$socket" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
unset NO_COLOR TMUX

tmx() { tmux -L "$socket" "$@"; }

wait_for() {
    local i
    for i in $(seq 100); do
        tmx capture-pane -p -t shot | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    echo "make.sh: the screen never showed '$1'" >&2
    tmx capture-pane -p -t shot >&2
    exit 1
}

shot() {
    sleep 0.3
    tmx capture-pane -p -e -t shot >"$tmp/$1.txt"
    /usr/bin/python3 "$here/render_pane.py" "$tmp/$1.txt" "$here/$1.png" 100
    echo "wrote $here/$1.png"
}

tmx -f /dev/null new-session -d -s shot -x 100 -y 30 -c "$tmp" \
    "TERM=tmux-256color '$popview' --demo; sleep 60"
tmx set-option -g default-terminal tmux-256color >/dev/null
wait_for "28 msgs"
wait_for "Things to try"

shot index

# The pager on a message with an attachment, and the transcript pane
# under it with explain mode on: what a learner sees.
tmx send-keys -t shot 1 3 Enter
wait_for "13/28"
tmx send-keys -t shot Enter
wait_for "Attachment"
tmx send-keys -t shot t
wait_for "RETR 13"
tmx send-keys -t shot e
sleep 0.3
shot pager-transcript
