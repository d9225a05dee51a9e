/*
 * A command line as a person typed it into the teaching console, split
 * into the command and its arguments for pop3_session_raw().  The pop3
 * encoder still checks the result (argument counts, CR/LF, length), so
 * this only has to find the words.
 *
 * Why PASS is special: RFC 1939 section 7 lets a password contain spaces,
 * so its one argument is the rest of the line.
 */
#include <string.h>

#include <popview/util.h>

#include <popview/pop3.h>

#include <popview/i18n.h>

#include "private.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* The next word of buf from *pos, NUL-terminated in place, or NULL. */
static char *next_word(char *buf, size_t *pos)
{
    size_t i = *pos;
    while (buf[i] && is_space(buf[i]))
        i++;
    if (!buf[i]) {
        *pos = i;
        return NULL;
    }
    char *word = buf + i;
    while (buf[i] && !is_space(buf[i]))
        i++;
    if (buf[i])
        buf[i++] = '\0';
    *pos = i;
    return word;
}

void mb_raw_clear(struct mb_raw *r)
{
    pv_wipe(r->buf, sizeof r->buf);
    memset(r->args, 0, sizeof r->args);
    r->nargs = 0;
    r->info = NULL;
}

bool mb_raw_parse(const char *line, struct mb_raw *out, struct pv_error *err)
{
    memset(out, 0, sizeof *out);
    size_t len = line ? strlen(line) : 0;
    if (len >= sizeof out->buf) {
        pv_error_set(err,
                     _("the line is longer than the %d octets a POP3 command may have "
                       "(RFC 2449 section 4)"),
                     POP3_MAX_COMMAND_LINE);
        return false;
    }
    if (len)
        memcpy(out->buf, line, len);
    size_t pos = 0;
    char *name = next_word(out->buf, &pos);
    if (!name) {
        pv_error_set(err, _("no command given"));
        return false;
    }
    out->info = pop3_cmd_lookup(name);
    if (!out->info || !out->info->name[0]) {
        pv_error_set(err, _("%.*s is not a POP3 command popview knows"), 32, name);
        mb_raw_clear(out);
        return false;
    }
    if (out->info->cmd == POP3_CMD_PASS) {
        while (out->buf[pos] && is_space(out->buf[pos]))
            pos++;
        if (out->buf[pos])
            out->args[out->nargs++] = out->buf + pos;
        return true;
    }
    char *word;
    while ((word = next_word(out->buf, &pos))) {
        if (out->nargs == MB_RAW_ARGS_MAX) {
            pv_error_set(err,
                         P_("%s takes at most %u argument", "%s takes at most %u arguments",
                            out->info->max_args),
                         out->info->name, out->info->max_args);
            mb_raw_clear(out);
            return false;
        }
        out->args[out->nargs++] = word;
    }
    return true;
}
