/*
 * Tests for src/util/i18n.c, gettext's set-up:
 *   const char *pv_i18n_init(void);
 *   void pv_i18n_language(char *out, size_t out_size);
 * and, through them, that the build tree's Russian catalogue is found and
 * used (when the ru_RU.UTF-8 locale is installed: .ci/install-deps makes
 * it).
 */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/i18n.h>

static bool have_russian_locale(void)
{
    return setlocale(LC_MESSAGES, "ru_RU.UTF-8") != NULL;
}

/* ---- pv_i18n_language -------------------------------------------------------- */

START_TEST(language_null_small_and_c)
{
    pv_i18n_language(NULL, 8); /* nothing happens */
    char tiny[3] = "xy";
    pv_i18n_language(tiny, sizeof tiny); /* too small for "en": left alone */
    ck_assert_str_eq(tiny, "xy");
    unsetenv("LANGUAGE");
    char lang[8];
    static const char *const c_locales[] = {"C", "POSIX", "C.UTF-8"};
    for (size_t i = 0; i < PV_ARRAY_LEN(c_locales); i++) {
        if (!setlocale(LC_MESSAGES, c_locales[i]))
            continue;
        /* LANGUAGE does not count in the C locale (nothing is translated). */
        setenv("LANGUAGE", "ru", 1);
        pv_i18n_language(lang, sizeof lang);
        ck_assert_str_eq(lang, "en");
        unsetenv("LANGUAGE");
    }
}
END_TEST

START_TEST(language_of_russian_locale)
{
    if (!have_russian_locale()) {
        fprintf(stderr, "test_i18n: ru_RU.UTF-8 is not installed: Russian cases not run\n");
        return;
    }
    unsetenv("LANGUAGE");
    char lang[8];
    pv_i18n_language(lang, sizeof lang);
    ck_assert_str_eq(lang, "ru");
    setenv("LANGUAGE", "de_DE:ru", 1);
    pv_i18n_language(lang, sizeof lang);
    ck_assert_str_eq(lang, "de");
    setenv("LANGUAGE", "", 1);
    pv_i18n_language(lang, sizeof lang);
    ck_assert_str_eq(lang, "ru");
    unsetenv("LANGUAGE");
    setlocale(LC_MESSAGES, "C");
}
END_TEST

/* ---- pv_i18n_init -------------------------------------------------------------- */

/* A test binary lives under the build root: it gets the build tree's
 * catalogues, and with them Russian. */
START_TEST(init_finds_build_catalogue)
{
    const char *dir = pv_i18n_init();
    ck_assert_ptr_nonnull(dir);
    const char *root = getenv("POPVIEW_BUILD_ROOT");
    if (root) {
        size_t n = strlen(root);
        ck_assert_msg(strncmp(dir, root, n) == 0, "%s is not under %s", dir, root);
    }
    ck_assert_ptr_nonnull(strstr(dir, "/assets/po"));
    unsetenv("LANGUAGE");
    setlocale(LC_MESSAGES, "C");
    ck_assert_str_eq(_("Attachments:"), "Attachments:");
    if (!have_russian_locale()) {
        fprintf(stderr, "test_i18n: ru_RU.UTF-8 is not installed: Russian cases not run\n");
        return;
    }
    ck_assert_str_eq(_("Attachments:"), "Вложения:");
    ck_assert_str_eq(P_("%llu octet", "%llu octets", 1), "%llu октет");
    ck_assert_str_eq(P_("%llu octet", "%llu octets", 3), "%llu октета");
    ck_assert_str_eq(P_("%llu octet", "%llu octets", 11), "%llu октетов");
    ck_assert_str_eq(P_("%llu octet", "%llu octets", 21), "%llu октет");
    /* What is not in the catalogue comes back as it is. */
    ck_assert_str_eq(_("no such text in popview"), "no such text in popview");
    setlocale(LC_MESSAGES, "C");
}
END_TEST

static Suite *i18n_suite(void)
{
    Suite *s = suite_create("util_i18n");
    TCase *tc = tcase_create("pv_i18n_language");
    tcase_add_test(tc, language_null_small_and_c);
    tcase_add_test(tc, language_of_russian_locale);
    suite_add_tcase(s, tc);
    tc = tcase_create("pv_i18n_init");
    tcase_add_test(tc, init_finds_build_catalogue);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(i18n_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
