/*
 * Tests for src/mail/mime.c:
 *   struct mail_mime *mail_mime_parse(const char *msg, size_t len);
 *   void mail_mime_free(struct mail_mime **m);
 *   size_t mail_mime_count(const struct mail_mime *m);
 *   const struct mail_part *mail_mime_part(const struct mail_mime *m, size_t index);
 *   const struct mail_part *mail_mime_find_section(const struct mail_mime *m, const char *s);
 *   bool mail_part_is_type(const struct mail_part *p, const char *type);
 *   bool mail_part_is_text(const struct mail_part *p);
 *   enum mail_status mail_mime_part_decode(m, index, msg, len, out);
 * Sample messages are in tests/mail/data (POPVIEW_SOURCE_ROOT).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

static char *load(const char *name, size_t *len_out)
{
    const char *root = getenv("POPVIEW_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "POPVIEW_SOURCE_ROOT is not set");
    char *path = pv_xasprintf("%s/tests/mail/data/%s", root, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    struct pv_buf b;
    pv_buf_init(&b, 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ck_assert(pv_buf_append(&b, chunk, n));
    fclose(f);
    free(path);
    return pv_buf_steal(&b, len_out);
}

/* One line per part: section, type and whatever else is set. */
static char *describe(const struct mail_mime *m)
{
    struct pv_buf d;
    pv_buf_init(&d, 0);
    for (size_t i = 0; i < mail_mime_count(m); i++) {
        const struct mail_part *p = mail_mime_part(m, i);
        ck_assert(pv_buf_printf(&d, "%s %s", p->section, p->type));
        if (p->charset_explicit)
            ck_assert(pv_buf_printf(&d, " cs=%s", p->charset));
        if (p->encoding != MAIL_TE_7BIT)
            ck_assert(pv_buf_printf(&d, " te=%s", p->encoding_name));
        if (p->disposition != MAIL_DISPOSITION_NONE)
            ck_assert(pv_buf_printf(&d, " %s",
                                    p->disposition == MAIL_DISPOSITION_INLINE ? "inline" : "att"));
        if (p->filename)
            ck_assert(pv_buf_printf(&d, " fn=%s", p->filename));
        if (p->content_id)
            ck_assert(pv_buf_printf(&d, " cid=%s", p->content_id));
        if (p->note)
            ck_assert(pv_buf_printf(&d, " (%s)", p->note));
        ck_assert(pv_buf_append_str(&d, "\n"));
    }
    return pv_buf_steal(&d, NULL);
}

/* The decoded body of part i as a new string. */
static char *decoded(const struct mail_mime *m, size_t i, const char *msg, size_t len)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    mail_mime_part_decode(m, i, msg, len, &b);
    return pv_buf_steal(&b, NULL);
}

/* ---- mail_mime_parse ---- */

START_TEST(parse_null_and_empty)
{
    struct mail_mime *m = mail_mime_parse(NULL, 0);
    ck_assert_uint_eq(mail_mime_count(m), 1);
    const struct mail_part *root = mail_mime_part(m, 0);
    ck_assert_str_eq(root->type, "text/plain");
    ck_assert_str_eq(root->charset, "us-ascii");
    ck_assert(!root->charset_explicit);
    ck_assert_str_eq(root->section, "1");
    ck_assert_uint_eq(root->body_len, 0);
    ck_assert_ptr_null(root->parent);
    mail_mime_free(&m);
    ck_assert_ptr_null(m);
    mail_mime_free(&m);
    mail_mime_free(NULL);

    m = mail_mime_parse("", 0);
    ck_assert_uint_eq(mail_mime_count(m), 1);
    mail_mime_free(&m);
}
END_TEST

