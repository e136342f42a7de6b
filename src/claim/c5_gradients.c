/* C5 (paper A.10, A.11): gradients. dV_{M(r)}(x)/dr(s,a) is the prefix marginal of s.a, the
   probability under p_R that a response takes action a at s; and dA(x)/dR(x,y) = p_R(y|x).
   Derivatives by two routes: a reverse-mode adjoint sweep through the Bellman recursion
   (every entry; dLSE/dq = softmax, adjoints summed from parents to children) and finite
   differences with a certified remainder (sampled entries): the second derivative of a
   log-partition along one coordinate is a Bernoulli variance, at most 1/4, so
   |(f(x+h) - f(x))/h - f'(x)| <= h/8. Both are compared with the marginal summed directly over
   responses from r alone (no policy, no recursion). */
#include "claim.h"

#define FD_LOG2H 40  /* h = 2^-40 */
#define FD_SAMPLES 12

typedef struct {
    const ae_instance *in;
    uint64_t aux;
    ae_map_fn map;
} c5_arg;

/* adjoints of V(root) through q = M(r): lam(s) for states, g(s,a) = lam(s) pi(a|s) */
static void reverse_mode(ae_table_t g, const ae_table_t q, const ae_space_t sp, slong prec)
{
    arb_ptr lam = _arb_vec_init(sp->S);
    arb_t v, t;
    slong p, d, s, a;
    arb_init(v);
    arb_init(t);
    for (p = 0; p < sp->P; p++) {
        _arb_vec_zero(lam, sp->S);
        arb_one(lam);
        for (d = 0; d < sp->T; d++) /* parents before children */
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                _ae_row_lse(v, q, sp, p, s, d, prec);
                for (a = 0; a < sp->A; a++) {
                    arb_ptr ga = ae_table_entry(g, p, s, a);
                    if (!ae_space_allowed(sp, d, a)) {
                        arb_zero(ga);
                        continue;
                    }
                    arb_sub(t, ae_table_entry(q, p, s, a), v, prec);
                    arb_exp(t, t, prec);
                    arb_mul(ga, lam + s, t, prec); /* dV/dq(s,a) = dV/dr(s,a) */
                    if (!ae_space_ends(sp, d, a))
                        arb_add(lam + sp->first[d + 1] + (s - sp->first[d]) * sp->V + a,
                                lam + sp->first[d + 1] + (s - sp->first[d]) * sp->V + a, ga, prec);
                }
            }
    }
    _arb_vec_clear(lam, sp->S);
    arb_clear(v);
    arb_clear(t);
}

/* Prefix marginals from r alone, by direct summation over responses: m(s,a) = (sum of exp R(y)
   over the responses y whose path takes action a at s) / Z, Z = sum_y exp R(y). No policy and
   no recursion: the marginal as a probability under p_R, the other side of the derivative. */
typedef struct {
    const ae_space_struct *sp;
    const ae_table_struct *r;
    ae_table_struct *w;
    slong p, prec;
    arb_ptr R;     /* path sums of r per depth */
    slong *st, *tk; /* the path: state and action per depth */
    arb_t e, z;
} mctx;

static void m_edge(void *vc, slong d, slong s, slong a, slong child)
{
    mctx *c = vc;
    slong j;
    c->st[d] = s;
    c->tk[d] = a;
    if (child >= 0) {
        arb_add(c->R + d + 1, c->R + d, ae_table_entry(c->r, c->p, s, a), c->prec);
        return;
    }
    arb_add(c->e, c->R + d, ae_table_entry(c->r, c->p, s, a), c->prec);
    arb_exp(c->e, c->e, c->prec);
    arb_add(c->z, c->z, c->e, c->prec);
    for (j = 0; j <= d; j++) {
        arb_ptr x = ae_table_entry(c->w, c->p, c->st[j], c->tk[j]);
        arb_add(x, x, c->e, c->prec);
    }
}

