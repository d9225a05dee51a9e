#!/usr/bin/env bash
# test_cli_tls_errors.sh — popview refuses certificates it cannot trust, run as
#   with-dovecot.sh test_cli_tls_errors.sh
# Each case must exit 2 (connection/TLS error, see `popview --help`) with one
# line on stderr that names the reason and shows the certificate's SHA-256
# fingerprint (compared with the real one), over implicit TLS and over STLS:
#   the test CA not given (system trust only)   issuer unknown
#   127.0.0.2  certificate for wrong.example      name mismatch
#   127.0.0.3  expired                            expired
#   127.0.0.4  self-signed                        issuer unknown
#   127.0.0.5  not valid yet                      not yet valid / activated
# --insecure against 127.0.0.2 succeeds and warns on stderr.
set -euo pipefail
# shellcheck source=SCRIPTDIR/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

# check_refused NAME CERT REGEX [POPVIEW ARGS...]
check_refused() {
    local name=$1 cert=$2 regex=$3
    shift 3
    run_pv "$name" "$POPVIEW_TEST_PASSWORD" --summary --format tsv "$@"
    expect_status "$name" 2
    expect_one_error_line "$name" "$regex"
    expect_one_error_line "$name" "SHA-256"
    expect_fingerprint "$name" "$WORK/$name.err" "$cert"
    if [[ -s $WORK/$name.out ]]; then
        fail "$name: printed a summary although the certificate was refused" "$WORK/$name.out"
    fi
}

for scheme in pop3s pop3; do
    if [[ $scheme == pop3s ]]; then
        port=$POPVIEW_TEST_POP3S_PORT
    else
        port=$POPVIEW_TEST_POP3_PORT
    fi
    check_refused "$scheme-system-trust" localhost "issuer|signer|not trusted|trust" \
        "$scheme://alice@localhost:$port"
    check_refused "$scheme-wrong-name" wrong-name "name|match" \
        --cafile "$POPVIEW_TEST_CA" "$scheme://alice@$POPVIEW_TEST_ADDR_WRONG_NAME:$port"
    check_refused "$scheme-expired" expired "expired" \
        --cafile "$POPVIEW_TEST_CA" "$scheme://alice@$POPVIEW_TEST_ADDR_EXPIRED:$port"
    check_refused "$scheme-self-signed" self-signed "issuer|signer|self.signed" \
        --cafile "$POPVIEW_TEST_CA" "$scheme://alice@$POPVIEW_TEST_ADDR_SELF_SIGNED:$port"
    check_refused "$scheme-not-yet-valid" not-yet-valid "not yet|activat" \
        --cafile "$POPVIEW_TEST_CA" "$scheme://alice@$POPVIEW_TEST_ADDR_NOT_YET_VALID:$port"
done

# --insecure: the wrong-name server is used anyway, with a warning.
expected_with_uidl alice "$WORK/alice.tsv"
run_pv insecure "$POPVIEW_TEST_PASSWORD" --summary --format tsv --insecure \
    "pop3s://alice@$POPVIEW_TEST_ADDR_WRONG_NAME:$POPVIEW_TEST_POP3S_PORT"
expect_status insecure 0
expect_same insecure "$WORK/alice.tsv" "$WORK/insecure.out"
if grep -Eiq 'insecure|not verified|warning' "$WORK/insecure.err"; then
    pass "insecure: warns on stderr"
else
    fail "insecure: no warning on stderr" "$WORK/insecure.err"
fi

finish
