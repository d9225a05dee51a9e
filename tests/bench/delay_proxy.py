#!/usr/bin/env python3
"""A TCP proxy on loopback that adds network latency, for the benchmark.

The kernel here has no netem qdisc, so the benchmark puts this proxy between
a client and Dovecot to emulate a link with a given round-trip time (RTT).
Glossary:

  RTT      the round-trip time being emulated; every chunk of bytes is held
           RTT/2 in each direction, so a request and its reply take one RTT
           more than on plain loopback.
  chunk    whatever one read() returned; chunks go out in the order they
           came in (one FIFO per direction), so the byte stream is unchanged.
  handshake  a real TCP connection needs one round trip before the client
           can send (SYN, SYN-ACK) and the server sees it half an RTT after
           that (the final ACK).  connect() to the proxy returns at once, so
           the proxy makes up for it: it connects to the server 1.5 RTT after
           accepting and holds the client's first bytes until then.

Bytes in flight (read but not yet sent on) are capped per direction
(--max-in-flight, default 16 MiB) only to bound the proxy's memory; that is
far above what the benchmark keeps in flight, so the proxy adds latency, not
a bandwidth limit.  Listens on 127.0.0.1 only.

Run on its own it prints "listening on 127.0.0.1:PORT" and serves until
SIGTERM/SIGINT (the benchmark runs it so, as a process of its own);
--verify USER:PASSWORD logs in through it (plain POP3, or pop3s with
--cafile) and prints the measured NOOP round trip.
"""

import argparse
import collections
import signal
import socket
import ssl
import statistics
import sys
import threading
import time

READ_SIZE = 256 * 1024
DEFAULT_MAX_IN_FLIGHT = 16 * 1024 * 1024


def sleep_overshoot(samples=15):
    """Median time by which time.sleep() wakes late here (a few 0.1 ms).

    Each chunk is held that much less, so that the emulated RTT is the one
    asked for, not RTT plus twice the scheduler's wake-up latency.
    """
    late = []
    for _ in range(samples):
        t0 = time.monotonic()
        time.sleep(0.002)
        late.append(time.monotonic() - t0 - 0.002)
    return max(0.0, statistics.median(late))


class _Direction:
    """One direction of one connection: a FIFO of (due time, bytes).

    Threads rather than asyncio: time.sleep() wakes within tens of
    microseconds, while an event loop's epoll timeout is rounded up to whole
    milliseconds, which added about 1 ms to every emulated round trip.
    """

    def __init__(self, delay, not_before, max_in_flight, early):
        self.delay = delay
        self.early = early
        self.not_before = not_before
        self.max_in_flight = max_in_flight
        self.chunks = collections.deque()
        self.in_flight = 0
        self.cond = threading.Condition()

    def _put(self, due, data):
        with self.cond:
            while self.in_flight >= self.max_in_flight:
                self.cond.wait()
            self.chunks.append((due, data))
            self.in_flight += len(data)
            self.cond.notify_all()

    def _get(self):
        with self.cond:
            while not self.chunks:
                self.cond.wait()
            return self.chunks.popleft()

    def _sent(self, n):
        with self.cond:
            self.in_flight -= n
            self.cond.notify_all()

    def receive(self, sock):
        """Reads sock until EOF; b"" in the FIFO marks the end."""
        try:
            while True:
                data = sock.recv(READ_SIZE)
                self._put(max(time.monotonic() + self.delay, self.not_before), data)
                if not data:
                    return
        except OSError:
            self._put(time.monotonic(), b"")

    def send(self, get_sock):
        """Sends each chunk when due; get_sock() blocks until the peer exists."""
        sock = None
        try:
            while True:
                due, data = self._get()
                wait = due - time.monotonic() - self.early
                if wait > 0:
                    time.sleep(wait)
                if sock is None:
                    sock = get_sock()
                    if sock is None:
                        return
                if not data:
                    sock.shutdown(socket.SHUT_WR)
                    return
                sock.sendall(data)
                self._sent(len(data))
        except OSError:
            return


class _Connection:
    """One proxied connection: four threads and a late upstream connect."""

    def __init__(self, client, target, rtt, max_in_flight, early):
        self.client = client
        self.target = target
        self.rtt = rtt
        self.upstream = None
        self.upstream_known = threading.Event()
        accepted = time.monotonic()
        self.upstream_at = accepted + 1.5 * rtt
        half = rtt / 2
        self.to_server = _Direction(half, self.upstream_at, max_in_flight, early)
        self.to_client = _Direction(half, 0.0, max_in_flight, early)

    def _wait_upstream(self):
        self.upstream_known.wait()
        return self.upstream

    def run(self):
        threads = [
            threading.Thread(target=self.to_server.receive, args=(self.client,), daemon=True),
            threading.Thread(target=self.to_server.send, args=(self._wait_upstream,), daemon=True),
        ]
        for t in threads:
            t.start()
        wait = self.upstream_at - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            self.upstream = socket.create_connection(self.target, timeout=30)
            self.upstream.settimeout(None)
            self.upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            self.upstream = None
        self.upstream_known.set()
        if self.upstream is not None:
            more = [
                threading.Thread(target=self.to_client.receive, args=(self.upstream,), daemon=True),
                threading.Thread(target=self.to_client.send, args=(lambda: self.client,),
                                 daemon=True),
            ]
            for t in more:
                t.start()
            threads += more
        else:
            self.client.shutdown(socket.SHUT_RDWR)
        for t in threads:
            t.join()
        for s in (self.client, self.upstream):
            if s is not None:
                s.close()


