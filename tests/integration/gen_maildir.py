#!/usr/bin/env python3
"""Fill a maildir with deterministic test mail and write what popview must show.

The integration harness (with-dovecot.sh) serves these maildirs through a real
Dovecot.  Profiles:

  alice  ~300 varied messages: RFC 2047 encoded words in many charsets, display
         names with encoded words and quoted strings, raw 8-bit UTF-8 headers,
         MIME structures, dot-stuffing on the wire, folded long headers,
         missing headers, obsolete date forms, two 1-2 MB messages, control
         characters that the terminal sanitizer must neutralise.
  bob    5 small plain messages (delete tests may change this maildir).
  empty  an empty maildir.

Next to the maildir it writes:

  --expected  the summary contract: one line per message, tab separated,
              exactly what `popview --summary --format tsv` prints minus its
              UIDL column (Dovecot assigns UIDLs):
                number, size, date, from, subject
              size  = octets as POP3 counts them (LF line ends become CRLF,
                      RFC 1939 section 11), which is Dovecot's LIST size;
              date  = the Date field in ISO 8601 in the message's own zone
                      ("2025-03-02T14:05:00+01:00"), empty if missing/invalid;
              from  = display name, else the address, RFC 2047 decoded;
              subject = RFC 2047 decoded;
              from and subject pass through popview's one-line sanitizer:
              TAB/CR/LF become one space each, C0 controls ^X (ESC ^[),
              DEL ^?, C1 controls and bidi overrides <U+XXXX>.
  --ids       number and Message-ID per line, so a test can check that
              Dovecot numbers the messages in the intended order.

Message numbers: Dovecot gives maildir files new UIDs in file-name order, so
files are named with strictly increasing, equally long time stamps.

Everything is derived from a fixed seed and fixed dates: two runs produce the
same bytes.  Only the cases whose meaning RFC 5322/2047 pins down are used
(no military zones, no encoded words inside quoted strings, no unknown
charsets), so the expected file is a contract rather than a guess.
"""

import argparse
import base64
import datetime
import os
import random
import sys

SEED = 20250302
# First maildir time stamp; one second per message keeps names ordered.
BASE_TIME = 1740900000
ALICE_COUNT = 300

# ---------------------------------------------------------------------------
# Encoding helpers
# ---------------------------------------------------------------------------

Q_SAFE = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!*+-/")


def ew_b(charset, text, codec=None):
    """One RFC 2047 B encoded word for text (caller keeps it short)."""
    raw = text.encode(codec or charset)
    return "=?%s?B?%s?=" % (charset, base64.b64encode(raw).decode("ascii"))


def ew_q(charset, text, codec=None, letter="Q"):
    """One RFC 2047 Q encoded word (section 4.2: space as '_')."""
    out = []
    for byte in text.encode(codec or charset):
        if byte == 0x20:
            out.append("_")
        elif byte in Q_SAFE:
            out.append(chr(byte))
        else:
            out.append("=%02X" % byte)
    return "=?%s?%s?%s?=" % (charset, letter, "".join(out))


def ew_words(charset, text, codec=None, enc="B", limit=75):
    """Encoded words for text, each at most limit characters long.

    RFC 2047 sections 2 and 5: an encoded word is at most 75 characters and
    decodes to whole characters (for ISO-2022-JP it ends in ASCII mode, which
    Python's encoder does per call).  Adjacent encoded words are joined by a
    space that decoders drop (section 6.2).
    """
    make = ew_b if enc == "B" else ew_q
    words = []
    start = 0
    while start < len(text):
        end = start + 1
        while end < len(text) and len(make(charset, text[start:end + 1], codec)) <= limit:
            end += 1
        words.append(make(charset, text[start:end], codec))
        start = end
    return words


def fold(name, value, width=76):
    """Fold 'name: value' at spaces so no line exceeds width when possible.

    A fold replaces an existing space with LF + space; unfolding (RFC 5322
    section 2.2.3) restores exactly the original value.
    """
    words = value.split(" ")
    lines = []
    cur = name + ":"
    first = True
    for w in words:
        sep = " "
        if not first and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = ""
        cur = cur + sep + w
        first = False
    lines.append(cur)
    return "\n".join(lines)


