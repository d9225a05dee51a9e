#!/usr/bin/env python3
"""A reference POP3 client (Python's poplib) for the integration tests.

It checks the Dovecot that with-dovecot.sh started against what
gen_maildir.py says it serves, independently of popview, so a failing popview
test can be told apart from a broken harness.

  pop3_probe.py smoke   log in over POP3S and over STLS, compare STAT, LIST,
                        TOP (message order) and RETR (content, dot-stuffing)
                        with the generator's files; check APOP, AUTH PLAIN,
                        a wrong password; check that every defective
                        certificate is refused with the expected reason
  pop3_probe.py uidl [USER]
                        print "number<TAB>UIDL" for alice (or bob, empty)
                        over POP3S, for tests that check popview's UIDL column

Reads the POPVIEW_TEST_* variables that with-dovecot.sh exports.  Exits 0 on
success, 1 with one line per failure on stderr otherwise.
"""

import base64
import os
import poplib
import re
import ssl
import sys

TIMEOUT = 20


class Failures:
    def __init__(self):
        self.items = []

    def check(self, ok, what):
        if not ok:
            self.items.append(what)
        return ok


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit("pop3_probe.py: %s is not set (run me through with-dovecot.sh)" % name)
    return value


def tls_context():
    return ssl.create_default_context(cafile=env("POPVIEW_TEST_CA"))


def connect_pop3s(host="localhost", context=None):
    return poplib.POP3_SSL(host, int(env("POPVIEW_TEST_POP3S_PORT")),
                           context=context or tls_context(), timeout=TIMEOUT)


def connect_stls(host="localhost", context=None):
    conn = poplib.POP3(host, int(env("POPVIEW_TEST_POP3_PORT")), timeout=TIMEOUT)
    try:
        conn.stls(context or tls_context())
    except BaseException:
        # A failed handshake leaves poplib holding a closed socket, so its
        # close() fails too; the handshake error is the one that matters.
        try:
            conn.close()
        except OSError:
            pass
        raise
    return conn


