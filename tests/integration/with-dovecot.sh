#!/usr/bin/env bash
# with-dovecot.sh — run a command against a private, throw-away Dovecot POP3
# server.
#
#   with-dovecot.sh CMD [ARGS...]   start Dovecot, run CMD, stop Dovecot, exit
#                                   with CMD's status
#   with-dovecot.sh --shell         start Dovecot, print its variables, wait
#                                   for Ctrl-C (for people poking at it)
#
# Everything lives in a fresh directory from mktemp (short on purpose: Dovecot
# puts UNIX sockets under base_dir and sun_path holds 108 bytes).  Ports are
# asked from the kernel at run time and the start is retried on a clash, so
# meson can run several instances at once.  Dovecot's master must start as
# root but refuses uid 0 for mail, so the maildirs belong to `nobody`.
#
# Listeners (POP3 on a plain port that offers STLS, POP3S on an implicit-TLS
# port) on 127.0.0.1 with a certificate for "localhost" from a test CA, and on
# further loopback addresses (all of 127.0.0.0/8 is loopback on Linux) that
# serve defective certificates, chosen by Dovecot `local` blocks:
#   127.0.0.2  signed by the CA, for the wrong name (wrong.example)
#   127.0.0.3  signed by the CA, expired
#   127.0.0.4  self-signed, for localhost
#   127.0.0.5  signed by the CA, not valid yet
#
# Exported to CMD:
#   POPVIEW_TEST_DIR            the temporary directory
#   POPVIEW_TEST_HOST           127.0.0.1
#   POPVIEW_TEST_POP3_PORT      plain POP3 (STLS offered)
#   POPVIEW_TEST_POP3S_PORT     POP3 over implicit TLS
#   POPVIEW_TEST_CA             CA certificate (PEM) that signed the good cert
#   POPVIEW_TEST_CERTS          directory of the served certificates:
#                               localhost.pem, wrong-name.pem, expired.pem,
#                               self-signed.pem, not-yet-valid.pem
#   POPVIEW_TEST_USER / POPVIEW_TEST_PASSWORD            alice, ~300 messages
#                               (POPVIEW_TEST_ALICE_COUNT=N in the caller's
#                               environment makes it N messages, N >= 77 for
#                               the special cases: the benchmark's mailboxes)
#   POPVIEW_TEST_MAILDIR        alice's maildir
#   POPVIEW_TEST_EXPECTED       alice's expected summary (see gen_maildir.py)
#   POPVIEW_TEST_IDS            alice's number -> Message-ID list
#   POPVIEW_TEST_BOB_USER / POPVIEW_TEST_BOB_PASSWORD    bob, 5 messages
#   POPVIEW_TEST_BOB_MAILDIR, POPVIEW_TEST_BOB_EXPECTED
#   POPVIEW_TEST_EMPTY_USER / POPVIEW_TEST_EMPTY_PASSWORD  an empty maildir
#   POPVIEW_TEST_AUTH_MECHS     SASL mechanisms enabled ("PLAIN LOGIN")
#   POPVIEW_TEST_APOP           1 (APOP is enabled: greeting has a timestamp)
#   POPVIEW_TEST_ADDR_WRONG_NAME, POPVIEW_TEST_ADDR_EXPIRED,
#   POPVIEW_TEST_ADDR_SELF_SIGNED, POPVIEW_TEST_ADDR_NOT_YET_VALID
#   POPVIEW_TEST_DOVECOT_LOG    Dovecot's log file
#
# Exit status: CMD's; 77 (meson: skipped) when not root or Dovecot is missing;
# 99 (meson: hard error) when the server could not be set up.
# POPVIEW_TEST_KEEP=1 keeps the directory afterwards (its path is printed).
#
# Functions reached only from the EXIT trap look unreachable to shellcheck:
# shellcheck disable=SC2317
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly PROG=with-dovecot.sh
readonly BAD_ADDRS=(127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5)

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
skip() {
    say "SKIP: $*"
    exit 77
}
fail() {
    say "ERROR: $*"
    exit 99
}