def sanitize(text):
    """Python model of popview's one-line sanitizer (mail_sanitize ONE_LINE)."""
    out = []
    for ch in text:
        o = ord(ch)
        if ch in "\t\r\n":
            out.append(" ")
        elif o < 0x20:
            out.append("^" + chr(o + 0x40))
        elif o == 0x7F:
            out.append("^?")
        elif 0x80 <= o <= 0x9F or 0x202A <= o <= 0x202E or 0x2066 <= o <= 0x2069:
            out.append("<U+%04X>" % o)
        else:
            out.append(ch)
    return "".join(out)


def zone(minutes):
    return datetime.timezone(datetime.timedelta(minutes=minutes))


def rfc5322_date(dt, comment=None):
    """'Sun, 02 Mar 2025 14:05:00 +0100' with a correct weekday."""
    off = dt.utcoffset().total_seconds() // 60
    sign = "+" if off >= 0 else "-"
    off = abs(int(off))
    s = "%s, %02d %s %04d %02d:%02d:%02d %s%02d%02d" % (
        ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[dt.weekday()],
        dt.day,
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
         "Nov", "Dec")[dt.month - 1],
        dt.year, dt.hour, dt.minute, dt.second, sign, off // 60, off % 60)
    if comment:
        s += " (" + comment + ")"
    return s


def iso(dt):
    return dt.isoformat()


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------


class Msg:
    """One message: header lines (may contain folds), body, expected fields."""

    def __init__(self, headers, body, exp_date, exp_from, exp_subject,
                 crlf=False, final_newline=True):
        self.headers = headers          # list of str (already folded)
        self.body = body                # bytes or str
        self.exp_date = exp_date
        self.exp_from = exp_from
        self.exp_subject = exp_subject
        self.crlf = crlf                # store with CRLF line ends on disk
        self.final_newline = final_newline

    def to_bytes(self):
        head = "\n".join(self.headers).encode("utf-8", "surrogateescape")
        body = self.body if isinstance(self.body, bytes) else self.body.encode("utf-8")
        data = head + b"\n\n" + body
        if self.final_newline and not data.endswith(b"\n"):
            data += b"\n"
        if not self.final_newline:
            data = data.rstrip(b"\n")
        if self.crlf:
            data = data.replace(b"\n", b"\r\n")
        return data


def pop3_size(data):
    """Octets as POP3 counts them: every line end is CRLF on the wire."""
    bare_lf = data.count(b"\n") - data.count(b"\r\n")
    return len(data) + bare_lf


LOREM = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod "
         "tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam "
         "quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo "
         "consequat duis aute irure in reprehenderit voluptate velit esse cillum "
         "fugiat nulla pariatur excepteur sint occaecat cupidatat non proident "
         "sunt culpa qui officia deserunt mollit anim id est laborum").split()


def prose(rng, lines, dots=False):
    """Wrapped pseudo-Latin text; with dots, some lines start with '.'."""
    out = []
    for _ in range(lines):
        words = [rng.choice(LOREM) for _ in range(rng.randint(4, 12))]
        line = " ".join(words)
        if dots and rng.random() < 0.15:
            line = rng.choice([".", "..", "...", ".", ". " + line, "." + line])
        out.append(line)
    return "\n".join(out) + "\n"


def qp_encode(text):
    """Quoted-printable (RFC 2045 section 6.7) of UTF-8 text, soft breaks at 76."""
    out_lines = []
    for line in text.split("\n"):
        enc = []
        for byte in line.encode("utf-8"):
            if (33 <= byte <= 126 and byte != 61) or byte == 32:
                enc.append(chr(byte))
            else:
                enc.append("=%02X" % byte)
        if enc and enc[-1] == " ":
            enc[-1] = "=20"
        cur = ""
        for piece in enc:
            if len(cur) + len(piece) > 75:
                out_lines.append(cur + "=")
                cur = ""
            cur += piece
        out_lines.append(cur)
    return "\n".join(out_lines)


def b64_lines(raw):
    enc = base64.b64encode(raw).decode("ascii")
    return "\n".join(enc[i:i + 76] for i in range(0, len(enc), 76)) + "\n"


