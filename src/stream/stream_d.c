/* The streaming C1 walk in float64: what a double implementation reports for the same
   quantity. Never used for a verdict. Split and distributed like the certified walk (threads,
   MPI ranks), its subtrees' doubles exchanged exactly, so the figure is the same everywhere. */
#include "stream-impl.h"

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

/* returns beta(s); lo/hi: extreme ratios p_q(y)/Psi(y) below s; z += Psi(y) per leaf. buf has
   4 A doubles per remaining depth (psi, child beta, child lo, child hi). */
static double node_d(const dctx *c, slong s, slong d, double Psi, double *lo, double *hi, double *z, slong *n,
                     double *buf)
{
    const ae_space_struct *sp = c->sp;
    slong a, A = sp->A;
    double beta = 0, ibeta, *psv = buf, *bcv = buf + A, *lv = buf + 2 * A, *hv = buf + 3 * A;
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
            bcv[a] = node_d(c, sp->first[d + 1] + (s - sp->first[d]) * sp->V + a, d + 1, Psi * psv[a], lv + a,
                            hv + a, z, n, buf + 4 * A);
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
    return beta;
}

typedef struct {
    const dctx *c;
    double **buf; /* per thread: 4 A doubles per depth below the split */
} dtask_arg;

static void run_task(void *tasks, slong t, int thread, ulong *hist, void *varg)
{
    const dtask_arg *a = varg;
    const dctx *c = a->c;
    const ae_space_struct *sp = c->sp;
    dres *r = (dres *)tasks + t;
    slong s = sp->first[c->ks] + t, u = s, tok;
    double Psi = 1;
    (void)hist;
    while (u > 0) { /* top-down product of psi down to the subtree's root */
        u = ae_space_parent(&tok, sp, u);
        Psi *= psi_d(c, u, tok);
    }
    r->z = 0;
    r->n = 0;
    r->beta = node_d(c, s, c->ks, Psi, &r->lo, &r->hi, &r->z, &r->n, a->buf[thread]);
}

static double *dres_real(void *tasks, slong t, slong k)
{
    dres *r = (dres *)tasks + t;
    return k == 0 ? &r->beta : k == 1 ? &r->lo : k == 2 ? &r->hi : &r->z;
}

static slong *dres_int(void *tasks, slong t, slong k)
{
    (void)k;
    return &((dres *)tasks + t)->n;
}

static const ae_stream_payload dres_payload = {0, 1, 4, NULL, dres_int, dres_real};

double ae_stream_walk_d(slong *responses, const ae_gen_struct *g, const ae_space_t sp, slong p, int threads)
{
    dctx c;
    dtask_arg targ;
    double lo = 0, hi = 0, z = 0, *top;
    slong i, nthreads = threads > 0 ? threads : 1, ntask, per;
    dres *tasks;
    c.sp = sp;
    c.g = g;
    c.p = p;
    c.hprefix = ae_hash_prefix(g->seed, g->stream, (uint64_t)p);
    for (i = 0; i <= 2 * AE_DYADIC_RANGE; i++)
        c.table[i] = exp(ldexp((double)(i - AE_DYADIC_RANGE), -AE_DYADIC_BITS));
    c.ks = _ae_stream_split_depth(sp);
    c.tasks = NULL;
    /* subtrees below the split in parallel, then the top part over their results */
    ntask = sp->first[c.ks + 1] - sp->first[c.ks];
    tasks = ae_calloc((size_t)ntask, sizeof(dres));
    per = 4 * sp->A * (sp->T - c.ks + 1);
    targ.c = &c;
    targ.buf = ae_malloc((size_t)nthreads * sizeof(double *));
    for (i = 0; i < nthreads; i++)
        targ.buf[i] = ae_malloc((size_t)per * sizeof(double));
    _ae_stream_distribute(tasks, &dres_payload, ntask, (int)nthreads, run_task, &targ, NULL, 0,
                          fmpz_get_si(sp->responses));
    for (i = 0; i < nthreads; i++)
        free(targ.buf[i]);
    free(targ.buf);
    c.tasks = tasks;
    top = ae_malloc((size_t)(4 * sp->A * (c.ks + 1)) * sizeof(double));
    *responses = 0;
    node_d(&c, 0, 0, 1.0, &lo, &hi, &z, responses, top);
    free(top);
    free(tasks);
    return fmax(fabs(log(lo * z)), fabs(log(hi * z)));
}
