/* C3 (Proposition 4): with EOS forced at depth T-1, sum_y p_q(y) = 1 exactly whatever the
   other logits; without it, the sum over the truncated space falls short by exactly the mass
   that would continue past depth T-1. */
#include "claim.h"

typedef struct {
    const ae_space_struct *sp;
    const ae_qtable_struct *phi;
    slong p;
    fmpq *pre, *beta; /* per depth: prefix probability, full row normaliser */
    fmpq_t t, mass;
} uctx;

/* Normaliser over every column, masked ones included: the unforced policy. */
static void u_state(void *vc, slong d, slong s)
{
    uctx *c = vc;
    slong a;
    fmpq_zero(c->beta + d);
    for (a = 0; a < c->sp->A; a++)
        fmpq_add(c->beta + d, c->beta + d, ae_qtable_entry(c->phi, c->p, s, a));
}

static void u_edge(void *vc, slong d, slong s, slong a, slong child)
{
    uctx *c = vc;
    fmpq *x = (child >= 0) ? c->pre + d + 1 : c->t;
    fmpq_mul(x, c->pre + d, ae_qtable_entry(c->phi, c->p, s, a));
    fmpq_div(x, x, c->beta + d);
    if (child < 0)
        fmpq_add(c->mass, c->mass, x);
}

/* sum over responses of p_phi(y) with unforced normalisers, for prompt p */
static void unforced_mass(fmpq_t mass, const ae_qtable_t phi, const ae_space_t sp, slong p)
{
    uctx c;
    ae_visitor vis;
    c.sp = sp;
    c.phi = phi;
    c.p = p;
    c.pre = _fmpq_vec_init(sp->T + 1);
    c.beta = _fmpq_vec_init(sp->T);
    fmpq_init(c.t);
    fmpq_init(c.mass);
    fmpq_one(c.pre);
    vis.state = u_state;
    vis.edge = u_edge;
    vis.ctx = &c;
    ae_walk(sp, &vis);
    fmpq_set(mass, c.mass);
    _fmpq_vec_clear(c.pre, sp->T + 1);
    _fmpq_vec_clear(c.beta, sp->T);
    fmpq_clear(c.t);
    fmpq_clear(c.mass);
}

static void row_sum(const fmpq *row, slong n, fmpq_t out)
{
    slong a;
    fmpq_zero(out);
    for (a = 0; a < n; a++)
        fmpq_add(out, out, row + a);
}

/* 1 - sum_{s at depth T-1} p(s) (1 - pi(EOS|s)), p(s) by climbing the parent chain. */
static void predicted_mass(fmpq_t out, const ae_qtable_t phi, const ae_space_t sp, slong p)
{
    fmpq_t ps, b, t;
    slong s, u, tok;
    fmpq_init(ps);
    fmpq_init(b);
    fmpq_init(t);
    fmpq_one(out);
    for (s = sp->first[sp->T - 1]; s < sp->S; s++) {
        fmpq_one(ps);
        for (u = s; u > 0;) {
            slong par = ae_space_parent(&tok, sp, u);
            row_sum(ae_qtable_entry(phi, p, par, 0), sp->A, b);
            fmpq_mul(ps, ps, ae_qtable_entry(phi, p, par, tok));
            fmpq_div(ps, ps, b);
            u = par;
        }
        row_sum(ae_qtable_entry(phi, p, s, 0), sp->A, b);
        fmpq_sub(t, b, ae_qtable_entry(phi, p, s, sp->V)); /* continuing mass of the row */
        fmpq_div(t, t, b);
        fmpq_mul(t, t, ps);
        fmpq_sub(out, out, t);
    }
    fmpq_clear(ps);
    fmpq_clear(b);
    fmpq_clear(t);
}

void ae_claim_c3_exact(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed)
{
    const ae_space_struct *sp = in->sp;
    ae_qtable_t phi;
    ae_qpaths_t ps;
    ae_gen_t g;
    fmpq_t m, pred;
    slong p, n = 0, s, a;
    int ok = 1;
    char detail[80] = "";
    ae_row *row;

    ae_qtable_init(phi, sp);
    ae_qpaths_init(ps);
    fmpq_init(m);
    fmpq_init(pred);
    g->kind = AE_GEN_POTENTIAL;
    g->seed = aux_seed;
    g->stream = 5;
    ae_gen_qtable(phi, g, sp);

    for (p = 0; p < sp->P; p++) {
        ae_qpaths_walk(ps, phi, phi, sp, p);
        n += ps->responses;
        if (ok && !fmpq_is_one(ps->mass)) {
            ok = 0;
            snprintf(detail, sizeof detail, "prompt %ld: ", (long)p);
            ae_fmt_fmpq(detail + strlen(detail), sizeof detail - strlen(detail), ps->mass);
        }
    }
    row = ae_row_new(rows, "C3", sp->kind == AE_EOS ? "sum_y p_q(y) = 1, EOS forced" : "sum_y p_q(y) = 1, fixed length",
                     in, "exact", 0);
    snprintf(row->items, sizeof row->items, "%ld", (long)n);
    snprintf(row->measured, sizeof row->measured, "%s", ok ? "1" : detail);
    snprintf(row->predicted, sizeof row->predicted, "1");
    snprintf(row->tol, sizeof row->tol, "exact");
    row->verdict = ok ? AE_VERIFIED : AE_VIOLATED;

    if (sp->kind == AE_EOS) {
        /* Unforce: give the masked tokens at depth T-1 positive potentials too. */
        for (p = 0; p < sp->P; p++)
            for (s = sp->first[sp->T - 1]; s < sp->S; s++)
                for (a = 0; a < sp->V; a++)
                    fmpq_set_si(ae_qtable_entry(phi, p, s, a),
                                1 + (slong)(ae_hash(aux_seed, 6, (uint64_t)p, (uint64_t)s, (uint64_t)a) % 16), 1);
        /* every prompt is checked; the row shows the first failing one, else the last */
        for (p = 0; p < sp->P; p++) {
            unforced_mass(m, phi, sp, p);
            predicted_mass(pred, phi, sp, p);
            if (!(fmpq_equal(m, pred) && fmpq_cmp_ui(m, 1) < 0))
                break;
        }
        ok = (p == sp->P);
        if (ok)
            p--;
        row = ae_row_new(rows, "C3", "unforced EOS: sum = 1 - lost", in, "exact", 0);
        snprintf(row->prompt, sizeof row->prompt, "%ld", (long)p);
        snprintf(row->items, sizeof row->items, "%ld", (long)n / sp->P);
        ae_fmt_fmpq(row->measured, sizeof row->measured, m);
        ae_fmt_fmpq(row->predicted, sizeof row->predicted, pred);
        snprintf(row->tol, sizeof row->tol, "exact");
        row->verdict = ok ? AE_VERIFIED : AE_VIOLATED;
    }

    fmpq_clear(m);
    fmpq_clear(pred);
    ae_qpaths_clear(ps);
    ae_qtable_clear(phi);
}