def std_headers(num, frm, subject, date, extra=()):
    """Header list in a usual order; None leaves a field out."""
    h = []
    if date is not None:
        h.append(date)
    if frm is not None:
        h.append(frm)
    h.append("To: Alice Tester <alice@localhost>")
    if subject is not None:
        h.append(subject)
    h.append("Message-ID: <%s>" % msgid(num))
    h.extend(extra)
    return h


def msgid(num):
    return "pv-%04d@popview.test" % num


# Display names: (header text, expected).  Cases whose decoding is defined.
FROM_FIXED = [
    ("From: Alice Example <alice@example.com>", "Alice Example"),
    ('From: "Doe, John" <john.doe@example.com>', "Doe, John"),
    ('From: "Jane \\"JJ\\" Smith" <jj@example.net>', 'Jane "JJ" Smith'),
    ("From: =?ISO-8859-1?Q?Andr=E9?= Pirard <pirard@example.be>", "André Pirard"),
    ("From: %s <ivan@example.ru>" % ew_b("KOI8-R", "Иван Петров", "koi8_r"), "Иван Петров"),
    ("From: %s <olga@example.ru>" % ew_q("windows-1251", "Ольга", "cp1251"), "Ольга"),
    ("From: %s <taro@example.jp>" % ew_b("ISO-2022-JP", "山田太郎", "iso2022_jp"), "山田太郎"),
    ("From: %s <wei@example.cn>" % ew_b("GB2312", "王伟", "gb2312"), "王伟"),
    ("From: %s <mei@example.tw>" % ew_b("Big5", "陳美玲", "big5"), "陳美玲"),
    ("From: %s <zoe@example.org>" % ew_b("UTF-8", "Zoë 🎉 Party"), "Zoë 🎉 Party"),
    ("From: José Müller <jose@example.de>", "José Müller"),
    ("From: <noreply@example.org>", "noreply@example.org"),
    ("From: bare.address@example.org", "bare.address@example.org"),
    ('From: "O\'Brien, Seán" <sean@example.ie>', "O'Brien, Seán"),
    ("From: %s %s <split@example.com>" % (ew_b("UTF-8", "Ünï"), ew_b("UTF-8", "cødé")),
     "Ünïcødé"),
    ("From: =?utf-8?q?Fran=C3=A7ois?= Dupont <fd@example.fr>", "François Dupont"),
]

# Subjects per language: (text, list of charset/codec/encoding choices).
SUBJECT_POOLS = [
    (["Quarterly report", "Lunch on Friday?", "Build failed on main",
      "Your invoice #4711", "Meeting notes", "Re: holiday plans",
      "Server maintenance tonight", "Weekly digest"],
     [None]),
    (["Café crème für Jürgen", "Grüße aus Köln", "Ça va très bien",
      "Smörgåsbord à la carte", "Señor Muñoz"],
     [("UTF-8", "utf-8", "B"), ("UTF-8", "utf-8", "Q"),
      ("ISO-8859-1", "latin-1", "Q"), ("iso-8859-1", "latin-1", "B"),
      ("raw", None, None)]),
    (["Привет из Москвы", "Счёт на оплату", "Отчёт за март"],
     [("KOI8-R", "koi8_r", "B"), ("windows-1251", "cp1251", "B"),
      ("Windows-1251", "cp1251", "Q"), ("UTF-8", "utf-8", "B"), ("raw", None, None)]),
    (["会議の議事録", "こんにちは世界", "請求書の送付"],
     [("ISO-2022-JP", "iso2022_jp", "B"), ("UTF-8", "utf-8", "B")]),
    (["你好世界", "会议通知", "发票已发送"],
     [("GB2312", "gb2312", "B"), ("UTF-8", "utf-8", "B")]),
    (["會議通知", "謝謝你的幫忙"],
     [("Big5", "big5", "B"), ("UTF-8", "utf-8", "B")]),
    (["Party time 🎉🎂", "✓ Done — ☕ break", "Ελληνικά νέα"],
     [("UTF-8", "utf-8", "B"), ("utf-8", "utf-8", "Q")]),
]


def encode_subject(text, choice):
    """Header value for text in the chosen charset; returns (value, text)."""
    if choice is None or choice[0] == "raw":
        return text
    charset, codec, enc = choice
    return " ".join(ew_words(charset, text, codec, enc))


ZONES = [60, 120, 0, -300, -480, 330, 540, 480, 180, -180, 600, -240, 345, -210]


