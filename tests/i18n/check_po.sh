#!/usr/bin/env bash
# check_po.sh — every translatable string of popview has a translation in
# every catalogue of assets/po (LINGUAS), so a new _("...") without one
# fails CI instead of reaching a Russian learner in English.
#
# It extracts the strings afresh from the sources (xgettext, the keywords of
# assets/po/meson.build), merges each .po with them the way
# `meson compile popview-update-po` would, and asks msgfmt: the merged
# catalogue must have 0 untranslated and 0 fuzzy messages, and pass
# msgfmt --check (format strings that match, plural forms in the header).
# It also checks that every source file that uses _() is listed in POTFILES.
set -uo pipefail
root=${POPVIEW_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 1
for tool in xgettext msgmerge msgfmt; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "check_po: $tool is missing (install gettext)"
    exit 1
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

mapfile -t listed < <(grep -v '^#' assets/po/POTFILES | grep .)
for f in "${listed[@]}"; do
  [ -f "$f" ] || { echo "POTFILES: $f does not exist"; fail=1; }
done
while IFS= read -r f; do
  # A here-string, not a pipe: with pipefail, grep -q leaving early could
  # fail printf with SIGPIPE and report a listed file as missing.
  if ! grep -qxF "$f" <<<"$(printf '%s\n' "${listed[@]}")"; then
    echo "POTFILES: $f uses _() but is not listed, so its strings are never translated"
    fail=1
  fi
done < <(grep -l '#include <popview/i18n.h>' src/*/*.c src/*.c | grep -v '^src/util/i18n.c$')

existing=()
for f in "${listed[@]}"; do [ -f "$f" ] && existing+=("$f"); done
if ! xgettext --keyword=_ --keyword=N_ --keyword=P_:1,2 --from-code=UTF-8 \
    --package-name=popview -o "$work/popview.pot" "${existing[@]}"; then
  echo "check_po: xgettext failed"
  exit 1
fi

while read -r lang; do
  case $lang in ''|'#'*) continue ;; esac
  po=assets/po/$lang.po
  if [ ! -f "$po" ]; then
    echo "$po: listed in LINGUAS but missing"
    fail=1
    continue
  fi
  if ! msgfmt --check -o /dev/null "$po"; then
    echo "$po: msgfmt --check fails (see above)"
    fail=1
  fi
  if ! msgmerge --quiet -o "$work/$lang.po" "$po" "$work/popview.pot"; then
    echo "$po: msgmerge failed"
    fail=1
    continue
  fi
  stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$work/$lang.po" 2>&1)
  echo "$lang: $stats"
  if grep -qE 'untranslated|fuzzy' <<<"$stats"; then
    echo "$po: not complete; these need a translation:"
    { msgattrib --no-wrap --untranslated "$work/$lang.po"; msgattrib --no-wrap --only-fuzzy "$work/$lang.po"; } \
      2>/dev/null | grep '^msgid ' | grep -v '^msgid ""$' | sort -u | head -20
    echo "(run: meson compile -C <build> popview-update-po, then translate them)"
    fail=1
  fi
done < assets/po/LINGUAS

[ "$fail" -eq 0 ] && echo "translations: complete"
exit "$fail"
