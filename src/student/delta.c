/* Explicit perturbation families q = q* + delta, ||delta||_inf = eps exactly. Every delta is
   eps times a dyadic in [-1, 1], so it is exact in a ball. */
#include "ae-impl.h"

#define AE_UNIFORM_BITS 20

const char *ae_student_name(ae_student_kind kind)
{
    static const char *const names[] = {"uniform", "sign", "sparse", "rowconst", "value",
                                        "adv-fwd", "adv-rev", "lookahead", "file"};
    return names[kind];
}

static double unit(uint64_t h) /* uniform dyadic in [-1, 1] */
{
    return ldexp((double)(slong)(h % ((UWORD(1) << (AE_UNIFORM_BITS + 1)) + 1)) - (double)(UWORD(1) << AE_UNIFORM_BITS),
                 -AE_UNIFORM_BITS);
}

void ae_student_delta(ae_table_t delta, ae_student_kind kind, double eps, uint64_t seed, const ae_space_t sp)
{
    slong p, s, a, d;
    /* the row that reaches eps: one with at least two allowed actions when there is one, since a
       shift of a one-action row changes no probability */
    slong choices = (sp->kind == AE_EOS) ? sp->first[sp->T - 1] : (sp->V > 1 ? sp->S : 0);
    slong special = choices > 0 ? (slong)(ae_hash(seed, 11, 0, 0, 0) % (uint64_t)choices)
                                : (slong)(ae_hash(seed, 11, 0, 0, 0) % (uint64_t)sp->S);
    AE_ASSERT(kind <= AE_STUDENT_ROWCONST);
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                double c = (s == special) ? 1.0 : unit(ae_hash(seed, 12, (uint64_t)p, (uint64_t)s, 0));
                int first = 1;
                for (a = 0; a < sp->A; a++) {
                    arb_ptr x = ae_table_entry(delta, p, s, a);
                    uint64_t h = ae_hash(seed, 13, (uint64_t)p, (uint64_t)s, (uint64_t)a);
                    double u;
                    if (!ae_space_allowed(sp, d, a)) {
                        arb_zero(x);
                        continue;
                    }
                    switch (kind) {
                    case AE_STUDENT_UNIFORM: u = (s == special && first) ? 1.0 : unit(h); break;
                    case AE_STUDENT_SIGN: u = (h & 1) ? 1.0 : -1.0; break;
                    case AE_STUDENT_SPARSE: u = (s != special) ? 0.0 : (first || (h & 1)) ? 1.0 : -1.0; break;
                    default: u = c; break; /* ROWCONST */
                    }
                    first = 0;
                    arb_set_d(x, u);
                    {
                        arb_t e;
                        arb_init(e);
                        arb_set_d(e, eps);
                        arb_mul(x, x, e, 2 * 53 + 8); /* exact: two doubles' mantissas */
                        arb_clear(e);
                    }
                }
            }
}
