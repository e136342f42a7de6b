/* Exact counterpart of the paths walk, on rational potentials psi = exp r and phi = exp q:
   Psi(y) = prod psi along y, Z = sum_y Psi(y) (direct summation), and
   p_q(y) = prod phi(s_t,y_t) / beta_q(s_t) with beta_q(s) = sum_a phi(s,a) from phi alone.
   One pass: p_q(y) / Psi(y) must be the same constant for every y, and that constant 1/Z. */
#include "claim.h"

typedef struct {
    const ae_space_struct *sp;
    const ae_qtable_struct *psi, *phi;
    slong p;
    fmpq *Psi, *Pq, *beta;
    fmpq_t t, u;
    int have_ratio;
    ae_qpaths_struct *ps;
} qctx;

static void q_state(void *vc, slong d, slong s)
{
    qctx *c = vc;
    slong a;
    fmpq_zero(c->beta + d);
    for (a = 0; a < c->sp->A; a++)
        if (ae_space_allowed(c->sp, d, a))
            fmpq_add(c->beta + d, c->beta + d, ae_qtable_entry(c->phi, c->p, s, a));
}

static void q_edge(void *vc, slong d, slong s, slong a, slong child)
{
    qctx *c = vc;
    ae_qpaths_struct *ps = c->ps;
    fmpq *x = (child >= 0) ? c->Psi + d + 1 : c->t;
    fmpq *y = (child >= 0) ? c->Pq + d + 1 : c->u;

    fmpq_mul(x, c->Psi + d, ae_qtable_entry(c->psi, c->p, s, a));
    fmpq_mul(y, c->Pq + d, ae_qtable_entry(c->phi, c->p, s, a));
    fmpq_div(y, y, c->beta + d);
    if (child >= 0)
        return;
    ps->responses++;
    fmpq_add(ps->Z, ps->Z, x);
    fmpq_add(ps->mass, ps->mass, y);
    if (ps->mismatch >= 0)
        return;
    if (fmpq_is_zero(x)) { /* Psi(y) = 0 cannot happen on unmasked entries of positive tables */
        ps->mismatch = ae_space_response_rank(c->sp, s, a);
        return;
    }
    fmpq_div(y, y, x);
    if (!c->have_ratio) {
        fmpq_set(ps->ratio, y);
        c->have_ratio = 1;
    } else if (!fmpq_equal(ps->ratio, y)) {
        ps->mismatch = ae_space_response_rank(c->sp, s, a);
    }
}

void ae_qpaths_init(ae_qpaths_t ps)
{
    fmpq_init(ps->Z);
    fmpq_init(ps->mass);
    fmpq_init(ps->ratio);
    ps->responses = 0;
    ps->mismatch = -1;
}

void ae_qpaths_clear(ae_qpaths_t ps)
{
    fmpq_clear(ps->Z);
    fmpq_clear(ps->mass);
    fmpq_clear(ps->ratio);
}

void ae_qpaths_walk(ae_qpaths_t ps, const ae_qtable_t psi, const ae_qtable_t phi,
                    const ae_space_t sp, slong p)
{
    qctx c;
    ae_visitor vis;

    c.sp = sp;
    c.psi = psi;
    c.phi = phi;
    c.p = p;
    c.Psi = _fmpq_vec_init(sp->T + 1);
    c.Pq = _fmpq_vec_init(sp->T + 1);
    c.beta = _fmpq_vec_init(sp->T);
    fmpq_init(c.t);
    fmpq_init(c.u);
    fmpq_one(c.Psi);
    fmpq_one(c.Pq);
    c.have_ratio = 0;
    c.ps = ps;
    fmpq_zero(ps->Z);
    fmpq_zero(ps->mass);
    fmpq_zero(ps->ratio);
    ps->responses = 0;
    ps->mismatch = -1;
    vis.state = q_state;
    vis.edge = q_edge;
    vis.ctx = &c;
    ae_walk(sp, &vis);
    _fmpq_vec_clear(c.Psi, sp->T + 1);
    _fmpq_vec_clear(c.Pq, sp->T + 1);
    _fmpq_vec_clear(c.beta, sp->T);
    fmpq_clear(c.t);
    fmpq_clear(c.u);
}

int ae_qpaths_same_distribution(const ae_qpaths_t ps)
{
    fmpq_t z;
    int ok;
    if (ps->mismatch >= 0)
        return 0;
    fmpq_init(z);
    fmpq_mul(z, ps->ratio, ps->Z);
    ok = fmpq_is_one(z);
    fmpq_clear(z);
    return ok;
}
