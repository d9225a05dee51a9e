#!/usr/bin/env python3
"""hostile_pop3d.py — a POP3 server that is broken or hostile on purpose.

    hostile_pop3d.py SCENARIO --log FILE
    hostile_pop3d.py --list

Listens on 127.0.0.1, port 0 (the kernel picks a free one), prints the
port on stdout, and plays SCENARIO on every connection (each in a thread)
until it is killed or --lifetime seconds have passed.  Every line a client
sends is appended to the log file as it arrives ("C: LINE", bytes outside
printable ASCII as \\xHH), so a test can assert what popview did and did
not send, e.g. that no USER, PASS, APOP or AUTH left it in clear.

A scenario is a small class over a well-behaved server (Pop3Play, a
three-message mailbox with CAPA, USER/PASS, STAT, LIST, UIDL, TOP, RETR,
QUIT); it overrides only what it breaks.  `--list` prints every name with
what the server does.  Python 3 standard library only.
"""
import argparse
import socket
import struct
import sys
import threading
import time

CRLF = b'\r\n'
TEN_MB = 10 * 1024 * 1024


def message(sender, subject, date, body):
    head = 'From: {}\r\nTo: u@example.org\r\nSubject: {}\r\nDate: {}\r\n'.format(
        sender, subject, date)
    return (head + '\r\n' + body).encode('utf-8')


# The mailbox every scenario starts from; tests/hostile/hostile_lib.sh
# knows its summary rows.
MAILBOX = [
    message('Alice Example <alice@example.org>', 'First message',
            'Sun, 2 Mar 2025 14:05:00 +0100', 'Hello.\r\n.leading dot\r\n'),
    message('=?UTF-8?B?QmrDtnJu?= <bjorn@example.org>', '=?ISO-8859-1?Q?Gr=FC=DFe?=',
            'Mon, 3 Mar 2025 09:00:00 +0000', 'Second body.\r\n'),
    message('carol@example.org', 'Third', 'Tue, 4 Mar 2025 18:30:00 -0500', 'Third body.\r\n'),
]
UIDS = ['uid-1', 'uid-2', 'uid-3']
SCENARIOS = {}


def scenario(name):
    def register(cls):
        SCENARIOS[name] = cls
        return cls
    return register


class Hangup(Exception):
    """The scenario ends the connection (closed, reset or abandoned)."""


