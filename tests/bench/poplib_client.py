#!/usr/bin/env python3
"""The benchmark's sequential peer: a mailbox listing the way most scripts do it.

Python's poplib over implicit TLS: USER/PASS, LIST, UIDL, then one
`TOP n 0` per message, each waiting for its reply before the next is sent
(poplib cannot pipeline), then QUIT.  It stops sending TOP once --budget
seconds have passed since it started, so that a slow link does not make the
benchmark take hours; the caller extrapolates from what it did.

Prints one JSON object on stdout:
  messages   messages in the mailbox (from LIST)
  done       TOP replies received
  header_bytes  bytes of the header blocks poplib returned (without CRLFs)
  login      seconds from start to logged in (connect, TLS, USER/PASS)
  listing    seconds from start to LIST and UIDL read
  tops       seconds spent in the TOP loop
  quit       seconds spent on QUIT and closing
  total      seconds from start to the end
"""

import argparse
import json
import os
import poplib
import ssl
import sys
import time


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cafile", required=True)
    ap.add_argument("--servername", default="localhost",
                    help="name to check in the certificate (default %(default)s)")
    ap.add_argument("--user", required=True)
    ap.add_argument("--password-env", default="POPVIEW_PASSWORD",
                    help="environment variable holding the password")
    ap.add_argument("--budget", type=float, default=0,
                    help="stop sending TOP after this many seconds (0: no limit)")
    args = ap.parse_args(argv)

    password = os.environ.get(args.password_env)
    if password is None:
        ap.error("%s is not set" % args.password_env)

    start = time.perf_counter()
    ctx = ssl.create_default_context(cafile=args.cafile)
    pop = NamedPOP3SSL(args.host, args.port, ctx, args.servername, timeout=60)
    pop.user(args.user)
    pop.pass_(password)
    t_login = time.perf_counter() - start
    _, listing, _ = pop.list()
    pop.uidl()
    t_listing = time.perf_counter() - start
    numbers = [int(line.split()[0]) for line in listing]
    done = 0
    header_bytes = 0
    for n in numbers:
        if args.budget and time.perf_counter() - start > args.budget:
            break
        _, lines, _ = pop.top(n, 0)
        header_bytes += sum(len(line) for line in lines)
        done += 1
    t_tops_end = time.perf_counter() - start
    pop.quit()
    total = time.perf_counter() - start
    json.dump({"messages": len(numbers), "done": done, "header_bytes": header_bytes,
               "login": t_login, "listing": t_listing, "tops": t_tops_end - t_listing,
               "quit": total - t_tops_end, "total": total}, sys.stdout)
    sys.stdout.write("\n")
    return 0


class NamedPOP3SSL(poplib.POP3):
    """POP3 over TLS to an address, checking the certificate for a name.

    poplib.POP3_SSL checks the certificate against the host it connects to;
    the test certificate is for "localhost", the server listens on 127.0.0.1.
    """

    def __init__(self, host, port, context, servername, timeout):
        self._context = context
        self._servername = servername
        poplib.POP3.__init__(self, host, port, timeout)

    def _create_socket(self, timeout):
        sock = poplib.POP3._create_socket(self, timeout)
        return self._context.wrap_socket(sock, server_hostname=self._servername)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