static const struct {
    const char *file;
    const char *tree;
} tree_cases[] = {
    {"nested.eml", "1 multipart/mixed\n"
                   "1.1 multipart/alternative\n"
                   "1.1.1 text/plain cs=utf-8\n"
                   "1.1.2 multipart/related\n"
                   "1.1.2.1 text/html cs=utf-8\n"
                   "1.1.2.2 image/png te=base64 cid=logo@x\n"
                   "1.2 application/pdf te=base64 att fn=report.pdf\n"},
    {"html-only.eml", "1 text/html cs=utf-8 te=quoted-printable\n"},
    {"koi8r-base64.eml", "1 text/plain cs=koi8-r te=base64\n"},
    {"qp-latin1.eml", "1 text/plain cs=iso-8859-1 te=quoted-printable\n"},
    {"rfc2231.eml", "1 multipart/mixed\n"
                    "1.1 text/plain cs=us-ascii\n"
                    "1.2 application/octet-stream te=base64 att "
                    "fn=\u65e5\u672c\u8a9e\u306e\u30d5\u30a1\u30a4\u30eb.txt\n"},
    {"rfc2047-filename.eml", "1 multipart/mixed\n"
                             "1.1 text/plain\n"
                             "1.2 application/msword te=base64 att fn=\u00e9l\u00e8ve.doc\n"},
    {"missing-close.eml", "1 multipart/mixed (no closing boundary: the last part runs to the end)\n"
                          "1.1 text/plain\n"
                          "1.2 text/plain\n"},
    {"boundary-special.eml", "1 multipart/mixed\n1.1 text/plain\n1.2 text/plain\n"},
    {"rfc822-attachment.eml", "1 multipart/mixed\n"
                              "1.1 text/plain\n"
                              "1.2 message/rfc822 inline\n"
                              "1.2.1 multipart/mixed\n"
                              "1.2.1.1 text/plain cs=utf-8\n"
                              "1.2.1.2 image/png te=base64 fn=pic.png\n"},
    {"unknown-charset.eml", "1 text/plain cs=x-foo\n"},
    {"unknown-cte.eml", "1 text/plain te=x-uuencode\n"},
    {"bare-lf.eml", "1 multipart/alternative\n"
                    "1.1 text/plain cs=utf-8 te=quoted-printable\n"
                    "1.2 text/html\n"},
    {"dashes.eml", "1 multipart/mixed\n1.1 text/plain\n1.2 text/plain\n"},
    {"no-boundary.eml", "1 text/plain (multipart without a usable boundary: shown as text)\n"},
    {"digest.eml", "1 multipart/digest\n"
                   "1.1 message/rfc822\n"
                   "1.1.1 text/plain\n"
                   "1.2 message/rfc822\n"
                   "1.2.1 text/plain\n"},
};

START_TEST(parse_tree_table)
{
    size_t len;
    char *msg = load(tree_cases[_i].file, &len);
    struct mail_mime *m = mail_mime_parse(msg, len);
    char *tree = describe(m);
    ck_assert_msg(strcmp(tree, tree_cases[_i].tree) == 0, "%s:\n%s", tree_cases[_i].file, tree);
    /* Every part lies inside the message, children inside their parent. */
    for (size_t i = 0; i < mail_mime_count(m); i++) {
        const struct mail_part *p = mail_mime_part(m, i);
        ck_assert_uint_eq(p->index, i);
        ck_assert_uint_le(p->header_offset, p->body_offset);
        ck_assert_uint_le(p->body_offset + p->body_len, len);
        if (p->parent) {
            ck_assert_uint_eq(p->depth, p->parent->depth + 1);
            ck_assert_uint_ge(p->header_offset, p->parent->body_offset);
            ck_assert_uint_le(p->body_offset + p->body_len,
                              p->parent->body_offset + p->parent->body_len);
        }
    }
    free(tree);
    mail_mime_free(&m);
    free(msg);
}
END_TEST