class Pop3Play:
    """A correct POP3 server (RFC 1939, RFC 2449) over one connection."""

    greeting = b'+OK hostile_pop3d ready'
    capa = [b'TOP', b'UIDL', b'USER', b'PIPELINING', b'RESP-CODES', b'AUTH-RESP-CODE']

    def __init__(self, sock, log):
        self.sock = sock
        self.log = log
        self.buf = b''
        self.mailbox = list(MAILBOX)
        self.uids = list(UIDS)

    # --- transport ---------------------------------------------------------
    def send(self, data):
        self.sock.sendall(data)

    def line(self, data):
        self.send(data + CRLF)

    def multi(self, status, lines):
        """A multi-line reply: status, dot-stuffed lines, the final dot."""
        out = [status]
        for line in lines:
            out.append(b'.' + line if line.startswith(b'.') else line)
        out.append(b'.')
        self.send(CRLF.join(out) + CRLF)

    def recv_line(self):
        while b'\n' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise Hangup()
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        line = line.rstrip(b'\r')
        self.log('C: ' + ''.join(chr(c) if 0x20 <= c < 0x7f else '\\x%02x' % c for c in line))
        return line

    def reset(self):
        """Closes with a TCP RST instead of a FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.sock.close()
        raise Hangup()

    def close(self):
        self.sock.close()
        raise Hangup()

    def stall(self, seconds=60):
        """Stays connected and silent (the client's timeout must end it)."""
        time.sleep(seconds)
        raise Hangup()

    # --- the dialogue ------------------------------------------------------
    def play(self):
        self.send_greeting()
        while True:
            words = self.recv_line().split(b' ')
            verb = words[0].upper().decode('ascii', 'replace')
            handler = getattr(self, 'cmd_' + verb.lower(), None) if verb.isalpha() else None
            if handler is None:
                self.line(b'-ERR unknown command')
            else:
                handler(words[1:])

    def send_greeting(self):
        self.line(self.greeting)

    def cmd_capa(self, args):
        self.multi(b'+OK capabilities follow', self.capa)

    def cmd_user(self, args):
        self.line(b'+OK send PASS')

    def cmd_pass(self, args):
        self.line(b'+OK logged in')

    def cmd_stat(self, args):
        self.line(b'+OK %d %d' % (len(self.mailbox), sum(len(m) for m in self.mailbox)))

    def list_lines(self):
        return [b'%d %d' % (i + 1, len(m)) for i, m in enumerate(self.mailbox)]

    def cmd_list(self, args):
        if not args:
            self.multi(b'+OK scan listing follows', self.list_lines())
            return
        # LIST n (RFC 1939 section 5): the scenario's own line for n, so a
        # scenario that lies in LIST lies here too.
        line = next((l for l in self.list_lines() if l.split(b' ')[0] == args[0]), None)
        self.line(b'+OK ' + line if line else b'-ERR no such message')

    def uidl_lines(self):
        return [b'%d %s' % (i + 1, u.encode()) for i, u in enumerate(self.uids)]

    def cmd_uidl(self, args):
        self.multi(b'+OK unique-id listing follows', self.uidl_lines())

    def message_lines(self, n):
        return self.mailbox[n - 1].split(CRLF)[:-1] if self.mailbox[n - 1].endswith(CRLF) \
            else self.mailbox[n - 1].split(CRLF)

    def header_lines(self, n):
        lines = self.message_lines(n)
        return lines[:lines.index(b'') + 1] if b'' in lines else lines

    def number(self, args):
        try:
            n = int(args[0])
        except (IndexError, ValueError):
            return None
        return n if 1 <= n <= len(self.mailbox) else None

    def cmd_top(self, args):
        n = self.number(args)
        if n is None:
            self.line(b'-ERR no such message')
        else:
            self.top(n)

    def top(self, n):
        self.multi(b'+OK top of message follows', self.header_lines(n))

    def cmd_retr(self, args):
        n = self.number(args)
        if n is None:
            self.line(b'-ERR no such message')
        else:
            self.multi(b'+OK message follows', self.message_lines(n))

    def cmd_noop(self, args):
        self.line(b'+OK')

    def cmd_dele(self, args):
        self.line(b'-ERR hostile_pop3d deletes nothing')

    def cmd_quit(self, args):
        self.line(b'+OK bye')
        self.close()


# --- garbage on the wire ----------------------------------------------------

def send_ten_mb(play, first=b''):
    block = b'A' * 65536
    play.send(first)
    for _ in range(TEN_MB // len(block)):
        play.send(block)


@scenario('long-line-greeting')
class LongLineGreeting(Pop3Play):
    """The greeting is a 10 MB line with no newline; then silence."""

    def send_greeting(self):
        send_ten_mb(self, b'+OK ')
        self.stall()


@scenario('long-line-top')
class LongLineTop(Pop3Play):
    """TOP 1 sends a header line of 10 MB with no newline, then closes."""

    def top(self, n):
        if n != 1:
            return super().top(n)
        send_ten_mb(self, b'+OK\r\nSubject: ')
        self.close()


@scenario('long-header-top')
class LongHeaderTop(Pop3Play):
    """TOP 1 has a 10 MB Subject line, properly ended: rows must follow."""

    def top(self, n):
        if n != 1:
            return super().top(n)
        send_ten_mb(self, b'+OK\r\nFrom: Alice Example <alice@example.org>\r\nSubject: ')
        self.send(b'\r\n\r\n.\r\n')


@scenario('nul-bytes')
class NulBytes(Pop3Play):
    """NUL bytes in the greeting, a Subject, a From and a UIDL."""

    greeting = b'+OK hostile\x00pop3d ready'

    def __init__(self, sock, log):
        super().__init__(sock, log)
        self.mailbox[0] = self.mailbox[0].replace(b'First message', b'First\x00message')
        self.mailbox[2] = self.mailbox[2].replace(b'From: carol', b'From: \x00carol')
        self.uids[1] = 'uid\x002'


@scenario('invalid-utf8')
class InvalidUtf8(Pop3Play):
    """Broken UTF-8, C1 controls and escapes in header fields and replies."""

    greeting = b'+OK \xff\xfe hostile \xc0\xaf ready \x1b]0;owned\x07'

    def __init__(self, sock, log):
        super().__init__(sock, log)
        self.mailbox[0] = self.mailbox[0].replace(
            b'First message', b'First \xff\xc3( \xed\xa0\x80 \xc2\x9b31m \x1b[2J \xe2\x80\xae')
        self.mailbox[1] = self.mailbox[1].replace(
            b'=?UTF-8?B?QmrDtnJu?=', b'Bj\xf6rn \x9b\x1b]52;c;aGk=\x07')


@scenario('err-invalid-utf8')
class ErrInvalidUtf8(Pop3Play):
    """PASS is refused with escapes, C1 controls and broken UTF-8 in the text."""

    def cmd_pass(self, args):
        self.line(b'-ERR [AUTH] \x1b]0;owned\x07 bad \xff\xfe \xc2\x9b31m \x9b2J \xe2\x80\xae pw')


@scenario('bare-lf')
class BareLf(Pop3Play):
    """Every line the server sends ends in a bare LF."""

    def send(self, data):
        super().send(data.replace(CRLF, b'\n'))


@scenario('bare-cr')
class BareCr(Pop3Play):
    """Every line the server sends ends in a bare CR (no LF ever comes)."""

    def send(self, data):
        super().send(data.replace(CRLF, b'\r'))


@scenario('unsolicited')
class Unsolicited(Pop3Play):
    """An extra line right after the greeting that no command asked for."""

    def send_greeting(self):
        self.send(self.greeting + CRLF + b'+OK and one more thing' + CRLF)


# --- multi-line replies that do not end well ---------------------------------

@scenario('top-never-ends')
class TopNeverEnds(Pop3Play):
    """TOP 1 streams header lines forever, as fast as the client reads."""

    def top(self, n):
        if n != 1:
            return super().top(n)
        self.send(b'+OK\r\nSubject: endless\r\n')
        block = b'X-Filler: ' + b'f' * 100 + CRLF
        block *= 600
        while True:
            self.send(block)


@scenario('capa-never-ends')
class CapaNeverEnds(Pop3Play):
    """CAPA streams capability lines forever."""

    def cmd_capa(self, args):
        self.send(b'+OK\r\n' + CRLF.join(self.capa) + CRLF)
        block = b'X-FILLER ' + b'c' * 100 + CRLF
        block *= 600
        while True:
            self.send(block)


@scenario('list-never-ends')
class ListNeverEnds(Pop3Play):
    """STAT claims 4000000000 messages and LIST streams "n size" forever."""

    def cmd_stat(self, args):
        self.line(b'+OK 4000000000 1000')

    def cmd_list(self, args):
        self.send(b'+OK\r\n')
        n = 1
        while True:
            chunk = b''.join(b'%d 1\r\n' % i for i in range(n, n + 5000))
            n += 5000
            self.send(chunk)


@scenario('retr-never-ends')
class RetrNeverEnds(Pop3Play):
    """No TOP, so popview reads headers with RETR; RETR 1 streams forever."""

    capa = [b'UIDL', b'USER']

    def cmd_top(self, args):
        self.line(b'-ERR unknown command')

    def cmd_retr(self, args):
        if self.number(args) != 1:
            return super().cmd_retr(args)
        self.send(b'+OK\r\n' + CRLF.join(self.header_lines(1)) + CRLF)
        block = (b'body ' + b'b' * 100 + CRLF) * 600
        while True:
            self.send(block)


@scenario('retr-more-than-list')
class RetrMoreThanList(Pop3Play):
    """LIST says message 1 has 146 octets; RETR 1 sends 1 MB more, then ends well."""

    def cmd_retr(self, args):
        if self.number(args) != 1:
            return super().cmd_retr(args)
        self.multi(b'+OK message follows',
                   self.message_lines(1) + [b'more ' + b'm' * 100] * 10000)


@scenario('list-10g')
class List10G(Pop3Play):
    """LIST gives message 1 a size of 10 GiB; RETR 1 would stream forever."""

    def list_lines(self):
        return [b'1 10737418240', b'2 %d' % len(self.mailbox[1]), b'3 %d' % len(self.mailbox[2])]

    def cmd_retr(self, args):
        if self.number(args) != 1:
            return super().cmd_retr(args)
        self.send(b'+OK\r\n' + CRLF.join(self.header_lines(1)) + CRLF)
        block = (b'body ' + b'b' * 100 + CRLF) * 600
        while True:
            self.send(block)


@scenario('retr-close-mid')
class RetrCloseMid(Pop3Play):
    """RETR 1 sends the header and half a body line, then closes."""

    def cmd_retr(self, args):
        if self.number(args) != 1:
            return super().cmd_retr(args)
        self.send(b'+OK\r\n' + CRLF.join(self.header_lines(1)) + CRLF + b'Hel')
        self.close()


@scenario('top-no-final-dot-close')
class TopNoFinalDotClose(Pop3Play):
    """TOP 1 sends whole header lines but no final dot, then closes."""

    def top(self, n):
        if n != 1:
            return super().top(n)
        self.send(b'+OK\r\n' + CRLF.join(self.header_lines(1)) + CRLF)
        self.close()


@scenario('top-no-final-dot-silent')
class TopNoFinalDotSilent(Pop3Play):
    """TOP 1 sends whole header lines but no final dot, then silence."""

    def top(self, n):
        if n != 1:
            return super().top(n)
        self.send(b'+OK\r\n' + CRLF.join(self.header_lines(1)) + CRLF)
        self.stall()


@scenario('close-mid-line')
class CloseMidLine(Pop3Play):
    """The connection closes in the middle of a data line of TOP 2."""

    def top(self, n):
        if n != 2:
            return super().top(n)
        self.send(b'+OK\r\nFrom: someone@example.org\r\nSubj')
        self.close()


# --- numbers that disagree --------------------------------------------------

@scenario('list-more-than-stat')
class ListMoreThanStat(Pop3Play):
    """STAT says 2 messages, LIST lists 3."""

    def cmd_stat(self, args):
        self.line(b'+OK 2 600')


@scenario('list-fewer-than-stat')
class ListFewerThanStat(Pop3Play):
    """STAT says 5 messages, LIST lists the 3 there are: carry on with LIST."""

    def cmd_stat(self, args):
        self.line(b'+OK 5 1000')


@scenario('list-out-of-range')
class ListOutOfRange(Pop3Play):
    """LIST names message 7 of 3."""

    def list_lines(self):
        return [b'1 100', b'2 200', b'7 300']


@scenario('list-repeated')
class ListRepeated(Pop3Play):
    """LIST names message 2 twice."""

    def list_lines(self):
        return [b'1 100', b'2 200', b'2 200']


@scenario('stat-absurd')
class StatAbsurd(Pop3Play):
    """STAT claims 99999999999999999999 messages (more than 64 bits hold)."""

    def cmd_stat(self, args):
        self.line(b'+OK 99999999999999999999 12')


@scenario('uidl-odd')
class UidlOdd(Pop3Play):
    """UIDL: message 1 fine, 2 and 3 share one UID, an over-long UID for a
    message 9 that does not exist, a line that is not "n uid"."""

    def uidl_lines(self):
        return [b'1 uid-1', b'2 same', b'3 same', b'9 ' + b'x' * 200, b'garbage']


@scenario('uidl-overlong')
class UidlOverlong(Pop3Play):
    """UIDL gives message 2 a UID of 71 characters (RFC 1939 allows 70)."""

    def uidl_lines(self):
        return [b'1 uid-1', b'2 ' + b'u' * 71, b'3 uid-3']


@scenario('negative-size')
class NegativeSize(Pop3Play):
    """LIST gives message 2 the size -5."""

    def list_lines(self):
        return [b'1 100', b'2 -5', b'3 300']


@scenario('huge-size')
class HugeSize(Pop3Play):
    """LIST gives message 2 the size 2^64 - 1 (absurd but a number)."""

    def list_lines(self):
        return [b'1 100', b'2 18446744073709551615', b'3 300']


@scenario('top-whole-message')
class TopWholeMessage(Pop3Play):
    """TOP n 0 returns the whole message, body included."""

    def top(self, n):
        self.multi(b'+OK', self.message_lines(n) + [b'extra body line'] * 1000)


@scenario('top-nothing')
class TopNothing(Pop3Play):
    """TOP 2 returns +OK and the final dot, no header at all."""

    def top(self, n):
        if n != 2:
            return super().top(n)
        self.multi(b'+OK', [])


@scenario('top-refused')
class TopRefused(Pop3Play):
    """TOP 2 answers -ERR: that row is empty and the run ends with 4."""

    def top(self, n):
        if n != 2:
            return super().top(n)
        self.line(b'-ERR [SYS/TEMP] message 2 is being moved')


@scenario('no-top')
class NoTop(Pop3Play):
    """No TOP in CAPA and TOP refused: popview must fall back to RETR."""

    capa = [b'UIDL', b'USER']

    def cmd_top(self, args):
        self.line(b'-ERR unknown command')


# --- response codes (RFC 2449 section 8, RFC 3206) ---------------------------

def refuse_pass(code, text):
    class RefusePass(Pop3Play):
        __doc__ = 'PASS is answered "-ERR [{}] {}".'.format(code, text)

        def cmd_pass(self, args):
            self.line(b'-ERR [%s] %s' % (code.encode(), text.encode()))
    return RefusePass


scenario('in-use')(refuse_pass('IN-USE', 'Mailbox is locked by another POP3 session'))
scenario('login-delay')(refuse_pass('LOGIN-DELAY', 'Wait a while before logging in again'))
scenario('sys-temp')(refuse_pass('SYS/TEMP', 'Internal error, try again later'))
scenario('sys-perm')(refuse_pass('SYS/PERM', 'Mailbox is damaged'))
scenario('auth')(refuse_pass('AUTH', 'Authentication failed'))


@scenario('greeting-sys-temp')
class GreetingSysTemp(Pop3Play):
    """The greeting is "-ERR [SYS/TEMP] ..."."""

    greeting = b'-ERR [SYS/TEMP] Too many connections, try later'


# --- time and the connection --------------------------------------------------

@scenario('silent')
class Silent(Pop3Play):
    """Accepts the connection and never says anything."""

    def send_greeting(self):
        self.stall()


@scenario('silent-after-login')
class SilentAfterLogin(Pop3Play):
    """Never answers STAT (nor anything after it)."""

    def cmd_stat(self, args):
        self.stall()


@scenario('slow-greeting')
class SlowGreeting(Pop3Play):
    """The greeting arrives one byte per second (8 bytes), then all is well."""

    def send_greeting(self):
        for byte in b'+OK hi\r\n':
            self.send(bytes([byte]))
            time.sleep(1)


@scenario('reset-after-greeting')
class ResetAfterGreeting(Pop3Play):
    """Resets the connection (TCP RST) after the greeting."""

    def cmd_capa(self, args):
        self.reset()


@scenario('reset-mid-top')
class ResetMidTop(Pop3Play):
    """Resets the connection in the middle of the TOP 2 reply."""

    def top(self, n):
        if n != 2:
            return super().top(n)
        self.send(b'+OK\r\nFrom: someone@example.org\r\n')
        time.sleep(0.2)
        self.reset()


# --- STLS (RFC 2595 section 4) --------------------------------------------------

@scenario('stls-refused')
class StlsRefused(Pop3Play):
    """CAPA offers STLS, then STLS is answered -ERR."""

    capa = Pop3Play.capa + [b'STLS']

    def cmd_stls(self, args):
        self.line(b'-ERR TLS is not available right now')


@scenario('no-stls')
class NoStls(Pop3Play):
    """CAPA does not offer STLS (any STLS would be refused)."""

    def cmd_stls(self, args):
        self.line(b'-ERR no STLS here')


@scenario('no-capa-stls-refused')
class NoCapaStlsRefused(Pop3Play):
    """CAPA is refused, so popview tries STLS, which is refused too."""

    def cmd_capa(self, args):
        self.line(b'-ERR unknown command')

    def cmd_stls(self, args):
        self.line(b'-ERR unknown command')


@scenario('stls-injection')
class StlsInjection(Pop3Play):
    """STLS +OK followed at once by a line in clear (a command injection)."""

    capa = Pop3Play.capa + [b'STLS']

    def cmd_stls(self, args):
        self.send(b'+OK begin TLS\r\n+OK injected\r\n')
        self.stall(10)


@scenario('stls-no-handshake')
class StlsNoHandshake(Pop3Play):
    """STLS +OK, then the server closes instead of starting TLS."""

    capa = Pop3Play.capa + [b'STLS']

    def cmd_stls(self, args):
        self.line(b'+OK begin TLS')
        time.sleep(0.3)
        self.close()


@scenario('normal')
class Normal(Pop3Play):
    """A well-behaved server: the reference rows."""


# --- serving ------------------------------------------------------------------

def serve(play_class, log_path, lifetime):
    lock = threading.Lock()
    log_file = open(log_path, 'a', encoding='utf-8')
    counter = [0]

    def handle(conn, number):
        def log(text):
            with lock:
                log_file.write('%d %s\n' % (number, text))
                log_file.flush()
        play = play_class(conn, log)
        try:
            play.play()
        except (Hangup, OSError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', 0))
    listener.listen(8)
    print(listener.getsockname()[1], flush=True)
    listener.settimeout(1.0)
    deadline = time.monotonic() + lifetime
    while time.monotonic() < deadline:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            continue
        counter[0] += 1
        threading.Thread(target=handle, args=(conn, counter[0]), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description='A POP3 server that misbehaves on purpose.')
    parser.add_argument('scenario', nargs='?', help='what to play (see --list)')
    parser.add_argument('--log', help='append every client line to this file')
    parser.add_argument('--lifetime', type=float, default=300,
                        help='exit after this many seconds (default 300)')
    parser.add_argument('--list', action='store_true', help='list the scenarios')
    args = parser.parse_args()
    if args.list:
        for name in sorted(SCENARIOS):
            doc = ' '.join((SCENARIOS[name].__doc__ or '').split())
            print('%-24s %s' % (name, doc))
        return 0
    if args.scenario not in SCENARIOS or not args.log:
        parser.error('need a SCENARIO from --list and --log FILE')
    serve(SCENARIOS[args.scenario], args.log, args.lifetime)
    return 0


if __name__ == '__main__':
    sys.exit(main())
