/* The check's fast path (src/check/fast.c): every measure of ae_check over the tables in place,
   in the fast certified arithmetic (src/interval), table-free. Internal to src/check. */
#ifndef AE_CHECK_FAST_H
#define AE_CHECK_FAST_H

#include "ae-impl.h"

/* Where a table's values are: the data of a memory-mapped .npy (exact float64/float32 of
   either byte order), an array of doubles (exact), or a table of balls. Masked entries are
   never read. Values read are finite, except through AE_FSRC_ARB (a ball that is not finite
   makes the measures it enters undecided). */
typedef enum { AE_FSRC_BYTES, AE_FSRC_DOUBLES, AE_FSRC_ARB } ae_fsrc_kind;
typedef struct {
    ae_fsrc_kind kind;
    const unsigned char *bytes; /* AE_FSRC_BYTES */
    int isz, big;
    const double *d;         /* AE_FSRC_DOUBLES */
    const arb_struct *arb;   /* AE_FSRC_ARB */
} ae_fsrc;

/* The worst of an error measure over the allowed entries: its largest certified upper bound,
   the entry where it occurs (the first in canonical order among equal bounds; -1 when there is
   no allowed entry) and the largest certified lower bound. */
typedef struct {
    double hi, lo;
    slong k;
} ae_fworst;

typedef struct {
    ae_fworst abs, rel, cabs, crel;
    double *kf_lo, *kf_hi, *kr_lo, *kr_hi; /* per prompt (caller's arrays of sp->P):
                                              KL(p_r||p_q), KL(p_q||p_r) */
} ae_fmeasures;

/* Fills m; threads: OpenMP's, the result is the same at any thread count. */
void _ae_check_fast(ae_fmeasures *m, const ae_space_t sp, const ae_fsrc *r, const ae_fsrc *q);

#endif
