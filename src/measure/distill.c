/* Certified measurement of a student q = q* + delta against its teacher q* = M(r), in one walk
   of a prompt's tree: KL both ways summed over responses (not from the per-state KLs that
   Lemma 1 bounds), the state-weighted sums, E|y|, total variation, the worst log-ratio, and
   Lemma 1 on every state. */
#include "ae-impl.h"

typedef struct {
    const ae_space_struct *sp;
    const ae_table_struct *qs, *dl;
    slong p, prec;
    arb_ptr Lq, Ls, Vq, Vs; /* per depth */
    arb_ptr Lr, D;          /* per depth: log p_q - log p_R of the prefix; V_q - V_q* (not used on row-constant rows) */
    arb_ptr row, pq, ps;    /* scratch rows of A entries */
    arb_t t, u, kq, kr, es, rng, lo, hi;
    /* rowsame[d]: the current state of depth d has a row-constant delta (so the student's policy
       there is the teacher's, exactly); pathsame[d]: so had every state above it */
    char *rowsame, *pathsame;
    ae_distill_struct *m;
} dctx;

/* measured <= bound by the one inequality rule (ae_cert_le); *exact stays 1 only while every
   decision compared two exact numbers (radius 0), e.g. 0 <= 0 for a state the student copies */
static ae_verdict le_rule(const arb_t meas, const arb_t bound, int *exact)
{
    *exact &= arb_is_exact(meas) && arb_is_exact(bound);
    return ae_cert_le(meas, bound);
}

static void d_state(void *vc, slong d, slong s)
{
    dctx *c = vc;
    const ae_space_struct *sp = c->sp;
    ae_distill_struct *m = c->m;
    arb_srcptr qs = ae_table_entry(c->qs, c->p, s, 0), dl = ae_table_entry(c->dl, c->p, s, 0);
    slong a, prec = c->prec, a0 = -1;
    int first = 1, identical = 1, rowconst = 1, live = 0;

    for (a = 0; a < sp->A; a++)
        if (ae_space_allowed(sp, d, a)) {
            if (arf_is_neg_inf(arb_midref(qs + a))) { /* banned by the teacher, so by q too */
                arb_neg_inf(c->row + a);
                continue;
            }
            live++;
            arb_add(c->row + a, qs + a, dl + a, prec);
            identical &= arb_is_zero(dl + a);
            /* an exactly constant delta row: softmax is shift invariant, so pi_q = pi* here */
            rowconst &= arb_is_exact(dl + a) && (a0 < 0 || arb_equal(dl + a, dl + a0));
            if (a0 < 0)
                a0 = a;
        }
    if (m->same_policy != NULL && m->same_policy[c->p * sp->S + s])
        rowconst = 2; /* decided exactly by the caller: the row's delta is constant */
    if (live == 1)
        rowconst = 1; /* one action not banned: probability 1 under both */
    c->rowsame[d] = (char)(rowconst != 0);
    _ae_lse_allowed(c->Vq + d, c->row, sp, d, prec);
    _ae_lse_allowed(c->Vs + d, qs, sp, d, prec);
    if (a0 < 0) /* every action banned: no policy here, and p_q(s) = p_R(s) = 0 */
        return;
    /* per-state KL both ways: with D = V_q - V_q*, log pi_q - log pi* = delta - D */
    arb_zero(c->kq);
    arb_zero(c->kr);
    arb_zero(c->es);
    arb_sub(c->u, c->Vq + d, c->Vs + d, prec);
    for (a = 0; a < sp->A; a++) {
        if (!ae_space_allowed(sp, d, a) || arf_is_neg_inf(arb_midref(qs + a)))
            continue; /* a banned action has probability 0 under both: out of KL_s and eps_s */
        arb_sub(c->t, c->row + a, c->Vq + d, prec);
        arb_exp(c->pq + a, c->t, prec);
        arb_sub(c->t, qs + a, c->Vs + d, prec);
        arb_exp(c->ps + a, c->t, prec);
        arb_sub(c->t, dl + a, c->u, prec);
        arb_addmul(c->kq, c->pq + a, c->t, prec);
        arb_submul(c->kr, c->ps + a, c->t, prec);
        arb_abs(c->t, dl + a);
        if (first) {
            arb_set(c->es, c->t);
            arb_set(c->lo, dl + a);
            arb_set(c->hi, dl + a);
        } else {
            arb_max(c->es, c->es, c->t, prec);
            arb_min(c->lo, c->lo, dl + a, prec);
            arb_max(c->hi, c->hi, dl + a, prec);
        }
        first = 0;
    }
    if (rowconst) { /* the student's policy is the teacher's: both per-state KLs are exactly 0 */
        arb_zero(c->kq);
        arb_zero(c->kr);
        arb_zero(c->rng); /* a constant row has range 0 */
    } else {
        arb_sub(c->D + d, c->Vq + d, c->Vs + d, prec);
        arb_sub(c->rng, c->hi, c->lo, prec);
    }
    /* KL_s <= min(range, range^2/8) (Hoeffding's lemma, shift invariance) */
    arb_sqr(c->t, c->rng, prec);
    arb_mul_2exp_si(c->t, c->t, -3);
    arb_min(c->t, c->t, c->rng, prec);
    arb_exp(c->u, c->Lq + d, prec);
    arb_addmul(m->sw_q, c->u, c->t, prec);
    arb_add(m->len_q, m->len_q, c->u, prec);
    arb_exp(c->u, c->Ls + d, prec);
    arb_addmul(m->sw_r, c->u, c->t, prec);
    arb_add(m->len_r, m->len_r, c->u, prec);
    /* Lemma 1 on this state, both directions */
    arb_mul_2exp_si(c->t, c->es, 1);
    if (!identical) {
        ae_verdict v = ae_verdict_meet(le_rule(c->kq, c->t, &m->lemma1_exact), le_rule(c->kr, c->t, &m->lemma1_exact));
        if (rowconst)
            v = AE_VERIFIED; /* KL_s = 0 exactly, and 2 eps_s >= 0 even when its ball straddles 0 */
        m->lemma1 = ae_verdict_meet(m->lemma1, v);
        if (!arb_contains_zero(c->t)) {
            arb_max(c->u, c->kq, c->kr, prec);
            arb_div(c->u, c->u, c->t, prec);
            if (arf_cmp(arb_midref(c->u), arb_midref(m->lemma1_ratio)) > 0)
                arb_set(m->lemma1_ratio, c->u);
        }
    }
    m->lemma1_states++;
}

