#!/usr/bin/env bash
# test_harness.sh — smoke test of the integration harness itself, run as
#   with-dovecot.sh test_harness.sh
# Python's poplib (not popview) logs in over POP3S and STLS and checks that
# Dovecot serves exactly what gen_maildir.py wrote (STAT, LIST sizes, TOP
# order, RETR content), that APOP and AUTH PLAIN work, a wrong password is
# refused, and each defective certificate is refused for its own reason.
# A failure here means the harness is broken, not popview.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${POPVIEW_TEST_DIR:?run this through with-dovecot.sh}"

# The summary file must be what the generator promises: 5 fields, and for
# alice the ~300 messages with the two large ones.
count=$(wc -l <"$POPVIEW_TEST_EXPECTED")
if ((count < 250)); then
    echo "test_harness.sh: only $count expected messages for alice" >&2
    exit 1
fi
if awk -F'\t' 'NF != 5 { bad = 1 } END { exit !bad }' "$POPVIEW_TEST_EXPECTED"; then
    echo "test_harness.sh: $POPVIEW_TEST_EXPECTED has lines without 5 fields" >&2
    exit 1
fi
large=$(awk -F'\t' '$2 > 1000000 && $2 < 2100000' "$POPVIEW_TEST_EXPECTED" | wc -l)
if ((large < 2)); then
    echo "test_harness.sh: expected two 1-2 MB messages, found $large" >&2
    exit 1
fi

exec python3 "$here/pop3_probe.py" smoke
