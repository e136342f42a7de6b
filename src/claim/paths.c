/* Certified sums over the responses of one prompt (see claim.h): one walk, path sums carried
   down, nothing recomputed per response. */
#include "claim.h"

typedef struct {
    const ae_space_struct *sp;
    const ae_table_struct *r, *q, *qstar;
    slong p, prec;
    arb_ptr R, L, Vq, Vs; /* per depth: reward path sum, log p_q prefix, row values */
    arb_t t, u;
    arf_t b;
    ae_paths_struct *ps;
    /* counterexample search */
    const arb_struct *logz;
    slong found;
} paths_ctx;

static int neg_inf(arb_srcptr x)
{
    return arf_is_neg_inf(arb_midref(x));
}

static void paths_state(void *vctx, slong d, slong s)
{
    paths_ctx *c = vctx;
    const ae_space_struct *sp = c->sp;
    slong a;

    _ae_row_lse(c->Vq + d, c->q, sp, c->p, s, d, c->prec);
    if (c->qstar != NULL && !neg_inf(c->L + d)) { /* p_q(s) = 0 adds nothing */
        /* KL(pi_q(.|s) || pi_q*(.|s)) = sum_a pi_q(a) (q(a) - V_q - q*(a) + V_q*) */
        arb_t kl;
        int infinite = 0;
        arb_init(kl);
        _ae_row_lse(c->Vs + d, c->qstar, sp, c->p, s, d, c->prec);
        for (a = 0; a < sp->A && !infinite; a++)
            if (ae_space_allowed(sp, d, a) && !neg_inf(ae_table_entry(c->q, c->p, s, a))) {
                if (neg_inf(ae_table_entry(c->qstar, c->p, s, a))) { /* mass where q* has none */
                    infinite = 1;
                    if (c->ps->kl_inf < 0)
                        c->ps->kl_inf = (c->p * sp->S + s) * sp->A + a;
                    break;
                }
                arb_sub(c->u, ae_table_entry(c->q, c->p, s, a), c->Vq + d, c->prec);
                arb_exp(c->t, c->u, c->prec);
                arb_sub(c->u, c->u, ae_table_entry(c->qstar, c->p, s, a), c->prec);
                arb_add(c->u, c->u, c->Vs + d, c->prec);
                arb_addmul(kl, c->t, c->u, c->prec);
            }
        if (infinite) {
            arb_pos_inf(c->ps->klchain);
        } else {
            arb_exp(c->t, c->L + d, c->prec); /* p_q(s) */
            arb_addmul(c->ps->klchain, c->t, kl, c->prec);
        }
        arb_clear(kl);
    }
}

/* x = R of the path through (s,a), y = log p_q of it: -inf exactly once a banned entry is on
   the path (never -inf - (-inf) at a row of -inf below a banned entry). */
static void path_step(paths_ctx *c, arb_ptr x, arb_ptr y, slong d, slong s, slong a)
{
    arb_srcptr qa = ae_table_entry(c->q, c->p, s, a);
    arb_add(x, c->R + d, ae_table_entry(c->r, c->p, s, a), c->prec);
    if (neg_inf(c->L + d) || neg_inf(qa)) {
        arb_neg_inf(y);
    } else {
        arb_add(y, c->L + d, qa, c->prec);
        arb_sub(y, y, c->Vq + d, c->prec);
    }
}

