/*
 * libFuzzer harness for the MIME side of src/mail: structure (mime.c),
 * parameter fields (params.c), transfer decoding (transfer.c) and the
 * rendering that reaches the terminal (render.c).  No global setup.
 * After each input it checks invariants, not just "no crash":
 *  - every part lies inside the message and inside its parent;
 *  - a part's decoded_size is what decoding it really gives;
 *  - streaming decoding in two pieces equals one-shot decoding;
 *  - the rendered text and the tree hold no byte a terminal acts on.
 *
 * Built by meson with -Dfuzz=true (tests/fuzz/meson.build, README.md):
 *   build-fuzz/tests/fuzz/fuzz_mime -dict=tests/fuzz/fuzz_mime.dict \
 *     -max_len=65536 -max_total_time=60 CORPUS-COPY tests/fuzz/corpus/fuzz_mime
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <popview/util.h>

#include <popview/mail.h>

static void check(bool ok)
{
    if (!ok)
        abort();
}

static void check_terminal_safe(const struct pv_buf *b)
{
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        check(c >= 0x20 || c == '\n' || c == '\t');
        check(c != 0x7f);
        if (c == 0xc2 && i + 1 < b->len)
            check((unsigned char)b->data[i + 1] < 0x80 || (unsigned char)b->data[i + 1] > 0x9f);
    }
}

static void check_tree(const struct mail_mime *m, const char *msg, size_t len)
{
    size_t n = mail_mime_count(m);
    check(n >= 1 && n <= MAIL_MIME_PARTS_MAX);
    struct pv_buf body;
    pv_buf_init(&body, 0);
    for (size_t i = 0; i < n; i++) {
        const struct mail_part *p = mail_mime_part(m, i);
        check(p->index == i);
        check(p->depth <= MAIL_MIME_DEPTH_MAX);
        check(p->header_offset <= p->body_offset);
        check(p->body_offset <= len && p->body_len <= len - p->body_offset);
        if (p->parent) {
            check(p->parent->index < i);
            check(p->depth == p->parent->depth + 1);
            /* the part for "the rest" past the parts cap runs to the end */
            if (!(i == MAIL_MIME_PARTS_MAX - 1 && p->note))
                check(p->body_offset + p->body_len <= p->parent->body_offset + p->parent->body_len);
        }
        check(p->type && strchr(p->type, '/'));
        pv_buf_reset(&body);
        mail_mime_part_decode(m, i, msg, len, &body);
        if (!p->is_multipart && !p->is_message)
            check(body.len == p->decoded_size);
        check(body.len <= p->body_len);
    }
    pv_buf_free(&body);
}

static void check_streaming(enum mail_transfer_encoding te, const char *in, size_t len)
{
    struct pv_buf whole, split;
    pv_buf_init(&whole, 0);
    pv_buf_init(&split, 0);
    enum mail_status st = mail_transfer_decode(te, in, len, &whole, NULL);
    size_t cut = len ? (unsigned char)in[0] % (len + 1) : 0;
    struct mail_decoder *d = mail_decoder_new(te);
    check(mail_decoder_feed(d, in, cut, &split));
    check(mail_decoder_feed(d, in + cut, len - cut, &split));
    check(mail_decoder_finish(d, &split));
    check(mail_decoder_status(d) == st);
    check(whole.len == split.len &&
          (whole.len == 0 || memcmp(whole.data, split.data, whole.len) == 0));
    check(whole.len <= len);
    check(mail_transfer_decoded_size(te, in, len) == whole.len);
    mail_decoder_free(&d);
    pv_buf_free(&whole);
    pv_buf_free(&split);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *msg = (const char *)data;

    struct mail_mime *m = mail_mime_parse(msg, size);
    check_tree(m, msg, size);

    struct pv_buf out;
    pv_buf_init(&out, 0);
    mail_render(m, msg, size, &out);
    check_terminal_safe(&out);
    pv_buf_reset(&out);
    mail_render_tree(m, &out);
    check_terminal_safe(&out);
    /* the tree has exactly one line per part */
    size_t lines = 0;
    for (size_t i = 0; i < out.len; i++)
        lines += out.data[i] == '\n';
    check(lines == mail_mime_count(m));
    pv_buf_free(&out);
    mail_mime_free(&m);

    if (size <= 4096) {
        struct mail_params *p = mail_content_type_parse(msg, size);
        check(strchr(mail_params_value(p), '/') != NULL);
        check(mail_params_count(p) <= MAIL_PARAMS_MAX);
        char *fn = mail_params_get_text(p, "filename");
        free(fn);
        mail_params_free(&p);
        check_streaming(MAIL_TE_BASE64, msg, size);
        check_streaming(MAIL_TE_QUOTED_PRINTABLE, msg, size);
    }
    return 0;
}
