/* C4 (paper A.3, A.4): chain rules. H(p_q) = sum_s p_q(s) H(pi_q(.|s)) and
   KL(p_q||p_q') = sum_s p_q(s) KL(pi_q(.|s)||pi_q'(.|s)), each side by its own route: the
   left over every response, the right over every state. */
#include "claim.h"

typedef struct {
    const ae_space_struct *sp;
    const ae_table_struct *q;
    slong p, prec;
    arb_ptr L, V;
    arb_t t, u, hchain;
} hctx;

static void h_state(void *vc, slong d, slong s)
{
    hctx *c = vc;
    arb_t h;
    slong a;
    arb_init(h);
    _ae_row_lse(c->V + d, c->q, c->sp, c->p, s, d, c->prec);
    for (a = 0; a < c->sp->A; a++)
        if (ae_space_allowed(c->sp, d, a)) { /* H = -sum pi log pi */
            arb_sub(c->t, ae_table_entry(c->q, c->p, s, a), c->V + d, c->prec);
            arb_exp(c->u, c->t, c->prec);
            arb_submul(h, c->u, c->t, c->prec);
        }
    arb_exp(c->u, c->L + d, c->prec);
    arb_addmul(c->hchain, c->u, h, c->prec);
    arb_clear(h);
}

static void h_edge(void *vc, slong d, slong s, slong a, slong child)
{
    hctx *c = vc;
    if (child >= 0) {
        arb_sub(c->L + d + 1, ae_table_entry(c->q, c->p, s, a), c->V + d, c->prec);
        arb_add(c->L + d + 1, c->L + d + 1, c->L + d, c->prec);
    }
}

/* sum_s p_q(s) H(pi_q(.|s)) for prompt p */
static void entropy_chain(arb_t out, const ae_table_t q, const ae_space_t sp, slong p, slong prec)
{
    hctx c;
    ae_visitor vis;
    c.sp = sp;
    c.q = q;
    c.p = p;
    c.prec = prec;
    c.L = _arb_vec_init(sp->T + 1);
    c.V = _arb_vec_init(sp->T);
    arb_init(c.t);
    arb_init(c.u);
    arb_init(c.hchain);
    vis.state = h_state;
    vis.edge = h_edge;
    vis.ctx = &c;
    ae_walk(sp, &vis);
    arb_set(out, c.hchain);
    _arb_vec_clear(c.L, sp->T + 1);
    _arb_vec_clear(c.V, sp->T);
    arb_clear(c.t);
    arb_clear(c.u);
    arb_clear(c.hchain);
}

/* r(s,a) = log pi_q'(a|s): then R_r(y) = log p_q'(y) */
static void log_policy(ae_table_t lp, const ae_table_t q, const ae_space_t sp, slong prec)
{
    arb_t v;
    slong p, d, s, a;
    arb_init(v);
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                _ae_row_lse(v, q, sp, p, s, d, prec);
                for (a = 0; a < sp->A; a++)
                    if (ae_space_allowed(sp, d, a))
                        arb_sub(ae_table_entry(lp, p, s, a), ae_table_entry(q, p, s, a), v, prec);
            }
    arb_clear(v);
}

typedef struct {
    const ae_instance *in;
    uint64_t aux;
} c4_arg;

static void c4_at(ae_rows_t rows, const void *varg, slong prec)
{
    const c4_arg *a = varg;
    const ae_space_struct *sp = a->in->sp;
    slong P = sp->P, p, n = 0;
    ae_table_t q, q2, lp, zero;
    ae_paths_t w;
    arb_ptr lhs = _arb_vec_init(P), rhs = _arb_vec_init(P);
    ae_gen_t g;

    ae_table_init(q, sp);
    ae_table_init(q2, sp);
    ae_table_init(lp, sp);
    ae_table_init(zero, sp);
    ae_paths_init(w);
    g->kind = AE_GEN_DYADIC;
    g->seed = a->aux;
    g->stream = 31;
    ae_gen_table(q, g, sp, prec);
    g->stream = 32;
    ae_gen_table(q2, g, sp, prec);
    log_policy(lp, q2, sp, prec); /* zero: ae_table_init leaves 0 with the mask */

    for (p = 0; p < P; p++) {
        ae_paths_walk(w, zero, q, NULL, sp, p, prec); /* elbo with R = 0: H(p_q) over responses */
        arb_set(lhs + p, w->elbo);
        entropy_chain(rhs + p, q, sp, p, prec);
        n += w->responses;
    }
    ae_eq_row(rows, "C4", "H(p_q) = sum_s p_q(s) H(pi_q(.|s))", a->in, prec, lhs, rhs, P, n);
    for (p = 0; p < P; p++) {
        ae_paths_walk(w, lp, q, q2, sp, p, prec); /* elbo = -KL over responses; klchain over states */
        arb_neg(lhs + p, w->elbo);
        arb_set(rhs + p, w->klchain);
    }
    ae_eq_row(rows, "C4", "KL(q||q') = sum_s p(s) KL(pi_q||pi_q')", a->in, prec, lhs, rhs, P, n);

    _arb_vec_clear(lhs, P);
    _arb_vec_clear(rhs, P);
    ae_paths_clear(w);
    ae_table_clear(q);
    ae_table_clear(q2);
    ae_table_clear(lp);
    ae_table_clear(zero);
}

void ae_claim_c4_certified(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec, slong max_prec)
{
    c4_arg a;
    a.in = in;
    a.aux = aux_seed;
    ae_escalate(rows, c4_at, &a, prec, max_prec);
}