/* Part bodies stop before the line break that belongs to the delimiter. */
START_TEST(parse_body_ranges)
{
    size_t len;
    char *msg = load("dashes.eml", &len);
    struct mail_mime *m = mail_mime_parse(msg, len);
    char *body = decoded(m, 1, msg, len);
    ck_assert_str_eq(body, "--not the boundary\r\n--sepX is not a delimiter either\r\n"
                           "--sep- nor this\r\n----sep\r\nLast line.\r\n\r\n-- \r\nAnn");
    free(body);
    body = decoded(m, 2, msg, len);
    ck_assert_str_eq(body, "Second part.");
    free(body);
    mail_mime_free(&m);
    free(msg);

    msg = load("missing-close.eml", &len);
    m = mail_mime_parse(msg, len);
    body = decoded(m, 2, msg, len);
    ck_assert_str_eq(body, "Second part runs to the end.\r\n");
    free(body);
    mail_mime_free(&m);
    free(msg);

    msg = load("boundary-special.eml", &len);
    m = mail_mime_parse(msg, len);
    body = decoded(m, 2, msg, len);
    ck_assert_str_eq(body, "Part two (its delimiter had transport padding).");
    free(body);
    mail_mime_free(&m);
    free(msg);
}
END_TEST

START_TEST(parse_fields)
{
    size_t len;
    char *msg = load("nested.eml", &len);
    struct mail_mime *m = mail_mime_parse(msg, len);
    const struct mail_part *pdf = mail_mime_part(m, 6);
    ck_assert_str_eq(pdf->description, "Quarterly r\u00e9port");
    ck_assert_uint_eq(pdf->decoded_size, 1516);
    ck_assert_ptr_null(pdf->charset);
    ck_assert_str_eq(mail_params_get(pdf->content_type, "name"), "report.pdf");
    const struct mail_part *png = mail_mime_part(m, 5);
    ck_assert_uint_eq(png->decoded_size, 66);
    ck_assert_str_eq(mail_headers_get(png->headers, "Content-ID"), "<logo@x>");
    const struct mail_part *root = mail_mime_part(m, 0);
    ck_assert(root->is_multipart);
    ck_assert_uint_eq(root->child_count, 2);
    ck_assert_ptr_eq(root->children[1], pdf);
    ck_assert_str_eq(mail_headers_get(root->headers, "Subject"), "Nested parts");
    mail_mime_free(&m);
    free(msg);
}
END_TEST

START_TEST(parse_depth_cap)
{
    size_t len;
    char *msg = load("deep.eml", &len);
    struct mail_mime *m = mail_mime_parse(msg, len);
    ck_assert_uint_eq(mail_mime_count(m), MAIL_MIME_DEPTH_MAX + 1);
    const struct mail_part *last = mail_mime_part(m, MAIL_MIME_DEPTH_MAX);
    ck_assert_uint_eq(last->depth, MAIL_MIME_DEPTH_MAX);
    ck_assert(!last->is_multipart);
    ck_assert_uint_eq(last->child_count, 0);
    ck_assert_ptr_nonnull(last->note);
    ck_assert_ptr_nonnull(strstr(last->note, "nested deeper"));
    mail_mime_free(&m);
    free(msg);
}
END_TEST

/* Rebuilt message with more parts than the cap: the rest is one part. */
START_TEST(parse_parts_cap)
{
    struct pv_buf b;
    pv_buf_init(&b, 0);
    ck_assert(pv_buf_append_str(&b, "Content-Type: multipart/mixed; boundary=x\n\n"));
    for (int i = 0; i < MAIL_MIME_PARTS_MAX + 50; i++)
        ck_assert(pv_buf_printf(&b, "--x\n\npart %d\n", i));
    ck_assert(pv_buf_append_str(&b, "--x--\n"));
    struct mail_mime *m = mail_mime_parse(b.data, b.len);
    ck_assert_uint_eq(mail_mime_count(m), MAIL_MIME_PARTS_MAX);
    const struct mail_part *rest = mail_mime_part(m, MAIL_MIME_PARTS_MAX - 1);
    ck_assert_str_eq(rest->type, "application/octet-stream");
    ck_assert_ptr_nonnull(strstr(rest->note, "10000"));
    ck_assert_uint_eq(rest->body_offset + rest->body_len, b.len);
    char *text = decoded(m, MAIL_MIME_PARTS_MAX - 1, b.data, b.len);
    ck_assert_ptr_nonnull(strstr(text, "part 10049"));
    free(text);
    text = decoded(m, 1, b.data, b.len);
    ck_assert_str_eq(text, "part 0");
    free(text);
    mail_mime_free(&m);
    pv_buf_free(&b);
}
END_TEST

