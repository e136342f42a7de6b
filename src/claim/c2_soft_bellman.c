/* C2: q* = M(r) solves the soft Bellman equation; log Z = max_p E_p[R - log p], attained at
   p_R; the ELBO identity E_{p_q}[R - log p_q] = log Z - KL(p_q || p_R) for any q. */
#include "claim.h"

typedef struct {
    const ae_instance *in;
    uint64_t aux;
} c2_arg;

/* sum_y p_R(y) (R(y) - log p_R(y)) with p_R(y) = exp(R(y) - log Z), R summed along y's path */
typedef struct {
    const ae_table_struct *r;
    slong p, prec;
    arb_ptr R;
    arb_srcptr logz;
    arb_t acc, t, u, l;
} mctx;

static void me_edge(void *vc, slong d, slong s, slong a, slong child)
{
    mctx *c = vc;
    arb_ptr x = child >= 0 ? c->R + d + 1 : c->t;
    arb_add(x, c->R + d, ae_table_entry(c->r, c->p, s, a), c->prec);
    if (child >= 0 || !arf_is_finite(arb_midref(c->t)))
        return; /* a banned response (R = -inf) has p_R = 0 and adds nothing */
    arb_sub(c->u, c->t, c->logz, c->prec);
    arb_exp(c->u, c->u, c->prec); /* p_R(y) */
    arb_log(c->l, c->u, c->prec);
    arb_sub(c->l, c->t, c->l, c->prec);
    arb_addmul(c->acc, c->u, c->l, c->prec);
}

static void maxent_at_pR(arb_t out, const ae_table_t r, const arb_t logz, const ae_space_t sp, slong p, slong prec)
{
    mctx c;
    ae_visitor vis;
    c.r = r;
    c.p = p;
    c.prec = prec;
    c.logz = logz;
    c.R = _arb_vec_init(sp->T + 1);
    arb_init(c.acc);
    arb_init(c.t);
    arb_init(c.u);
    arb_init(c.l);
    vis.state = NULL;
    vis.edge = me_edge;
    vis.ctx = &c;
    ae_walk(sp, &vis);
    arb_set(out, c.acc);
    _arb_vec_clear(c.R, sp->T + 1);
    arb_clear(c.acc);
    arb_clear(c.t);
    arb_clear(c.u);
    arb_clear(c.l);
}

static void c2_at(ae_rows_t rows, const void *varg, slong prec)
{
    const c2_arg *a = varg;
    const ae_instance *in = a->in;
    const ae_space_struct *sp = in->sp;
    slong P = sp->P, p, d, s, k, n = 0;
    char *one = ae_malloc((size_t)P);
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

    /* Bellman residual: q(s,a) - r(s,a) - V_q(s.a), V_q of the child from the stored q by the
       checker's own LSE (ae_value_apart), not the one M used to build q */
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
                        ae_value_apart(vc, q, sp, p, ae_space_child(sp, s, k), d + 1, prec);
                        arb_add(t, t, vc, prec);
                        arb_clear(vc);
                    }
                }
    ae_table_compare_row(rows, "C2", "Bellman residual of M(r)", in, q, target, prec);

    /* The maximum is attained at p_R: E_pR[R - log p_R] = log Z, p_R(y) = exp R(y) / Z from r
       alone and each log p_R taken of that ball (at p_M(r) the sum would telescope to V_q(x),
       the A(x) = V_q(x) row of C1) */
    for (p = 0; p < P; p++) {
        ae_paths_walk(ps, r, q, NULL, sp, p, prec);
        maxent_at_pR(lhs + p, r, ps->logz, sp, p, prec);
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
    /* banned by r (q* = -inf): banned by q too, else p_q has mass where p_R has none, KL = inf
       and both sides are -inf (true, but it checks nothing) */
    for (k = 0; k < P * sp->S * sp->A; k++)
        if (arf_is_neg_inf(arb_midref(q->v + k)))
            arb_neg_inf(qr->v + k);
    n = 0;
    for (p = 0; p < P; p++) {
        ae_paths_walk(ps, r, qr, q, sp, p, prec);
        arb_set(lhs + p, ps->elbo);
        arb_sub(rhs + p, ps->logz, ps->klchain, prec);
        arb_set(zero + p, ps->logz); /* keep log Z for the inequality */
        n += ps->responses;
        one[p] = ps->positive == 1;
    }
    ae_eq_row(rows, "C2", "ELBO = log Z - KL(p_q||p_R)", in, prec, lhs, rhs, P, n);

    /* one response of positive probability (one in the space, or all others banned): every q
       of that support gives p_q = p_R, so KL = 0 and the maximum is an equality, not strict.
       Each row takes its prompts, in order, from lhs and zero (log Z). */
    {
        arb_ptr l1 = _arb_vec_init(P), z1 = _arb_vec_init(P), l2 = _arb_vec_init(P), z2 = _arb_vec_init(P);
        slong n1 = 0, n2 = 0;
        for (p = 0; p < P; p++) {
            arb_set(one[p] ? l1 + n1 : l2 + n2, lhs + p);
            arb_set(one[p] ? z1 + n1++ : z2 + n2++, zero + p);
        }
        if (n1 > 0)
            ae_eq_row(rows, "C2", "ELBO = log Z (one response)", in, prec, l1, z1, n1, n);
        if (n2 > 0) /* strict: ELBO < log Z means KL > 0, which holds since q is not a shift of M(r) */
            ae_lt_row(rows, "C2", "ELBO < log Z (random q)", in, prec, l2, z2, n2, "log Z - ELBO");
        _arb_vec_clear(l1, P);
        _arb_vec_clear(z1, P);
        _arb_vec_clear(l2, P);
        _arb_vec_clear(z2, P);
    }
    free(one);

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
