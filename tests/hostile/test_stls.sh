#!/usr/bin/env bash
# test_stls.sh — pop3:// without --no-tls requires STLS (RFC 2595
# section 4) before any credential: STLS offered then refused, CAPA without
# STLS, no CAPA at all and STLS refused, bytes injected after "+OK" to
# STLS, and a server that agrees to TLS and then hangs up.  No USER, PASS,
# APOP or AUTH may ever be sent in clear.
set -uo pipefail
# shellcheck source=SCRIPTDIR/hostile_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/hostile_lib.sh"

run_case stls-refused stls-refused
expect_status stls-refused 2
expect_error stls-refused 'refused STLS.*no credentials were sent'
expect_sent stls-refused '^STLS$'
expect_no_credentials stls-refused

run_case no-stls no-stls
expect_status no-stls 2
expect_error no-stls 'does not offer STLS.*nothing was sent'
expect_not_sent no-stls '^STLS'
expect_no_credentials no-stls

run_case no-capa-stls-refused no-capa-stls-refused
expect_status no-capa-stls-refused 2
expect_error no-capa-stls-refused 'refused STLS'
expect_no_credentials no-capa-stls-refused

run_case stls-injection stls-injection
expect_status stls-injection 4
expect_error stls-injection 'unexpected bytes right after agreeing to start TLS'
expect_no_credentials stls-injection

run_case stls-no-handshake stls-no-handshake
expect_status stls-no-handshake 2
expect_error stls-no-handshake 'TLS handshake'
expect_no_credentials stls-no-handshake

finish
