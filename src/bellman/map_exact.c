/* M and M^{-1} in the multiplicative form on exact rational potentials (CLAIMS.md A.9):
   phi(s,a) = psi(s,a) * beta(s.a), beta(s) = sum_a phi(s,a). */
#include "ae-impl.h"

static void exact_pass(ae_qtable_t out, const ae_qtable_t in, const ae_space_t sp, int dir)
{
    const ae_qtable_struct *logits = (dir > 0) ? out : in;
    fmpq_t beta;
    slong p, d, s, a, b;

    AE_ASSERT(out->v != in->v);
    fmpq_init(beta);
    for (p = 0; p < sp->P; p++)
        for (d = sp->T - 1; d >= 0; d--)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    fmpq *o = ae_qtable_entry(out, p, s, a);
                    const fmpq *i = ae_qtable_entry(in, p, s, a);
                    if (!ae_space_allowed(sp, d, a)) {
                        fmpq_zero(o);
                    } else if (ae_space_ends(sp, d, a)) {
                        fmpq_set(o, i);
                    } else {
                        slong c = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
                        fmpq_zero(beta);
                        for (b = 0; b < sp->A; b++)
                            fmpq_add(beta, beta, ae_qtable_entry(logits, p, c, b));
                        if (dir > 0)
                            fmpq_mul(o, i, beta);
                        else
                            fmpq_div(o, i, beta);
                    }
                }
    fmpq_clear(beta);
}

void ae_bellman_map_exact(ae_qtable_t phi, const ae_qtable_t psi, const ae_space_t sp)
{
    exact_pass(phi, psi, sp, +1);
}

void ae_bellman_unmap_exact(ae_qtable_t psi, const ae_qtable_t phi, const ae_space_t sp)
{
    exact_pass(psi, phi, sp, -1);
}
