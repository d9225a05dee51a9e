/*
 * A scripted POP3 server for tests, over a socketpair, in a thread.  It
 * plays what a real server cannot be made to do on demand (odd replies,
 * injections, drops) and records every line the client sent.
 *
 * A script is a list of steps: wait for one client line (which must equal
 * `expect` when that is non-NULL), then send `reply` as raw bytes.  A step
 * with expect == NULL just sends.  FAKE_CLOSE as reply closes the
 * connection.  `gather_ms` makes the server pause after reading the step's
 * line and then count how many further complete lines had already arrived
 * (how pipelining is observed).
 */
#ifndef POPVIEW_TESTS_FAKE_SERVER_H
#define POPVIEW_TESTS_FAKE_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#define FAKE_CLOSE ((const char *)1)
/* As expect: any one line. */
#define FAKE_ANY ((const char *)2)

struct fake_step {
    const char *expect;
    const char *reply;
    int gather_ms;
};

struct fake_server;

/* Starts the thread; *client_fd_out is the client's end of the socketpair. */
struct fake_server *fake_server_start(const struct fake_step *steps, size_t nsteps,
                                      int *client_fd_out);
/* Waits for the script to end (or the client to hang up) and frees. */
void fake_server_finish(struct fake_server **fs);

/* Lines the client sent, in order, without CRLF, joined with '\n'. */
const char *fake_server_received(const struct fake_server *fs);
/* First mismatch between script and client ("" if none). */
const char *fake_server_problem(const struct fake_server *fs);
/* For the step with gather_ms: how many extra lines had arrived. */
int fake_server_gathered(const struct fake_server *fs);

#endif
