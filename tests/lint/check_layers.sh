#!/usr/bin/env bash
# The architecture as a test: each layer includes only the public headers of
# the layers below it (util < net < pop3 < mail < mailbox < tui; cli and
# main on top; the demo server stands apart and uses util only), no source
# uses a banned function, and every C file keeps to .clang-format.
set -uo pipefail
root=${POPVIEW_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 1
fail=0

# layer -> headers it may include
declare -A allowed=(
  [util]="util"
  [net]="util net"
  [pop3]="util net pop3"
  [mail]="util net pop3 mail"
  [mailbox]="util net pop3 mail mailbox"
  [tui]="util net pop3 mail mailbox tui"
  [demo]="util"
)

for layer in "${!allowed[@]}"; do
  [ -d "src/$layer" ] || continue
  while IFS= read -r line; do
    file=${line%%:*}
    header=$(sed -n 's/.*#include <popview\/\([a-z0-9_]*\)\.h>.*/\1/p' <<<"$line")
    # i18n.h (gettext) belongs to the util layer, like util.h.
    [ "$header" = i18n ] && header=util
    case " ${allowed[$layer]} " in
      *" $header "*) ;;
      *) echo "layering: $file includes popview/$header.h, above the $layer layer"; fail=1 ;;
    esac
  done < <(grep -Hn '#include <popview/' "src/$layer"/*.[ch] 2>/dev/null)
done

# Unbounded or locale-dependent functions (curl's checksrc list, abridged).
if grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets)[[:space:]]*\(' \
     src/*/*.[ch] src/*.c include/popview/*.h; then
  echo "banned function used (see above): use snprintf, pv_buf, pv_parse_u64"
  fail=1
fi

if command -v clang-format >/dev/null 2>&1; then
  while IFS= read -r f; do
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
      echo "format: $f differs from .clang-format (run clang-format -i $f)"
      fail=1
    fi
  done < <(git ls-files 'src/*.[ch]' 'include/*.h' 'tests/*.[ch]' 2>/dev/null)
else
  echo "clang-format is not installed: format not checked"
fi

[ "$fail" -eq 0 ] && echo "layers, banned functions and format: ok"
exit "$fail"
