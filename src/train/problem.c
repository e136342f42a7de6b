/* A training problem: the data distribution and every certified constant the evaluation of
   the iterates needs (prefix masses, R* = log rho(y|x), H_rho(Y|X), M(r*)), plus the float64
   copies training uses. */
#include "ae-impl.h"

void ae_train_problem_init(ae_train_problem_t pb, const ae_data_t rho, const ae_space_t sp, slong prec)
{
    const slong P = sp->P, S = sp->S, A = sp->A, T = sp->T;
    slong Y, p, d, s, a, y;
    ae_table_t rs;
    arb_t t;

    AE_ASSERT(sp->indexable);
    Y = fmpz_get_si(sp->responses);
    AE_ASSERT(rho->P == P && rho->Y == Y && rho->zeros == 0);
    pb->sp = sp;
    pb->rho = rho;
    pb->prec = prec;
    pb->mass = _arb_vec_init(P * S);
    pb->rstar = _arb_vec_init(P * Y);
    arb_init(pb->ent);
    ae_table_init(pb->qstar, sp);
    pb->mass_d = ae_calloc((size_t)(P * S), sizeof(double));
    pb->rho_sa_d = ae_calloc((size_t)(P * S * A), sizeof(double));
    pb->xmass_d = ae_calloc((size_t)P, sizeof(double));
    pb->work = _arb_vec_init(3 * S + Y + A);

    arb_init(t);
    ae_data_prefix_arb(pb->mass, rho, sp, prec);
    for (p = 0; p < P; p++)
        for (y = 0; y < Y; y++) {
            arb_srcptr r = rho->b + p * Y + y;
            arb_ptr rs_y = pb->rstar + p * Y + y;
            arb_div(rs_y, r, pb->mass + p * S, prec); /* rho(y|x) */
            arb_log(rs_y, rs_y, prec);
            arb_mul(t, r, rs_y, prec);
            arb_sub(pb->ent, pb->ent, t, prec);
        }

    /* r* = R* on the ending action, 0 elsewhere; M(r*) by the library's soft Bellman map */
    ae_table_init(rs, sp);
    for (p = 0; p < P; p++)
        for (d = 0; d < T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < A; a++)
                    if (ae_space_allowed(sp, d, a) && ae_space_ends(sp, d, a))
                        arb_set(ae_table_entry(rs, p, s, a), pb->rstar + p * Y + ae_space_response_rank(sp, s, a));
    ae_bellman_map(pb->qstar, rs, sp, prec);
    ae_table_clear(rs);

    for (p = 0; p < P * S; p++)
        pb->mass_d[p] = arf_get_d(arb_midref(pb->mass + p), ARF_RND_NEAR);
    for (p = 0; p < P; p++) {
        pb->xmass_d[p] = pb->mass_d[p * S];
        for (d = 0; d < T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < A; a++) {
                    double *o = pb->rho_sa_d + (p * S + s) * A + a;
                    if (!ae_space_allowed(sp, d, a))
                        *o = 0;
                    else if (ae_space_ends(sp, d, a))
                        *o = rho->d[p * Y + ae_space_response_rank(sp, s, a)];
                    else
                        *o = pb->mass_d[p * S + sp->first[d + 1] + (s - sp->first[d]) * sp->V + a];
                }
    }
    arb_clear(t);
}

void ae_train_problem_clear(ae_train_problem_t pb)
{
    const ae_space_struct *sp = pb->sp;
    slong Y = fmpz_get_si(sp->responses);
    _arb_vec_clear(pb->mass, sp->P * sp->S);
    _arb_vec_clear(pb->rstar, sp->P * Y);
    arb_clear(pb->ent);
    ae_table_clear(pb->qstar);
    free(pb->mass_d);
    free(pb->rho_sa_d);
    free(pb->xmass_d);
    _arb_vec_clear(pb->work, 3 * sp->S + Y + sp->A);
}