def random_date(rng):
    start = datetime.datetime(2019, 1, 1)
    secs = rng.randrange(0, 6 * 365 * 86400)
    off = rng.choice(ZONES)
    dt = (start + datetime.timedelta(seconds=secs)).replace(tzinfo=zone(off))
    return dt


def random_from(rng):
    idx = rng.randrange(len(FROM_FIXED) + 6)
    if idx < len(FROM_FIXED):
        return FROM_FIXED[idx]
    first = rng.choice(["Anna", "Ben", "Chloe", "Dmitri", "Emma", "Farid", "Grace"])
    last = rng.choice(["Schmidt", "Okafor", "Nakamura", "Rossi", "Kowalski"])
    addr = "%s.%s@example.com" % (first.lower(), last.lower())
    return ("From: %s %s <%s>" % (first, last, addr), "%s %s" % (first, last))


def random_subject(rng):
    texts, choices = rng.choice(SUBJECT_POOLS)
    text = rng.choice(texts)
    choice = rng.choice(choices)
    value = encode_subject(text, choice)
    prefix = rng.choice(["", "", "", "Re: ", "Fwd: ", "RE: "])
    return "Subject: " + prefix + value, prefix + text


# Bodies --------------------------------------------------------------------

def body_plain(rng, dots=True):
    hdr = ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
           "Content-Transfer-Encoding: 8bit"]
    text = prose(rng, rng.randint(3, 40), dots)
    if rng.random() < 0.3:
        text += "\nÜmlauts, ĉu vi parolas? — ✓\n"
    return hdr, text


def body_qp(rng):
    hdr = ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
           "Content-Transfer-Encoding: quoted-printable"]
    text = prose(rng, rng.randint(5, 30)) + "Grüße, naïve café = 3 €\n"
    return hdr, qp_encode(text) + "\n"


def body_html(rng):
    hdr = ["MIME-Version: 1.0", "Content-Type: text/html; charset=UTF-8",
           "Content-Transfer-Encoding: 8bit"]
    paras = "".join("<p>%s</p>\n" % prose(rng, 2).strip() for _ in range(rng.randint(2, 8)))
    html = ("<!DOCTYPE html>\n<html><head><title>News</title></head>\n<body>\n"
            "<h1>Newsletter &amp; more</h1>\n%s<a href=\"https://example.com/\">"
            "Read online</a>\n</body></html>\n" % paras)
    return hdr, html


def body_alternative(rng, num):
    b = "=_alt_%04d" % num
    hdr = ["MIME-Version: 1.0",
           'Content-Type: multipart/alternative; boundary="%s"' % b]
    text = prose(rng, rng.randint(3, 10), dots=True)
    _, html = body_html(rng)
    body = ("This is a multi-part message in MIME format.\n\n"
            "--%s\nContent-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: 8bit\n\n%s\n"
            "--%s\nContent-Type: text/html; charset=utf-8\n"
            "Content-Transfer-Encoding: quoted-printable\n\n%s\n"
            "--%s--\n") % (b, text, b, qp_encode(html), b)
    return hdr, body


def body_mixed(rng, num, attach_size=None):
    b = "----=_mixed_%04d" % num
    hdr = ["MIME-Version: 1.0",
           'Content-Type: multipart/mixed; boundary="%s"' % b]
    size = attach_size if attach_size is not None else rng.randint(200, 30000)
    kind = rng.choice([("application/pdf", "report.pdf"),
                       ("image/png", "photo.png"),
                       ("application/octet-stream", "data.bin"),
                       ("application/zip", "archive.zip")])
    raw = rng.randbytes(size)
    _, alt = body_alternative(rng, num)
    alt_b = "=_alt_%04d" % num
    parts = [
        "--%s\nContent-Type: multipart/alternative; boundary=\"%s\"\n\n%s" % (b, alt_b, alt),
        "--%s\nContent-Type: %s; name=\"%s\"\nContent-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment; filename=\"%s\"\n\n%s" % (
            b, kind[0], kind[1], kind[1], b64_lines(raw)),
    ]
    if rng.random() < 0.4:
        fname = "=?UTF-8?B?%s?=" % base64.b64encode("Überblick März.txt".encode()).decode()
        parts.append(
            "--%s\nContent-Type: text/plain; charset=utf-8; name=\"%s\"\n"
            "Content-Disposition: attachment; filename*=UTF-8''%%C3%%9Cberblick%%20M%%C3%%A4rz.txt\n"
            "Content-Transfer-Encoding: 8bit\n\n%s" % (b, fname, prose(rng, 3)))
    body = "This is a multi-part message in MIME format.\n\n" + "\n".join(parts) + "\n--%s--\n" % b
    return hdr, body