static void marginals_direct(ae_table_t m, const ae_table_t r, const ae_space_t sp, slong prec)
{
    mctx c;
    ae_visitor vis;
    slong p, k;
    c.sp = sp;
    c.r = r;
    c.w = m;
    c.prec = prec;
    c.R = _arb_vec_init(sp->T + 1);
    c.st = ae_malloc((size_t)sp->T * sizeof(slong));
    c.tk = ae_malloc((size_t)sp->T * sizeof(slong));
    arb_init(c.e);
    arb_init(c.z);
    vis.state = NULL;
    vis.edge = m_edge;
    vis.ctx = &c;
    _arb_vec_zero(m->v, m->P * m->S * m->A);
    for (p = 0; p < sp->P; p++) {
        c.p = p;
        arb_zero(c.z);
        ae_walk(sp, &vis);
        for (k = 0; k < sp->S * sp->A; k++)
            arb_div(m->v + p * sp->S * sp->A + k, m->v + p * sp->S * sp->A + k, c.z, prec);
    }
    _arb_vec_clear(c.R, sp->T + 1);
    free(c.st);
    free(c.tk);
    arb_clear(c.e);
    arb_clear(c.z);
}

/* certified: |x - fd| <= h/8 (the Taylor remainder), i.e. -h/8 <= x - fd <= h/8 by the one
   inequality rule (fd itself a ball) */
static ae_verdict fd_contains(const arb_t fd, const arb_t x, slong prec)
{
    arb_t d, h;
    ae_verdict v;
    arb_init(d);
    arb_init(h);
    arb_sub(d, x, fd, prec);
    arb_one(h);
    arb_mul_2exp_si(h, h, -FD_LOG2H - 3);
    v = ae_cert_le(d, h);
    arb_neg(h, h);
    v = ae_verdict_meet(v, ae_cert_le(h, d));
    arb_clear(d);
    arb_clear(h);
    return v;
}

