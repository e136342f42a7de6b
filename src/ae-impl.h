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

/* V_q(s) = LSE of the allowed entries of row (p,s) at depth d (shifted by the largest
   midpoint, so exp never overflows). Shared by the maps and the checkers. */
/* The depth where streaming walks split into independent subtrees (fixed by the space, so
   results never depend on the thread or rank count). */
slong _ae_stream_split_depth(const ae_space_t sp);
void _ae_lse_allowed(arb_t v, arb_srcptr row, const ae_space_t sp, slong d, slong prec);
void _ae_row_lse(arb_t v, const ae_table_t q, const ae_space_t sp, slong p, slong s, slong d, slong prec);

#endif
