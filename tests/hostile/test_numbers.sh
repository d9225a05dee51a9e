#!/usr/bin/env bash
# test_numbers.sh — STAT, LIST, UIDL and TOP that disagree or make no
# sense: more or fewer messages than STAT counted, numbers out of range or
# repeated, absurd counts and sizes, odd UIDLs (repeated, over-long, for
# messages that do not exist), TOP that returns the whole message, nothing,
# -ERR, or is not there at all.  Where the server is merely odd, popview
# prints the rows it can; where the numbers cannot be trusted, it stops
# with one line saying which.
set -uo pipefail
# shellcheck source=SCRIPTDIR/hostile_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/hostile_lib.sh"

run_case list-more-than-stat list-more-than-stat --no-tls
expect_status list-more-than-stat 4
expect_error list-more-than-stat 'LIST disagrees with STAT'
expect_rows list-more-than-stat 0

run_case list-fewer-than-stat list-fewer-than-stat --no-tls
expect_status list-fewer-than-stat 0
expect_no_error list-fewer-than-stat
expect_normal_rows list-fewer-than-stat

run_case list-out-of-range list-out-of-range --no-tls
expect_status list-out-of-range 4
expect_error list-out-of-range 'LIST disagrees with STAT.*"7 300"'

run_case list-repeated list-repeated --no-tls
expect_status list-repeated 4
expect_error list-repeated 'LIST repeats or reorders message numbers'

run_case stat-absurd stat-absurd --no-tls
expect_status stat-absurd 4
expect_error stat-absurd 'STAT answer is not "count size"'

run_case negative-size negative-size --no-tls
expect_status negative-size 4
expect_error negative-size 'LIST line is not "number size".*"2 -5"'

run_case huge-size huge-size --no-tls
expect_status huge-size 0
expect_no_error huge-size
expect_rows huge-size 3
expect_row huge-size 2 '^2\tuid-2\t18446744073709551615\t2025-03-03'

run_case huge-size-text huge-size --no-tls --format text
expect_status huge-size-text 0
expect_row huge-size-text 3 '^    2  uid-2 +16384\.0P  2025-03-03 09:00  '

# A repeated UIDL identifies nothing; an invalid one is dropped: "" there.
run_case uidl-odd uidl-odd --no-tls
expect_status uidl-odd 0
expect_no_error uidl-odd
expect_rows uidl-odd 3
expect_row uidl-odd 1 "$ROW1"
expect_row uidl-odd 2 '^2\t\t158\t2025-03-03T09:00:00\+00:00\tBjörn\tGrüße$'
expect_row uidl-odd 3 '^3\t\t113\t'

run_case uidl-overlong uidl-overlong --no-tls
expect_status uidl-overlong 0
expect_row uidl-overlong 2 '^2\t\t158\t'
expect_row uidl-overlong 3 "$ROW3"

run_case top-whole-message top-whole-message --no-tls
expect_status top-whole-message 0
expect_no_error top-whole-message
expect_normal_rows top-whole-message
expect_bounded top-whole-message

run_case top-nothing top-nothing --no-tls
expect_status top-nothing 0
expect_no_error top-nothing
expect_rows top-nothing 3
expect_row top-nothing 2 '^2\tuid-2\t158\t\t\t$'
expect_row top-nothing 3 "$ROW3"

# -ERR [SYS/TEMP] to one TOP: the others are shown, the code explained.
run_case top-refused top-refused --no-tls
expect_status top-refused 4
expect_error top-refused '^popview: message 2: the server refused its header: .*temporary.*SYS/TEMP'
expect_rows top-refused 3
expect_row top-refused 1 "$ROW1"
expect_row top-refused 2 '^2\tuid-2\t158\t\t\t$'
expect_row top-refused 3 "$ROW3"

run_case no-top no-top --no-tls
expect_status no-top 0
expect_error no-top 'does not support TOP; reading whole messages'
expect_normal_rows no-top
expect_sent no-top '^RETR 3$'
expect_not_sent no-top '^DELE'

finish