static void paths_edge(void *vctx, slong d, slong s, slong a, slong child)
{
    paths_ctx *c = vctx;
    ae_paths_struct *ps = c->ps;
    arb_ptr x = (child >= 0) ? c->R + d + 1 : c->t;
    arb_ptr y = (child >= 0) ? c->L + d + 1 : c->u;

    path_step(c, x, y, d, s, a);
    if (child >= 0)
        return;
    /* a response: x = R(y), y = log p_q(y) */
    ps->responses++;
    ps->positive += !neg_inf(x);
    if (neg_inf(x) && neg_inf(y))
        return; /* p_R(y) = p_q(y) = 0: equal, and nothing to add to Z, mass or the ELBO */
    {
        arb_t e, diff;
        arb_init(e);
        arb_init(diff);
        arb_exp(e, x, c->prec);
        arb_add(ps->logz, ps->logz, e, c->prec); /* holds Z until the end of the walk */
        arb_sub(diff, y, x, c->prec);
        /* a NaN bound (huge balls at this precision) compares as neither below nor above: widen
           it to everything, or the response would silently drop out of [dlo, dhi] */
        if (arf_is_nan(arb_midref(diff)))
            arb_zero_pm_inf(diff);
        arb_get_lbound_arf(c->b, diff, c->prec);
        if (arf_cmp(c->b, ps->dlo) < 0)
            arf_set(ps->dlo, c->b);
        if (arf_cmp(c->b, ps->lmax) > 0)
            arf_set(ps->lmax, c->b);
        arb_get_ubound_arf(c->b, diff, c->prec);
        if (arf_cmp(c->b, ps->dhi) > 0)
            arf_set(ps->dhi, c->b);
        if (arf_cmp(c->b, ps->umin) < 0)
            arf_set(ps->umin, c->b);
        if (!neg_inf(y)) { /* p_q(y) = 0 adds nothing (never 0 * inf) */
            arb_exp(e, y, c->prec);
            arb_add(ps->mass, ps->mass, e, c->prec);
            arb_neg(diff, diff);
            arb_addmul(ps->elbo, e, diff, c->prec);
        }
        arb_clear(diff);
        arb_clear(e);
    }
}

static void ctx_init(paths_ctx *c, const ae_table_t r, const ae_table_t q, const ae_table_t qstar,
                     const ae_space_t sp, slong p, slong prec)
{
    c->sp = sp;
    c->r = r;
    c->q = q;
    c->qstar = qstar;
    c->p = p;
    c->prec = prec;
    c->R = _arb_vec_init(sp->T + 1);
    c->L = _arb_vec_init(sp->T + 1);
    c->Vq = _arb_vec_init(sp->T);
    c->Vs = _arb_vec_init(sp->T);
    arb_init(c->t);
    arb_init(c->u);
    arf_init(c->b);
    c->ps = NULL;
    c->logz = NULL;
    c->found = -1;
}

static void ctx_clear(paths_ctx *c)
{
    _arb_vec_clear(c->R, c->sp->T + 1);
    _arb_vec_clear(c->L, c->sp->T + 1);
    _arb_vec_clear(c->Vq, c->sp->T);
    _arb_vec_clear(c->Vs, c->sp->T);
    arb_clear(c->t);
    arb_clear(c->u);
    arf_clear(c->b);
}

void ae_paths_init(ae_paths_t ps)
{
    arb_init(ps->logz);
    arb_init(ps->mass);
    arb_init(ps->elbo);
    arb_init(ps->klchain);
    arf_init(ps->dlo);
    arf_init(ps->dhi);
    arf_init(ps->lmax);
    arf_init(ps->umin);
    ps->responses = 0;
    ps->positive = 0;
    ps->kl_inf = -1;
}

void ae_paths_clear(ae_paths_t ps)
{
    arb_clear(ps->logz);
    arb_clear(ps->mass);
    arb_clear(ps->elbo);
    arb_clear(ps->klchain);
    arf_clear(ps->dlo);
    arf_clear(ps->dhi);
    arf_clear(ps->lmax);
    arf_clear(ps->umin);
}

void ae_paths_walk(ae_paths_t ps, const ae_table_t r, const ae_table_t q, const ae_table_t qstar,
                   const ae_space_t sp, slong p, slong prec)
{
    paths_ctx c;
    ae_visitor vis;

    ctx_init(&c, r, q, qstar, sp, p, prec);
    c.ps = ps;
    arb_zero(ps->logz);
    arb_zero(ps->mass);
    arb_zero(ps->elbo);
    arb_zero(ps->klchain);
    ps->kl_inf = -1;
    arf_pos_inf(ps->dlo);
    arf_neg_inf(ps->dhi);
    arf_neg_inf(ps->lmax);
    arf_pos_inf(ps->umin);
    ps->responses = 0;
    ps->positive = 0;
    vis.state = paths_state;
    vis.edge = paths_edge;
    vis.ctx = &c;
    ae_walk(sp, &vis);
    arb_log(ps->logz, ps->logz, prec);
    ctx_clear(&c);
}

