#!/usr/bin/env python3
"""Counts the bytes a full listing moves, and how fast the server can send them.

The benchmark's reference client.  It logs in (USER/PASS), sends STAT, then
LIST, UIDL, every `TOP n 0` and QUIT all at once (RFC 2449 PIPELINING),
reading replies while it writes (one thread, non-blocking socket), and counts
the bytes of each kind of reply as they come off the wire: status line,
content and the terminating ".", what any client must receive.  It decodes
nothing, so its time is close to what the server needs to serve the listing
(the "server floor").

  --port P            plain POP3 (the byte counts are POP3 bytes, no TLS)
  --tls --cafile CA   implicit TLS (pop3s), like popview's --summary

The benchmark runs it first on every mailbox so that Dovecot has built its
index before anything is timed.  Prints one JSON object: messages,
list_bytes, uidl_bytes, top_bytes, seconds (from connect() to the QUIT
reply).
"""

import argparse
import json
import os
import selectors
import socket
import ssl
import sys
import time

READ_SIZE = 1024 * 1024
TERMINATOR = b"\r\n.\r\n"


def single_end(buf, pos):
    """End of the single-line reply at pos, or -1 if not all there yet."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        return -1
    if not buf.startswith(b"+OK", pos):
        raise ConnectionError("server said: %r" % bytes(buf[pos:end][:200]))
    return end + 2


def multi_end(buf, pos):
    """End of the multi-line reply at pos (RFC 1939 section 3), or -1."""
    body = single_end(buf, pos)
    if body < 0:
        return -1
    # Search from the status line's own CRLF: an empty body is "+OK\r\n.\r\n".
    end = buf.find(TERMINATOR, body - 2)
    return -1 if end < 0 else end + len(TERMINATOR)


class Session:
    """A blocking POP3 exchange for the login, then a pipelined burst."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()

    def _recv(self):
        data = self.sock.recv(READ_SIZE)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buf += data

    def command(self, text):
        if text is not None:
            self.sock.sendall(text.encode() + b"\r\n")
        while True:
            end = single_end(self.buf, 0)
            if end >= 0:
                line = bytes(self.buf[:end - 2])
                del self.buf[:end]
                return line
            self._recv()

    def burst(self, commands, kinds):
        """Sends commands while reading len(kinds) replies; returns their sizes.

        kinds: a list of "multi"/"single" in the order the replies come.
        Non-blocking on both sides so that neither the server's output nor
        our own commands can fill a socket buffer and stall the other.
        """
        self.sock.setblocking(False)
        sel = selectors.DefaultSelector()
        sel.register(self.sock, selectors.EVENT_READ | selectors.EVENT_WRITE)
        out = memoryview(commands)
        sizes = []
        pos = 0
        want_write = True
        while len(sizes) < len(kinds):
            if want_write:
                try:
                    sent = self.sock.send(out[:256 * 1024])
                    out = out[sent:]
                except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                    pass
                if not out:
                    want_write = False
                    sel.modify(self.sock, selectors.EVENT_READ)
            got = False
            eof = False
            while True:
                try:
                    data = self.sock.recv(READ_SIZE)
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                    break
                if not data:
                    eof = True
                    break
                self.buf += data
                got = True
            if got:
                while len(sizes) < len(kinds):
                    find = multi_end if kinds[len(sizes)] == "multi" else single_end
                    end = find(self.buf, pos)
                    if end < 0:
                        break
                    sizes.append(end - pos)
                    pos = end
                # Drop what was parsed now and then, not on every reply.
                if pos > 8 * READ_SIZE:
                    del self.buf[:pos]
                    pos = 0
            if eof and len(sizes) < len(kinds):
                raise ConnectionError("the server closed the connection")
            if not got and len(sizes) < len(kinds):
                sel.select(30)
        sel.close()
        return sizes


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--tls", action="store_true", help="implicit TLS (pop3s port)")
    ap.add_argument("--cafile", help="CA for --tls")
    ap.add_argument("--servername", default="localhost")
    ap.add_argument("--user", required=True)
    ap.add_argument("--password-env", default="POPVIEW_PASSWORD")
    args = ap.parse_args(argv)
    password = os.environ.get(args.password_env)
    if password is None:
        ap.error("%s is not set" % args.password_env)
    if args.tls and not args.cafile:
        ap.error("--tls needs --cafile")

    start = time.perf_counter()
    sock = socket.create_connection((args.host, args.port), timeout=600)
    if args.tls:
        ctx = ssl.create_default_context(cafile=args.cafile)
        sock = ctx.wrap_socket(sock, server_hostname=args.servername)
    with sock:
        s = Session(sock)
        s.command(None)
        s.command("USER " + args.user)
        s.command("PASS " + password)
        messages = int(s.command("STAT").split()[1])
        commands = b"LIST\r\nUIDL\r\n" + b"".join(
            b"TOP %d 0\r\n" % n for n in range(1, messages + 1)) + b"QUIT\r\n"
        kinds = ["multi"] * (2 + messages) + ["single"]
        sizes = s.burst(commands, kinds)
        elapsed = time.perf_counter() - start
    json.dump({"messages": messages, "list_bytes": sizes[0], "uidl_bytes": sizes[1],
               "top_bytes": sum(sizes[2:-1]), "seconds": elapsed}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
