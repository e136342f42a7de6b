/* M and M^{-1} to a requested output accuracy: the precision is doubled until every value is
   as accurate as its destination needs (the map command's files, the flat float64 API). */
#include "ae-impl.h"

/* 1 when every real in x rounds to the same float64: both ends of the ball, computed exactly
   (rounding them at some precision could move an end across a rounding boundary for ever),
   round to the same double, and rounding is monotone. */
static int rounds_to_one_double(const arb_t x)
{
    arf_t lo, hi;
    int same;

    if (arb_is_exact(x))
        return 1;
    arf_init(lo);
    arf_init(hi);
    arb_get_lbound_arf(lo, x, ARF_PREC_EXACT);
    arb_get_ubound_arf(hi, x, ARF_PREC_EXACT);
    same = arf_get_d(lo, ARF_RND_NEAR) == arf_get_d(hi, ARF_RND_NEAR);
    arf_clear(lo);
    arf_clear(hi);
    return same;
}

int ae_table_accurate(const ae_table_t t, const ae_space_t sp, slong bits)
{
    slong p, s, a, d;
    for (p = 0; p < t->P; p++) {
        d = 0;
        for (s = 0; s < t->S; s++) {
            if (s == sp->first[d + 1])
                d++;
            for (a = 0; a < t->A; a++) {
                arb_srcptr x = ae_table_entry(t, p, s, a);
                if (!ae_space_allowed(sp, d, a) || arb_is_exact(x))
                    continue;
                if (bits == AE_ACC_FLOAT64 ? !rounds_to_one_double(x)
                                           : arb_rel_accuracy_bits(x) < bits)
                    return 0;
            }
        }
    }
    return 1;
}

int ae_bellman_map_accurate(slong *used, ae_table_t out, ae_table_t in, const ae_map_source *src,
                            const ae_space_t sp, int inverse, slong bits, slong prec, slong max_prec,
                            ae_err_t err)
{
    ae_qtable_t exact;
    int exact_state = 0; /* exact input values: 0 not read yet, 1 read, -1 unavailable */
    int rc = 0;

    for (;; prec *= 2) {
        if ((rc = src->read(in, prec, src->ctx, err)) != 0)
            break;
        if (inverse)
            ae_bellman_unmap(out, in, sp, prec);
        else
            ae_bellman_map(out, in, sp, prec);
        *used = prec;
        if (!ae_table_accurate(out, sp, bits)) {
            /* a value that is exactly 0 (0.1 - 0.1) never gets a relative accuracy: decide
               such balls on the exact input values, read once */
            if (exact_state == 0) {
                ae_err_t xerr;
                ae_err_init(xerr);
                ae_qtable_init(exact, sp);
                exact_state = src->read_exact(exact, src->ctx, xerr) == 0 ? 1 : -1;
            }
            if (exact_state > 0)
                ae_bellman_exact_zeros(out, exact, sp, inverse);
        }
        if (ae_table_accurate(out, sp, bits))
            break;
        if (2 * prec > max_prec) {
            rc = 1;
            break;
        }
        if (src->raise != NULL && (rc = src->raise(2 * prec, src->ctx, err)) != 0)
            break;
    }
    if (exact_state != 0)
        ae_qtable_clear(exact);
    return rc;
}