usage() {
    printf 'usage: %s CMD [ARGS...]\n       %s --shell\n' "$PROG" "$PROG" >&2
    exit 2
}

# ---------------------------------------------------------------------------
# State shared with the exit trap.
workdir=""
dovecot_pid=""
child_pid=""
# "setup" until CMD runs (a failure then is the harness's, not the test's),
# then "run", or "shell" for --shell.
phase=setup

print_log_tail() {
    local log="$workdir/dovecot.log"
    if [[ -n $workdir && -s $log ]]; then
        say "last lines of $log:"
        tail -n 30 "$log" >&2 || true
    fi
}

stop_dovecot() {
    [[ -n $dovecot_pid ]] || return 0
    local pid=$dovecot_pid i
    dovecot_pid=""
    kill -TERM "$pid" 2>/dev/null || return 0
    # The master stops its children, then exits; give it 5 s.
    for ((i = 0; i < 500; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "Dovecot (pid $pid) did not stop, killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    if [[ -n $child_pid ]]; then
        kill -TERM "$child_pid" 2>/dev/null || true
        wait "$child_pid" 2>/dev/null || true
    fi
    stop_dovecot
    if [[ $phase == setup ]] && ((status != 0 && status != 77 && status != 99 && status < 128)); then
        say "ERROR: setting up the test server failed (status $status)"
        status=99
    fi
    if ((status != 0 && status != 77)) && [[ $phase != shell ]]; then
        print_log_tail
    fi
    if [[ -n $workdir && -d $workdir ]]; then
        if [[ ${POPVIEW_TEST_KEEP:-0} == 1 ]]; then
            say "kept $workdir"
        else
            rm -rf -- "$workdir"
        fi
    fi
    exit "$status"
}

# ---------------------------------------------------------------------------
# Preconditions

find_dovecot() {
    local d
    for d in "$(command -v dovecot 2>/dev/null || true)" /usr/sbin/dovecot /usr/local/sbin/dovecot; do
        if [[ -n $d && -x $d ]]; then
            printf '%s\n' "$d"
            return 0
        fi
    done
    return 1
}

check_preconditions() {
    [[ $(id -u) -eq 0 ]] || skip "needs root: Dovecot's master process must start as root"
    dovecot_bin=$(find_dovecot) || skip "dovecot is not installed (apt-get install dovecot-pop3d)"
    local libexec found=0
    for libexec in /usr/lib/dovecot /usr/libexec/dovecot /usr/local/libexec/dovecot; do
        if [[ -x $libexec/pop3 && -x $libexec/pop3-login ]]; then
            found=1
            break
        fi
    done
    ((found)) || skip "Dovecot's POP3 server is not installed (apt-get install dovecot-pop3d)"
    command -v python3 >/dev/null || fail "python3 is needed (apt-get install python3)"
    command -v openssl >/dev/null || fail "openssl is needed (apt-get install openssl)"
    id nobody >/dev/null 2>&1 || fail "the user 'nobody' does not exist"
}

# ---------------------------------------------------------------------------
# Certificates (openssl, which dovecot-core depends on).  EC P-256 keys are
# made in milliseconds; `openssl ca` is used because it can set both ends of
# the validity period, which expired and not-yet-valid certificates need.

openssl_date() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

write_ca_config() {
    cat >"$1" <<'EOF'
[ ca ]
default_ca = testca
[ testca ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ leaf_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::PV_SAN
EOF
}

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# sign_leaf NAME CN SAN START END: NAME.key/NAME.pem signed by the test CA.
sign_leaf() {
    local name=$1 cn=$2 san=$3 start=$4 end=$5
    new_key "$name.key"
    openssl req -new -key "$name.key" -subj "/CN=$cn" -out "$name.csr"
    PV_SAN=$san openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
        -in "$name.csr" -out "$name.pem" -startdate "$start" -enddate "$end" \
        -extensions leaf_ext -notext 2>"$name.log" ||
        {
            cat "$name.log" >&2
            return 1
        }
}

make_certs() {
    local dir=$1
    (
        cd "$dir"
        local past future far_future
        past=$(openssl_date '2000-01-01')
        far_future=$(openssl_date '+30 years')
        future=$(openssl_date '+10 years')
        write_ca_config ca.cnf
        : >index.txt
        echo 01 >serial
        new_key ca.key
        openssl req -new -key ca.key -subj "/CN=popview test CA" -out ca.csr
        # The CA's own validity starts in 2000 so it covers the expired leaf.
        PV_SAN=DNS:unused openssl ca -batch -config ca.cnf -selfsign -keyfile ca.key \
            -in ca.csr -out ca.pem -startdate "$past" -enddate "$far_future" \
            -extensions ca_ext -notext 2>ca.log || {
            cat ca.log >&2
            exit 1
        }
        local now_minus_day in_a_year
        now_minus_day=$(openssl_date '-1 day')
        in_a_year=$(openssl_date '+1 year')
        sign_leaf localhost localhost "DNS:localhost,IP:127.0.0.1" "$now_minus_day" "$in_a_year"
        sign_leaf wrong-name wrong.example "DNS:wrong.example" "$now_minus_day" "$in_a_year"
        sign_leaf expired localhost "DNS:localhost,IP:127.0.0.3" \
            "$(openssl_date '2001-01-01')" "$(openssl_date '2002-01-01')"
        sign_leaf not-yet-valid localhost "DNS:localhost,IP:127.0.0.5" "$future" "$far_future"
        new_key self-signed.key
        openssl req -new -x509 -key self-signed.key -subj "/CN=localhost" -days 365 \
            -addext "subjectAltName=DNS:localhost,IP:127.0.0.4" \
            -addext "basicConstraints=critical,CA:FALSE" \
            -addext "extendedKeyUsage=serverAuth" -out self-signed.pem
        rm -f ./*.csr ./*.log
        chmod 600 ./*.key
    )
}

# ---------------------------------------------------------------------------
# Users and maildirs

random_password() {
    # Distinctive, so a test can search a transcript for it; no ':' (the
    # passwd-file field separator) and nothing a shell would mangle.
    printf 'pv-%s-Pw' "$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
}

make_users() {
    local dir=$1 uid gid
    uid=$(id -u nobody)
    gid=$(id -g nobody)
    alice_password=$(random_password)
    bob_password=$(random_password)
    empty_password=$(random_password)
    local user
    for user in alice bob empty; do
        mkdir -p "$dir/home/$user"
    done
    local alice_count=()
    if [[ -n ${POPVIEW_TEST_ALICE_COUNT:-} ]]; then
        [[ $POPVIEW_TEST_ALICE_COUNT =~ ^[0-9]{1,7}$ ]] ||
            fail "POPVIEW_TEST_ALICE_COUNT must be a number of messages, not '$POPVIEW_TEST_ALICE_COUNT'"
        alice_count=(--count "$POPVIEW_TEST_ALICE_COUNT")
    fi
    python3 "$SCRIPT_DIR/gen_maildir.py" --profile alice "${alice_count[@]}" \
        --expected "$dir/home/alice/expected-summary.tsv" \
        --ids "$dir/home/alice/expected-ids.tsv" "$dir/home/alice/Maildir"
    python3 "$SCRIPT_DIR/gen_maildir.py" --profile bob --expected "$dir/home/bob/expected-summary.tsv" \
        "$dir/home/bob/Maildir"
    python3 "$SCRIPT_DIR/gen_maildir.py" --profile empty --expected "$dir/home/empty/expected-summary.tsv" \
        "$dir/home/empty/Maildir"
    chown -R "$uid:$gid" "$dir/home"
    # passwd-file: user:password:uid:gid:gecos:home:shell:extra (plain-text
    # passwords so that APOP works).
    {
        printf 'alice:{PLAIN}%s:%s:%s::%s/home/alice::\n' "$alice_password" "$uid" "$gid" "$dir"
        printf 'bob:{PLAIN}%s:%s:%s::%s/home/bob::\n' "$bob_password" "$uid" "$gid" "$dir"
        printf 'empty:{PLAIN}%s:%s:%s::%s/home/empty::\n' "$empty_password" "$uid" "$gid" "$dir"
    } >"$dir/passwd"
    chmod 644 "$dir/passwd"
}

# ---------------------------------------------------------------------------
# Dovecot

# Prints two TCP ports that are free on every address we listen on.
pick_ports() {
    python3 - "127.0.0.1" "${BAD_ADDRS[@]}" <<'EOF'
import socket, sys
addrs = sys.argv[1:]
def free_port():
    while True:
        with socket.socket() as s:
            s.bind((addrs[0], 0))
            port = s.getsockname()[1]
        try:
            socks = []
            for a in addrs:
                t = socket.socket()
                socks.append(t)
                t.bind((a, port))
            return port
        except OSError:
            continue
        finally:
            for t in socks:
                t.close()
first = free_port()
second = free_port()
while second == first:
    second = free_port()
print(first, second)
EOF
}

write_dovecot_conf() {
    local dir=$1 pop3_port=$2 pop3s_port=$3 conf=$1/dovecot.conf
    local listen="127.0.0.1" addr
    for addr in "${BAD_ADDRS[@]}"; do
        listen+=", $addr"
    done
    cat >"$conf" <<EOF
# Generated by with-dovecot.sh for one test run.
instance_name = $(basename "$dir")
base_dir = $dir/run
state_dir = $dir/state
protocols = pop3
listen = $listen
log_path = $dir/dovecot.log
auth_verbose = yes

first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv

disable_plaintext_auth = no
auth_mechanisms = $auth_mechanisms
auth_failure_delay = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $dir/passwd
}

ssl = yes
ssl_min_protocol = TLSv1.2
ssl_cert = <$dir/certs/localhost.pem
ssl_key = <$dir/certs/localhost.key

service pop3-login {
  inet_listener pop3 {
    port = $pop3_port
  }
  inet_listener pop3s {
    port = $pop3s_port
    ssl = yes
  }
}

local 127.0.0.2 {
  ssl_cert = <$dir/certs/wrong-name.pem
  ssl_key = <$dir/certs/wrong-name.key
}
local 127.0.0.3 {
  ssl_cert = <$dir/certs/expired.pem
  ssl_key = <$dir/certs/expired.key
}
local 127.0.0.4 {
  ssl_cert = <$dir/certs/self-signed.pem
  ssl_key = <$dir/certs/self-signed.key
}
local 127.0.0.5 {
  ssl_cert = <$dir/certs/not-yet-valid.pem
  ssl_key = <$dir/certs/not-yet-valid.key
}
EOF
}

# Reads the POP3 greeting from 127.0.0.1:$1; succeeds once it is "+OK".
greets() {
    local line=""
    { IFS= read -r -t 2 line <&3 || true; } 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1" || return 1
    [[ $line == "+OK"* ]]
}

# Starts Dovecot in the foreground (so $! is the master) and waits until the
# plain listener greets.  Returns 2 on a port clash (caller retries), 1 on
# other failures.
start_dovecot_once() {
    local dir=$1 pop3_port=$2 pop3s_port=$3 i
    write_dovecot_conf "$dir" "$pop3_port" "$pop3s_port"
    : >"$dir/dovecot.log"
    "$dovecot_bin" -F -c "$dir/dovecot.conf" >>"$dir/dovecot.out" 2>&1 &
    dovecot_pid=$!
    for ((i = 0; i < 1000; i++)); do
        if ! kill -0 "$dovecot_pid" 2>/dev/null; then
            wait "$dovecot_pid" 2>/dev/null || true
            dovecot_pid=""
            if grep -q 'Address already in use' "$dir/dovecot.log" "$dir/dovecot.out" 2>/dev/null; then
                return 2
            fi
            cat "$dir/dovecot.out" >&2 2>/dev/null || true
            return 1
        fi
        if greets "$pop3_port"; then
            return 0
        fi
        sleep 0.01
    done
    say "Dovecot did not greet on port $pop3_port within 10 s"
    return 1
}

start_dovecot() {
    local dir=$1 attempt ports rc
    for ((attempt = 1; attempt <= 8; attempt++)); do
        ports=$(pick_ports)
        pop3_port=${ports% *}
        pop3s_port=${ports#* }
        rc=0
        start_dovecot_once "$dir" "$pop3_port" "$pop3s_port" || rc=$?
        case $rc in
        0) return 0 ;;
        2) say "ports $pop3_port/$pop3s_port were taken meanwhile, retrying" ;;
        *) fail "Dovecot did not start (config: $dir/dovecot.conf)" ;;
        esac
    done
    fail "no free ports after $((attempt - 1)) attempts"
}

export_environment() {
    local dir=$1
    export POPVIEW_TEST_DIR=$dir
    export POPVIEW_TEST_HOST=127.0.0.1
    export POPVIEW_TEST_POP3_PORT=$pop3_port
    export POPVIEW_TEST_POP3S_PORT=$pop3s_port
    export POPVIEW_TEST_CA=$dir/certs/ca.pem
    export POPVIEW_TEST_CERTS=$dir/certs
    export POPVIEW_TEST_USER=alice
    export POPVIEW_TEST_PASSWORD=$alice_password
    export POPVIEW_TEST_MAILDIR=$dir/home/alice/Maildir
    export POPVIEW_TEST_EXPECTED=$dir/home/alice/expected-summary.tsv
    export POPVIEW_TEST_IDS=$dir/home/alice/expected-ids.tsv
    export POPVIEW_TEST_BOB_USER=bob
    export POPVIEW_TEST_BOB_PASSWORD=$bob_password
    export POPVIEW_TEST_BOB_MAILDIR=$dir/home/bob/Maildir
    export POPVIEW_TEST_BOB_EXPECTED=$dir/home/bob/expected-summary.tsv
    export POPVIEW_TEST_EMPTY_USER=empty
    export POPVIEW_TEST_EMPTY_PASSWORD=$empty_password
    export POPVIEW_TEST_AUTH_MECHS="PLAIN LOGIN"
    export POPVIEW_TEST_APOP=1
    export POPVIEW_TEST_ADDR_WRONG_NAME=127.0.0.2
    export POPVIEW_TEST_ADDR_EXPIRED=127.0.0.3
    export POPVIEW_TEST_ADDR_SELF_SIGNED=127.0.0.4
    export POPVIEW_TEST_ADDR_NOT_YET_VALID=127.0.0.5
    export POPVIEW_TEST_DOVECOT_LOG=$dir/dovecot.log
}

run_shell_mode() {
    local name
    say "Dovecot is running (pid $dovecot_pid); Ctrl-C stops it."
    for name in $(compgen -e | grep '^POPVIEW_TEST_' | sort); do
        printf 'export %s=%q\n' "$name" "${!name}"
    done
    while :; do
        sleep 3600 &
        child_pid=$!
        wait "$child_pid" || true
        child_pid=""
    done
}

main() {
    (($# >= 1)) || usage
    local shell_mode=0
    if [[ $1 == --shell ]]; then
        (($# == 1)) || usage
        shell_mode=1
    elif [[ $1 == -h || $1 == --help ]]; then
        usage
    fi

    check_preconditions

    trap cleanup EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM

    workdir=$(mktemp -d /tmp/pvd.XXXXXX)
    # Dovecot's unprivileged processes (nobody, dovenull, dovecot) must be able
    # to reach the sockets, the passwd file and the maildirs.
    chmod 755 "$workdir"
    mkdir -p "$workdir/certs" "$workdir/run" "$workdir/state"
    # Called plainly, not as `f || fail`: bash ignores set -e inside a
    # function whose status is tested.  The EXIT trap reports setup failures.
    make_certs "$workdir/certs"
    make_users "$workdir"
    auth_mechanisms="plain login apop"
    start_dovecot "$workdir"
    export_environment "$workdir"

    if ((shell_mode)); then
        phase=shell
        run_shell_mode
    fi

    # In the background so that a signal reaches our traps at once instead
    # of after CMD ends (bash defers traps while a foreground child runs).
    # Explicit <&0: a background job would otherwise read /dev/null.
    local status=0
    phase=run
    "$@" <&0 &
    child_pid=$!
    wait "$child_pid" || status=$?
    child_pid=""
    exit "$status"
}

main "$@"