static const struct {
    const char *msg;
    const char *tree;
} inline_cases[] = {
    /* headers only, no body */
    {"Subject: x\r\n", "1 text/plain\n"},
    /* a part without header fields or empty line is all body */
    {"Content-Type: multipart/mixed; boundary=b\n\n--b\nno header line\n--b--\n",
     "1 multipart/mixed\n1.1 text/plain\n"},
    /* first delimiter at the very start of the body, empty parts */
    {"Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\n--b--",
     "1 multipart/mixed\n1.1 text/plain\n1.2 text/plain\n"},
    /* boundary never appears */
    {"Content-Type: multipart/mixed; boundary=b\n\ntext\n",
     "1 text/plain (boundary never found: shown as text)\n"},
    /* an over-long boundary */
    {"Content-Type: multipart/mixed; "
     "boundary=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n\nx\n",
     "1 text/plain (multipart without a usable boundary: shown as text)\n"},
    /* a base64 attached message is not taken apart */
    {"Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA0KDQp5\n",
     "1 message/rfc822 te=base64 (encoded attached message: not taken apart)\n"},
    /* message/global is a message too */
    {"Content-Type: message/global\n\nSubject: x\n\nbody\n", "1 message/global\n1.1 text/plain\n"},
    /* an unreadable Content-Type */
    {"Content-Type: garbage\n\nx", "1 text/plain (unreadable Content-Type: read as text/plain)\n"},
    /* disposition without a filename, name= from Content-Type */
    {"Content-Type: image/gif; name=\"a.gif\"\nContent-Disposition: INLINE\n\nx",
     "1 image/gif inline fn=a.gif\n"},
    /* unknown disposition counts as attachment */
    {"Content-Disposition: weird\n\nx", "1 text/plain att\n"},
    /* nested boundary that starts with the outer one */
    {"Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/alternative; "
     "boundary=ab\n\n--ab\n\none\n--ab\n\ntwo\n--ab--\n--a--\n",
     "1 multipart/mixed\n1.1 multipart/alternative\n1.1.1 text/plain\n1.1.2 text/plain\n"},
};

START_TEST(parse_inline_table)
{
    const char *msg = inline_cases[_i].msg;
    struct mail_mime *m = mail_mime_parse(msg, strlen(msg));
    char *tree = describe(m);
    ck_assert_msg(strcmp(tree, inline_cases[_i].tree) == 0, "case %d:\n%s", _i, tree);
    free(tree);
    mail_mime_free(&m);
}
END_TEST

/* ---- mail_mime_count / mail_mime_part / mail_mime_find_section ---- */

START_TEST(lookup_functions)
{
    ck_assert_uint_eq(mail_mime_count(NULL), 0);
    ck_assert_ptr_null(mail_mime_part(NULL, 0));
    ck_assert_ptr_null(mail_mime_find_section(NULL, "1"));
    size_t len;
    char *msg = load("nested.eml", &len);
    struct mail_mime *m = mail_mime_parse(msg, len);
    ck_assert_uint_eq(mail_mime_count(m), 7);
    ck_assert_ptr_null(mail_mime_part(m, 7));
    ck_assert_ptr_eq(mail_mime_find_section(m, "1.1.2.2"), mail_mime_part(m, 5));
    ck_assert_ptr_eq(mail_mime_find_section(m, "1"), mail_mime_part(m, 0));
    ck_assert_ptr_null(mail_mime_find_section(m, "1.3"));
    ck_assert_ptr_null(mail_mime_find_section(m, NULL));
    mail_mime_free(&m);
    free(msg);
}
END_TEST

/* ---- mail_part_is_type / mail_part_is_text ---- */

