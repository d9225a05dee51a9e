/*
 * i18n — what a person reads goes through gettext (libc's, on glibc no
 * libintl is needed).  English is the source language; the catalogues are
 * built from assets/po/<lang>.po by meson's i18n module.
 *
 * Glossary:
 *  - text domain: "popview", the name of our catalogue (popview.mo);
 *  - _("text"): the translation of text now;
 *  - N_("text"): marks text for the catalogue where it cannot be
 *    translated yet (a static table); translate it with _() where it is
 *    used;
 *  - P_(one, many, n): ngettext, a text with a number that chooses the
 *    plural form (Russian has three).
 *
 * Protocol text (commands, +OK/-ERR, header names) and what scripts parse
 * (--summary's TSV, exit codes) never goes through these.
 */
#ifndef POPVIEW_I18N_H
#define POPVIEW_I18N_H

#include <libintl.h>
#include <stddef.h>

#define PV_TEXT_DOMAIN "popview"

#define _(text) dgettext(PV_TEXT_DOMAIN, text)
#define N_(text) text
#define P_(one, many, n) dngettext(PV_TEXT_DOMAIN, one, many, n)

/*
 * Binds the text domain to the catalogues: the build tree's when the
 * program runs from the build tree (so build/src/popview speaks Russian
 * before it is installed), the installed ones otherwise.  Call it after
 * setlocale().  Returns the directory it chose (static storage).
 */
const char *pv_i18n_init(void);

/* The language of LC_MESSAGES as two or three letters ("ru" for
 * ru_RU.UTF-8), or "en" for C, POSIX and anything unset; written into out
 * (out_size >= 4). */
void pv_i18n_language(char *out, size_t out_size);

#endif
