/* Bounded line reader shared by the text formats: getline has no cap, so a file without line
   ends (or /dev/zero) would fill memory; this one stops at a given length and tells a read
   error, an overlong line and an exhausted memory apart from the end of the file. */
#include "ae-impl.h"
#include <errno.h>

int _ae_read_line(FILE *in, char **buf, size_t *cap, size_t *len, size_t max)
{
    size_t n = 0;
    int c;

    while ((c = getc(in)) != EOF && c != '\n') {
        if (n >= max) {
            *len = n;
            return AE_LINE_TOO_LONG;
        }
        if (n + 2 > *cap) { /* room for this byte and the terminating NUL */
            size_t want = *cap < 128 ? 128 : 2 * *cap;
            char *grown;
            if (want > max + 2)
                want = max + 2;
            grown = realloc(*buf, want);
            if (grown == NULL) {
                *len = n;
                return AE_LINE_NOMEM;
            }
            *buf = grown;
            *cap = want;
        }
        (*buf)[n++] = (char)c;
    }
    *len = n;
    if (c == EOF && ferror(in))
        return AE_LINE_READ_ERROR;
    if (c == EOF && n == 0)
        return AE_LINE_EOF;
    if (*buf == NULL) { /* an empty line read before any byte was stored */
        *buf = malloc(1);
        if (*buf == NULL)
            return AE_LINE_NOMEM;
        *cap = 1;
    }
    (*buf)[n] = '\0';
    return AE_LINE_OK;
}

int _ae_line_fail(ae_err_t err, int rc, const char *path, slong line, size_t max)
{
    if (rc == AE_LINE_TOO_LONG)
        return ae_err_set(err, AE_E_INPUT, "%s: line %ld too long: more than %lu bytes", path,
                          (long)line, (unsigned long)max);
    if (rc == AE_LINE_NOMEM)
        return ae_err_set(err, AE_E_NOMEM, "%s: line %ld: out of memory reading the line (at most "
                          "%lu bytes)", path, (long)line, (unsigned long)max);
    return ae_err_set(err, AE_E_IO, "%s: line %ld: read error: %s", path, (long)line,
                      strerror(errno));
}
