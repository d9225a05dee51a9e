#!/usr/bin/env bash
# test_codes.sh — -ERR with the response codes of RFC 2449 section 8 and
# RFC 3206 ([IN-USE], [LOGIN-DELAY], [SYS/TEMP], [SYS/PERM], [AUTH]), at
# login and in the greeting: each must be explained in words a person can
# act on, with the exit code of cli.h (3 only for a refused password).
set -uo pipefail
# shellcheck source=SCRIPTDIR/hostile_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/hostile_lib.sh"

# check_code SCENARIO STATUS REGEX
check_code() {
    local name=$1 status=$2 regex=$3
    run_case "$name" "$name" --no-tls
    expect_status "$name" "$status"
    expect_error "$name" "$regex"
    expect_rows "$name" 0
    expect_not_sent "$name" '^(STAT|LIST|TOP|RETR|DELE)'
}

check_code in-use 4 'open in another client.*close that client and retry'
check_code login-delay 4 'one login every few minutes.*wait and retry'
check_code sys-temp 4 'temporary problem \(not your password\); retry later'
check_code sys-perm 4 'lasting problem with this mailbox.*contact'
check_code auth 3 'rejected the user name or password'
check_code greeting-sys-temp 4 'refused the session: the server has a temporary problem'
expect_no_credentials greeting-sys-temp

finish
