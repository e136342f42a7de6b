/* C11 (paper A.5): with a reference ARM q_ref, the residual map q = r (ending) or
   r + V_{q+q_ref}(s.a) gives p_{q+q_ref} = p_{R_r + R_ref}; and for every student q,
   E_q[R] - KL(p_q||p_ref) = log Z_{R+R_ref} - KL(p_q||p_{R+R_ref}) (reverse-KL distillation is
   KL-regularised RL). The reference is normalised (rows of log-probabilities), so
   R_ref(y) = log p_ref(y). */
#include "claim.h"

typedef struct {
    const ae_instance *in;
    uint64_t aux;
} c11_arg;

/* Residual backward pass: tot = q + q_ref with q from the residual map. Own recursion, not M. */
static void residual_map(ae_table_t tot, const ae_table_t r, const ae_table_t qref,
                         const ae_space_t sp, slong prec)
{
    arb_t v;
    slong p, d, s, a;
    arb_init(v);
    for (p = 0; p < sp->P; p++)
        for (d = sp->T - 1; d >= 0; d--)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    arb_ptr o = ae_table_entry(tot, p, s, a);
                    if (!ae_space_allowed(sp, d, a)) {
                        arb_neg_inf(o);
                        continue;
                    }
                    arb_set(o, ae_table_entry(r, p, s, a));
                    if (!ae_space_ends(sp, d, a)) {
                        _ae_row_lse(v, tot, sp, p, sp->first[d + 1] + (s - sp->first[d]) * sp->V + a, d + 1, prec);
                        arb_add(o, o, v, prec);
                    }
                    arb_add(o, o, ae_table_entry(qref, p, s, a), prec);
                }
    arb_clear(v);
}

static void c11_at(ae_rows_t rows, const void *varg, slong prec)
{
    const c11_arg *a = varg;
    const ae_instance *in = a->in;
    const ae_space_struct *sp = in->sp;
    slong P = sp->P, p, d, s, k, n = 0;
    ae_table_t r, r2, zero, qref, tot, qs;
    ae_paths_struct *ps = ae_malloc((size_t)P * sizeof(ae_paths_struct));
    ae_paths_t w;
    arb_ptr lhs = _arb_vec_init(P), rhs = _arb_vec_init(P);
    arb_t v;
    ae_gen_t g;

    ae_table_init(r, sp);
    ae_table_init(r2, sp);
    ae_table_init(zero, sp);
    ae_table_init(qref, sp);
    ae_table_init(tot, sp);
    ae_table_init(qs, sp);
    ae_paths_init(w);
    arb_init(v);
    if (in->r != NULL)
        ae_table_set(r, in->r);
    else
        ae_gen_table(r, &in->gen, sp, prec);
    g->kind = AE_GEN_DYADIC;
    g->seed = a->aux;
    g->stream = 7;
    ae_gen_table(qref, g, sp, prec);
    for (p = 0; p < P; p++) /* normalise each row: q_ref = log pi_ref */
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                _ae_row_lse(v, qref, sp, p, s, d, prec);
                for (k = 0; k < sp->A; k++)
                    if (ae_space_allowed(sp, d, k))
                        arb_sub(ae_table_entry(qref, p, s, k), ae_table_entry(qref, p, s, k), v, prec);
            }
    residual_map(tot, r, qref, sp, prec);
    /* r2 = r + q_ref, so R_{r2} = R_r + log p_ref */
    for (k = 0; k < P * sp->S * sp->A; k++)
        arb_add(r2->v + k, r->v + k, qref->v + k, prec);
    ae_table_mask(r2, sp);
    for (p = 0; p < P; p++) {
        ae_paths_init(ps + p);
        ae_paths_walk(ps + p, r2, tot, NULL, sp, p, prec);
    }
    ae_paths_row(rows, "C11", "p_q+qref(y) = p_R+Rref(y) all y", in, r2, tot, ps, prec);

    /* a random student: E_q[R] - KL(p_q||p_ref), each term by its own walk, against
       log Z' - KL(p_q||p_R') with p_R' = p_tot */
    g->stream = 8;
    ae_gen_table(qs, g, sp, prec);
    for (k = 0; k < P * sp->S * sp->A; k++)
        arb_zero(zero->v + k);
    ae_table_mask(zero, sp);
    for (p = 0; p < P; p++) {
        ae_paths_walk(w, r, qs, qref, sp, p, prec); /* elbo = E[R] + H(p_q); klchain = KL(q||ref) */
        arb_sub(lhs + p, w->elbo, w->klchain, prec);
        ae_paths_walk(w, zero, qs, NULL, sp, p, prec); /* elbo = H(p_q) */
        arb_sub(lhs + p, lhs + p, w->elbo, prec);
        ae_paths_walk(w, r2, qs, tot, sp, p, prec);
        arb_sub(rhs + p, ps[p].logz, w->klchain, prec);
        n += w->responses;
    }
    ae_eq_row(rows, "C11", "E_q[R]-KL(q||ref) = logZ'-KL(q||R')", in, prec, lhs, rhs, P, n);

    for (p = 0; p < P; p++)
        ae_paths_clear(ps + p);
    free(ps);
    _arb_vec_clear(lhs, P);
    _arb_vec_clear(rhs, P);
    arb_clear(v);
    ae_paths_clear(w);
    ae_table_clear(r);
    ae_table_clear(r2);
    ae_table_clear(zero);
    ae_table_clear(qref);
    ae_table_clear(tot);
    ae_table_clear(qs);
}

void ae_claim_c11_certified(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec, slong max_prec)
{
    c11_arg a;
    a.in = in;
    a.aux = aux_seed;
    ae_escalate(rows, c11_at, &a, prec, max_prec);
}
