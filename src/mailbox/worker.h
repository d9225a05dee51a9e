/*
 * The worker thread's own state, shared by worker.c (the loop, opening a
 * session, marks, fetches, quitting) and load.c (summaries in batches, in
 * the order the screen wants).  Nothing here is touched by the UI thread:
 * everything it learns arrives as results through the channel.
 */
#ifndef POPVIEW_MAILBOX_WORKER_H
#define POPVIEW_MAILBOX_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include "private.h"

/* What the loop does when no request waits. */
enum mb_task {
    MB_TASK_CONNECT,
    MB_TASK_LOGIN,
    MB_TASK_SCAN,
    MB_TASK_LOAD,
    MB_TASK_IDLE,
};

/* Per message, how far its summary got. */
enum mb_load_state {
    MB_LOAD_NEED = 0,
    MB_LOAD_INFLIGHT,
    MB_LOAD_DONE,
    MB_LOAD_FAILED, /* the server refused its header: not asked again this session */
};

struct mb_load {
    uint8_t *state;   /* enum mb_load_state per index */
    size_t remaining; /* how many are MB_LOAD_NEED or in flight */
    size_t *perm;     /* row -> index as the UI sorts, or NULL (server order) */
    size_t *front;    /* indices on screen, to load first */
    size_t front_n, front_pos;
    size_t cursor;  /* row where loading continues after the screen */
    size_t visited; /* rows looked at since the cursor was set */
    size_t chunk;   /* summaries per batch, adapted to the server's speed */
    bool use_retr;  /* no TOP: headers cut from whole messages */

    /* the batch being received */
    struct pv_buf header;
    bool header_done, line_start;
    size_t *refused; /* indices whose TOP got -ERR in this batch */
    char *refused_text;
    size_t refused_n;

    /* summaries found in the header cache, posted after the listing */
    struct mb_result **cached;
    size_t cached_n;
};

struct mb_worker {
    struct mb_channel *ch;
    struct mb_tracer tracer;

    /* configuration, copied */
    struct pop3_config pcfg; /* strings point at the copies below */
    char *host, *port, *cafile;
    char *where; /* the server, for sentences ("mail.example.org") */
    int demo_fd; /* the first connection's socket, until used */
    bool demo;   /* the first connection was demo_fd */
    char *user;
    char *secret; /* wiped right after the first login */
    enum pop3_auth_mech mech;
    int (*reconnect_fd)(void *ctx);
    char *(*reconnect_secret)(void *ctx);
    void *reconnect_ctx;
    char *cache_dir;             /* NULL: no header cache */
    struct mailbox_cache *cache; /* opened at the first listing */

    /* the session */
    enum mb_task task;
    struct pop3_session *s;
    int sock;     /* the session's descriptor (watched while idle), or -1 */
    unsigned gen; /* sessions opened so far */
    bool lost;    /* the session broke (or never opened): reconnect may follow */
    bool closed;  /* ended by mailbox_quit */
    bool reported_state_valid;
    enum pop3_state reported_state;
    int64_t watch_quiet_until;

    /* the mailbox as this session sees it */
    struct pop3_listing *list;
    size_t count;
    bool *marked; /* DELE acknowledged, by index */
    struct mb_load load;
    /* rows the UI put on screen before the first listing existed */
    bool early_valid;
    size_t early_first, early_count;
};

/* worker.c */
void mb_worker_post_phase(struct mb_worker *w, enum mailbox_phase phase, char *text);
void mb_worker_notice(struct mb_worker *w, const char *fmt, ...) PV_PRINTF(2, 3);
/* The session broke: FAILED with the sentence about deletion. */
void mb_worker_lost(struct mb_worker *w, const struct pv_error *err);
/* Whether st means the connection can no longer be used. */
bool mb_status_breaks(enum pop3_status st);
/* Index of message number msgno in the listing, or (size_t)-1. */
size_t mb_worker_index_of(const struct mb_worker *w, unsigned msgno);

/* load.c */
/* Sets up loading for a new listing; old_* describe the previous session
 * (NULL/0 for the first), whose loaded summaries are kept by UIDL. */
void mb_load_start(struct mb_worker *w, const struct pop3_listing *old_list, size_t old_count,
                   const uint8_t *old_state);
void mb_load_clear(struct mb_load *l);
/* Loads one batch; afterwards the task is LOAD, IDLE (all done) or the
 * session was lost. */
void mb_load_chunk(struct mb_worker *w);
void mb_load_prioritize(struct mb_worker *w, struct mb_request *r);
/* A batch broke off: what was in flight is needed again. */
void mb_load_requeue(struct mb_worker *w);
/* Opens the header cache at the first listing (says in the transcript
 * when a file was not trusted). */
void mb_load_open_cache(struct mb_worker *w);
/* After the listing went to the UI: the summaries mb_load_start found in
 * the header cache, with a notice saying how many. */
void mb_load_post_cached(struct mb_worker *w);
/* Writes the header cache if it changed (worker thread; quick: one file)
 * and lets go of it; the next listing opens it again. */
void mb_load_save_cache(struct mb_worker *w);

#endif
