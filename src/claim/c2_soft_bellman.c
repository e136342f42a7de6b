/* C2: q* = M(r) solves the soft Bellman equation; log Z = max_p E_p[R - log p], attained at
   p_R; the ELBO identity E_{p_q}[R - log p_q] = log Z - KL(p_q || p_R) for any q. */
#include "claim.h"

typedef struct {
    const ae_instance *in;
    uint64_t aux;
} c2_arg;

static void c2_at(ae_rows_t rows, const void *varg, slong prec)
{
    const c2_arg *a = varg;
    const ae_instance *in = a->in;
    const ae_space_struct *sp = in->sp;
    slong P = sp->P, p, d, s, k, n = 0;
    ae_table_t r, q, qr, target;
    arb_ptr lhs = _arb_vec_init(P), rhs = _arb_vec_init(P), zero = _arb_vec_init(P);
    ae_paths_t ps;
    ae_gen_t g;

    ae_table_init(r, sp);
    ae_table_init(q, sp);
    ae_table_init(qr, sp);
    ae_table_init(target, sp);
    ae_paths_init(ps);
    if (in->r != NULL)
        ae_table_set(r, in->r);
    else
        ae_gen_table(r, &in->gen, sp, prec);
    ae_bellman_map(q, r, sp, prec);

    /* Bellman residual: q(s,a) - r(s,a) - V_q(s.a), V_q of the child from the stored q */
    for (p = 0; p < P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (k = 0; k < sp->A; k++) {
                    arb_ptr t = ae_table_entry(target, p, s, k);
                    if (!ae_space_allowed(sp, d, k))
                        continue;
                    arb_set(t, ae_table_entry(r, p, s, k));
                    if (!ae_space_ends(sp, d, k)) {
                        arb_t vc;
                        arb_init(vc);
                        ae_bellman_value(vc, q, sp, p, ae_space_child(sp, s, k), prec);
                        arb_add(t, t, vc, prec);
                        arb_clear(vc);
                    }
                }
    ae_table_compare_row(rows, "C2", "Bellman residual of M(r)", in, q, target, prec);

    /* At p = p_{M(r)}: E_p[R - log p] = log Z (the maximum is attained at p_R) */
    for (p = 0; p < P; p++) {
        ae_paths_walk(ps, r, q, NULL, sp, p, prec);
        arb_set(lhs + p, ps->elbo);
        arb_set(rhs + p, ps->logz);
        n += ps->responses;
    }
    ae_eq_row(rows, "C2", "E_pR[R - log p_R] = log Z", in, prec, lhs, rhs, P, n);

    /* A random logit table: ELBO identity with KL by the chain rule over states (an
       independent route), and the strict inequality ELBO < log Z. */
    g->kind = AE_GEN_DYADIC;
    g->seed = a->aux;
    g->stream = 4;
    ae_gen_table(qr, g, sp, prec);
    n = 0;
    for (p = 0; p < P; p++) {
        ae_paths_walk(ps, r, qr, q, sp, p, prec);
        arb_set(lhs + p, ps->elbo);
        arb_sub(rhs + p, ps->logz, ps->klchain, prec);
        arb_set(zero + p, ps->logz); /* keep log Z for the inequality */
        n += ps->responses;
    }
    ae_eq_row(rows, "C2", "ELBO = log Z - KL(p_q||p_R)", in, prec, lhs, rhs, P, n);

    if (fmpz_is_one(sp->responses)) {
        /* one response per prompt: every q gives p_q = p_R, so KL = 0 and the maximum is an
           equality, not strict */
        ae_eq_row(rows, "C2", "ELBO = log Z (one response)", in, prec, lhs, zero, P, n);
    } else { /* strict: ELBO < log Z means KL > 0, which holds since q is not a shift of M(r) */
        ae_lt_row(rows, "C2", "ELBO < log Z (random q)", in, prec, lhs, zero, P, "log Z - ELBO");
    }

    _arb_vec_clear(lhs, P);
    _arb_vec_clear(rhs, P);
    _arb_vec_clear(zero, P);
    ae_paths_clear(ps);
    ae_table_clear(r);
    ae_table_clear(q);
    ae_table_clear(qr);
    ae_table_clear(target);
}

void ae_claim_c2_certified(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec,
                           slong max_prec)
{
    c2_arg a;
    a.in = in;
    a.aux = aux_seed;
    ae_escalate(rows, c2_at, &a, prec, max_prec);
}
