#!/usr/bin/env bash
# test_cli_auth.sh — logging in, --capa and --trace against Dovecot, run as
#   with-dovecot.sh test_cli_auth.sh
# - a wrong password exits 3 (authentication error, see `popview --help`)
#   with one line on stderr about the password/authentication, which does
#   not repeat the password;
# - each mechanism Dovecot offers (USER/PASS, APOP, SASL PLAIN and LOGIN)
#   logs in; --user overrides the URL's user;
# - --capa lists the capabilities (UIDL, TOP) and the TLS certificate's
#   SHA-256 fingerprint (compared with the real one);
# - --trace writes a transcript in which the password never appears, in
#   clear or base64 (as AUTH PLAIN/LOGIN would carry it), but a masked one
#   does; the file is private (0600).
set -euo pipefail
# shellcheck source=SCRIPTDIR/cli_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

url=pop3s://alice@localhost:$POPVIEW_TEST_POP3S_PORT
ca=(--cafile "$POPVIEW_TEST_CA")

# --- wrong password ---------------------------------------------------------
wrong=${POPVIEW_TEST_PASSWORD}-wrong
run_pv wrong-password "$wrong" --summary --format tsv "${ca[@]}" "$url"
expect_status wrong-password 3
expect_one_error_line wrong-password "password|authenticat|log ?in"
expect_file_lacks wrong-password "$WORK/wrong-password.err" "$wrong" "the password"
if [[ -s $WORK/wrong-password.out ]]; then
    fail "wrong-password: printed a summary" "$WORK/wrong-password.out"
fi

# --- each mechanism, and --user ------------------------------------------------
alice_count=$(wc -l <"$POPVIEW_TEST_EXPECTED")
for mech in USER PLAIN LOGIN APOP; do
    name=auth-${mech,,}
    run_pv "$name" "$POPVIEW_TEST_PASSWORD" --summary --format tsv --auth "$mech" "${ca[@]}" "$url"
    expect_status "$name" 0
    lines=$(wc -l <"$WORK/$name.out")
    if ((lines == alice_count)); then
        pass "$name: $lines summary lines"
    else
        fail "$name: $lines summary lines, expected $alice_count" "$WORK/$name.err"
    fi
done

run_pv user-option "$POPVIEW_TEST_BOB_PASSWORD" --summary --format tsv \
    --user "$POPVIEW_TEST_BOB_USER" "${ca[@]}" "$url"
expect_status user-option 0
expected_with_uidl bob "$WORK/bob.tsv"
expect_same user-option "$WORK/bob.tsv" "$WORK/user-option.out"

# --- --capa -------------------------------------------------------------------
run_pv capa "$POPVIEW_TEST_PASSWORD" --capa "${ca[@]}" "$url"
expect_status capa 0
for capability in UIDL TOP; do
    if grep -Eq "(^|[[:space:]])$capability([[:space:]]|\$)" "$WORK/capa.out"; then
        pass "capa: lists $capability"
    else
        fail "capa: does not list $capability" "$WORK/capa.out" "$WORK/capa.err"
    fi
done
if grep -Eiq 'SHA-256|fingerprint' "$WORK/capa.out"; then
    pass "capa: shows TLS details"
else
    fail "capa: no line with SHA-256 or fingerprint" "$WORK/capa.out"
fi
expect_fingerprint capa "$WORK/capa.out" localhost

# --- --trace ------------------------------------------------------------------
password_b64=$(printf '%s' "$POPVIEW_TEST_PASSWORD" | base64 -w0)
plain_b64=$(printf '\0%s\0%s' alice "$POPVIEW_TEST_PASSWORD" | base64 -w0)
for mech in USER PLAIN LOGIN; do
    name=trace-${mech,,}
    trace=$WORK/$name.txt
    run_pv "$name" "$POPVIEW_TEST_PASSWORD" --summary --format tsv --auth "$mech" \
        --trace "$trace" "${ca[@]}" "$url"
    expect_status "$name" 0
    if [[ ! -s $trace ]]; then
        fail "$name: no transcript written to $trace" "$WORK/$name.err"
        continue
    fi
    expect_file_lacks "$name" "$trace" "$POPVIEW_TEST_PASSWORD" "the password"
    expect_file_lacks "$name" "$trace" "$password_b64" "the base64 password"
    expect_file_lacks "$name" "$trace" "$plain_b64" "the AUTH PLAIN token"
    case $mech in
    USER) masked='PASS \*{4}' ;;
    *) masked="\*{4}" ;;
    esac
    if grep -Eq -- "$masked" "$trace"; then
        pass "$name: the secret is masked (/$masked/)"
    else
        fail "$name: no masked secret (/$masked/) in the transcript" "$trace"
    fi
    if grep -Eq 'UIDL|TOP|LIST' "$trace"; then
        pass "$name: the transcript shows the dialogue"
    else
        fail "$name: the transcript lacks the POP3 commands" "$trace"
    fi
    mode=$(stat -c %a "$trace")
    if [[ $mode == 600 ]]; then
        pass "$name: transcript mode 600"
    else
        fail "$name: transcript mode $mode, expected 600"
    fi
done

finish