static void d_edge(void *vc, slong d, slong s, slong a, slong child)
{
    dctx *c = vc;
    ae_distill_struct *m = c->m;
    slong prec = c->prec;
    arb_ptr lq = (child >= 0) ? c->Lq + d + 1 : c->t;
    arb_ptr ls = (child >= 0) ? c->Ls + d + 1 : c->u;

    if (arf_is_neg_inf(arb_midref(c->Ls + d)) || arf_is_neg_inf(arb_midref(ae_table_entry(c->qs, c->p, s, a)))) {
        /* below a banned pair: p_q = p_R = 0 (one support), a log-ratio of 1 and nothing to add */
        arb_neg_inf(lq);
        arb_neg_inf(ls);
        if (child >= 0) {
            arb_zero(c->Lr + d + 1);
            c->pathsame[d + 1] = 1;
        } else
            m->responses++;
        return;
    }
    arb_add(lq, ae_table_entry(c->qs, c->p, s, a), ae_table_entry(c->dl, c->p, s, a), prec);
    arb_add(lq, lq, c->Lq + d, prec);
    arb_sub(lq, lq, c->Vq + d, prec);
    arb_add(ls, c->Ls + d, ae_table_entry(c->qs, c->p, s, a), prec);
    arb_sub(ls, ls, c->Vs + d, prec);
    /* log pi_q - log pi* = delta - (V_q - V_q*), exactly 0 on a row-constant delta */
    if (c->rowsame[d])
        arb_set(c->Lr + d + 1, c->Lr + d);
    else {
        arb_sub(c->Lr + d + 1, ae_table_entry(c->dl, c->p, s, a), c->D + d, prec);
        arb_add(c->Lr + d + 1, c->Lr + d + 1, c->Lr + d, prec);
    }
    if (child >= 0) {
        c->pathsame[d + 1] = c->pathsame[d] && c->rowsame[d];
        return;
    }
    m->responses++;
    {
        arb_t lr, b;
        /* every state on y's path has the teacher's policy: p_q(y) = p_R(y) exactly */
        int same = c->pathsame[d] && c->rowsame[d];
        arb_init(lr);
        arb_init(b);
        /* KL both ways over responses: sum_y p(y) log(p_q(y)/p_R(y)), the log-ratio summed
           along y's path (exactly 0 when every state on it has the teacher's policy) */
        arb_exp(b, lq, prec);
        arb_addmul(m->kl_qr, b, c->Lr + d + 1, prec);
        arb_exp(b, ls, prec);
        arb_submul(m->kl_rq, b, c->Lr + d + 1, prec);
        if (same)
            arb_zero(lr);
        else {
            arb_sub(lr, lq, ls, prec);
            arb_abs(lr, lr);
        }
        arb_max(m->maxlr, m->maxlr, lr, prec);
        arb_mul_si(b, m->eps, 2 * (d + 1), prec); /* 2 |y| eps */
        m->perpath = ae_verdict_meet(m->perpath, le_rule(lr, b, &m->perpath_exact));
        if (!arb_contains_zero(b)) {
            arb_div(b, lr, b, prec);
            if (arf_cmp(arb_midref(b), arb_midref(m->perpath_ratio)) > 0)
                arb_set(m->perpath_ratio, b);
        }
        if (!same) {
            arb_exp(lq, lq, prec);
            arb_exp(ls, ls, prec);
            arb_sub(lr, lq, ls, prec);
            arb_abs(lr, lr);
            arb_mul_2exp_si(lr, lr, -1);
            arb_add(m->tv, m->tv, lr, prec);
        }
        arb_clear(lr);
        arb_clear(b);
    }
}

