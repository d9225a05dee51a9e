#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer targets (tests/fuzz/corpus/<target>/).

The seeds are small realistic inputs: server dialogues, messages, header
blocks, HTML, hostile text.  fuzz_reply_parser, fuzz_multiline and
fuzz_sanitize read a few setup bytes before the payload (see the top
comment of each harness); this script writes them, so the seeds stay
readable here.  The MIME seeds are copies of tests/mail/data/*.eml plus a
few written here.  Run it after changing a harness's input layout:
    python3 tests/fuzz/corpus/make_seeds.py
It rewrites only the files it names (crash reproducers added by hand
stay).
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..', '..'))

SINGLE, MULTI, SASL, END = 0, 1, 2, 3


def write(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode('utf-8')
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def crlf(*lines):
    return ''.join(line + '\r\n' for line in lines).encode('latin-1')


# --- fuzz_reply_parser: 7 setup bytes, cut points, server bytes ------------

def parser_input(kinds, server, max_line=0, cuts=(), stop_every=0):
    """kinds: expected replies in order (up to 16); max_line 0 = default."""
    assert len(kinds) <= 16 and len(cuts) <= 31
    codes = list(kinds) + [END] * (16 - len(kinds))
    packed = bytearray(4)
    for i, k in enumerate(codes):
        packed[i // 4] |= k << (2 * (i % 4))
    head = bytes([0 if max_line == 0 else 127 + max_line]) + bytes(packed)
    head += bytes([len(cuts), stop_every])
    return head + b''.join(struct.pack('<H', c) for c in cuts) + server


def reply_parser_seeds():
    t = 'fuzz_reply_parser'
    session = crlf(
        '+OK Dovecot (Debian) ready. <2f56.1.6b0424df.Eepg@vm>',
        '+OK', 'CAPA', 'TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'USER', 'SASL PLAIN LOGIN', '.',
        '+OK', '+OK Logged in.',
        '+OK 2 1391',
        '+OK 2 messages:', '1 612', '2 779', '.',
        '+OK', '1 000000015f8c7ee2', '2 000000025f8c7ee2', '.',
        '+OK', 'From: Alice <alice@example.org>', 'Subject: hello', '', '.',
        '+OK Logging out.')
    write(t, 'dovecot-session', parser_input(
        [SINGLE, MULTI, SINGLE, SINGLE, SINGLE, MULTI, MULTI, MULTI, SINGLE], session,
        cuts=(5, 60, 61, 200, 333)))
    sasl = crlf(
        '+OK ready', '+ ', '+ VXNlcm5hbWU6', '+ UGFzc3dvcmQ6', '+OK Logged in.',
        '+ eyJzdGF0dXMiOiI0MDEifQ==', '-ERR [AUTH] Authentication failed.')
    write(t, 'sasl', parser_input([SINGLE, SASL, SASL], sasl, cuts=(9, 10, 11)))
    codes = crlf(
        '-ERR [IN-USE] Mailbox is locked by another POP3 session',
        '-ERR [LOGIN-DELAY] Wait 10 minutes',
        '-ERR [SYS/TEMP] Internal error occurred. Refer to server log for more information.',
        '-ERR [SYS/PERM/QUOTA] Mailbox is over quota',
        '-ERR [AUTH] Authentication failed.',
        '-ERR [UTF8] UTF8 required',
        '-ERR [X-VENDOR/odd] ok',
        '-ERR [] not a code', '-ERR [bad code', '+OK [IN-USE]')
    write(t, 'resp-codes', parser_input([SINGLE] * 10, codes))
    stuffed = crlf('+OK 120 octets', 'Subject: dots', '', '..', '...', '..leading dot',
                   '.\tnot the end', 'last line', '.', '+OK bye')
    write(t, 'dot-stuffing', parser_input([MULTI, SINGLE], stuffed, stop_every=3))
    bare = b'+OK ready\n+OK\nline one\n.. stuffed\r\nmixed ends\n.\n-ERR no\r\n'
    write(t, 'bare-lf', parser_input([SINGLE, MULTI, SINGLE], bare, cuts=(10, 11, 12)))
    long_status = b'+OK ' + b'x' * 40 + b'\r\n-ERR ' + b'y' * 60 + b'\r\n'
    write(t, 'long-status', parser_input([SINGLE, SINGLE], long_status, max_line=48))
    pipelined = crlf('+OK', 'Subject: one', '', '.', '-ERR no such message', '+OK',
                     'Subject: three', '', '.', '+OK')
    write(t, 'pipelined-top', parser_input([MULTI, MULTI, MULTI, SINGLE], pipelined,
                                           cuts=(3, 4, 17, 18, 19, 50)))
    write(t, 'not-pop3-http', parser_input(
        [SINGLE], b'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'))
    write(t, 'not-pop3-tls', parser_input([SINGLE], b'\x15\x03\x03\x00\x02\x02\x46'))
    write(t, 'binary', parser_input([SINGLE, MULTI], b'+OK\r\n+OK\r\n\x00\x01\xff\xfe\r\n.\r\n'))
    write(t, 'long-data-line', parser_input(
        [MULTI], b'+OK\r\n' + b'z' * 5000 + b'\r\n.\r\n', cuts=(4095, 4096, 4097, 4100)))
    write(t, 'unsolicited', parser_input([SINGLE], crlf('+OK hi', '-ERR idle timeout')))


# --- fuzz_multiline: flags byte, cut points, message -----------------------

def multiline_input(message, bare_lf=False, cuts=()):
    assert len(cuts) <= 31
    head = bytes([(1 if bare_lf else 0) | (len(cuts) << 1)])
    return head + b''.join(struct.pack('<H', c) for c in cuts) + message


def multiline_seeds():
    t = 'fuzz_multiline'
    msg = (b'From: Bob <bob@example.org>\r\nSubject: dot lines\r\n\r\n'
           b'.\r\n..\r\n.leading\r\n. space\r\n\r\nend.\r\n')
    write(t, 'dot-lines', multiline_input(msg, cuts=(20, 50, 51, 52, 53)))
    write(t, 'bare-lf', multiline_input(msg.replace(b'\r\n', b'\n'), bare_lf=True, cuts=(7,)))
    write(t, 'cr-inside', multiline_input(b'a\rb\n\r\n.\r\r\n\rx\n', cuts=(1, 2, 3)))
    write(t, 'nul-bytes', multiline_input(b'Subject: \x00\x00\n\n\x00.\x00\n'))
    write(t, 'long-line', multiline_input(b'.' + b'w' * 4100 + b'\n' + b'v' * 4096 + b'\n',
                                          cuts=(4095, 4096, 4097, 4098, 8200)))
    write(t, 'no-final-newline', multiline_input(b'Subject: x\n\nbody without end', bare_lf=True))


# --- fuzz_header: header blocks --------------------------------------------

def header_seeds():
    t = 'fuzz_header'
    write(t, 'plain', crlf(
        'Return-Path: <alice@example.org>',
        'From: "Alice Example" <alice@example.org>',
        'To: bob@example.org, "Carol, C." <carol@example.org>',
        'Subject: Lunch on Friday?',
        'Date: Sun, 2 Mar 2025 14:05:00 +0100',
        'Message-ID: <1234@example.org>', ''))
    write(t, 'rfc2047', crlf(
        'From: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>',
        'Subject: =?UTF-8?B?0J/RgNC40LLQtdGC?= =?KOI8-R?B?8NLJ18XU?=',
        ' =?iso-2022-jp?B?GyRCJDMkcyRLJEEkTxsoQg==?=',
        'Date: Tue, 1 Jul 2003 10:52:37 +0200', ''))
    write(t, 'obsolete-date', crlf(
        'From: Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>',
        'Date: Thu, 13 Feb 69 23:32 -0330 (Newfoundland Time)',
        'Subject: =?utf-8*en?q?hello_world?=', ''))
    write(t, 'folded', b'Subject: a very\r\n\tlong\r\n  folded\r\n line\r\nFrom:\r\n x@y\r\n\r\nbody')
    write(t, 'escapes', b'Subject: \x1b]0;pwned\x07\x1b[2J\xe2\x80\xae evil\r\n'
                         b'From: =?UTF-8?Q?=1B=5B31m?= <a@b>\r\n\r\n')
    write(t, 'legacy-8bit', b'Subject: Gr\xfc\xdfe aus K\xf6ln\r\nFrom: J\xf6rg <j@example.de>\n\n')
    write(t, 'charsets', b'\x03\x8e\xa1\xc4\xe3\xba\xc3\xa4\xbd\xa4\xce')


# --- fuzz_mime: messages ----------------------------------------------------

def mime_seeds():
    t = 'fuzz_mime'
    data = os.path.join(ROOT, 'tests', 'mail', 'data')
    for name in sorted(os.listdir(data)):
        if name.endswith('.eml'):
            with open(os.path.join(data, name), 'rb') as f:
                write(t, name, f.read())
    write(t, 'alternative-qp-base64.eml', crlf(
        'From: a@example.org', 'Subject: alt', 'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary="b1"', '',
        '--b1', 'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable', '',
        'Gr=FC=DFe =', 'soft break', '--b1', 'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64', '',
        'PGh0bWw+PGJvZHk+PHA+SGVsbG8gPGI+d29ybGQ8L2I+PC9wPjwvYm9keT48L2h0bWw+', '--b1--', ''))


# --- fuzz_html ------------------------------------------------------------

def html_seeds():
    t = 'fuzz_html'
    write(t, 'newsletter.html',
          '<!DOCTYPE html><html><head><meta charset="utf-8"><title>News</title>'
          '<style>p{color:red}</style></head><body><h1>Weekly</h1><p>Hello&nbsp;'
          '<a href="https://example.org/a">there</a> &amp; welcome&hellip;</p><ul><li>one'
          '<li>two</ul><img src="x.png" alt="logo"><pre>  keep   spaces\n  here</pre>'
          '<blockquote>quoted</blockquote><script>alert(1)</script></body></html>')
    write(t, 'meta-http-equiv.html',
          '<html><head><meta http-equiv="Content-Type" content="text/html; charset=KOI8-R">'
          '</head><body>\xf0\xd2\xc9\xd7\xc5\xd4</body></html>'.encode('latin-1'))
    write(t, 'entities.html', '&#27;[31m &#x202E; &#0; &#1114112; &bogus; &lt;b&gt; &#x41;')
    write(t, 'broken.html', '<p <a href="x>unclosed <!-- comment <table><tr><td>a<td>b</table')


# --- fuzz_sanitize: one setup byte, text ------------------------------------

def sanitize_seeds():
    t = 'fuzz_sanitize'
    write(t, 'osc-title', b'\x18Subject: \x1b]0;owned\x07 \x1b[2J\x1b[1;31mred\x1b[0m')
    write(t, 'osc52', b'\x30\x1b]52;c;ZWNobyBoaQ==\x07 clipboard')
    write(t, 'bidi', b'\x10invoice_\xe2\x80\xaefdp.exe \xe2\x81\xa6x\xe2\x81\xa9 '
                     b'a\xe2\x80\x8bb\xef\xbb\xbf')
    write(t, 'c1-and-broken', b'\x3f\xc2\x9b31m \x9b31m \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 '
                              b'\xe4\xb8')
    write(t, 'line-ends', b'\x05a\tb\r\nc\rd\ne\x00f\x7f')
    write(t, 'wide', '\x0c中文字符 emoji 😀 e\u0301 ﻿'.encode('utf-8'))


def main():
    reply_parser_seeds()
    multiline_seeds()
    header_seeds()
    mime_seeds()
    html_seeds()
    sanitize_seeds()


if __name__ == '__main__':
    main()
