#!/bin/bash
# `meson install` into a temporary DESTDIR puts the binary, the man page and
# the documents and the Russian catalogue where they belong, and the
# installed binary runs on its own:
# `popview --demo` in tmux shows the demo mailbox (the demo and the teaching
# texts are compiled in, so nothing from the source or build tree is needed).
# shellcheck source=tests/tui/lib.sh
source "$POPVIEW_SOURCE_ROOT/tests/tui/lib.sh"

destdir=$TUI_TMP/destdir
if ! meson install -C "$POPVIEW_BUILD_ROOT" --no-rebuild --quiet --destdir "$destdir" \
    >"$TUI_TMP/install.log" 2>&1; then
    cat "$TUI_TMP/install.log"
    echo "FAIL: meson install failed"
    exit 1
fi
prefix=$(meson introspect "$POPVIEW_BUILD_ROOT" --buildoptions |
    python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
root=$destdir$prefix

installed=$root/bin/popview
[ -x "$installed" ] || fail "no executable at $installed"
[ -f "$root/share/man/man1/popview.1" ] || fail "no man page at share/man/man1/popview.1"
[ -f "$root/share/doc/popview/README.md" ] || fail "no README at share/doc/popview"
[ -f "$root/share/doc/popview/LICENSE" ] || fail "no LICENSE at share/doc/popview"
[ -f "$root/share/doc/popview/popview.conf.example" ] || fail "no example config at share/doc/popview"
[ -f "$root/share/locale/ru/LC_MESSAGES/popview.mo" ] || fail "no Russian translation at share/locale/ru/LC_MESSAGES/popview.mo"
# Nothing from the test suite is installed.
find "$root" -name 'test_*' | grep -q . && fail "test programs were installed: $(find "$root" -name 'test_*')"

# The installed page renders under its installed name.
MANWIDTH=80 man -l "$root/share/man/man1/popview.1" 2>/dev/null | grep -q "browse a POP3 mailbox" ||
    fail "the installed man page does not render"

# The installed binary, started from an empty directory with no access to
# the source tree, runs the demo.
"$installed" --version | grep -q "^popview " || fail "the installed binary's --version"
mkdir -p "$TUI_TMP/empty"
tui_start -e HOME="$TUI_TMP/empty" bash -c "cd '$TUI_TMP/empty' && exec '$installed' --demo"
wait_for "Welcome to popview: what POP3 is"
wait_for "28 msgs"
keys q
wait_for "POPVIEW-EXIT=0"
finish
