#!/usr/bin/env bash
# wrap.sh — the test wrapper of `meson test --setup valgrind` (see
# meson.build here): puts every popview program a test runs under
# valgrind's memcheck (options in lib.sh).
#
#   a test program built here       valgrind PROGRAM ARGS...
#   with-dovecot.sh PROGRAM ARGS    with-dovecot.sh valgrind PROGRAM ARGS...
#   a script (bash test_x.sh ...)   run as it is, with POPVIEW set to
#                                   popview.sh, which starts the popview
#                                   just built under valgrind
: "${POPVIEW_BUILD_ROOT:?set by meson (the build directory)}"
set -uo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A program built here (not bash or python3, which run the scripts).
is_test_program() {
    local path
    path=$(realpath -- "$1" 2>/dev/null) || return 1
    [[ $path == "$(realpath -- "$POPVIEW_BUILD_ROOT")"/* ]] || return 1
    [[ $(head -c 4 -- "$path" 2>/dev/null | od -An -c | tr -d ' ') == '177ELF' ]]
}

if is_test_program "$1"; then
    valgrind_cmd "$(basename "$1")"
    exec "${vg[@]}" "$@"
fi
if (($# >= 3)) && [[ $(basename "$2") == with-dovecot.sh ]] && is_test_program "$3"; then
    valgrind_cmd "$(basename "$3")"
    exec "$1" "$2" "${vg[@]}" "${@:3}"
fi
export POPVIEW="$VALGRIND_HERE/popview.sh"
exec "$@"
