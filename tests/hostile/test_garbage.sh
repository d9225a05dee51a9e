#!/usr/bin/env bash
# test_garbage.sh — bytes no POP3 server should send: a 10 MB line without
# a newline (as the greeting, and inside a TOP reply), NUL bytes, broken
# UTF-8 and terminal escapes, bare LF and bare CR line ends, a line nobody
# asked for.  popview --summary must end with one clear line (or carry on
# where the server was merely odd), within the time and memory limits of
# hostile_lib.sh, and print nothing a terminal would act on.
set -uo pipefail
# shellcheck source=SCRIPTDIR/hostile_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/hostile_lib.sh"

run_case long-line-greeting long-line-greeting --no-tls
expect_status long-line-greeting 4
expect_error long-line-greeting 'greeting.*longer than 8192 bytes'
expect_rows long-line-greeting 0
expect_bounded long-line-greeting
expect_no_credentials long-line-greeting

run_case long-line-top long-line-top --no-tls
expect_status long-line-top 2
expect_error long-line-top 'closed the connection in the middle of a reply'
expect_rows long-line-top 0
expect_bounded long-line-top

# A 10 MB Subject that does end: the row is printed, the header kept capped.
run_case long-header-top long-header-top --no-tls
expect_status long-header-top 0
expect_no_error long-header-top
expect_rows long-header-top 3
expect_row long-header-top 1 '^1\tuid-1\t146\t\tAlice Example\tA+$'
# The summary keeps at most 256 KiB of a header (src/cli/run_summary.c).
subject_len=$(sed -n 1p "$WORK/long-header-top.out" | awk -F'\t' '{ print length($6) }')
if ((subject_len > 200000 && subject_len <= 262144)); then
    pass "long-header-top: the Subject is cut to $subject_len bytes"
else
    fail "long-header-top: the Subject has $subject_len bytes, expected 200001..262144"
fi
expect_row long-header-top 2 "$ROW2"
expect_bounded long-header-top

run_case nul-bytes nul-bytes --no-tls
expect_status nul-bytes 0
expect_no_error nul-bytes
expect_rows nul-bytes 3
expect_row nul-bytes 1 '^1\tuid-1\t[0-9]+\t2025-03-02T14:05:00\+01:00\tAlice Example\tFirst.{0,2}message$'
expect_row nul-bytes 2 '^2\t\t158\t'
expect_row nul-bytes 3 '^3\tuid-3\t[0-9]+\t2025-03-04T18:30:00-05:00\t[^\t]*carol@example.org\tThird$'

run_case invalid-utf8 invalid-utf8 --no-tls
expect_status invalid-utf8 0
expect_no_error invalid-utf8
expect_rows invalid-utf8 3
expect_row invalid-utf8 1 '^1\tuid-1\t[0-9]+\t[^\t]+\tAlice Example\tFirst .*<U\+009B>31m \^\[\[2J <U\+202E>$'
expect_row invalid-utf8 3 "$ROW3"

# The text table fits the same fields into columns.
run_case invalid-utf8-text invalid-utf8 --no-tls --format text
expect_status invalid-utf8-text 0
expect_no_error invalid-utf8-text
expect_rows invalid-utf8-text 4
expect_row invalid-utf8-text 2 '^    1  uid-1 +[0-9]+B  2025-03-02 14:05  Alice Example +First '

# The server's words in an error line are shown, never obeyed.
run_case err-invalid-utf8 err-invalid-utf8 --no-tls
expect_status err-invalid-utf8 3
expect_error err-invalid-utf8 'rejected the user name or password'

run_case bare-lf bare-lf --no-tls
expect_status bare-lf 0
expect_no_error bare-lf
expect_normal_rows bare-lf

run_case bare-cr bare-cr --no-tls
expect_status bare-cr 2
expect_error bare-cr 'stopped in the middle of a reply.*within 3 s'
expect_bounded bare-cr
expect_no_credentials bare-cr

run_case unsolicited unsolicited --no-tls
expect_status unsolicited 4
expect_error unsolicited 'line that no command asked for'
expect_no_credentials unsolicited

finish