static void c5_at(ae_rows_t rows, const void *varg, slong prec)
{
    const c5_arg *a = varg;
    const ae_instance *in = a->in;
    const ae_space_struct *sp = in->sp;
    slong p, i, n = 0;
    ae_table_t r, q, g, m, r2, q2;
    arb_t v, v2, fd;
    ae_row *row;
    ae_verdict verd = AE_VERIFIED;
    arf_t u;

    ae_table_init(r, sp);
    ae_table_init(q, sp);
    ae_table_init(g, sp);
    ae_table_init(m, sp);
    ae_table_init(r2, sp);
    ae_table_init(q2, sp);
    arb_init(v);
    arb_init(v2);
    arb_init(fd);
    arf_init(u);
    if (in->r != NULL)
        ae_table_set(r, in->r);
    else
        ae_gen_table(r, &in->gen, sp, prec);
    a->map(q, r, sp, prec);
    reverse_mode(g, q, sp, prec);
    marginals_direct(m, r, sp, prec);
    ae_table_compare_row(rows, "C5", "dV/dr(s,a) = prefix marginal (rev-mode)", in, g, m, prec);

    /* finite differences of V_{M(r)}(x) = log beta(x) on sampled entries */
    for (i = 0; i < FD_SAMPLES; i++) {
        slong kk, pp, ss, aa, tries = 0;
        do { /* draw among allowed entries only: masked ones have no derivative to test */
            kk = (slong)(ae_hash(a->aux, 41, (uint64_t)i, (uint64_t)tries++, 0) % (uint64_t)(sp->P * sp->S * sp->A));
            pp = kk / (sp->S * sp->A);
            ss = (kk / sp->A) % sp->S;
            aa = kk % sp->A;
        } while (!ae_space_allowed(sp, ae_space_depth(sp, ss), aa));
        ae_table_set(r2, r);
        arb_one(v);
        arb_mul_2exp_si(v, v, -FD_LOG2H);
        arb_add(ae_table_entry(r2, pp, ss, aa), ae_table_entry(r2, pp, ss, aa), v, prec);
        a->map(q2, r2, sp, prec);
        ae_bellman_value(v, q, sp, pp, 0, prec);
        ae_bellman_value(v2, q2, sp, pp, 0, prec);
        arb_sub(fd, v2, v, prec);
        arb_mul_2exp_si(fd, fd, FD_LOG2H);
        verd = ae_verdict_meet(verd, fd_contains(fd, ae_table_entry(m, pp, ss, aa), prec));
        n++;
    }
    row = ae_row_new(rows, "C5", "dV/dr(s,a): finite diff, remainder h/8", in, "certified", prec);
    snprintf(row->items, sizeof row->items, "%ld", (long)n);
    snprintf(row->measured, sizeof row->measured, "marginal in [fd -+ 2^-43]");
    snprintf(row->predicted, sizeof row->predicted, "prefix marginal");
    snprintf(row->tol, sizeof row->tol, "h/8 = 2^-43");
    row->verdict = verd;

    /* dA/dR(y) = p_R(y): finite differences of A by direct summation over responses */
    {
        ae_paths_t ps, ps2;
        slong Y = fmpz_get_si(sp->responses);
        arb_ptr logz = _arb_vec_init(sp->P); /* unperturbed A(x), once per prompt */
        ae_paths_init(ps);
        ae_paths_init(ps2);
        for (p = 0; p < sp->P; p++) {
            ae_paths_walk(ps, r, q, NULL, sp, p, prec);
            arb_set(logz + p, ps->logz);
        }
        verd = AE_VERIFIED;
        n = 0;
        for (i = 0; i < FD_SAMPLES; i++) {
            slong pp = (slong)(ae_hash(a->aux, 42, (uint64_t)i, 0, 0) % (uint64_t)sp->P);
            slong y = (slong)(ae_hash(a->aux, 43, (uint64_t)i, 0, 0) % (uint64_t)Y), ss, aa;
            if (sp->kind == AE_EOS) {
                ss = y;
                aa = sp->V;
            } else {
                ss = sp->first[sp->T - 1] + y / sp->V;
                aa = y % sp->V;
            }
            /* R(y) + h: add h to the ending entry of y (no other response uses it) */
            ae_table_set(r2, r);
            arb_one(v);
            arb_mul_2exp_si(v, v, -FD_LOG2H);
            arb_add(ae_table_entry(r2, pp, ss, aa), ae_table_entry(r2, pp, ss, aa), v, prec);
            ae_paths_walk(ps2, r2, q, NULL, sp, pp, prec);
            arb_sub(fd, ps2->logz, logz + pp, prec);
            arb_mul_2exp_si(fd, fd, FD_LOG2H);
            /* p_R(y) = exp(R(y) - A): R(y) by summing r along y's path */
            {
                slong node = ss, tok = aa;
                arb_set(v, ae_table_entry(r, pp, ss, aa));
                while (node > 0) {
                    node = ae_space_parent(&tok, sp, node);
                    arb_add(v, v, ae_table_entry(r, pp, node, tok), prec);
                }
                arb_sub(v, v, logz + pp, prec);
                arb_exp(v, v, prec);
            }
            verd = ae_verdict_meet(verd, fd_contains(fd, v, prec));
            n++;
        }
        ae_paths_clear(ps);
        ae_paths_clear(ps2);
        _arb_vec_clear(logz, sp->P);
        row = ae_row_new(rows, "C5", "dA/dR(y) = p_R(y): finite diff", in, "certified", prec);
        snprintf(row->items, sizeof row->items, "%ld", (long)n);
        snprintf(row->measured, sizeof row->measured, "p_R(y) in [fd -+ 2^-43]");
        snprintf(row->predicted, sizeof row->predicted, "p_R(y)");
        snprintf(row->tol, sizeof row->tol, "h/8 = 2^-43");
        row->verdict = verd;
    }

    arf_clear(u);
    arb_clear(v);
    arb_clear(v2);
    arb_clear(fd);
    ae_table_clear(r);
    ae_table_clear(q);
    ae_table_clear(g);
    ae_table_clear(m);
    ae_table_clear(r2);
    ae_table_clear(q2);
}

void _ae_claim_c5_certified_map(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec,
                                slong max_prec, ae_map_fn map)
{
    c5_arg a;
    a.in = in;
    a.aux = aux_seed;
    a.map = map;
    ae_escalate(rows, c5_at, &a, prec, max_prec);
}

void ae_claim_c5_certified(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec, slong max_prec)
{
    _ae_claim_c5_certified_map(rows, in, aux_seed, prec, max_prec, ae_bellman_map);
}
