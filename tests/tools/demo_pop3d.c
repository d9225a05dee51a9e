/*
 * demo-pop3d: the demo POP3 server on a loopback TCP port, for tests that
 * need a real socket (the client's TCP path, scripts, other tools).
 *
 *   demo-pop3d --port N [--maildir DIR] [--user U] [--password P]
 *              [--no-pipelining] [--no-capa] [--no-top] [--no-uidl]
 *              [--no-user] [--no-apop] [--no-sasl] [--no-resp-codes]
 *              [--delay-ms N]
 *
 * Listens on 127.0.0.1 only; --port 0 picks a free port.  The first line on
 * stdout is the port number, so a test can start it and read where to
 * connect.  Serves until killed, one thread per connection, all sharing one
 * mailbox: deletions committed by QUIT are seen by later connections, and a
 * second concurrent login gets "-ERR [IN-USE]" as from a real maildrop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <popview/util.h>

#include "demo.h"

struct config {
    unsigned port;
    const char *maildir;
    struct demo_server_options opts;
};

struct connection {
    int fd;
    struct demo_mailbox *mb;
    const struct demo_server_options *opts;
};

static void usage(FILE *out)
{
    fputs("usage: demo-pop3d --port N [--maildir DIR] [--user U] [--password P]\n"
          "                  [--no-pipelining] [--no-capa] [--no-top] [--no-uidl]\n"
          "                  [--no-user] [--no-apop] [--no-sasl] [--no-resp-codes]\n"
          "                  [--delay-ms N]\n"
          "Serves the demo mailbox (or DIR's .eml files) over POP3 on 127.0.0.1;\n"
          "prints the port on the first line of stdout. --port 0 picks a free one.\n",
          out);
}

enum {
    OPT_PORT = 256,
    OPT_MAILDIR,
    OPT_USER,
    OPT_PASSWORD,
    OPT_NO_PIPELINING,
    OPT_NO_CAPA,
    OPT_NO_TOP,
    OPT_NO_UIDL,
    OPT_NO_USER,
    OPT_NO_APOP,
    OPT_NO_SASL,
    OPT_NO_RESP_CODES,
    OPT_DELAY_MS,
    OPT_HELP,
};

static bool parse_number(const char *name, const char *arg, unsigned max, unsigned *out)
{
    if (!pv_parse_uint(arg, strlen(arg), out) || *out > max) {
        fprintf(stderr, "demo-pop3d: %s needs a number from 0 to %u, got \"%s\"\n", name, max, arg);
        return false;
    }
    return true;
}

/* Returns 0 to run, 1 to exit successfully (--help), 2 on a usage error. */
static int parse_args(int argc, char **argv, struct config *cfg)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, OPT_PORT},
        {"maildir", required_argument, NULL, OPT_MAILDIR},
        {"user", required_argument, NULL, OPT_USER},
        {"password", required_argument, NULL, OPT_PASSWORD},
        {"no-pipelining", no_argument, NULL, OPT_NO_PIPELINING},
        {"no-capa", no_argument, NULL, OPT_NO_CAPA},
        {"no-top", no_argument, NULL, OPT_NO_TOP},
        {"no-uidl", no_argument, NULL, OPT_NO_UIDL},
        {"no-user", no_argument, NULL, OPT_NO_USER},
        {"no-apop", no_argument, NULL, OPT_NO_APOP},
        {"no-sasl", no_argument, NULL, OPT_NO_SASL},
        {"no-resp-codes", no_argument, NULL, OPT_NO_RESP_CODES},
        {"delay-ms", required_argument, NULL, OPT_DELAY_MS},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    bool have_port = false;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_PORT:
            if (!parse_number("--port", optarg, 65535, &cfg->port))
                return 2;
            have_port = true;
            break;
        case OPT_MAILDIR:
            cfg->maildir = optarg;
            break;
        case OPT_USER:
            cfg->opts.user = optarg;
            break;
        case OPT_PASSWORD:
            cfg->opts.password = optarg;
            break;
        case OPT_NO_PIPELINING:
            cfg->opts.pipelining = false;
            break;
        case OPT_NO_CAPA:
            cfg->opts.capa = false;
            break;
        case OPT_NO_TOP:
            cfg->opts.top = false;
            break;
        case OPT_NO_UIDL:
            cfg->opts.uidl = false;
            break;
        case OPT_NO_USER:
            cfg->opts.user_login = false;
            break;
        case OPT_NO_APOP:
            cfg->opts.apop = false;
            break;
        case OPT_NO_SASL:
            cfg->opts.sasl_plain = false;
            cfg->opts.sasl_login = false;
            break;
        case OPT_NO_RESP_CODES:
            cfg->opts.resp_codes = false;
            break;
        case OPT_DELAY_MS:
            if (!parse_number("--delay-ms", optarg, 600000, &cfg->opts.reply_delay_ms))
                return 2;
            break;
        case OPT_HELP:
            usage(stdout);
            return 1;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "demo-pop3d: unexpected argument \"%s\"\n", argv[optind]);
        return 2;
    }
    if (!have_port) {
        fprintf(stderr, "demo-pop3d: --port is required (0 picks a free port)\n");
        return 2;
    }
    return 0;
}

