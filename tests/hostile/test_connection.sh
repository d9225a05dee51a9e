#!/usr/bin/env bash
# test_connection.sh — the connection itself misbehaves: a server that
# never says a word, one that stops answering after login, one that sends
# its greeting one byte per second (--timeout applies to silence, so this
# must succeed), and connections reset (TCP RST) at the start and in the
# middle of a reply.
set -uo pipefail
# shellcheck source=SCRIPTDIR/hostile_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/hostile_lib.sh"

run_case silent silent --no-tls
expect_status silent 2
expect_error silent 'no POP3 greeting.*did not answer within 3 s'
expect_bounded silent

run_case silent-after-login silent-after-login --no-tls
expect_status silent-after-login 2
expect_error silent-after-login 'did not answer within 3 s'
expect_rows silent-after-login 0
expect_bounded silent-after-login

run_case slow-greeting slow-greeting --no-tls
expect_status slow-greeting 0
expect_no_error slow-greeting
expect_normal_rows slow-greeting
expect_bounded slow-greeting

run_case reset-after-greeting reset-after-greeting --no-tls
expect_status reset-after-greeting 2
expect_error reset-after-greeting 'reset'
expect_no_credentials reset-after-greeting

run_case reset-mid-top reset-mid-top --no-tls
expect_status reset-mid-top 2
expect_error reset-mid-top 'reset'
expect_rows reset-mid-top 1
expect_row reset-mid-top 1 "$ROW1"

finish
