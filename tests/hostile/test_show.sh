#!/usr/bin/env bash
# test_show.sh — popview --show N against servers that lie about a
# message's size: --show asks LIST N first, refuses a size it could not
# hold before fetching anything, and stops a RETR that runs far past the
# size LIST gave (or never ends), in bounded memory and time.
set -uo pipefail
# shellcheck source=SCRIPTDIR/hostile_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/hostile_lib.sh"

# The reference: LIST 1, then RETR 1, rendered.
run_show_case show-normal normal 1 --no-tls
expect_status show-normal 0
expect_no_error show-normal
expect_sent show-normal '^LIST 1$'
expect_sent show-normal '^RETR 1$'
if grep -q '^Subject: First message' "$WORK/show-normal.out" &&
    grep -q '^Hello\.' "$WORK/show-normal.out"; then
    pass "show-normal: the message is rendered"
else
    fail "show-normal: the message is not rendered" "$WORK/show-normal.out"
fi

# LIST says 146 octets, RETR sends a megabyte more and ends properly: cut
# off at twice the size + 64 KiB, with the sizes in the message.
run_show_case show-more-than-list retr-more-than-list 1 --no-tls
expect_status show-more-than-list 4
expect_error show-more-than-list 'sent more than 64\.3K for message 1, which its LIST gave as 146B'
expect_rows show-more-than-list 0
expect_bounded show-more-than-list

# LIST says 10 GiB: refused before RETR goes out.
run_show_case show-10g list-10g 1 --no-tls
expect_status show-10g 4
expect_error show-10g 'message 1 is 10\.0G according to the server.s LIST.*nothing was downloaded'
expect_not_sent show-10g '^RETR'
expect_sent show-10g '^QUIT$'
expect_bounded show-10g

# 2^64 - 1 octets: the same.
run_show_case show-huge huge-size 2 --no-tls
expect_status show-huge 4
expect_error show-huge 'message 2 is .* according to the server.s LIST'
expect_not_sent show-huge '^RETR'

# A size that is not a number.
run_show_case show-negative negative-size 2 --no-tls
expect_status show-negative 4
expect_error show-negative 'LIST'
expect_not_sent show-negative '^RETR'

# No such message: the server's -ERR, and no RETR.
run_show_case show-missing normal 7 --no-tls
expect_status show-missing 4
expect_error show-missing 'no such message'
expect_not_sent show-missing '^RETR'

# RETR that never ends after an honest LIST: the cap stops it (the pop3
# layer keeps LIST n's size: 2 x 146 octets rounded up to 1 MiB + 16 MiB).
run_show_case show-never-ends retr-never-ends 1 --no-tls
expect_status show-never-ends 4
expect_error show-never-ends 'RETR reply for message 1 exceeds 17 MiB'
expect_bounded show-never-ends

finish