def random_body(rng, num):
    kind = rng.random()
    if kind < 0.35:
        return body_plain(rng)
    if kind < 0.5:
        return body_qp(rng)
    if kind < 0.62:
        return body_html(rng)
    if kind < 0.82:
        return body_alternative(rng, num)
    return body_mixed(rng, num)


# Special cases ---------------------------------------------------------------

def special_messages():
    """The hand-written edge cases, as tuples for make_special:
    (Date field, expected date, From field, expected from, Subject field,
    expected subject, body, extra fields, Msg keyword arguments).  A field
    given as None is left out.  The Message-ID and the body are added once
    the message's number is known.
    """
    d = datetime.datetime
    cases = []

    def add(date_hdr, exp_date, from_hdr, exp_from, subj_hdr, exp_subj,
            body=None, extra=(), **kw):
        cases.append((date_hdr, exp_date, from_hdr, exp_from, subj_hdr, exp_subj,
                      body, extra, kw))

    std_dt = d(2025, 3, 2, 14, 5, tzinfo=zone(60))
    std_date = "Date: " + rfc5322_date(std_dt)
    std_iso = iso(std_dt)
    alice_from = FROM_FIXED[0]

    # 1 The plain reference message.
    add(std_date, std_iso, *alice_from, "Subject: Hello from the popview tests",
        "Hello from the popview tests")
    # Encoded-word subjects, one charset each.
    for charset, codec, enc, text in [
            ("UTF-8", "utf-8", "B", "Grüße aus Köln ✓"),
            ("UTF-8", "utf-8", "Q", "Café crème brûlée"),
            ("utf-8", "utf-8", "q", "lower-case charset and q"),
            ("ISO-8859-1", "latin-1", "Q", "Ça coûte cinq euros, señor?"),
            ("KOI8-R", "koi8_r", "B", "Привет, мир"),
            ("windows-1251", "cp1251", "B", "Съешь же ещё этих булок"),
            ("Windows-1251", "cp1251", "Q", "Здравствуйте"),
            ("ISO-2022-JP", "iso2022_jp", "B", "日本語の件名です"),
            ("GB2312", "gb2312", "B", "简体中文主题"),
            ("Big5", "big5", "B", "繁體中文主旨"),
            ("UTF-8", "utf-8", "B", "Emoji 🎉🚀 four-byte UTF-8"),
    ]:
        if enc in "Bb":
            value = ew_b(charset, text, codec)
        else:
            value = ew_q(charset, text, codec, letter=enc)
        add(std_date, std_iso, *alice_from, "Subject: " + value, text)
    # Encoded word next to plain text keeps the space; adjacent words lose it.
    add(std_date, std_iso, *alice_from,
        "Subject: Re: %s and more" % ew_q("ISO-8859-1", "Résumé", "latin-1"),
        "Re: Résumé and more")
    add(std_date, std_iso, *alice_from,
        "Subject: %s %s" % (ew_b("UTF-8", "Zusammen"), ew_b("UTF-8", "geschrieben")),
        "Zusammengeschrieben")
    add(std_date, std_iso, *alice_from,
        "Subject: %s\n %s\n\t%s" % (ew_b("ISO-2022-JP", "長い件名を", "iso2022_jp"),
                                    ew_b("ISO-2022-JP", "複数の単語に", "iso2022_jp"),
                                    ew_b("ISO-2022-JP", "分割しました", "iso2022_jp")),
        "長い件名を複数の単語に分割しました")
    add(std_date, std_iso, *alice_from,
        "Subject: %s" % "\n ".join(ew_words("UTF-8", "Ein sehr langer Betreff mit "
                                            "Ümläuten, der über mehrere kodierte "
                                            "Wörter verteilt ist und gefaltet wird",
                                            limit=40)),
        "Ein sehr langer Betreff mit Ümläuten, der über mehrere kodierte Wörter "
        "verteilt ist und gefaltet wird")
    add(std_date, std_iso, *alice_from, "Subject: =?UTF-8*en?Q?Language_tag_(RFC_2231)?=",
        "Language tag (RFC 2231)")
    # Mixed charsets in one subject.
    add(std_date, std_iso, *alice_from,
        "Subject: [list] %s / %s" % (ew_b("KOI8-R", "Новости", "koi8_r"),
                                     ew_q("ISO-8859-1", "Nouvelles", "latin-1")),
        "[list] Новости / Nouvelles")
    # Raw 8-bit UTF-8 headers.
    add(std_date, std_iso, "From: Jürgen Weiß <jw@example.de>", "Jürgen Weiß",
        "Subject: Raw UTF-8: Grüße, 日本語, Ελληνικά, עברית", "Raw UTF-8: Grüße, 日本語, Ελληνικά, עברית")
    # Display-name forms.
    for i, (frm, exp) in enumerate(FROM_FIXED[1:], start=2):
        add(std_date, std_iso, frm, exp, "Subject: Sender form %d" % i, "Sender form %d" % i)
    # Long folded headers.
    long_subj = " ".join("word%03d" % i for i in range(120))
    add(std_date, std_iso, *alice_from, fold("Subject", long_subj), long_subj)
    add(std_date, std_iso, *alice_from,
        "Subject: folded with a tab\n\tcontinues here", "folded with a tab continues here")
    refs = " ".join("<ref%04d.%d@lists.example.org>" % (i, i * 7919) for i in range(200))
    add(std_date, std_iso, *alice_from, "Subject: Very long References field",
        "Very long References field", extra=[fold("References", refs)])
    received = ("Received: from mail.example.org (mail.example.org [192.0.2.25])\n"
                "\tby mx.popview.test (Postfix) with ESMTPS id 4Z0abc\n"
                "\tfor <alice@localhost>; " + rfc5322_date(std_dt))
    add(std_date, std_iso, *alice_from, "Subject: With Received and X- fields",
        "With Received and X- fields",
        extra=[received, "X-Mailer: popview-gen 1.0",
               fold("X-Long-Unfolded-Tokens", "x" * 900)])
    # Missing fields.
    add(None, "", *alice_from, "Subject: No Date field", "No Date field")
    add(std_date, std_iso, None, "", "Subject: No From field", "No From field")
    add(std_date, std_iso, *alice_from, None, "")
    add(None, "", None, "", None, "")
    add(std_date, std_iso, *alice_from, "Subject:", "")
    # Header names in other case.
    add(std_date.replace("Date:", "DATE:"), std_iso,
        alice_from[0].replace("From:", "from:"), alice_from[1],
        "SUBJECT: Field names are case-insensitive", "Field names are case-insensitive")
    # Dates: odd but valid (RFC 5322 section 3.3 and obsolete section 4.3).
    for date_hdr, exp in [
            ("Date: 2 Mar 2025 14:05 +0100", "2025-03-02T14:05:00+01:00"),
            ("Date: Sun, 2 Mar 25 14:05:00 EST", "2025-03-02T14:05:00-05:00"),
            ("Date: Thu, 31 Dec 98 23:59:59 GMT", "1998-12-31T23:59:59+00:00"),
            ("Date: Tue, 1 Jul 2003 10:52:37 +0200 (CEST)", "2003-07-01T10:52:37+02:00"),
            ("Date:   Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T09:55:06-06:00"),
            ("Date: Mon, 3 Feb 2025 08:00:00 PDT", "2025-02-03T08:00:00-07:00"),
            ("Date: Mon, 3 Feb 2025 08:00:00 CST", "2025-02-03T08:00:00-06:00"),
            ("Date: Mon, 3 Feb 2025 08:00:00 UT", "2025-02-03T08:00:00+00:00"),
            ("Date: Wed, 5 Mar 2025\n 09:15:00 +0000", "2025-03-05T09:15:00+00:00"),
            ("Date: Sun, 02 MAR 2025 14:05:00 +0530", "2025-03-02T14:05:00+05:30"),
            ("Date: Sun, 2 Mar 2025 14:05:00 -0330", "2025-03-02T14:05:00-03:30"),
            ("Date: Sun, 2 Mar 2025 23:45:00 +0545", "2025-03-02T23:45:00+05:45"),
            ("Date: Sun, 2 Mar 2025 14:05:00 +1400", "2025-03-02T14:05:00+14:00"),
            ("Date: Thu, 1 Jan 70 00:00:00 +0000", "1970-01-01T00:00:00+00:00"),
            ("Date: Fri, 1 Jan 49 12:00:00 -1200", "2049-01-01T12:00:00-12:00"),
            ("Date: Sun, 29 Feb 2004 12:00:00 +0100", "2004-02-29T12:00:00+01:00"),
    ]:
        add(date_hdr, exp, *alice_from, "Subject: Date form " + date_hdr[6:].replace(
            "\n", " ").strip(), "Date form " + date_hdr[6:].replace("\n", " ").strip())
    for i, date_hdr in enumerate(["Date: yesterday afternoon",
                                  "Date: not a date at all 12:00", "Date:"], start=1):
        add(date_hdr, "", *alice_from, "Subject: Invalid date %d" % i, "Invalid date %d" % i)
    # Control characters: the sanitizer must defuse them.
    esc_text = "\x1b[31mALERT\x1b[0m you won \x1b]0;pwned\x07"
    add(std_date, std_iso, *alice_from, "Subject: " + ew_b("UTF-8", esc_text), esc_text)
    add(std_date, std_iso, *alice_from, "Subject: raw \x1b[2J clear and DEL\x7f here",
        "raw \x1b[2J clear and DEL\x7f here")
    add(std_date, std_iso, *alice_from, "Subject: tab\tinside", "tab\tinside")
    add(std_date, std_iso, *alice_from,
        "Subject: " + ew_b("UTF-8", "bidi \u202eevil.exe\u202c spoof"),
        "bidi \u202eevil.exe\u202c spoof")
    add(std_date, std_iso,
        "From: %s <ctl@example.com>" % ew_b("UTF-8", "Evil\x1b[0m Name"), "Evil\x1b[0m Name",
        "Subject: control character in display name", "control character in display name")
    # Bodies that need dot-stuffing on the wire.
    dot_body = ("A body whose lines start with dots.\n.\n..\n...\n.hidden line\n"
                ". space after dot\n\nEnd.\n.\n")
    add(std_date, std_iso, *alice_from, "Subject: Dots at line starts", "Dots at line starts",
        body=(["MIME-Version: 1.0", "Content-Type: text/plain; charset=us-ascii"], dot_body))
    # Stored with CRLF line ends (some programs write maildirs that way).
    add(std_date, std_iso, *alice_from, "Subject: Stored with CRLF", "Stored with CRLF",
        crlf=True)
    # No line end after the last body line.
    add(std_date, std_iso, *alice_from, "Subject: No final newline", "No final newline",
        body=(["Content-Type: text/plain"], "last line has no newline"), final_newline=False)
    # A 998-octet body line (RFC 5322 section 2.1.1 maximum).
    add(std_date, std_iso, *alice_from, "Subject: 998-octet line", "998-octet line",
        body=(["Content-Type: text/plain"], "y" * 998 + "\n"))
    # HTML only, alternative, mixed: explicit ones besides the random mix.
    add(std_date, std_iso, *alice_from, "Subject: HTML only", "HTML only", body="html")
    add(std_date, std_iso, *alice_from, "Subject: Alternative text and HTML",
        "Alternative text and HTML", body="alternative")
    add(std_date, std_iso, *alice_from, "Subject: Mixed with attachments",
        "Mixed with attachments", body="mixed")
    # Large messages.
    add(std_date, std_iso, *alice_from, "Subject: Large attachment (1.2 MB)",
        "Large attachment (1.2 MB)", body=("mixed", 900 * 1024))
    add(std_date, std_iso, *alice_from, "Subject: Larger attachment (1.9 MB)",
        "Larger attachment (1.9 MB)", body=("mixed", 1400 * 1024))
    return cases


