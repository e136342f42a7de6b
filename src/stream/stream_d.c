/* The streaming C1 walk in float64: what a double implementation reports for the same
   quantity. Never used for a verdict. */
#include "ae-impl.h"

typedef struct {
    double beta, lo, hi, z;
    slong n;
} dres;

typedef struct {
    const ae_space_struct *sp;
    const ae_gen_struct *g;
    slong p;
    uint64_t hprefix;
    double table[2 * AE_DYADIC_RANGE + 1];
    slong ks;          /* split depth */
    const dres *tasks; /* results of the subtrees at depth ks, or NULL inside a subtree */
} dctx;

static inline double psi_d(const dctx *c, slong s, slong a)
{
    slong k = _ae_gen_int(c->g, c->hprefix, s, a);
    return c->g->kind == AE_GEN_DYADIC ? c->table[k + AE_DYADIC_RANGE] : (double)k;
}

/* returns beta(s); lo/hi: extreme ratios p_q(y)/Psi(y) below s; z += Psi(y) per leaf */
static double node_d(const dctx *c, slong s, slong d, double Psi, double *lo, double *hi, double *z, slong *n)
{
    const ae_space_struct *sp = c->sp;
    double beta = 0, ibeta, ps[64 + 1], bc[64 + 1], l[64 + 1], h[64 + 1];
    slong a, A = sp->A;
    double *psv = A <= 65 ? ps : ae_malloc((size_t)A * 4 * sizeof(double));
    double *bcv = A <= 65 ? bc : psv + A, *lv = A <= 65 ? l : psv + 2 * A, *hv = A <= 65 ? h : psv + 3 * A;
    int first = 1;
    if (c->tasks != NULL && d == c->ks) { /* a subtree computed beforehand */
        const dres *t = c->tasks + (s - sp->first[d]);
        *lo = t->lo;
        *hi = t->hi;
        *z += t->z;
        *n += t->n;
        return t->beta;
    }
    for (a = 0; a < A; a++) {
        if (!_ae_allowed(sp, d, a))
            continue;
        psv[a] = psi_d(c, s, a);
        if (_ae_ends(sp, d, a)) {
            bcv[a] = lv[a] = hv[a] = 1;
            *z += Psi * psv[a];
            (*n)++;
        } else {
            bcv[a] = node_d(c, sp->first[d + 1] + (s - sp->first[d]) * sp->V + a, d + 1, Psi * psv[a],
                            lv + a, hv + a, z, n);
        }
        beta += psv[a] * bcv[a];
    }
    ibeta = 1 / beta;
    for (a = 0; a < A; a++) {
        double f;
        if (!_ae_allowed(sp, d, a))
            continue;
        f = psv[a] * bcv[a] / psv[a] * ibeta; /* pi(a)/psi(a): phi/(psi sum) */
        if (first || lv[a] * f < *lo)
            *lo = lv[a] * f;
        if (first || hv[a] * f > *hi)
            *hi = hv[a] * f;
        first = 0;
    }
    if (psv != ps)
        free(psv);
    return beta;
}

double ae_stream_walk_d(slong *responses, const ae_gen_struct *g, const ae_space_t sp, slong p, int threads)
{
    dctx c;
    double lo = 0, hi = 0, z = 0;
    slong i;
    c.sp = sp;
    c.g = g;
    c.p = p;
    c.hprefix = ae_hash_prefix(g->seed, g->stream, (uint64_t)p);
    for (i = 0; i <= 2 * AE_DYADIC_RANGE; i++)
        c.table[i] = exp(ldexp((double)(i - AE_DYADIC_RANGE), -AE_DYADIC_BITS));
    c.ks = _ae_stream_split_depth(sp);
    c.tasks = NULL;
    *responses = 0;
    if (c.ks > 0) { /* subtrees in parallel, then the top part over their results */
        slong ntask = sp->first[c.ks + 1] - sp->first[c.ks];
        dres *tasks = ae_calloc((size_t)ntask, sizeof(dres));
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads > 0 ? threads : 1)
#endif
        for (i = 0; i < ntask; i++) {
            slong s = sp->first[c.ks] + i, u = s, tok;
            double Psi = 1;
            while (u > 0) { /* top-down product of psi down to the subtree's root */
                u = ae_space_parent(&tok, sp, u);
                Psi *= psi_d(&c, u, tok);
            }
            tasks[i].beta = node_d(&c, s, c.ks, Psi, &tasks[i].lo, &tasks[i].hi, &tasks[i].z, &tasks[i].n);
        }
        c.tasks = tasks;
        node_d(&c, 0, 0, 1.0, &lo, &hi, &z, responses);
        free(tasks);
    } else {
        node_d(&c, 0, 0, 1.0, &lo, &hi, &z, responses);
    }
    return fmax(fabs(log(lo * z)), fabs(log(hi * z)));
}
