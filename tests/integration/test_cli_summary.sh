#!/usr/bin/env bash
# test_cli_summary.sh — `popview --summary --format tsv` against Dovecot, run as
#   with-dovecot.sh test_cli_summary.sh
# The output must equal gen_maildir.py's expected summary with the UIDL
# column (read independently with Python's poplib) inserted: decoding of
# encoded words in many charsets, display names, dates in their own zone,
# sizes as LIST reports them, control characters sanitized.  Checked over
# implicit TLS (pop3s://) and over STLS (pop3://), for alice (~300 varied
# messages), bob (5), and an empty mailbox.
set -euo pipefail
# shellcheck source=SCRIPTDIR/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

expected_with_uidl alice "$WORK/alice.tsv"
expected_with_uidl bob "$WORK/bob.tsv"
: >"$WORK/empty.tsv"

pop3s=pop3s://alice@localhost:$POPVIEW_TEST_POP3S_PORT
pop3=pop3://alice@localhost:$POPVIEW_TEST_POP3_PORT

run_pv summary-pop3s "$POPVIEW_TEST_PASSWORD" --summary --format tsv \
    --cafile "$POPVIEW_TEST_CA" "$pop3s"
expect_status summary-pop3s 0
expect_same summary-pop3s "$WORK/alice.tsv" "$WORK/summary-pop3s.out"

run_pv summary-stls "$POPVIEW_TEST_PASSWORD" --summary --format tsv \
    --cafile "$POPVIEW_TEST_CA" "$pop3"
expect_status summary-stls 0
expect_same summary-stls "$WORK/alice.tsv" "$WORK/summary-stls.out"

# The output is safe for a terminal: no C0 control other than TAB and LF.
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$WORK/summary-pop3s.out"; then
    fail "summary-pop3s: control characters in the output" "$WORK/summary-pop3s.out"
else
    pass "summary-pop3s: no control characters in the output"
fi

run_pv summary-bob "$POPVIEW_TEST_BOB_PASSWORD" --summary --format tsv \
    --cafile "$POPVIEW_TEST_CA" "pop3s://$POPVIEW_TEST_BOB_USER@localhost:$POPVIEW_TEST_POP3S_PORT"
expect_status summary-bob 0
expect_same summary-bob "$WORK/bob.tsv" "$WORK/summary-bob.out"

run_pv summary-empty "$POPVIEW_TEST_EMPTY_PASSWORD" --summary --format tsv \
    --cafile "$POPVIEW_TEST_CA" "pop3s://$POPVIEW_TEST_EMPTY_USER@localhost:$POPVIEW_TEST_POP3S_PORT"
expect_status summary-empty 0
expect_same summary-empty "$WORK/empty.tsv" "$WORK/summary-empty.out"

finish