def build_alice(rng, count):
    msgs = []
    specials = special_messages()
    if count < len(specials):
        raise SystemExit("gen_maildir.py: --count must be at least %d" % len(specials))
    # Spread the special cases through the mailbox: the reference message
    # first, the rest at fixed pseudo-random positions among the filler.
    positions = sorted(rng.sample(range(2, count + 1), len(specials) - 1))
    special_at = {1: specials[0]}
    for pos, case in zip(positions, specials[1:]):
        special_at[pos] = case
    for num in range(1, count + 1):
        if num in special_at:
            msgs.append(make_special(rng, num, special_at[num]))
        else:
            msgs.append(make_random(rng, num))
    return msgs


def make_special(rng, num, case):
    date_hdr, exp_date, from_hdr, exp_from, subj_hdr, exp_subj, body, extra, kw = case
    if body is None:
        bh, bt = body_plain(rng)
    elif body == "html":
        bh, bt = body_html(rng)
    elif body == "alternative":
        bh, bt = body_alternative(rng, num)
    elif body == "mixed":
        bh, bt = body_mixed(rng, num)
    elif isinstance(body, tuple) and body[0] == "mixed":
        bh, bt = body_mixed(rng, num, attach_size=body[1])
    else:
        bh, bt = body
    headers = std_headers(num, from_hdr, subj_hdr, date_hdr, list(extra) + bh)
    return Msg(headers, bt, exp_date, exp_from, exp_subj, **kw)


