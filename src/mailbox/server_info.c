/*
 * The snapshot of what the server is, for the inspector: taken from the
 * session on the worker thread (after connecting, which includes STLS, and
 * after logging in, when CAPA is asked again), sent to the UI thread as a
 * result, and kept by the model until the next one.  Every string the
 * server chose is sanitized to one line here, so the UI never sees a
 * control byte from the network.
 */
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/net.h>

#include <popview/pop3.h>

#include <popview/mailbox.h>

#include "private.h"

/* RFC 2449 puts no limit on CAPA; the session keeps what it was sent, and
 * the inspector has no use for more lines than a screen holds many times. */
enum { MB_SERVER_CAPA_MAX = 256 };

struct mb_server_snap *mb_server_snap_take(const struct pop3_session *s, bool logged_in)
{
    struct mb_server_snap *snap = pv_xcalloc(1, sizeof *snap);
    const char *greeting = pop3_session_greeting(s);
    snap->greeting = mb_one_line(greeting ? greeting : "", greeting ? strlen(greeting) : 0);
    size_t n = pop3_session_capa_count(s);
    if (n > MB_SERVER_CAPA_MAX)
        n = MB_SERVER_CAPA_MAX;
    snap->capa = pv_xcalloc(n ? n : 1, sizeof *snap->capa);
    for (size_t i = 0; i < n; i++) {
        const char *line = pop3_session_capa_line(s, i);
        snap->capa[i] = mb_one_line(line ? line : "", line ? strlen(line) : 0);
    }
    if (logged_in)
        snap->auth_mech = pv_xstrdup(pop3_auth_mech_name(pop3_session_auth_mech(s)));
    struct mailbox_server_info *p = &snap->pub;
    p->known = true;
    p->logged_in = logged_in;
    p->greeting = snap->greeting;
    p->apop = pop3_session_apop_timestamp(s) != NULL;
    p->capa_known = pop3_session_capa_known(s);
    p->capa_count = n;
    p->capa = (const char *const *)snap->capa;
    p->auth_mech = snap->auth_mech;
    p->tls = pop3_session_tls_info(s, &p->tls_info);
    return snap;
}

void mb_server_snap_free(struct mb_server_snap **sp)
{
    if (!sp || !*sp)
        return;
    struct mb_server_snap *snap = *sp;
    for (size_t i = 0; i < snap->pub.capa_count; i++)
        free(snap->capa[i]);
    free(snap->capa);
    free(snap->greeting);
    free(snap->auth_mech);
    free(snap);
    *sp = NULL;
}
