#!/bin/bash
# The man page is the reference a user looks things up in, so it must know
# every option --help lists, every key the help screens bind, and every exit
# code, every setting of the example config; and it must render without warnings (a typo in a macro silently
# drops text).
set -u
: "${POPVIEW_SOURCE_ROOT:?}" "${POPVIEW_BUILD_ROOT:?}"
man_page=$POPVIEW_SOURCE_ROOT/assets/popview.1
popview=$POPVIEW_BUILD_ROOT/src/popview
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# groff's own syntax check (-ww: all warnings; -z: no output).
warnings=$(groff -man -ww -z "$man_page" 2>&1)
[ -z "$warnings" ] || fail "groff warns about the man page: $warnings"

# The page as a person reads it, so "\-\-timeout" counts as "--timeout".
text=$(MANWIDTH=2000 man -l "$man_page" 2>/dev/null | col -bx)
[ -n "$text" ] || fail "man -l rendered nothing"

help=$("$popview" --help) || fail "popview --help failed"
options=$(printf '%s\n' "$help" | grep -oE -- '(^|[ ,])--?[A-Za-z][-A-Za-z]*' | tr -d ' ,' | sort -u)
[ -n "$options" ] || fail "found no options in --help"
count=0
for opt in $options; do
    count=$((count + 1))
    printf '%s\n' "$text" | grep -qE -- "(^|[^-A-Za-z])$opt([^-A-Za-z]|$)" ||
        fail "option $opt is in --help but not in the man page"
done
echo "checked $count options from --help"

# Exit codes: every "N word" the help's exit status paragraph gives.
for code in $(printf '%s\n' "$help" | sed -n '/^Exit status/,$p' | grep -oE '[0-9] [a-z]' | cut -c1); do
    printf '%s\n' "$text" | sed -n '/^EXIT STATUS/,/^EXAMPLES/p' | grep -qE "^ +$code( |$)" ||
        fail "exit code $code is not under EXIT STATUS"
done

# Keys: the help screen names each bound key with its action; the keys of
# the index and the pager must appear in the man page as a term.
for key in d u U D S R q x s h r m o O t T e i ':' '|' '/' n N g G; do
    printf '%s\n' "$text" | grep -qE "^ {7}([^ ].*[ ,])?$(printf '%s' "$key" | sed 's/[|/]/\\&/')(,| |\$)" ||
        fail "key $key is not described in the man page"
done

# Settings: every name the commented example config sets (color.* and
# key.* as families) must be described under CONFIGURATION.
example=$POPVIEW_SOURCE_ROOT/assets/popview.conf.example
conf_text=$(printf '%s\n' "$text" | sed -n '/^CONFIGURATION/,/^FILES/p')
settings=$(grep -E '^[a-z_.-]+ *=' "$example" | sed -E 's/ *=.*//; s/^(color|key)\..*/\1./' | sort -u)
[ -n "$settings" ] || fail "found no settings in $example"
for name in $settings; do
    printf '%s\n' "$conf_text" | grep -qF -- "$name" ||
        fail "setting $name is in popview.conf.example but not under CONFIGURATION"
done
# Each element of the colour theme, by name.
for element in $(grep -oE '^color\.[a-z-]+' "$example" | cut -d. -f2 | sort -u); do
    printf '%s\n' "$conf_text" | grep -qE -- "(^|[ ,])$element[,.]" ||
        fail "colour element $element is not under CONFIGURATION"
done

if [ "$failures" -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "man page: ok"