def read_expected(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 5:
                raise SystemExit("pop3_probe.py: %s: bad line %r" % (path, line))
            rows.append(fields)
    return rows


def read_ids(path):
    with open(path, encoding="ascii") as f:
        return [line.rstrip("\n").split("\t")[1] for line in f]


def maildir_files(maildir):
    """Message files in Dovecot's order (file-name order, see gen_maildir.py)."""
    cur = os.path.join(maildir, "cur")
    return [os.path.join(cur, n) for n in sorted(os.listdir(cur))]


def wire_lines(data):
    """The lines poplib returns for a message stored as data."""
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def check_mailbox(fail, conn, label, expected, ids=None, maildir=None):
    count, total = conn.stat()
    fail.check(count == len(expected),
               "%s: STAT says %d messages, the generator wrote %d" % (label, count, len(expected)))
    fail.check(total == sum(int(r[1]) for r in expected),
               "%s: STAT total %d != sum of expected sizes" % (label, total))
    _, listing, _ = conn.list()
    sizes = [tuple(int(x) for x in line.split()) for line in listing]
    want = [(int(r[0]), int(r[1])) for r in expected]
    if not fail.check(sizes == want, "%s: LIST differs from the expected sizes" % label):
        for got, exp in zip(sizes, want):
            if got != exp:
                fail.check(False, "%s:   first difference: LIST %s, expected %s" % (label, got, exp))
                break
    _, uidls, _ = conn.uidl()
    fail.check(all(re.fullmatch(rb"\d+ [0-9a-f]{16}", u) for u in uidls) and len(uidls) == count,
               "%s: UIDL is not %%08Xu%%08Xv for every message" % label)
    if ids is not None:
        for num, want_id in enumerate(ids, start=1):
            _, head, _ = conn.top(num, 0)
            got = [h.split(b":", 1)[1].strip().decode() for h in head
                   if h.lower().startswith(b"message-id:")]
            if not fail.check(got == [want_id], "%s: message %d has Message-ID %s, expected %s"
                              % (label, num, got, want_id)):
                break
    if maildir is not None:
        for num, path in enumerate(maildir_files(maildir), start=1):
            with open(path, "rb") as f:
                data = f.read()
            _, lines, _ = conn.retr(num)
            if not fail.check(lines == wire_lines(data),
                              "%s: RETR %d differs from %s" % (label, num, path)):
                break


def login(conn, user, password):
    conn.user(user)
    conn.pass_(password)


def smoke_logins(fail):
    expected = read_expected(env("POPVIEW_TEST_EXPECTED"))
    ids = read_ids(env("POPVIEW_TEST_IDS"))
    user, password = env("POPVIEW_TEST_USER"), env("POPVIEW_TEST_PASSWORD")

    conn = connect_pop3s()
    try:
        fail.check(conn.getwelcome().startswith(b"+OK"), "POP3S: no +OK greeting")
        capa = conn.capa()
        fail.check("STLS" not in capa, "POP3S: STLS offered on the implicit-TLS port")
        for name in ("TOP", "UIDL", "USER", "SASL"):
            fail.check(name in capa, "POP3S: CAPA lacks %s" % name)
        login(conn, user, password)
        check_mailbox(fail, conn, "POP3S alice", expected, ids=ids,
                      maildir=env("POPVIEW_TEST_MAILDIR"))
        conn.quit()
    finally:
        conn.close()

    plain = poplib.POP3("127.0.0.1", int(env("POPVIEW_TEST_POP3_PORT")), timeout=TIMEOUT)
    try:
        fail.check("STLS" in plain.capa(), "POP3: STLS not offered on the plain port")
        plain.stls(tls_context())
        login(plain, user, password)
        check_mailbox(fail, plain, "STLS alice", expected)
        plain.quit()
    finally:
        plain.close()

    # bob with APOP (RFC 1939 section 7); the greeting carries the timestamp.
    conn = connect_stls()
    try:
        if env("POPVIEW_TEST_APOP") == "1":
            fail.check(re.search(rb"<[^>]+@[^>]+>", conn.getwelcome()) is not None,
                       "APOP enabled but the greeting has no <timestamp>")
            conn.apop(env("POPVIEW_TEST_BOB_USER"), env("POPVIEW_TEST_BOB_PASSWORD"))
        else:
            login(conn, env("POPVIEW_TEST_BOB_USER"), env("POPVIEW_TEST_BOB_PASSWORD"))
        check_mailbox(fail, conn, "bob", read_expected(env("POPVIEW_TEST_BOB_EXPECTED")),
                      maildir=env("POPVIEW_TEST_BOB_MAILDIR"))
        conn.quit()
    finally:
        conn.close()

    # empty with AUTH PLAIN (RFC 5034).
    conn = connect_pop3s()
    try:
        token = base64.b64encode(b"\0" + env("POPVIEW_TEST_EMPTY_USER").encode() + b"\0" +
                                 env("POPVIEW_TEST_EMPTY_PASSWORD").encode()).decode()
        fail.check(conn._shortcmd("AUTH PLAIN " + token).startswith(b"+OK"),
                   "AUTH PLAIN for empty refused")
        fail.check(conn.stat() == (0, 0), "empty: STAT is not 0 0")
        conn.quit()
    finally:
        conn.close()

    # A wrong password is refused (auth_failure_delay = 0 keeps this quick).
    conn = connect_pop3s()
    try:
        conn.user(user)
        try:
            conn.pass_(password + "-wrong")
            fail.check(False, "wrong password accepted")
        except poplib.error_proto as e:
            fail.check(b"-ERR" in e.args[0], "wrong password: unexpected reply %r" % e.args[0])
    finally:
        conn.close()


# (address variable, reason OpenSSL gives).  Each address serves a
# certificate with exactly one defect; the client verifies the address itself.
BAD_CERTS = [
    ("POPVIEW_TEST_ADDR_WRONG_NAME", r"IP address mismatch"),
    ("POPVIEW_TEST_ADDR_EXPIRED", r"certificate has expired"),
    ("POPVIEW_TEST_ADDR_SELF_SIGNED", r"self.signed certificate"),
    ("POPVIEW_TEST_ADDR_NOT_YET_VALID", r"certificate is not yet valid"),
]


def expect_refused(fail, label, connect, reason):
    try:
        conn = connect()
    except ssl.SSLCertVerificationError as e:
        fail.check(re.search(reason, e.verify_message or "") is not None,
                   "%s: refused, but for %r, expected /%s/" % (label, e.verify_message, reason))
        return
    except (OSError, poplib.error_proto) as e:
        fail.check(False, "%s: expected a certificate error, got %r" % (label, e))
        return
    conn.close()
    fail.check(False, "%s: the certificate was accepted" % label)


def smoke_certificates(fail):
    for var, reason in BAD_CERTS:
        addr = env(var)
        expect_refused(fail, "POP3S %s (%s)" % (addr, var),
                       lambda a=addr: connect_pop3s(a), reason)
        expect_refused(fail, "STLS %s (%s)" % (addr, var),
                       lambda a=addr: connect_stls(a), reason)
    # The good certificate is checked by name too, and is not trusted
    # without the test CA.
    expect_refused(fail, "POP3S 127.0.0.1 with the system's CAs",
                   lambda: connect_pop3s("localhost", ssl.create_default_context()),
                   r"unable to get local issuer certificate")
    conn = connect_pop3s("127.0.0.1")
    conn.close()


def cmd_smoke():
    fail = Failures()
    smoke_logins(fail)
    smoke_certificates(fail)
    for item in fail.items:
        print("pop3_probe.py: FAIL: " + item, file=sys.stderr)
    if fail.items:
        return 1
    count = len(read_expected(env("POPVIEW_TEST_EXPECTED")))
    print("pop3_probe.py: harness OK (%d messages for alice, 4 bad certificates refused)" % count)
    return 0


# user name -> (variable with the login name, variable with the password)
USERS = {
    "alice": ("POPVIEW_TEST_USER", "POPVIEW_TEST_PASSWORD"),
    "bob": ("POPVIEW_TEST_BOB_USER", "POPVIEW_TEST_BOB_PASSWORD"),
    "empty": ("POPVIEW_TEST_EMPTY_USER", "POPVIEW_TEST_EMPTY_PASSWORD"),
}


def cmd_uidl(user="alice"):
    if user not in USERS:
        print("pop3_probe.py: unknown user %r (alice, bob, empty)" % user, file=sys.stderr)
        return 2
    conn = connect_pop3s()
    try:
        login(conn, env(USERS[user][0]), env(USERS[user][1]))
        _, uidls, _ = conn.uidl()
        for line in uidls:
            num, uid = line.decode("ascii").split()
            print("%s\t%s" % (num, uid))
        conn.quit()
    finally:
        conn.close()
    return 0


def main(argv):
    if argv == ["smoke"]:
        return cmd_smoke()
    if len(argv) in (1, 2) and argv[0] == "uidl":
        return cmd_uidl(*argv[1:])
    print("usage: pop3_probe.py smoke | uidl [alice|bob|empty]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
