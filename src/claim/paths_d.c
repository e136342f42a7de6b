/* The float64 counterpart of the distribution check: what a double implementation of M and
   of p_q, p_R would report as max_y |log p_q(y) - log p_R(y)|. Never used for a verdict. */
#include "claim.h"

typedef struct {
    const ae_space_struct *sp;
    const double *r, *q;
    slong p;
    double *R, *L, *V;
    double lo, hi, zmax, zsum; /* streaming LSE of R(y): zmax + log(zsum) */
} dctx;

static void d_state(void *vc, slong d, slong s)
{
    dctx *c = vc;
    c->V[d] = _ae_lse_d(c->q + (c->p * c->sp->S + s) * c->sp->A, c->sp->A);
}

static void d_edge(void *vc, slong d, slong s, slong a, slong child)
{
    dctx *c = vc;
    slong k = (c->p * c->sp->S + s) * c->sp->A + a;
    double x = c->R[d] + c->r[k], y = c->L[d] + c->q[k] - c->V[d];
    if (child >= 0) {
        c->R[d + 1] = x;
        c->L[d + 1] = y;
        return;
    }
    if (x == -HUGE_VAL) /* a banned response: p_R(y) = 0 and, in this route, p_q(y) = 0 */
        return;
    if (y - x < c->lo)
        c->lo = y - x;
    if (y - x > c->hi)
        c->hi = y - x;
    if (x > c->zmax) {
        c->zsum = c->zsum * exp(c->zmax - x) + 1;
        c->zmax = x;
    } else {
        c->zsum += exp(x - c->zmax);
    }
}

double ae_paths_double_error(const ae_table_t r, const ae_space_t sp)
{
    slong n = sp->P * sp->S * sp->A, k, p;
    double *rd = ae_malloc((size_t)n * sizeof(double)), *qd = ae_malloc((size_t)n * sizeof(double));
    double worst = 0;
    dctx c;
    ae_visitor vis;

    for (k = 0; k < n; k++)
        rd[k] = arf_get_d(arb_midref(r->v + k), ARF_RND_NEAR);
    ae_bellman_map_d(qd, rd, sp);
    c.sp = sp;
    c.r = rd;
    c.q = qd;
    c.R = ae_calloc((size_t)sp->T + 1, sizeof(double));
    c.L = ae_calloc((size_t)sp->T + 1, sizeof(double));
    c.V = ae_calloc((size_t)sp->T, sizeof(double));
    vis.state = d_state;
    vis.edge = d_edge;
    vis.ctx = &c;
    for (p = 0; p < sp->P; p++) {
        double logz;
        c.p = p;
        c.lo = HUGE_VAL;
        c.hi = -HUGE_VAL;
        c.zmax = -HUGE_VAL;
        c.zsum = 0;
        ae_walk(sp, &vis);
        logz = c.zmax + log(c.zsum);
        worst = fmax(worst, fmax(fabs(c.lo + logz), fabs(c.hi + logz)));
    }
    free(c.R);
    free(c.L);
    free(c.V);
    free(rd);
    free(qd);
    return worst;
}
