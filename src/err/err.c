/* Error sink: one line naming where and why; the first error wins. */
#include "ae-impl.h"
#include <stdarg.h>

void ae_err_init(ae_err_t err)
{
    err->code = AE_OK;
    err->msg[0] = '\0';
}

int ae_err_set(ae_err_t err, int code, const char *fmt, ...)
{
    va_list ap;
    if (err->code != AE_OK)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
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
