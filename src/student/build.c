/* delta = q - q* for a student spec, at a given precision. */
#include "ae-impl.h"

void ae_student_build(ae_table_t delta, const ae_student_spec *st, const ae_table_t r,
                      const ae_table_t qstar, const ae_space_t sp, slong prec)
{
    ae_table_t q;
    slong p, d, s, a;

    switch (st->kind) {
    case AE_STUDENT_UNIFORM:
    case AE_STUDENT_SIGN:
    case AE_STUDENT_SPARSE:
    case AE_STUDENT_ROWCONST:
        ae_student_delta(delta, st->kind, st->eps, st->seed, sp);
        return;
    case AE_STUDENT_ADV_FWD:
    case AE_STUDENT_ADV_REV:
        ae_table_set(delta, st->delta);
        return;
    case AE_STUDENT_VALUE: /* a banned pair (q* = -inf) stays banned: no error there */
        ae_student_value_delta(delta, st->eps, st->seed, sp, prec);
        for (p = 0; p < sp->P * sp->S * sp->A; p++)
            if (arf_is_neg_inf(arb_midref(qstar->v + p)))
                arb_zero(delta->v + p);
        return;
    default:
        break;
    }
    ae_table_init(q, sp);
    if (st->kind == AE_STUDENT_LOOKAHEAD)
        ae_student_lookahead(q, r, st->k, sp, prec);
    else
        ae_table_set(q, st->q);
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    arb_ptr x = ae_table_entry(delta, p, s, a);
                    /* Proposition C10.1: a lookahead row of depth d >= T-1-k is the teacher's
                       exactly; the balls would only say so up to rounding */
                    if (st->kind == AE_STUDENT_LOOKAHEAD && d >= sp->T - 1 - st->k)
                        arb_zero(x);
                    else if (ae_space_allowed(sp, d, a))
                        arb_sub(x, ae_table_entry(q, p, s, a), ae_table_entry(qstar, p, s, a), prec);
                    else
                        arb_zero(x); /* both -inf: no difference, and never read */
                }
    ae_table_clear(q);
}
