/*
 * The session's insides, shared by session.c (state, connect, commands),
 * scan.c (LIST/UIDL and batches) and auth.c (login mechanisms).
 */
#ifndef POPVIEW_POP3_SESSION_PRIVATE_H
#define POPVIEW_POP3_SESSION_PRIVATE_H

#include <popview/util.h>

#include <popview/pop3.h>

#include "private.h"

/* A message's size as the last LIST gave it. */
struct pop3_msg_size {
    unsigned msgno;
    uint64_t size;
};

struct pop3_session {
    struct pop3_engine *eng; /* NULL once closed */
    char *host;
    char *cafile;
    bool insecure;
    enum pop3_tls_mode tls_mode;
    enum pop3_state state;
    char *greeting;
    char *apop_ts;
    struct pop3_capa capa;
    /* A CAPA sent but not answered yet (pipelined after login): its lines
     * replace capa when the answer is complete, so capa is never half
     * filled. */
    struct pop3_capa capa_next;
    struct pv_buf capa_line;
    bool capa_pending;
    bool capa_ok;
    enum pop3_support top;
    enum pop3_support uidl;
    bool utf8;
    enum pop3_auth_mech mech_used;
    struct pop3_msg_size *sizes; /* from the last scan, by message number */
    size_t nsizes;
};

/* The outcome of a single-line reply. */
struct pop3_simple_reply {
    bool done;
    bool got_status;
    bool ok;
    enum pop3_resp_code code;
    char text[PV_ERROR_SERVER_MAX];
};

/* Queues CAPA; its answer replaces the capabilities when it has come in
 * whole (the next drain), so the commands after it can go out at once. */
enum pop3_status pop3_session_queue_capa(struct pop3_session *s, struct pv_error *err);

/* The only writer of s->state; reports the transition to the transcript. */
void pop3_session_set_state(struct pop3_session *s, enum pop3_state st);
/* POP3_OK when cmd may be sent now, else why not. */
enum pop3_status pop3_session_require(struct pop3_session *s, enum pop3_cmd cmd,
                                      struct pv_error *err);
/* Queues cmd and waits for its reply (no state check). */
enum pop3_status pop3_session_simple(struct pop3_session *s, enum pop3_cmd cmd,
                                     const char *const *args, size_t nargs,
                                     struct pop3_simple_reply *r, struct pv_error *err);
/* POP3_OK for +OK; POP3_ERR_SERVER with a sentence for -ERR. */
enum pop3_status pop3_session_reply_status(const struct pop3_simple_reply *r, const char *what,
                                           struct pv_error *err);
/* The cap on a RETR reply for msgno (pop3_engine_cap_last): far above the
 * size the last LIST gave, or 0 (no cap) when LIST did not give one. */
uint64_t pop3_session_retr_cap(const struct pop3_session *s, unsigned msgno);
/* Remembers the size LIST n gave for msgno (kept in msgno order), so a
 * later RETR of it is capped as after a whole scan. */
void pop3_session_keep_size(struct pop3_session *s, unsigned msgno, uint64_t size);

/* Asks CAPA again, replacing what was known. */
enum pop3_status pop3_session_refresh_capa(struct pop3_session *s, struct pv_error *err);

#endif
