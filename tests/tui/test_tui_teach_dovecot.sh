#!/bin/bash
# Issue 4 against a real server, run as
#   with-dovecot.sh test_tui_teach_dovecot.sh
# bob over implicit TLS: the inspector (i) shows the TLS version, the
# cipher, the certificate (subject, issuer, chain, validity, SHA-256
# fingerprint) verified against the test CA, and Dovecot's capabilities in
# words; the transcript (T) shows the SASL login masked ("AUTH PLAIN ****")
# and never bob's password.
# shellcheck source=tests/tui/lib.sh
source "$(dirname "$0")/lib.sh"
: "${POPVIEW_TEST_BOB_USER:?run this through with-dovecot.sh}"

url=pop3s://$POPVIEW_TEST_BOB_USER@localhost:$POPVIEW_TEST_POP3S_PORT
tui_start -e "POPVIEW_PASSWORD=$POPVIEW_TEST_BOB_PASSWORD" \
    "$POPVIEW" --cafile "$POPVIEW_TEST_CA" "$url"
wait_for "5 msgs"

keys i
wait_for "What the server is"
wait_for "+OK Dovecot"
wait_for "Logged in with   PLAIN"
wait_for "several commands may be sent without waiting for each reply"
keys G
# The TLS version shows on the first page already: wait for what only the
# last page has, or a slow run reads the page before G moved it.
wait_for "Certificate      CN=localhost"
screen | grep -qE "Cipher +TLS_" || fail "no cipher"
screen | grep -qF "TLS version      TLS1." || fail "no TLS version"
screen | grep -qF "Issued by        CN=popview test CA" || fail "no issuer"
screen | grep -qE "Chain +[0-9]+ certificates? sent by the server" || fail "no chain length"
# The chain itself, as sent: the server's certificate first, with its issuer.
screen | grep -qE "^ +1\. CN=localhost" || fail "the chain does not list the server's certificate"
screen | grep -qE "^ +issued by CN=popview test CA" || fail "the chain does not name the issuer"
screen | grep -qE "Valid +20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9:]{5} UTC to 20" || fail "no validity"
screen | grep -qE "SHA-256 +([0-9A-F]{2}:){15}[0-9A-F]{2}$" || fail "no fingerprint"
screen | grep -qE "Verified +yes" || fail "the certificate is not shown as verified"
screen | grep -qF "Idle" || fail "no idle time"
keys q

keys T g
wait_line() {
    local deadline=$((SECONDS + TUI_TIMEOUT))
    while [ "$SECONDS" -le "$deadline" ]; do
        screen | grep -qE -- "$1" && return 0
        sleep 0.1
    done
    fail "no line matches /$1/"
}
wait_line "^\*  [0-9:]{8} TLS is up: TLS1"
wait_line "^C: [0-9:]{8} AUTH PLAIN \*\*\*\*$"
screen | grep -qF -- "$POPVIEW_TEST_BOB_PASSWORD" && fail "bob's password is in the transcript"
keys q x
wait_for "POPVIEW-EXIT=0"

finish
