# cli_lib.sh — shared by the test_cli_*.sh scripts (sourced, not run).
#
# They run the real popview binary against the Dovecot that with-dovecot.sh
# started, through the CLI contract: exit 0 on success, otherwise non-zero
# with one line on stderr; the password from POPVIEW_PASSWORD; TSV summary
# columns number, UIDL, size, date, from, subject.  Exit codes documented in
# `popview --help`: 2 connection/TLS error, 3 authentication error.
#
# Each check prints "ok - ..." or "not ok - ..."; finish() prints the count
# and exits non-zero when any check failed.
# shellcheck shell=bash

: "${POPVIEW_TEST_DIR:?run this through with-dovecot.sh}"
: "${POPVIEW_BUILD_ROOT:?set by meson (the build directory)}"

CLI_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
POPVIEW=${POPVIEW:-$POPVIEW_BUILD_ROOT/src/popview}
readonly CLI_HERE POPVIEW
if [[ ! -x $POPVIEW ]]; then
    echo "$(basename "$0"): $POPVIEW is not built" >&2
    exit 1
fi

# Output the sanitizer's contract is checked against is UTF-8.
export LC_ALL=C.UTF-8
unset POPVIEW_PASSWORD

# Scratch space inside the harness's directory (removed with it).
WORK=$(mktemp -d "$POPVIEW_TEST_DIR/cli.XXXXXX")
readonly WORK
# A header cache of the test's own (test_cli_cache.sh sets it itself).
export XDG_CACHE_HOME=$WORK/cache

checks_passed=0
checks_failed=0

pass() {
    printf 'ok - %s\n' "$1"
    checks_passed=$((checks_passed + 1))
}

# fail WHAT [FILE...]: a failed check, with the start of the files it looked
# at; control characters other than TAB are shown as <1B> so that the log
# stays readable and "^[" in popview's output is told apart from an ESC.
fail() {
    local what=$1 f
    shift
    printf 'not ok - %s\n' "$what"
    for f in "$@"; do
        if [[ -s $f ]]; then
            printf '  --- %s:\n' "$(basename "$f")"
            head -n 20 "$f" | perl -pe 's/([\x00-\x08\x0a-\x1f\x7f])/$1 eq "\n" ? "\n" : sprintf("<%02X>", ord $1)/ge; s/^/  /'
        fi
    done
    checks_failed=$((checks_failed + 1))
}

finish() {
    printf '%d passed, %d failed\n' "$checks_passed" "$checks_failed"
    ((checks_failed == 0))
}

# run_pv NAME PASSWORD [POPVIEW ARGS...]: runs popview with the password in
# POPVIEW_PASSWORD (empty: unset), no terminal, and a hard time limit.
# Leaves $WORK/NAME.out, $WORK/NAME.err and the exit status in $pv_status.
run_pv() {
    local name=$1 password=$2
    shift 2
    pv_status=0
    if [[ -n $password ]]; then
        POPVIEW_PASSWORD=$password timeout 120 "$POPVIEW" --timeout 30 "$@" \
            >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null || pv_status=$?
    else
        timeout 120 "$POPVIEW" --timeout 30 "$@" \
            >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null || pv_status=$?
    fi
    if ((pv_status == 124)); then
        fail "$name: popview still running after 120 s (killed)"
    fi
}

# expect_status NAME WANT: WANT is a number, or "nonzero".
expect_status() {
    local name=$1 want=$2 ok=0
    if [[ $want == nonzero ]]; then
        ((pv_status != 0)) && ok=1
    else
        ((pv_status == want)) && ok=1
    fi
    if ((ok)); then
        pass "$name: exit status $pv_status"
    else
        fail "$name: exit status $pv_status, expected $want" "$WORK/$name.err" "$WORK/$name.out"
    fi
}

# expect_one_error_line NAME REGEX: stderr is exactly one line matching the
# (case-insensitive, extended) REGEX.
expect_one_error_line() {
    local name=$1 regex=$2 lines
    lines=$(wc -l <"$WORK/$name.err")
    if ((lines != 1)); then
        fail "$name: stderr has $lines lines, expected one" "$WORK/$name.err"
    elif ! grep -Eiq -- "$regex" "$WORK/$name.err"; then
        fail "$name: stderr does not match /$regex/" "$WORK/$name.err"
    else
        pass "$name: one line on stderr matching /$regex/"
    fi
}

# expect_file_lacks NAME FILE TEXT LABEL: FILE does not contain TEXT.
expect_file_lacks() {
    local name=$1 file=$2 text=$3 label=$4
    if grep -Fq -- "$text" "$file"; then
        fail "$name: $(basename "$file") contains $label"
    else
        pass "$name: $(basename "$file") does not contain $label"
    fi
}

# expected_with_uidl USER OUT: the generator's summary for USER (alice, bob)
# with the UIDL column that Dovecot assigned (read with Python's poplib)
# inserted as column 2.
expected_with_uidl() {
    local user=$1 out=$2 expected
    case $user in
    alice) expected=$POPVIEW_TEST_EXPECTED ;;
    bob) expected=$POPVIEW_TEST_BOB_EXPECTED ;;
    *) return 1 ;;
    esac
    python3 "$CLI_HERE/pop3_probe.py" uidl "$user" >"$WORK/uidl-$user.tsv"
    # join on the message number; both files are in number order.
    awk -F'\t' -v OFS='\t' 'NR == FNR { uidl[$1] = $2; next }
        { n = $1; $1 = ""; sub(/^\t/, ""); print n, (n in uidl ? uidl[n] : "?"), $0 }' \
        "$WORK/uidl-$user.tsv" "$expected" >"$out"
}

# expect_same NAME WANT GOT: files identical, else show the first differences.
expect_same() {
    local name=$1 want=$2 got=$3
    if cmp -s "$want" "$got"; then
        pass "$name: output equals $(basename "$want") ($(wc -l <"$want") lines)"
    else
        diff -U0 "$want" "$got" >"$WORK/$name.diff" || true
        fail "$name: output differs from $(basename "$want")" "$WORK/$name.diff" "$WORK/$name.err"
    fi
}

# cert_fingerprint NAME: SHA-256 fingerprint of the harness's NAME.pem as
# lower-case hex without separators.
cert_fingerprint() {
    openssl x509 -in "$POPVIEW_TEST_CERTS/$1.pem" -noout -fingerprint -sha256 |
        sed 's/^.*=//; s/://g' | tr 'A-F' 'a-f'
}

# expect_fingerprint NAME FILE CERT: FILE shows CERT's SHA-256 fingerprint
# (in any case, with or without colons).
expect_fingerprint() {
    local name=$1 file=$2 cert=$3 want
    want=$(cert_fingerprint "$cert")
    if tr -d ':' <"$file" | tr 'A-F' 'a-f' | grep -Fq -- "$want"; then
        pass "$name: shows the SHA-256 fingerprint of $cert.pem"
    else
        fail "$name: does not show $cert.pem's SHA-256 fingerprint $want" "$file"
    fi
}
