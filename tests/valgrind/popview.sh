#!/usr/bin/env bash
# popview.sh — the popview just built ($POPVIEW_BUILD_ROOT/src/popview)
# under valgrind's memcheck (options in lib.sh); test scripts run it as
# $POPVIEW when `meson test --setup valgrind` runs them (wrap.sh).
: "${POPVIEW_BUILD_ROOT:?set by meson (the build directory)}"
# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
valgrind_cmd popview
exec "${vg[@]}" "$POPVIEW_BUILD_ROOT/src/popview" "$@"
