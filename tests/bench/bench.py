#!/usr/bin/env python3
"""popview's benchmark: `popview --summary` against Dovecot, next to other clients.

    sudo tests/bench/bench.py [--quick] [--out tests/bench/results.txt]

Starts the test suite's private Dovecot (tests/integration/with-dovecot.sh,
with POPVIEW_TEST_ALICE_COUNT choosing the mailbox size) with generated
mailboxes of 1,000, 10,000 and 100,000 messages (--quick: the first two),
and times a full mailbox listing on plain loopback and through a delay proxy
that adds a round-trip time (delay_proxy.py, 50 ms by default; the kernel
has no netem):

  popview --summary          cold cache (fresh HOME), median of --reps runs;
                             warm cache (the last cold run's HOME again),
                             median of --reps runs, then one more with
                             --trace to count the TOP commands it still sent
  reference                  top_bytes.py over TLS: LIST, UIDL and all TOP
                             pipelined, nothing decoded (what the server allows)
  Python poplib              TOP per message, one at a time (poplib_client.py)
  curl                       TOP per message on one connection, and LIST alone
  s-nail                     its header summary (LIST n and TOP n 0 per message)
  GNU mailutils frm          From/Subject per message (does not check the
                             certificate)
  transfer bound             bytes of all TOP replies / TLS stream rate on the
                             same path, plus 3 round trips

Clients that would take minutes are capped by time (--budget) and
extrapolated, and say so in the table: poplib and curl from the first
messages they did on the real mailbox; s-nail and frm, which always read the
whole mailbox, run in full on loopback and, with added latency, are
extrapolated from full runs on a 200- and a 5-message mailbox.  Peak RSS
comes from wait4(); "≥" marks a run that did only part of the mailbox.

Needs root (Dovecot's master process), dovecot-pop3d, python3 and openssl,
popview built (--popview, default $POPVIEW_BUILD_ROOT/src/popview or
build/src/popview); the peers curl, s-nail and mailutils are optional (rows
say "not installed").  It installs nothing.  Run it with `nice -n 10` on a
shared machine; everything it starts listens on 127.0.0.1 only.

Internally it runs itself again inside with-dovecot.sh, once for the small
mailboxes that s-nail and frm are fitted on (--stage sample) and once per
mailbox size (--stage measure); each stage writes JSON into a work
directory, and the first process prints the table.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
HARNESS = os.path.join(SOURCE_ROOT, "tests", "integration", "with-dovecot.sh")
sys.path.insert(0, HERE)

import delay_proxy  # noqa: E402
import tls_stream  # noqa: E402

FULL_SIZES = [1000, 10000, 100000]
QUICK_SIZES = [1000, 10000]
SAMPLE_SIZE = 200  # the fit mailbox for s-nail and frm (gen_maildir needs >= 77)
# A run that takes longer than this is killed: nothing here should.
RUN_TIMEOUT = 1800
# Round trips no client can avoid: TCP handshake, TLS 1.3 handshake, and one
# round with every command pipelined (login, LIST, UIDL, TOP...).
BOUND_ROUND_TRIPS = 3
TIME = "/usr/bin/time"  # GNU time (Debian package time), for peak RSS

PEERS = {
    # name: (program, Debian package)
    "curl": ("curl", "curl"),
    "s-nail": ("s-nail", "s-nail"),
    "frm": ("frm", "mailutils"),
}


def say(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Running and timing a process


class Run:
    """One finished process: wall time, peak RSS (KiB), exit code, stderr."""

    def __init__(self, seconds, rss_kib, code, stderr):
        self.seconds = seconds
        self.rss_kib = rss_kib
        self.code = code
        self.stderr = stderr

    def failure(self):
        first = self.stderr.strip().splitlines()[:1]
        return "exit %d%s" % (self.code, (": " + first[0][:100]) if first else "")


def run_timed(argv, env, stdin_path=None, stdout_path=os.devnull, timeout=RUN_TIMEOUT):
    """Runs argv under GNU time, returns a Run with its wall time and peak RSS.

    Peak RSS comes from GNU time (%M, the child's ru_maxrss): not from our own
    wait4(), because Linux counts in ru_maxrss the memory of the process
    image exec() replaced, and a child forked from this Python starts at
    Python's size.  time's own image is about 2 MiB, below anything measured.
    """
    with open(stdin_path or os.devnull, "rb") as fin, open(stdout_path, "wb") as fout, \
            tempfile.TemporaryFile() as ferr, tempfile.NamedTemporaryFile("r") as frss:
        timed = [TIME, "-q", "-f", "%M", "-o", frss.name] + list(argv)
        start = time.perf_counter()
        proc = subprocess.Popen(timed, stdin=fin, stdout=fout, stderr=ferr, env=env)
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        seconds = time.perf_counter() - start
        ferr.seek(0)
        err = ferr.read().decode("utf-8", "replace")
        text = frss.read().strip().splitlines()
    try:
        rss = int(text[-1])
    except (IndexError, ValueError):
        rss = None
    return Run(seconds, rss, code, err)


def base_env(**extra):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8",
           "LANG": "C.UTF-8"}
    env.update(extra)
    return env


def count_lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def private_file(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


class Server:
    """What one with-dovecot.sh instance exported, and where to reach it."""

    def __init__(self):
        e = os.environ
        self.pop3_port = int(e["POPVIEW_TEST_POP3_PORT"])
        self.pop3s_port = int(e["POPVIEW_TEST_POP3S_PORT"])
        self.ca = e["POPVIEW_TEST_CA"]
        self.certs = e["POPVIEW_TEST_CERTS"]
        self.user = e["POPVIEW_TEST_USER"]
        self.password = e["POPVIEW_TEST_PASSWORD"]
        self.bob = e["POPVIEW_TEST_BOB_USER"]
        self.bob_password = e["POPVIEW_TEST_BOB_PASSWORD"]


class Proxy:
    """delay_proxy.py as a process of its own (it must not share our GIL)."""

    def __init__(self, target_port, rtt_ms):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "delay_proxy.py"), "--rtt-ms", str(rtt_ms),
             "--target-port", str(target_port)], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on 127.0.0.1:"):
            self.stop()
            raise RuntimeError("the delay proxy did not start: %r" % line)
        self.port = int(line.rsplit(":", 1)[1])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Network:
    """Where clients connect: loopback (rtt_ms 0) or through a delay proxy."""

    def __init__(self, name, rtt_ms):
        self.name = name
        self.rtt_ms = rtt_ms
        self.proxies = []

    def port_for(self, port):
        if self.rtt_ms == 0:
            return port
        proxy = Proxy(port, self.rtt_ms)
        self.proxies.append(proxy)
        return proxy.port

    def close(self):
        for p in self.proxies:
            p.stop()
        self.proxies = []


# ---------------------------------------------------------------------------
# The clients


def popview_argv(opts, port, ca, user):
    return [opts["popview"], "--summary", "--cafile", ca, "pop3s://%s@localhost:%d" % (user, port)]


def run_popview(opts, work, port, server, messages):
    """Cold runs with a fresh HOME each, then warm runs if a cache appeared."""
    cold, homes = [], []
    out = os.path.join(work, "popview.out")
    for i in range(opts["reps"]):
        home = tempfile.mkdtemp(prefix="home.", dir=work)
        homes.append(home)
        env = base_env(POPVIEW_PASSWORD=server.password, HOME=home,
                       XDG_CACHE_HOME=os.path.join(home, ".cache"),
                       XDG_CONFIG_HOME=os.path.join(home, ".config"))
        r = run_timed(popview_argv(opts, port, server.ca, server.user), env, stdout_path=out)
        if r.code != 0:
            return {"error": "popview " + r.failure()}, None
        rows = count_lines(out)
        if rows < messages:
            return {"error": "popview printed %d lines for %d messages" % (rows, messages)}, None
        cold.append(r)
    cold_row = summarize(cold)
    cached = [os.path.join(d, f) for h in homes for d, _, fs in os.walk(h) for f in fs]
    if not cached:
        return cold_row, None
    warm = []
    home = homes[-1]
    env = base_env(POPVIEW_PASSWORD=server.password, HOME=home,
                   XDG_CACHE_HOME=os.path.join(home, ".cache"),
                   XDG_CONFIG_HOME=os.path.join(home, ".config"))
    for i in range(opts["reps"]):
        r = run_timed(popview_argv(opts, port, server.ca, server.user), env, stdout_path=out)
        if r.code != 0:
            return cold_row, {"error": "popview (warm) " + r.failure()}
        warm.append(r)
    warm_row = summarize(warm)
    # Untimed (writing the trace costs time): did the warm run need TOP?
    trace = os.path.join(work, "popview-warm.trace")
    argv = popview_argv(opts, port, server.ca, server.user)
    r = run_timed(argv[:1] + ["--trace", trace] + argv[1:], env, stdout_path=out)
    if r.code == 0:
        with open(trace, errors="replace") as f:
            tops = sum(1 for line in f if " C: TOP " in line)
        warm_row["how"] += ", %s TOP sent" % num(tops)
    return cold_row, warm_row


FIRST_SCREEN_ROWS = 30  # the tmux pane: 27 message rows between the top and status lines
PLACEHOLDER = "\u2026"  # what the index shows for a row whose header has not arrived


def run_first_screen(opts, work, port, server):
    """The browser in tmux, cold cache: from login (the trace's switch to
    TRANSACTION, with its millisecond time stamp) to the moment no row on
    screen is a placeholder any more, polling the pane every few ms."""
    if not shutil.which("tmux"):
        return {"error": "tmux is not installed"}
    times = []
    for i in range(opts["reps"]):
        home = tempfile.mkdtemp(prefix="home.", dir=work)
        trace = os.path.join(work, "screen-%d.trace" % i)
        sock = "popview-bench-%d-%d" % (os.getpid(), i)
        env = dict(base_env(POPVIEW_PASSWORD=server.password, HOME=home,
                            XDG_CACHE_HOME=os.path.join(home, ".cache"),
                            XDG_CONFIG_HOME=os.path.join(home, ".config")),
                   TERM="xterm-256color")
        cmd = " ".join(shlex.quote(a) for a in [
            opts["popview"], "--trace", trace, "--cafile", server.ca,
            "pop3s://%s@localhost:%d" % (server.user, port)])
        tmux = ["tmux", "-L", sock, "-f", "/dev/null"]
        subprocess.run(tmux + ["new-session", "-d", "-x", "100", "-y", str(FIRST_SCREEN_ROWS),
                               cmd + "; sleep 600"], env=env, check=True)
        shown = None
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                pane = subprocess.run(tmux + ["capture-pane", "-p"], env=env,
                                      capture_output=True, text=True).stdout
                now = time.time()
                rows = pane.split("\n")[1:FIRST_SCREEN_ROWS - 2]
                if "TRANSACTION" in pane and len([r for r in rows if r.strip()]) >= \
                        FIRST_SCREEN_ROWS - 3 and not any(PLACEHOLDER in r for r in rows):
                    shown = now
                    break
                time.sleep(0.005)
            subprocess.run(tmux + ["send-keys", "x"], env=env)
            time.sleep(0.5)  # x: RSET and QUIT, so the trace file is complete
        finally:
            subprocess.run(tmux + ["kill-server"], env=env, stderr=subprocess.DEVNULL)
        if shown is None:
            return {"error": "the first screenful never finished loading within 60 s"}
        login = None
        with open(trace, errors="replace") as f:
            for line in f:
                if "-> TRANSACTION" in line:
                    stamp = line.split(" ", 1)[0].rstrip("Z")
                    login = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f").replace(
                        tzinfo=datetime.timezone.utc).timestamp()
                    break
        if login is None:
            return {"error": "the trace has no login"}
        times.append(shown - login)
    return {"seconds": statistics.median(times), "rss_kib": None,
            "how": "median of %d, tmux pane of %d rows polled every 5 ms" % (
                len(times), FIRST_SCREEN_ROWS)}


def summarize(runs):
    """Median time and the largest peak RSS of repeated full runs."""
    rss = [r.rss_kib for r in runs if r.rss_kib is not None]
    return {"seconds": statistics.median(r.seconds for r in runs),
            "rss_kib": max(rss) if rss else None,
            "how": "median of %d" % len(runs) if len(runs) > 1 else "1 run"}


def run_reference(opts, port, server, tls=True):
    argv = [sys.executable, os.path.join(HERE, "top_bytes.py"), "--port", str(port),
            "--user", server.user]
    if tls:
        argv += ["--tls", "--cafile", server.ca]
    env = base_env(POPVIEW_PASSWORD=server.password)
    with tempfile.NamedTemporaryFile("rb") as out:
        r = run_timed(argv, env, stdout_path=out.name)
        if r.code != 0:
            raise RuntimeError("top_bytes.py: " + r.failure())
        data = json.loads(out.read())
    return data


def run_poplib(opts, port, server, messages):
    argv = [sys.executable, os.path.join(HERE, "poplib_client.py"), "--port", str(port),
            "--cafile", server.ca, "--user", server.user, "--budget", str(opts["budget"])]
    env = base_env(POPVIEW_PASSWORD=server.password)
    with tempfile.NamedTemporaryFile("rb") as out:
        r = run_timed(argv, env, stdout_path=out.name)
        if r.code != 0:
            return {"error": "poplib " + r.failure()}
        d = json.loads(out.read())
    if d["messages"] != messages:
        return {"error": "poplib saw %d messages, not %d" % (d["messages"], messages)}
    # Its own clock starts after the interpreter has; the process's wall time
    # is what a user waits, so the extrapolation adds to that.
    if d["done"] == messages:
        return {"seconds": r.seconds, "rss_kib": r.rss_kib, "how": "1 run"}
    per = d["tops"] / max(1, d["done"])
    return {"seconds": r.seconds + per * (messages - d["done"]), "rss_kib": r.rss_kib,
            "partial": True,
            "how": "extrapolated from first %s of %s" % (num(d["done"]), num(messages))}


def curl_config(path, server, port, requests):
    """A curl config: one transfer per request, all on one reused connection."""
    head = ('url = "pop3s://localhost:%d/"\ncacert = "%s"\nuser = "%s:%s"\n'
            'silent\nshow-error\noutput = "/dev/null"\n' % (port, server.ca, server.user,
                                                             server.password))
    parts = []
    for req in requests:
        parts.append(head + ('request = "%s"\n' % req if req else ""))
    private_file(path, "next\n".join(parts))


def run_curl_list(opts, work, port, server, messages):
    cfg = os.path.join(work, "curl-list.cfg")
    out = os.path.join(work, "curl-list.out")
    private_file(cfg, 'url = "pop3s://localhost:%d/"\ncacert = "%s"\nuser = "%s:%s"\n'
                 'silent\nshow-error\n' % (port, server.ca, server.user, server.password))
    r = run_timed(["curl", "-K", cfg], base_env(), stdout_path=out)
    if r.code != 0:
        return {"error": "curl " + r.failure()}
    if count_lines(out) != messages:
        return {"error": "curl LIST printed %d lines for %d messages" % (count_lines(out), messages)}
    return {"seconds": r.seconds, "rss_kib": r.rss_kib, "how": "1 run"}


def run_curl_top(opts, work, port, server, messages):
    """curl with one `TOP n 0` transfer per message on one connection.

    Runs of 20 and 200 messages give the time per message; then as many
    messages as fit in --budget (all, if they do).  Each run is timed from
    outside; a partial one is extrapolated linearly from the last two.
    """
    cfg = os.path.join(work, "curl-top.cfg")

    def timed(k):
        curl_config(cfg, server, port, ["TOP %d 0" % n for n in range(1, k + 1)])
        return run_timed(["curl", "-K", cfg], base_env())

    done = []
    for k in (20, 200):
        k = min(k, messages)
        r = timed(k)
        if r.code != 0:
            return {"error": "curl " + r.failure()}
        done.append((k, r))
        if k == messages:
            return {"seconds": r.seconds, "rss_kib": r.rss_kib, "how": "1 run"}
    (k1, r1), (k2, r2) = done
    per = max(1e-6, (r2.seconds - r1.seconds) / (k2 - k1))
    k = min(messages, int(k2 + (opts["budget"] - r2.seconds) / per))
    if k > k2:
        r = timed(k)
        if r.code != 0:
            return {"error": "curl " + r.failure()}
        if k == messages:
            return {"seconds": r.seconds, "rss_kib": r.rss_kib, "how": "1 run"}
        per = max(0.0, (r.seconds - r2.seconds) / (k - k2))
        k2, r2 = k, r
    return {"seconds": r2.seconds + per * (messages - k2), "rss_kib": r2.rss_kib,
            "partial": True,
            "how": "extrapolated from first %s of %s" % (num(k2), num(messages))}


def snail_run(work, port, ca, user, password):
    """s-nail in batch mode: its header summary of the whole folder."""
    script = os.path.join(work, "snail.in")
    # Commands on stdin keep the password out of the process list.
    private_file(script, "set v15-compat\nset password=%s\nset tls-ca-file=%s\n"
                 "set tls-ca-no-defaults\nFile pop3s://%s@localhost:%d\nfrom *\nxit\n"
                 % (password, ca, user, port))
    out = os.path.join(work, "snail.out")
    home = tempfile.mkdtemp(prefix="home.", dir=work)
    r = run_timed(["s-nail", "-#", "-:/"], base_env(HOME=home), stdin_path=script,
                  stdout_path=out)
    return r, count_lines(out)


def frm_run(work, port, ca, user, password):
    """GNU mailutils frm: one line per message; password from a ticket file."""
    home = tempfile.mkdtemp(prefix="home.", dir=work)
    private_file(os.path.join(home, ".mu-tickets"),
                 "pops://%s:%s@localhost:%d\n" % (user, password, port))
    out = os.path.join(work, "frm.out")
    r = run_timed(["frm", "--no-config", "-n", "pops://%s@localhost:%d" % (user, port)],
                  base_env(HOME=home), stdout_path=out)
    # frm exits 1 when it found no new mail: the listing is still complete.
    if r.code == 1:
        r.code = 0
    return r, count_lines(out)


TOOL_RUNS = {"s-nail": snail_run, "frm": frm_run}


def fit_estimate(fit, messages):
    """Linear in messages through the full runs on the two small mailboxes."""
    (n1, t1), (n2, t2) = fit
    per = max(0.0, (t2 - t1) / (n2 - n1))
    return t2 + per * (messages - n2)


def run_tool(opts, work, name, port, server, messages, fit, delayed):
    """s-nail or frm on the whole mailbox, or from the fit if that is too slow.

    On loopback always in full: there the small runs take a few tens of
    milliseconds and their noise makes the fit off by up to 2x.  With added
    latency the round trips dominate and the fit is close.
    """
    if delayed and fit is None:
        return {"error": "no fit data from the sample mailboxes"}
    predicted = fit_estimate(fit, messages) if delayed else 0.0
    if predicted > opts["full_limit"]:
        return {"seconds": predicted, "rss_kib": None,
                "how": "extrapolated from full runs on %d and %d messages"
                % (fit[0][0], fit[1][0])}
    r, lines = TOOL_RUNS[name](work, port, server.ca, server.user, server.password)
    if r.code != 0:
        return {"error": "%s %s" % (name, r.failure())}
    if lines < messages:
        return {"error": "%s printed %d lines for %d messages" % (name, lines, messages)}
    return {"seconds": r.seconds, "rss_kib": r.rss_kib, "how": "1 run"}


# ---------------------------------------------------------------------------
# Stages


def networks(opts):
    return [Network("loopback", 0), Network("%g ms RTT" % opts["rtt_ms"], opts["rtt_ms"])]


def stage_sample(opts, work):
    """s-nail and frm on bob (5 messages) and alice (SAMPLE_SIZE), with latency."""
    server = Server()
    result = {}
    for net in networks(opts):
        if net.rtt_ms == 0:
            continue
        try:
            port = net.port_for(server.pop3s_port)
            fits = {}
            for name in ("s-nail", "frm"):
                if not opts["have"][name]:
                    continue
                points = []
                for user, password, n in ((server.bob, server.bob_password, 5),
                                          (server.user, server.password, SAMPLE_SIZE)):
                    say("%s: %s on %d messages" % (net.name, name, n))
                    r, lines = TOOL_RUNS[name](work, port, server.ca, user, password)
                    if r.code != 0 or lines < n:
                        say("%s failed on the sample mailbox: %s" % (name, r.failure()))
                        points = None
                        break
                    points.append((n, r.seconds))
                fits[name] = points
            result[net.name] = fits
        finally:
            net.close()
    with open(os.path.join(work, "sample.json"), "w") as f:
        json.dump(result, f)
    return 0


def measure_network(opts, work, server, net, messages, fits, top_bytes):
    say("%s, %s: checking the link" % (num(messages), net.name))
    port = net.port_for(server.pop3s_port)
    noop = delay_proxy.measure_noop_rtt(port, server.user, server.password, cafile=server.ca)
    stream_srv = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "tls_stream.py"), "--serve",
         "--cert", os.path.join(server.certs, "localhost.pem"),
         "--key", os.path.join(server.certs, "localhost.key")],
        stdout=subprocess.PIPE, text=True)
    try:
        line = stream_srv.stdout.readline()
        stream_port = net.port_for(int(line.rsplit(":", 1)[1]))
        rates = []
        for _ in range(3):
            nbytes, secs = tls_stream.receive_rate(stream_port, server.ca)
            rates.append(nbytes / secs)
        rate = statistics.median(rates)
    finally:
        stream_srv.terminate()
        stream_srv.wait()
    bound = top_bytes / rate + BOUND_ROUND_TRIPS * noop["median"]
    rows = {}
    say("%s, %s: popview" % (num(messages), net.name))
    rows["popview"], rows["popview-warm"] = run_popview(opts, work, port, server, messages)
    say("%s, %s: popview browser, first screenful" % (num(messages), net.name))
    rows["popview-screen"] = run_first_screen(opts, work, port, server)
    say("%s, %s: reference client" % (num(messages), net.name))
    refs = [run_reference(opts, port, server) for _ in range(opts["reps"])]
    # Its own clock (connect to last reply): the interpreter's start-up is
    # not what the server allows.
    rows["reference"] = {"seconds": statistics.median(r["seconds"] for r in refs),
                         "rss_kib": None,
                         "how": ("median of %d" % len(refs) if len(refs) > 1 else "1 run")
                         + ", from connect()"}
    say("%s, %s: poplib" % (num(messages), net.name))
    rows["poplib"] = run_poplib(opts, port, server, messages)
    if opts["have"]["curl"]:
        say("%s, %s: curl" % (num(messages), net.name))
        rows["curl-top"] = run_curl_top(opts, work, port, server, messages)
        rows["curl-list"] = run_curl_list(opts, work, port, server, messages)
    for name in ("s-nail", "frm"):
        if opts["have"][name]:
            say("%s, %s: %s" % (num(messages), net.name, name))
            rows[name] = run_tool(opts, work, name, port, server, messages,
                                  fits.get(net.name, {}).get(name), net.rtt_ms > 0)
    return {"rtt_target_ms": net.rtt_ms, "noop": noop, "stream_rate": rate, "bound": bound,
            "rows": rows}


def stage_measure(opts, work, messages):
    server = Server()
    with open(os.path.join(work, "sample.json")) as f:
        fits = json.load(f)
    say("%s messages: warming Dovecot up (index, sizes) and counting bytes" % num(messages))
    plain = run_reference(opts, server.pop3_port, server, tls=False)
    if plain["messages"] != messages:
        raise RuntimeError("the mailbox has %d messages, not %d" % (plain["messages"], messages))
    result = {"messages": messages, "list_bytes": plain["list_bytes"],
              "uidl_bytes": plain["uidl_bytes"], "top_bytes": plain["top_bytes"],
              "networks": {}}
    for net in networks(opts):
        try:
            result["networks"][net.name] = measure_network(opts, work, server, net, messages,
                                                           fits, plain["top_bytes"])
        finally:
            net.close()
    with open(os.path.join(work, "measure-%d.json" % messages), "w") as f:
        json.dump(result, f, default=lambda o: None)
    return 0


# ---------------------------------------------------------------------------
# The table


ROWS = [
    ("popview", "popview --summary, cold cache"),
    ("popview-warm", "popview --summary, warm cache"),
    ("popview-screen", "popview browser: login to first screenful"),
    ("reference", "reference: pipelined, no decoding (Python)"),
    ("poplib", "Python poplib, TOP per message"),
    ("curl-top", "curl, TOP per message, one connection"),
    ("s-nail", "s-nail, header summary"),
    ("frm", "mailutils frm (no certificate check)"),
    ("curl-list", "curl, LIST only (no headers: less work)"),
]


def num(n):
    return "{:,}".format(n)


def fmt_time(s):
    if s >= 100:
        return "%.0f s" % s
    if s >= 10:
        return "%.1f s" % s
    return "%.3f s" % s


def fmt_rss(row):
    if row.get("rss_kib") is None:
        return "-"
    text = "%.1f MiB" % (row["rss_kib"] / 1024)
    return ("≥" + text) if row.get("partial") else text


def fmt_bytes(n):
    return "%.1f MB" % (n / 1e6) if n >= 1e6 else "%.0f KB" % (n / 1e3)


def machine_lines(opts):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()

    def version(argv, pick=0):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            lines = (out.stdout or out.stderr).strip().splitlines()
            return lines[pick].strip() if lines else "?"
        except (OSError, subprocess.SubprocessError):
            return "not installed"

    commit = version(["git", "-C", SOURCE_ROOT, "describe", "--always", "--dirty"])
    tools = ["Dovecot " + version(["dovecot", "--version"]).split()[0],
             "Python " + platform.python_version()]
    if opts["have"]["curl"]:
        tools.append(" ".join(version(["curl", "--version"]).split()[:2]))
    if opts["have"]["s-nail"]:
        tools.append(version(["s-nail", "-#", "-:/", "-Xversion", "-Xx"]).split(",")[0])
    if opts["have"]["frm"]:
        tools.append(version(["frm", "--version"]))
    return ["popview %s (%s)" % (commit, opts["popview"]),
            "machine: %d cores (%s), Linux %s, load average %.2f at the start"
            % (os.cpu_count(), cpu, platform.release(), load[0]),
            "peers: " + "; ".join(tools)]


def render(opts, sizes, results, started):
    out = []
    out.append("popview benchmark, %s (took %.0f s)" % (
        started.strftime("%Y-%m-%d %H:%M UTC"),
        (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds()))
    out.extend(machine_lines(opts))
    out.append("bound = bytes of all TOP replies / TLS stream rate on the same path + %d round "
               "trips" % BOUND_ROUND_TRIPS)
    out.append("        (TCP handshake, TLS 1.3 handshake, one round with every command "
               "pipelined)")
    out.append("")
    header = "%9s  %-12s %-43s %9s %9s %9s %10s  %s" % (
        "messages", "network", "client", "time", "x bound", "x popview", "peak RSS", "how")
    out.append(header)
    out.append("-" * len(header))
    for n in sizes:
        res = results.get(n)
        if res is None:
            out.append("%9s  (not measured)" % num(n))
            continue
        for net_name, net in res["networks"].items():
            bound = net["bound"]
            pv = net["rows"].get("popview", {}).get("seconds")
            out.append("%9s  %-12s %-43s %9s %9s %9s %10s  %s" % (
                num(n), net_name, "transfer bound (%s of TOP replies)" % fmt_bytes(
                    res["top_bytes"]), fmt_time(bound), "1.0", "", "", "computed"))
            for key, label in ROWS:
                row = net["rows"].get(key)
                if key == "popview-warm" and row is None:
                    out.append("%9s  %-12s %-43s %9s %9s %9s %10s  %s" % (
                        num(n), net_name, label, "n/a", "", "", "",
                        "no cache file after the cold runs"))
                    continue
                if row is None:
                    tool = {"curl-top": "curl", "curl-list": "curl"}.get(key, key)
                    if tool in PEERS and not opts["have"][tool]:
                        out.append("%9s  %-12s %-43s %9s %9s %9s %10s  %s" % (
                            num(n), net_name, label, "-", "", "", "",
                            "not installed (apt-get install %s)" % PEERS[tool][1]))
                    continue
                if "error" in row:
                    out.append("%9s  %-12s %-43s %9s %9s %9s %10s  %s" % (
                        num(n), net_name, label, "failed", "", "", "", row["error"]))
                    continue
                s = row["seconds"]
                if key == "popview-screen":  # a part of the work: no ratios
                    out.append("%9s  %-12s %-43s %9s %9s %9s %10s  %s" % (
                        num(n), net_name, label, fmt_time(s), "-", "-", "", row["how"]))
                    continue
                xb = "-" if key == "curl-list" else "%.1f" % (s / bound)
                xp = "%.2f" % (s / pv) if pv else "-"
                out.append("%9s  %-12s %-43s %9s %9s %9s %10s  %s" % (
                    num(n), net_name, label, fmt_time(s), xb, xp, fmt_rss(row), row["how"]))
        out.append("")
    out.append("links:")
    for n in sizes:
        res = results.get(n)
        if res is None:
            continue
        for net_name, net in res["networks"].items():
            out.append("  %s messages, %s: NOOP round trip %.2f ms (min %.2f, max %.2f), "
                       "TLS stream %.0f MB/s" % (
                           num(n), net_name, net["noop"]["median"] * 1e3,
                           net["noop"]["min"] * 1e3, net["noop"]["max"] * 1e3,
                           net["stream_rate"] / 1e6))
    out.append("")
    out.extend(goal_lines(opts, results))
    return "\n".join(out) + "\n"


def goal_lines(opts, results):
    lines = ["goals:"]
    rtt_name = "%g ms RTT" % opts["rtt_ms"]

    def row(n, net, key):
        res = results.get(n)
        if res is None or net not in res["networks"]:
            return None, None
        r = res["networks"][net]["rows"].get(key)
        return r, res["networks"][net]

    r, _ = row(10000, rtt_name, "popview")
    if opts["rtt_ms"] != 50:
        lines.append("  (the goals are for 50 ms; this run used %g ms)" % opts["rtt_ms"])
    lines.append(goal("10,000 messages at %s, cold cache, full index < 1.5 s" % rtt_name,
                      r, lambda x: x["seconds"] < 1.5, lambda x: fmt_time(x["seconds"])))
    r, _ = row(10000, rtt_name, "popview-screen")
    lines.append(goal("10,000 messages at %s, first screenful < 0.5 s after login" % rtt_name,
                      r, lambda x: x["seconds"] < 0.5, lambda x: fmt_time(x["seconds"])))
    r, _ = row(10000, rtt_name, "popview-warm")
    if r is None and results.get(10000):
        lines.append("  %-62s n/a: no cache file after the cold runs" %
                     ("10,000 messages at %s, warm cache < 0.5 s" % rtt_name))
    else:
        lines.append(goal("10,000 messages at %s, warm cache < 0.5 s" % rtt_name,
                          r, lambda x: x["seconds"] < 0.5, lambda x: fmt_time(x["seconds"])))
    r, _ = row(100000, "loopback", "popview")
    r2, _ = row(100000, rtt_name, "popview")
    if r and r2 and "error" not in r and "error" not in r2:
        worst = dict(r, rss_kib=max(r["rss_kib"], r2["rss_kib"]))
    else:
        worst = r
    lines.append(goal("100,000 messages, peak RSS < 64 MiB", worst,
                      lambda x: x["rss_kib"] < 64 * 1024, fmt_rss))
    r, net = row(100000, "loopback", "popview")
    if r and net and "error" not in r:
        ref = net["rows"].get("reference")
        extra = ""
        if ref and "error" not in ref:
            extra = " (the pipelined reference client: %.1fx)" % (ref["seconds"] / net["bound"])
        lines.append(goal("100,000 messages on loopback, within 1.5x of the bound", r,
                          lambda x: x["seconds"] <= 1.5 * net["bound"],
                          lambda x: "%.1fx%s" % (x["seconds"] / net["bound"], extra)))
    else:
        lines.append(goal("100,000 messages on loopback, within 1.5x of the bound", None,
                          None, None))
    return lines


def goal(text, row, ok, show):
    if row is None:
        return "  %-62s not measured in this run" % text
    if "error" in row:
        return "  %-62s failed: %s" % (text, row["error"])
    return "  %-62s %s: %s" % (text, "met" if ok(row) else "NOT met", show(row))


# ---------------------------------------------------------------------------
# Driver


def find_popview(arg):
    candidates = [arg] if arg else []
    if os.environ.get("POPVIEW_BUILD_ROOT"):
        candidates.append(os.path.join(os.environ["POPVIEW_BUILD_ROOT"], "src", "popview"))
    candidates.append(os.path.join(SOURCE_ROOT, "build", "src", "popview"))
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return os.path.abspath(c)
    return None


def check_requirements(opts):
    problems = []
    if os.geteuid() != 0:
        problems.append("run as root: Dovecot's master process needs it")
    if not (shutil.which("dovecot") or os.path.exists("/usr/sbin/dovecot")):
        problems.append("Dovecot is missing: apt-get install dovecot-pop3d")
    if not os.access(TIME, os.X_OK):
        problems.append("GNU time is missing (peak RSS): apt-get install time")
    if not shutil.which("openssl"):
        problems.append("openssl is missing: apt-get install openssl")
    if opts["popview"] is None:
        problems.append("popview is not built: meson setup build && meson compile -C build "
                        "(or give --popview PATH)")
    missing = [pkg for name, (prog, pkg) in PEERS.items() if not opts["have"][name]]
    if missing:
        say("peers not installed, their rows will say so: apt-get install %s"
            % " ".join(sorted(set(missing))))
    return problems


def run_stage(opts, work, stage, count, size=None):
    env = dict(os.environ)
    env["POPVIEW_TEST_ALICE_COUNT"] = str(count)
    argv = ["bash", HARNESS, sys.executable, os.path.abspath(__file__), "--stage", stage,
            "--work", work]
    if size is not None:
        argv += ["--size", str(size)]
    return subprocess.run(argv, env=env).returncode


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Times popview --summary against Dovecot next to other POP3 clients.")
    ap.add_argument("--quick", action="store_true",
                    help="1,000 and 10,000 messages only (a few minutes)")
    ap.add_argument("--sizes", help="comma-separated mailbox sizes (default 1000,10000,100000)")
    ap.add_argument("--rtt-ms", type=float, default=50.0,
                    help="round-trip time the delay proxy adds (default %(default)g)")
    ap.add_argument("--reps", type=int, default=3,
                    help="runs of popview and the reference client; the median counts "
                    "(default %(default)s)")
    ap.add_argument("--budget", type=float, default=10.0,
                    help="seconds a capped peer (poplib, curl) may run before it is "
                    "extrapolated (default %(default)g)")
    ap.add_argument("--full-limit", type=float, default=30.0,
                    help="with added latency, s-nail and frm run on the whole mailbox when "
                    "their predicted time is below this many seconds (default %(default)g; "
                    "on loopback they always do)")
    ap.add_argument("--popview", help="the popview binary (default: $POPVIEW_BUILD_ROOT/src/"
                    "popview, else build/src/popview)")
    ap.add_argument("--out", help="also write the table to this file")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--stage", choices=("sample", "measure"), help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.sizes:
        try:
            sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
        except ValueError:
            ap.error("--sizes takes numbers separated by commas")
        if any(s < 77 for s in sizes):
            ap.error("each size must be at least 77 (the generator's special messages)")
    else:
        sizes = QUICK_SIZES if args.quick else FULL_SIZES
    if args.reps < 1 or args.budget <= 0 or args.rtt_ms <= 0:
        ap.error("--reps, --budget and --rtt-ms must be positive")
    return args, sizes


def main(argv):
    args, sizes = parse_args(argv)
    if args.stage:
        with open(os.path.join(args.work, "options.json")) as f:
            opts = json.load(f)
        if args.stage == "sample":
            return stage_sample(opts, args.work)
        return stage_measure(opts, args.work, args.size)

    started = datetime.datetime.now(datetime.timezone.utc)
    opts = {"popview": find_popview(args.popview), "reps": args.reps, "budget": args.budget,
            "full_limit": args.full_limit, "rtt_ms": args.rtt_ms,
            "have": {name: shutil.which(prog) is not None for name, (prog, _) in PEERS.items()}}
    problems = check_requirements(opts)
    if problems:
        for p in problems:
            say(p)
        return 2
    work = tempfile.mkdtemp(prefix="pvbench.")
    with open(os.path.join(work, "options.json"), "w") as f:
        json.dump(opts, f)
    results = {}
    status = 0
    try:
        say("sample mailboxes (%d and 5 messages) for s-nail and frm" % SAMPLE_SIZE)
        if run_stage(opts, work, "sample", SAMPLE_SIZE) != 0:
            say("the sample stage failed")
            return 1
        for n in sizes:
            say("%s messages: generating the mailbox and starting Dovecot" % num(n))
            if run_stage(opts, work, "measure", n, size=n) != 0:
                say("measuring %s messages failed" % num(n))
                status = 1
                continue
            with open(os.path.join(work, "measure-%d.json" % n)) as f:
                results[n] = json.load(f)
        table = render(opts, sizes, {int(k): v for k, v in results.items()}, started)
        sys.stdout.write(table)
        if args.out:
            with open(args.out, "w") as f:
                f.write(table)
    finally:
        if args.keep:
            say("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
