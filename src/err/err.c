/* Error sink: one line naming where and why; the first error wins. Messages echo file names
   and bytes read from files, so non-printable bytes are escaped before anyone prints them. */
#include "ae-impl.h"
#include <stdarg.h>

/* Length of the well-formed UTF-8 sequence of a printable character at s, or 0: overlong
   forms, surrogates and the C1 controls U+0080-U+009F (which terminals obey) give 0. */
static size_t utf8_printable(const unsigned char *s)
{
    unsigned c = s[0], k, n;
    unsigned long cp;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (k = 1; k < n; k++) {
        if ((s[k] & 0xc0) != 0x80) /* also stops at the terminating NUL */
            return 0;
        cp = (cp << 6) | (s[k] & 0x3f);
    }
    if (cp < 0xa0 || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

void ae_escape(char *out, size_t cap, const char *in)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t k = 0;
    AE_ASSERT(cap > 0);
    while (*s) {
        size_t n = *s >= 0x20 && *s < 0x7f ? 1 : utf8_printable(s);
        if (n == 0) {
            if (k + 4 >= cap)
                break;
            snprintf(out + k, 5, "\\x%02x", *s++);
            k += 4;
            continue;
        }
        if (k + n >= cap)
            break;
        memcpy(out + k, s, n);
        k += n;
        s += n;
    }
    out[k] = '\0';
}

void ae_err_init(ae_err_t err)
{
    err->code = AE_OK;
    err->msg[0] = '\0';
}

int ae_err_set(ae_err_t err, int code, const char *fmt, ...)
{
    char raw[sizeof err->msg];
    va_list ap;
    if (err->code != AE_OK)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ae_escape(err->msg, sizeof err->msg, raw);
    return code;
}

void *ae_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    AE_ASSERT(p != NULL);
    return p;
}

void *ae_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    AE_ASSERT(p != NULL);
    return p;
}

void *ae_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    AE_ASSERT(q != NULL);
    return q;
}
