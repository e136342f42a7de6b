/* delta = q - q* for a student spec, at a given precision. */
#include "ae-impl.h"

/* A pair banned by the teacher (q* = -inf: r = -inf there, or every response below has) stays
   banned in every student: constrained decoding applies one mask to every model, so q = q* +
   delta is -inf there whatever delta, and delta is 0 (proofs/C1.md, "Banned entries"). */
static void keep_bans(ae_table_t delta, const ae_table_t qstar, const ae_space_t sp)
{
    slong k;
    for (k = 0; k < sp->P * sp->S * sp->A; k++)
        if (arf_is_neg_inf(arb_midref(qstar->v + k)))
            arb_zero(delta->v + k);
}

/* reach[s]: the most steps a path from s can take on finite rewards before it ends (0 when
   every action of s is banned), from the deepest states up. The lookahead V^(k)(s) sums
   exactly the paths V(s) sums when reach[s] <= k. */
static void finite_reach(slong *reach, const ae_table_t r, const ae_space_t sp, slong p)
{
    slong s, a, d = sp->T - 1;
    for (s = sp->S - 1; s >= 0; s--) {
        while (s < sp->first[d])
            d--;
        reach[s] = 0;
        for (a = 0; a < sp->A; a++)
            if (ae_space_allowed(sp, d, a) && !arf_is_neg_inf(arb_midref(ae_table_entry(r, p, s, a)))) {
                slong n = ae_space_ends(sp, d, a) ? 1 : 1 + reach[ae_space_child(sp, s, a)];
                if (n > reach[s])
                    reach[s] = n;
            }
    }
}

void ae_student_build(ae_table_t delta, const ae_student_spec *st, const ae_table_t r,
                      const ae_table_t qstar, const ae_space_t sp, slong prec)
{
    ae_table_t q;
    slong p, d, s, a, *reach = NULL;

    switch (st->kind) {
    case AE_STUDENT_UNIFORM:
    case AE_STUDENT_SIGN:
    case AE_STUDENT_SPARSE:
    case AE_STUDENT_ROWCONST:
        ae_student_delta(delta, st->kind, st->eps, st->seed, sp);
        keep_bans(delta, qstar, sp);
        return;
    case AE_STUDENT_ADV_FWD:
    case AE_STUDENT_ADV_REV:
        ae_table_set(delta, st->delta);
        keep_bans(delta, qstar, sp);
        return;
    case AE_STUDENT_VALUE:
        ae_student_value_delta(delta, st->eps, st->seed, sp, prec);
        keep_bans(delta, qstar, sp);
        return;
    default:
        break;
    }
    ae_table_init(q, sp);
    if (st->kind == AE_STUDENT_LOOKAHEAD) {
        ae_student_lookahead(q, r, st->k, sp, prec);
        reach = ae_malloc((size_t)sp->S * sizeof(slong));
    } else
        ae_table_set(q, st->q);
    for (p = 0; p < sp->P; p++) {
        if (reach != NULL)
            finite_reach(reach, r, sp, p);
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    arb_ptr x = ae_table_entry(delta, p, s, a);
                    /* Proposition C10.1: a lookahead entry is the teacher's exactly when it ends
                       the response or every path below it of finite rewards ends within k
                       steps (so at every depth d >= T-1-k); the balls would only say so up to
                       rounding */
                    if (reach != NULL && ae_space_allowed(sp, d, a) &&
                        (ae_space_ends(sp, d, a) || reach[ae_space_child(sp, s, a)] <= st->k))
                        arb_zero(x);
                    else if (ae_space_allowed(sp, d, a) && !arf_is_neg_inf(arb_midref(ae_table_entry(qstar, p, s, a))))
                        arb_sub(x, ae_table_entry(q, p, s, a), ae_table_entry(qstar, p, s, a), prec);
                    else
                        arb_zero(x); /* masked or banned: no difference, and never read */
                }
    }
    free(reach);
    ae_table_clear(q);
}