static void cex_edge(void *vctx, slong d, slong s, slong a, slong child)
{
    paths_ctx *c = vctx;
    arb_ptr x = (child >= 0) ? c->R + d + 1 : c->t;
    arb_ptr y = (child >= 0) ? c->L + d + 1 : c->u;

    path_step(c, x, y, d, s, a);
    if (child >= 0 || c->found >= 0)
        return;
    if (neg_inf(x) != neg_inf(y)) { /* one probability 0, the other not */
        c->found = ae_space_response_rank(c->sp, s, a);
        return;
    }
    if (neg_inf(x))
        return; /* both 0 */
    arb_sub(y, y, x, c->prec);
    arb_add(y, y, c->logz, c->prec);
    if (!arb_contains_zero(y))
        c->found = ae_space_response_rank(c->sp, s, a);
}

slong ae_paths_counterexample(const ae_table_t r, const ae_table_t q, const arb_t logz,
                              const ae_space_t sp, slong p, slong prec)
{
    paths_ctx c;
    ae_visitor vis;
    slong found;

    ctx_init(&c, r, q, NULL, sp, p, prec);
    c.logz = logz;
    vis.state = paths_state;
    vis.edge = cex_edge;
    vis.ctx = &c;
    ae_walk(sp, &vis);
    found = c.found;
    ctx_clear(&c);
    return found;
}

void ae_paths_row(ae_rows_t rows, const char *claim, const char *check, const ae_instance *in,
                  const ae_table_t r, const ae_table_t q, ae_paths_struct *ps, slong prec)
{
    const ae_space_struct *sp = in->sp;
    ae_verdict v = AE_VERIFIED;
    arb_t e, z;
    arf_t dev, worst, tol;
    mag_t m, sc;
    slong p, n = 0, cex = -1, cexp = -1;
    ae_row *row;

    arb_init(e);
    arb_init(z);
    arf_init(dev);
    arf_init(worst);
    arf_init(tol);
    mag_init(m);
    mag_init(sc);
    for (p = 0; p < sp->P; p++) {
        ae_verdict vp;
        int nonzero;
        /* e encloses log p_q(y) - log p_R(y) = (log p_q(y) - R(y)) + log Z for every y */
        if (arf_cmp(ps[p].dlo, ps[p].dhi) <= 0)
            arb_set_interval_arf(e, ps[p].dlo, ps[p].dhi, prec);
        else /* no bound recorded: Arb aborts on reversed ends */
            arb_zero_pm_inf(e);
        arb_add(e, e, ps[p].logz, prec);
        arb_get_mag(m, e);
        arf_set_mag(dev, m);
        mag_one(sc);
        arb_get_mag(m, ps[p].logz);
        mag_max(sc, sc, m);
        mag_mul_2exp_si(sc, sc, -(prec - AE_TOL_SLACK));
        arf_set_mag(tol, sc);
        /* The one rule (ae_cert_eq): |e| <= tol AND every response's own enclosure contains 0.
           The hull e can contain 0 while one response's difference is certainly nonzero. */
        arb_add_arf(z, ps[p].logz, ps[p].lmax, prec);
        nonzero = arb_is_positive(z);
        arb_add_arf(z, ps[p].logz, ps[p].umin, prec);
        nonzero |= arb_is_negative(z);
        if (!nonzero && arb_is_finite(e) && arf_cmp(dev, tol) <= 0)
            vp = AE_VERIFIED;
        else {
            slong y = ae_paths_counterexample(r, q, ps[p].logz, sp, p, prec);
            vp = (y >= 0 || nonzero) ? AE_VIOLATED : AE_UNDECIDED;
            if (y >= 0 && cex < 0) {
                cex = y;
                cexp = p;
            }
        }
        v = ae_verdict_meet(v, vp);
        if (arf_cmp(dev, worst) > 0)
            arf_set(worst, dev);
        n += ps[p].responses;
    }
    row = ae_row_new(rows, claim, check, in, "certified", prec);
    snprintf(row->items, sizeof row->items, "%ld", (long)n);
    if (cex >= 0)
        snprintf(row->measured, sizeof row->measured, "differs at prompt %ld y#%ld", (long)cexp, (long)cex);
    else
        ae_fmt_ubound(row->measured, sizeof row->measured, worst);
    snprintf(row->predicted, sizeof row->predicted, "0");
    ae_fmt_ubound(row->tol, sizeof row->tol, tol);
    row->verdict = v;
    mag_clear(m);
    mag_clear(sc);
    arf_clear(dev);
    arf_clear(worst);
    arf_clear(tol);
    arb_clear(e);
    arb_clear(z);
}
