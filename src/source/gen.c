/* Seeded generators of exactly representable instances: dyadic rewards and integer
   potentials (DESIGN.md, principle 2). */
#include "ae-impl.h"

const char *ae_gen_name(ae_gen_kind kind)
{
    return kind == AE_GEN_POTENTIAL ? "potential" : "dyadic";
}

slong ae_gen_int(const ae_gen_struct *g, slong p, slong s, slong a)
{
    return ae_gen_int_prefix(g, ae_hash_prefix(g->seed, g->stream, (uint64_t)p), s, a);
}

uint64_t ae_gen_aux_seed(uint64_t seed)
{
    return ae_hash(seed, 0xa0, 0, 0, 0);
}

slong ae_gen_int_prefix(const ae_gen_struct *g, uint64_t prefix, slong s, slong a)
{
    return _ae_gen_int(g, prefix, s, a);
}

void ae_gen_table(ae_table_t t, const ae_gen_struct *g, const ae_space_t sp, slong prec)
{
    slong p, s, a, d;
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    arb_ptr x = ae_table_entry(t, p, s, a);
                    if (!ae_space_allowed(sp, d, a)) {
                        arb_neg_inf(x);
                    } else if (g->kind == AE_GEN_POTENTIAL) {
                        arb_set_si(x, ae_gen_int(g, p, s, a));
                        arb_log(x, x, prec);
                    } else {
                        arb_set_si(x, ae_gen_int(g, p, s, a));
                        arb_mul_2exp_si(x, x, -AE_DYADIC_BITS);
                    }
                }
}

void ae_gen_qtable(ae_qtable_t t, const ae_gen_struct *g, const ae_space_t sp)
{
    slong p, s, a, d;
    AE_ASSERT(g->kind == AE_GEN_POTENTIAL);
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    fmpq *x = ae_qtable_entry(t, p, s, a);
                    if (!ae_space_allowed(sp, d, a))
                        fmpq_zero(x);
                    else
                        fmpq_set_si(x, ae_gen_int(g, p, s, a), 1);
                }
}

double ae_gen_get_d(const ae_gen_struct *g, const ae_space_t sp, slong p, slong s, slong a)
{
    slong d = ae_space_depth(sp, s);
    if (!ae_space_allowed(sp, d, a))
        return -HUGE_VAL;
    if (g->kind == AE_GEN_POTENTIAL)
        return log((double)ae_gen_int(g, p, s, a));
    return ldexp((double)ae_gen_int(g, p, s, a), -AE_DYADIC_BITS);
}
