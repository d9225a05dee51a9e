#!/usr/bin/env bash
# test_multiline.sh — multi-line replies that do not end well: one that
# never ends (TOP n 0, CAPA, LIST, RETR far beyond its LIST size: popview
# must stop at a cap with a clear message, in bounded memory), one that
# ends without the final "." and then closes or goes silent, and a
# connection closed in the middle of a line.
set -uo pipefail
# shellcheck source=SCRIPTDIR/hostile_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/hostile_lib.sh"

run_case top-never-ends top-never-ends --no-tls
expect_status top-never-ends 4
expect_error top-never-ends 'TOP reply for message 1 exceeds 16 MiB'
expect_rows top-never-ends 0
expect_bounded top-never-ends

run_case capa-never-ends capa-never-ends --no-tls
expect_status capa-never-ends 4
expect_error capa-never-ends 'CAPA reply exceeds 1 MiB'
expect_bounded capa-never-ends
expect_no_credentials capa-never-ends

# STAT claims four billion messages and LIST keeps listing them.
run_case list-never-ends list-never-ends --no-tls
expect_status list-never-ends 4
expect_error list-never-ends 'LIST reply exceeds 32 MiB'
expect_rows list-never-ends 0
expect_bounded list-never-ends

# Without TOP the headers come from RETR (with a warning): a RETR far
# beyond the size LIST gave is cut off too (2 x 146 octets rounded up to
# 1 MiB, + 16 MiB).
run_case retr-never-ends retr-never-ends --no-tls
expect_status retr-never-ends 4
expect_error retr-never-ends 'does not support TOP' 'RETR reply for message 1 exceeds 17 MiB'
expect_rows retr-never-ends 0
expect_bounded retr-never-ends

run_case no-final-dot-close top-no-final-dot-close --no-tls
expect_status no-final-dot-close 2
expect_error no-final-dot-close 'closed the connection in the middle of a reply'
expect_rows no-final-dot-close 0
expect_bounded no-final-dot-close

run_case no-final-dot-silent top-no-final-dot-silent --no-tls
expect_status no-final-dot-silent 2
expect_error no-final-dot-silent 'stopped in the middle of a reply.*within 3 s'
expect_rows no-final-dot-silent 0
expect_bounded no-final-dot-silent

# Message 1 arrived whole: its row stays; the lost ones are not "refused".
run_case close-mid-line close-mid-line --no-tls
expect_status close-mid-line 2
expect_error close-mid-line 'closed the connection in the middle of a reply'
expect_rows close-mid-line 1
expect_row close-mid-line 1 "$ROW1"

finish
