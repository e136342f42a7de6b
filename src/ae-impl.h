/* First include of every source file: configuration, the public API, internal helpers. */
#ifndef AE_IMPL_H
#define AE_IMPL_H

#include <config.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include "armebm.h"

#define AE_ASSERT(cond)                                                                       \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "armebm: internal error at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

/* Allocation that aborts on exhaustion (sizes are checked against --max-work beforehand). */
void *ae_malloc(size_t n);
void *ae_calloc(size_t n, size_t size);
void *ae_realloc(void *p, size_t n);

/* Copies the string in into out (cap bytes, always NUL-terminated, cut if need be) with every
   byte that is not printable written as \xNN: control bytes (ESC, CR, ...), DEL, and bytes
   that are not part of a printable UTF-8 character. For messages that echo input. */
void ae_escape(char *out, size_t cap, const char *in);

/* ae_data_read on an open stream; path only names it in messages. */
int _ae_data_read_stream(ae_data_t d, const ae_space_t sp, FILE *in, const char *path, ae_err_t err);

/* Longest line a text reader (CSV tables, data files) accepts: room for the CSV writer's
   largest value (AE_IO_DIGITS_MAX digits) with its indices, so that an endless input such as
   /dev/zero is refused after 4 MiB instead of filling memory. */
#define AE_LINE_MAX ((size_t)1 << 22)
enum { AE_LINE_EOF = 0, AE_LINE_OK = 1, AE_LINE_READ_ERROR = -1, AE_LINE_TOO_LONG = -2,
       AE_LINE_NOMEM = -3 };
/* Reads one line into *buf (grown as needed, NUL-terminated, '\n' dropped; may hold NUL
   bytes, *len counts them) of at most max bytes. Returns AE_LINE_OK, AE_LINE_EOF when no byte
   was left, or an error code; on error *len is the number of bytes kept. */
int _ae_read_line(FILE *in, char **buf, size_t *cap, size_t *len, size_t max);
/* Sets err for a failed _ae_read_line (rc < 0) at line `line` of path and returns the code. */
int _ae_line_fail(ae_err_t err, int rc, const char *path, slong line, size_t max);

/* V_q(s) = LSE of the allowed entries of row (p,s) at depth d (shifted by the largest
   midpoint, so exp never overflows). Shared by the maps and the checkers. */
void _ae_lse_allowed(arb_t v, arb_srcptr row, const ae_space_t sp, slong d, slong prec);
void _ae_row_lse(arb_t v, const ae_table_t q, const ae_space_t sp, slong p, slong s, slong d, slong prec);

/* Inline forms of per-entry functions, for the walks that call them once per tree edge
   (the public ae_space_allowed, ae_space_ends, ae_hash_tail, ae_gen_int_prefix wrap these). */
static inline int _ae_allowed(const ae_space_struct *sp, slong d, slong a)
{
    return !(sp->kind == AE_EOS && a < sp->V && d == sp->T - 1);
}

static inline int _ae_ends(const ae_space_struct *sp, slong d, slong a)
{
    return sp->kind == AE_EOS ? a == sp->V : d == sp->T - 1;
}

static inline uint64_t _ae_mix64(uint64_t z)
{
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* integer potentials are drawn from 1..AE_POTENTIAL_MAX */
#define AE_POTENTIAL_MAX 16

static inline slong _ae_gen_int(const ae_gen_struct *g, uint64_t prefix, slong s, slong a)
{
    uint64_t h = _ae_mix64(_ae_mix64(prefix ^ (uint64_t)s) ^ (uint64_t)a);
    if (g->kind == AE_GEN_POTENTIAL)
        return 1 + (slong)(h % AE_POTENTIAL_MAX);
    return (slong)(h % (2 * AE_DYADIC_RANGE + 1)) - AE_DYADIC_RANGE;
}

#endif
