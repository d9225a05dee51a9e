#!/usr/bin/env python3
"""Measures how fast a TLS byte stream crosses loopback, for the transfer bound.

The benchmark's transfer bound is the bytes of all TOP replies divided by
this rate: what the link itself (TLS 1.3 over loopback TCP, optionally
through the delay proxy) can carry, independent of any POP3 server or
client.  Two halves, in two processes so that neither waits for the other's
interpreter lock:

  tls_stream.py --serve --cert C --key K [--bytes N]
      listens on 127.0.0.1 (any free port), prints "listening on
      127.0.0.1:PORT", and sends N bytes (default 256 MiB) to every client
      that connects, then closes it; until SIGTERM.
  receive_rate(port, cafile)   (imported by the benchmark)
      connects, reads everything, returns bytes per second from the first
      byte to the last (so a delayed link's round trips do not count).
"""

import argparse
import signal
import socket
import ssl
import sys
import threading
import time

CHUNK = 1024 * 1024
DEFAULT_BYTES = 256 * 1024 * 1024


def receive_rate(port, cafile, servername="localhost", host="127.0.0.1"):
    """Returns (bytes, seconds from first to last byte) for one stream."""
    ctx = ssl.create_default_context(cafile=cafile)
    with socket.create_connection((host, port), timeout=120) as raw:
        with ctx.wrap_socket(raw, server_hostname=servername) as sock:
            buf = bytearray(CHUNK)
            view = memoryview(buf)
            n = sock.recv_into(view)
            first = time.perf_counter()
            total = n
            while n:
                n = sock.recv_into(view)
                total += n
            return total, time.perf_counter() - first


def _send_stream(conn, ctx, nbytes):
    try:
        with ctx.wrap_socket(conn, server_side=True) as tls:
            block = b"x" * CHUNK
            left = nbytes
            while left > 0:
                tls.sendall(block[:min(left, CHUNK)])
                left -= CHUNK
            try:
                tls.unwrap()
            except (OSError, ssl.SSLError):
                pass
    except (OSError, ssl.SSLError):
        pass


def serve(cert, key, nbytes):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    print("listening on 127.0.0.1:%d" % listener.getsockname()[1], flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=_send_stream, args=(conn, ctx, nbytes), daemon=True).start()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--serve", action="store_true", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--bytes", type=int, default=DEFAULT_BYTES)
    args = ap.parse_args(argv)
    serve(args.cert, args.key, args.bytes)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