def make_random(rng, num):
    dt = random_date(rng)
    comment = rng.choice([None, None, None, "CET", "UTC"]) if dt.utcoffset() else None
    date_hdr = "Date: " + rfc5322_date(dt, comment)
    from_hdr, exp_from = random_from(rng)
    subj_hdr, exp_subj = random_subject(rng)
    bh, bt = random_body(rng, num)
    extra = ["X-Popview-Seq: %d" % num] + bh
    if rng.random() < 0.3:
        extra.insert(0, "Reply-To: %s" % from_hdr[6:])
    return Msg(std_headers(num, from_hdr, subj_hdr, date_hdr, extra), bt,
               iso(dt), exp_from, exp_subj)


def build_bob(rng):
    msgs = []
    for num in range(1, 6):
        dt = datetime.datetime(2025, 1, num, 9, 30, tzinfo=zone(60))
        headers = std_headers(num, "From: Bob Builder <bob@example.com>",
                              "Subject: Bob message %d" % num,
                              "Date: " + rfc5322_date(dt),
                              ["Content-Type: text/plain; charset=us-ascii"])
        msgs.append(Msg(headers, prose(rng, 3 + num), iso(dt), "Bob Builder",
                        "Bob message %d" % num))
    return msgs


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def write_maildir(maildir, msgs):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    rows = []
    for num, msg in enumerate(msgs, start=1):
        data = msg.to_bytes()
        stamp = BASE_TIME + num
        # cur/ with the ':2,' info suffix: already seen by a mail reader, so
        # Dovecot needs no rename; names sort in the intended order.
        name = "%d.M%06dP1000Q%d.popview.test:2," % (stamp, num, num)
        path = os.path.join(maildir, "cur", name)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (stamp, stamp))
        rows.append((num, pop3_size(data), msg))
    return rows


def write_expected(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for num, size, msg in rows:
            f.write("%d\t%d\t%s\t%s\t%s\n" % (num, size, msg.exp_date,
                                             sanitize(msg.exp_from),
                                             sanitize(msg.exp_subject)))


def write_ids(path, rows):
    with open(path, "w", encoding="ascii", newline="\n") as f:
        for num, _, _ in rows:
            f.write("%d\t<%s>\n" % (num, msgid(num)))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", choices=("alice", "bob", "empty"), required=True)
    ap.add_argument("--count", type=int, default=ALICE_COUNT,
                    help="messages for the alice profile (default %(default)s)")
    ap.add_argument("--expected", required=True, help="summary TSV to write")
    ap.add_argument("--ids", help="number/Message-ID list to write")
    ap.add_argument("maildir")
    args = ap.parse_args(argv)

    rng = random.Random(SEED)
    if args.profile == "alice":
        msgs = build_alice(rng, args.count)
    elif args.profile == "bob":
        msgs = build_bob(rng)
    else:
        msgs = []
    rows = write_maildir(args.maildir, msgs)
    write_expected(args.expected, rows)
    if args.ids:
        write_ids(args.ids, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