class DelayProxy:
    """Accepts on 127.0.0.1 and forwards to target with rtt/2 each way."""

    def __init__(self, target_host, target_port, rtt, max_in_flight=DEFAULT_MAX_IN_FLIGHT):
        if target_host not in ("127.0.0.1", "localhost"):
            raise ValueError("the delay proxy forwards to loopback only")
        self.target = (target_host, target_port)
        self.rtt = rtt
        self.max_in_flight = max_in_flight
        self.listener = None
        self.stopping = threading.Event()
        self.early = sleep_overshoot() if rtt > 0 else 0.0

    def start(self, listen_port=0):
        self.listener = socket.create_server(("127.0.0.1", listen_port), backlog=64)
        threading.Thread(target=self._accept_loop, name="delay-proxy", daemon=True).start()
        return self.listener.getsockname()[1]

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(client, self.target, self.rtt, self.max_in_flight, self.early)
            threading.Thread(target=conn.run, daemon=True).start()

    def close(self):
        self.stopping.set()
        if self.listener is not None:
            # shutdown() wakes the thread blocked in accept().
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()


def start_proxy(target_port, rtt, target_host="127.0.0.1"):
    """Starts a DelayProxy (its own threads); returns (port, stop function)."""
    proxy = DelayProxy(target_host, target_port, rtt)
    port = proxy.start()
    return port, proxy.close


# ---------------------------------------------------------------------------
# Verification: NOOP round trips on a logged-in plain POP3 session.


def _read_line(sock_file):
    line = sock_file.readline(4096)
    if not line:
        raise ConnectionError("the server closed the connection")
    return line


def _command(sock, sock_file, text):
    sock.sendall(text.encode("ascii") + b"\r\n")
    line = _read_line(sock_file)
    if not line.startswith(b"+OK"):
        raise ConnectionError("%s: %s" % (text.split()[0], line.decode("ascii", "replace").strip()))
    return line


def measure_noop_rtt(port, user, password, count=20, host="127.0.0.1", cafile=None,
                     servername="localhost"):
    """Logs in (USER/PASS) and times NOOP round trips.

    With cafile the port speaks implicit TLS (pop3s), else plain POP3.
    Returns a dict: greeting (seconds from connect() to the greeting: through
    the proxy two RTT, the handshake and the greeting's own trip, plus the
    TLS handshake's round trip with cafile), and the median, min and max of
    count NOOP round trips.
    """
    start = time.perf_counter()
    with socket.create_connection((host, port), timeout=30) as raw:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock = raw
        if cafile:
            ctx = ssl.create_default_context(cafile=cafile)
            sock = ctx.wrap_socket(raw, server_hostname=servername)
        f = sock.makefile("rb")
        greeting_line = _read_line(f)
        greeting = time.perf_counter() - start
        if not greeting_line.startswith(b"+OK"):
            raise ConnectionError("no POP3 greeting: %r" % greeting_line[:80])
        _command(sock, f, "USER " + user)
        _command(sock, f, "PASS " + password)
        samples = []
        for _ in range(count):
            t0 = time.perf_counter()
            _command(sock, f, "NOOP")
            samples.append(time.perf_counter() - t0)
        _command(sock, f, "QUIT")
        f.close()
        if sock is not raw:
            sock.close()
    return {"greeting": greeting, "median": statistics.median(samples),
            "min": min(samples), "max": max(samples), "count": count}


def main(argv):
    ap = argparse.ArgumentParser(description="TCP proxy on 127.0.0.1 that adds RTT/2 each way")
    ap.add_argument("--rtt-ms", type=float, required=True, help="round-trip time to add")
    ap.add_argument("--target-port", type=int, required=True, help="server port on 127.0.0.1")
    ap.add_argument("--listen-port", type=int, default=0, help="default: any free port")
    ap.add_argument("--verify", metavar="USER:PASSWORD",
                    help="log in through the proxy, print the NOOP round trip, exit")
    ap.add_argument("--cafile", help="with --verify: the target speaks implicit TLS (pop3s)")
    args = ap.parse_args(argv)
    if args.rtt_ms < 0:
        ap.error("--rtt-ms must not be negative")
    rtt = args.rtt_ms / 1000.0
    if args.verify:
        user, _, password = args.verify.partition(":")
        port, stop = start_proxy(args.target_port, rtt)
        try:
            r = measure_noop_rtt(port, user, password, cafile=args.cafile)
        finally:
            stop()
        print("target RTT %.1f ms: NOOP round trip median %.1f ms (min %.1f, max %.1f, n=%d), "
              "connect to greeting %.1f ms" % (args.rtt_ms, r["median"] * 1e3, r["min"] * 1e3,
                                                r["max"] * 1e3, r["count"], r["greeting"] * 1e3))
        return 0

    proxy = DelayProxy("127.0.0.1", args.target_port, rtt)
    port = proxy.start(args.listen_port)
    print("listening on 127.0.0.1:%d" % port, flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(3600):
        pass
    proxy.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