START_TEST(type_predicates)
{
    ck_assert(!mail_part_is_text(NULL));
    ck_assert(!mail_part_is_type(NULL, "text"));
    const char *msg = "Content-Type: Text/HTML\n\n";
    struct mail_mime *m = mail_mime_parse(msg, strlen(msg));
    const struct mail_part *p = mail_mime_part(m, 0);
    ck_assert(mail_part_is_text(p));
    ck_assert(mail_part_is_type(p, "text"));
    ck_assert(mail_part_is_type(p, "text/html"));
    ck_assert(!mail_part_is_type(p, "text/htm"));
    ck_assert(!mail_part_is_type(p, "tex"));
    ck_assert(!mail_part_is_type(p, NULL));
    mail_mime_free(&m);
}
END_TEST

/* ---- mail_mime_part_decode ---- */

START_TEST(part_decode)
{
    size_t len;
    char *msg = load("koi8r-base64.eml", &len);
    struct mail_mime *m = mail_mime_parse(msg, len);
    struct pv_buf b;
    pv_buf_init(&b, 0);
    ck_assert_int_eq(mail_mime_part_decode(m, 0, msg, len, &b), MAIL_OK);
    /* "Привет" in KOI8-R */
    ck_assert_int_eq(memcmp(b.data, "\xf0\xd2\xc9\xd7\xc5\xd4", 6), 0);
    ck_assert_uint_eq(b.len, mail_mime_part(m, 0)->decoded_size);
    pv_buf_reset(&b);
    /* no such part, or a message shorter than the tree says */
    ck_assert_int_eq(mail_mime_part_decode(m, 1, msg, len, &b), MAIL_ERR_MALFORMED);
    ck_assert_int_eq(mail_mime_part_decode(m, 0, msg, 10, &b), MAIL_ERR_MALFORMED);
    ck_assert_int_eq(mail_mime_part_decode(m, 0, NULL, 0, &b), MAIL_ERR_MALFORMED);
    ck_assert_int_eq(mail_mime_part_decode(NULL, 0, msg, len, &b), MAIL_ERR_MALFORMED);
    ck_assert_uint_eq(b.len, 0);
    /* out's cap reached */
    struct pv_buf small;
    pv_buf_init(&small, 4);
    ck_assert_int_eq(mail_mime_part_decode(m, 0, msg, len, &small), MAIL_ERR_MALFORMED);
    pv_buf_free(&small);
    pv_buf_free(&b);
    mail_mime_free(&m);
    free(msg);

    msg = load("nested.eml", &len);
    m = mail_mime_parse(msg, len);
    pv_buf_init(&b, 0);
    ck_assert_int_eq(mail_mime_part_decode(m, 5, msg, len, &b), MAIL_OK);
    ck_assert_uint_eq(b.len, 66);
    ck_assert_int_eq(memcmp(b.data, "\x89PNG\r\n\x1a\n", 8), 0);
    pv_buf_free(&b);
    mail_mime_free(&m);
    free(msg);
}
END_TEST

static Suite *mime_suite(void)
{
    Suite *s = suite_create("mail_mime");
    TCase *tc = tcase_create("mail_mime_parse");
    tcase_add_test(tc, parse_null_and_empty);
    tcase_add_loop_test(tc, parse_tree_table, 0, (int)PV_ARRAY_LEN(tree_cases));
    tcase_add_loop_test(tc, parse_inline_table, 0, (int)PV_ARRAY_LEN(inline_cases));
    tcase_add_test(tc, parse_body_ranges);
    tcase_add_test(tc, parse_fields);
    tcase_add_test(tc, parse_depth_cap);
    tcase_add_test(tc, parse_parts_cap);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    tc = tcase_create("mail_mime_lookup");
    tcase_add_test(tc, lookup_functions);
    suite_add_tcase(s, tc);
    tc = tcase_create("mail_part_is_type");
    tcase_add_test(tc, type_predicates);
    suite_add_tcase(s, tc);
    tc = tcase_create("mail_mime_part_decode");
    tcase_add_test(tc, part_decode);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(mime_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