static int listen_loopback(unsigned port, unsigned *port_out)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fprintf(stderr, "demo-pop3d: socket: %s\n", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        fprintf(stderr, "demo-pop3d: cannot listen on 127.0.0.1:%u: %s\n", port, strerror(errno));
        close(fd);
        return -1;
    }
    *port_out = ntohs(addr.sin_port);
    return fd;
}

static void *connection_thread(void *arg)
{
    struct connection *c = arg;
    struct pv_error err;
    pv_error_clear(&err);
    if (demo_serve_fd(c->mb, c->opts, c->fd, -1, &err) != DEMO_OK)
        fprintf(stderr, "demo-pop3d: %s\n", err.msg);
    shutdown(c->fd, SHUT_RDWR);
    close(c->fd);
    free(c);
    return NULL;
}

static void serve_forever(int listen_fd, struct demo_mailbox *mb,
                          const struct demo_server_options *opts)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EINTR && errno != ECONNABORTED)
                fprintf(stderr, "demo-pop3d: accept: %s\n", strerror(errno));
            continue;
        }
        struct connection *c = pv_xmalloc(sizeof(*c));
        *c = (struct connection){.fd = fd, .mb = mb, .opts = opts};
        pthread_t t;
        int rc = pthread_create(&t, &attr, connection_thread, c);
        if (rc != 0) {
            fprintf(stderr, "demo-pop3d: cannot start a thread: %s\n", strerror(rc));
            close(fd);
            free(c);
        }
    }
}

int main(int argc, char **argv)
{
    struct config cfg = {0};
    demo_server_options_init(&cfg.opts);
    int rc = parse_args(argc, argv, &cfg);
    if (rc != 0)
        return rc == 1 ? 0 : 2;

    signal(SIGPIPE, SIG_IGN);
    struct pv_error err;
    pv_error_clear(&err);
    struct demo_mailbox *mb = demo_mailbox_new();
    enum demo_status st = cfg.maildir ? demo_mailbox_load_dir(mb, cfg.maildir, &err)
                                      : demo_mailbox_load_sample(mb, &err);
    if (st != DEMO_OK) {
        fprintf(stderr, "demo-pop3d: cannot load the mailbox: %s\n", err.msg);
        demo_mailbox_free(&mb);
        return 1;
    }
    unsigned port = 0;
    int listen_fd = listen_loopback(cfg.port, &port);
    if (listen_fd < 0) {
        demo_mailbox_free(&mb);
        return 1;
    }
    printf("%u\n", port);
    fflush(stdout);
    serve_forever(listen_fd, mb, &cfg.opts);
    return 0;
}