void ae_distill_init(ae_distill_t m)
{
    m->same_policy = NULL;
    arb_init(m->eps);
    arb_init(m->kl_qr);
    arb_init(m->kl_rq);
    arb_init(m->len_q);
    arb_init(m->len_r);
    arb_init(m->sw_q);
    arb_init(m->sw_r);
    arb_init(m->tv);
    arb_init(m->maxlr);
    arb_init(m->lemma1_ratio);
    arb_init(m->perpath_ratio);
}

void ae_distill_clear(ae_distill_t m)
{
    arb_clear(m->eps);
    arb_clear(m->kl_qr);
    arb_clear(m->kl_rq);
    arb_clear(m->len_q);
    arb_clear(m->len_r);
    arb_clear(m->sw_q);
    arb_clear(m->sw_r);
    arb_clear(m->tv);
    arb_clear(m->maxlr);
    arb_clear(m->lemma1_ratio);
    arb_clear(m->perpath_ratio);
}

void ae_distill_measure(ae_distill_t m, const ae_table_t qstar, const ae_table_t delta,
                        const ae_space_t sp, slong p, slong prec)
{
    dctx c;
    ae_visitor vis;
    slong d, s, a;
    arb_t t;

    arb_init(t);
    arb_zero(m->eps);
    for (d = 0; d < sp->T; d++)
        for (s = sp->first[d]; s < sp->first[d + 1]; s++)
            for (a = 0; a < sp->A; a++)
                if (ae_space_allowed(sp, d, a)) {
                    arb_abs(t, ae_table_entry(delta, p, s, a));
                    arb_max(m->eps, m->eps, t, prec);
                }
    arb_clear(t);
    arb_zero(m->kl_qr);
    arb_zero(m->kl_rq);
    arb_zero(m->len_q);
    arb_zero(m->len_r);
    arb_zero(m->sw_q);
    arb_zero(m->sw_r);
    arb_zero(m->tv);
    arb_zero(m->maxlr);
    arb_zero(m->lemma1_ratio);
    arb_zero(m->perpath_ratio);
    m->lemma1 = AE_VERIFIED;
    m->perpath = AE_VERIFIED;
    m->lemma1_exact = 1;
    m->perpath_exact = 1;
    m->lemma1_states = 0;
    m->responses = 0;

    c.sp = sp;
    c.qs = qstar;
    c.dl = delta;
    c.p = p;
    c.prec = prec;
    c.m = m;
    c.Lq = _arb_vec_init(sp->T + 1);
    c.Ls = _arb_vec_init(sp->T + 1);
    c.Vq = _arb_vec_init(sp->T);
    c.Vs = _arb_vec_init(sp->T);
    c.Lr = _arb_vec_init(sp->T + 1);
    c.D = _arb_vec_init(sp->T);
    c.row = _arb_vec_init(sp->A);
    c.pq = _arb_vec_init(sp->A);
    c.ps = _arb_vec_init(sp->A);
    arb_init(c.t);
    arb_init(c.u);
    arb_init(c.kq);
    arb_init(c.kr);
    arb_init(c.es);
    arb_init(c.rng);
    arb_init(c.lo);
    arb_init(c.hi);
    c.rowsame = ae_calloc((size_t)sp->T, 1);
    c.pathsame = ae_calloc((size_t)sp->T, 1);
    c.pathsame[0] = 1;
    vis.state = d_state;
    vis.edge = d_edge;
    vis.ctx = &c;
    ae_walk(sp, &vis);
    _arb_vec_clear(c.Lq, sp->T + 1);
    _arb_vec_clear(c.Ls, sp->T + 1);
    _arb_vec_clear(c.Vq, sp->T);
    _arb_vec_clear(c.Vs, sp->T);
    _arb_vec_clear(c.Lr, sp->T + 1);
    _arb_vec_clear(c.D, sp->T);
    _arb_vec_clear(c.row, sp->A);
    _arb_vec_clear(c.pq, sp->A);
    _arb_vec_clear(c.ps, sp->A);
    arb_clear(c.t);
    arb_clear(c.u);
    arb_clear(c.kq);
    arb_clear(c.kr);
    arb_clear(c.es);
    arb_clear(c.rng);
    arb_clear(c.lo);
    arb_clear(c.hi);
    free(c.rowsame);
    free(c.pathsame);
}
