/*
 * Binding popview's text domain to its catalogues, and the language of
 * LC_MESSAGES for the texts that are not gettext catalogues (the teaching
 * texts, assets/explain/<lang>.txt).
 *
 * Where the catalogues are is decided at run time: a binary that lives
 * under the build directory it was compiled in (PV_BUILD_ROOT) reads the
 * build tree's assets/po/<lang>/LC_MESSAGES/popview.mo, where meson's i18n
 * module leaves them; any other (installed, or copied elsewhere) reads
 * PV_LOCALEDIR, meson's localedir.  Both come from src/util/meson.build.
 */
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <popview/util.h>

#include <popview/i18n.h>

#ifndef PV_LOCALEDIR
#error "PV_LOCALEDIR must be defined by the build (src/util/meson.build)"
#endif
#ifndef PV_BUILD_ROOT
#error "PV_BUILD_ROOT must be defined by the build (src/util/meson.build)"
#endif
#ifndef PV_BUILD_LOCALEDIR
#error "PV_BUILD_LOCALEDIR must be defined by the build (src/util/meson.build)"
#endif

enum { EXE_PATH_MAX = 4096 };

/* Whether the running binary sits under the build root it was built in. */
static bool running_from_build_tree(void)
{
    char exe[EXE_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    size_t root_len = strlen(PV_BUILD_ROOT);
    return root_len > 0 && (size_t)n > root_len && strncmp(exe, PV_BUILD_ROOT, root_len) == 0 &&
           exe[root_len] == '/';
}

const char *pv_i18n_init(void)
{
    const char *dir = running_from_build_tree() ? PV_BUILD_LOCALEDIR : PV_LOCALEDIR;
    bindtextdomain(PV_TEXT_DOMAIN, dir);
    /* Our output is UTF-8 whatever the locale's charset (main.c). */
    bind_textdomain_codeset(PV_TEXT_DOMAIN, "UTF-8");
    textdomain(PV_TEXT_DOMAIN);
    return dir;
}

/* Copies the leading letters of name (the language of "ru_RU.UTF-8"). */
static bool copy_language(const char *name, char *out, size_t out_size)
{
    size_t n = 0;
    while (name[n] >= 'a' && name[n] <= 'z')
        n++;
    if (n < 2 || n > 3 || n >= out_size)
        return false;
    memcpy(out, name, n);
    out[n] = '\0';
    return true;
}

/* gettext's order (GNU gettext manual, "The LANGUAGE variable"): the
 * LANGUAGE list wins over LC_MESSAGES, except in the C locale, where
 * nothing is translated. */
void pv_i18n_language(char *out, size_t out_size)
{
    if (!out || out_size < 4)
        return;
    snprintf(out, out_size, "en");
    const char *messages = setlocale(LC_MESSAGES, NULL);
    if (!messages || strcmp(messages, "C") == 0 || strcmp(messages, "POSIX") == 0 ||
        strncmp(messages, "C.", 2) == 0)
        return;
    const char *language = getenv("LANGUAGE");
    if (language && *language && copy_language(language, out, out_size))
        return;
    copy_language(messages, out, out_size);
}
