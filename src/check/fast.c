/* The check's measures in the fast certified arithmetic, over the tables in place: one
   post-order walk per subtree computes, per state s (proofs/interval.md, "Use in the check"),
     q*(s,a) = r(s,a) + V*(child),  V* = lse q*,  V_q = lse q,
     K*(s) = V_q - V* + sum_a pi*(a) (q*(a) - q(a) + K*(child))   (subtree KL(p_r || p_q)),
     K_q(s) = V* - V_q + sum_a pi_q(a) (q(a) - q*(a) + K_q(child)) (subtree KL(p_q || p_r)),
   and the worst absolute / relative / centered errors of q against q*, keeping O(T*A) balls.
   The walk splits at a depth into subtrees (tasks), walked by any thread (POSIX threads); the part above the
   split is walked afterwards from the tasks' results, in a fixed order, so the numbers do not
   depend on the thread count. The walk is written for the tables of check; it has the enter /
   edge / leave shape of the walk core so that it can move onto it. */
#include "check/fast.h"
#include "interval/interval.h"
#include <pthread.h>
#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct {
    ae_iv v, kf, kr; /* V*, K*, K_q of a subtree */
} sub_res;

typedef struct {
    const ae_space_struct *sp;
    const ae_fsrc *r, *q;
    slong stop;           /* depth at which the walk takes children from done[] (T: never) */
    const sub_res *done;  /* results of the subtrees rooted at depth stop, per prompt */
    slong per_prompt;     /* subtrees per prompt at that depth */
    ae_iv *qs, *qv, *es, *eq; /* per depth, A each: q*, q, exp(q* - max), exp(q - max) */
    double *dh, *dl;            /* per depth, A each: ends of q - q* */
    double *ek;                 /* per depth, 2A: the kernel's exp of es[a].m and eq[a].m */
    double *lr, *lq;            /* a last row's values (leaf_fixed) */
    int exact;                  /* both sources hold exact doubles */
    sub_res *ch;                   /* per depth, A each: the children's results */
    ae_fworst abs, rel, cabs, crel;
} fctx;

static int host_big(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 0;
}

static ae_iv src_arb(const arb_struct *b)
{
    ae_iv z;
    arf_t t;
    double e;
    if (arf_is_neg_inf(arb_midref(b)) && mag_is_zero(arb_radref(b)))
        return ae_iv_neg_inf();
    if (!arb_is_finite(b))
        return ae_iv_whole();
    z.m = arf_get_d(arb_midref(b), ARF_RND_NEAR);
    arf_init(t);
    arf_set_d(t, z.m);
    arf_sub(t, arb_midref(b), t, 64, ARF_RND_UP);
    e = fabs(arf_get_d(t, ARF_RND_UP)); /* |mid - m|, rounded up (away from zero) */
    arf_clear(t);
    z.r = ae_iv_rup(mag_get_d(arb_radref(b)) + e);
    return ae_iv_fix(z);
}

static inline ae_iv src_get(const ae_fsrc *x, slong k, int native)
{
    if (x->kind == AE_FSRC_DOUBLES)
        return (ae_iv){x->d[k], 0};
    if (x->kind == AE_FSRC_BYTES) {
        const unsigned char *b = x->bytes + k * x->isz;
        if (x->isz == 8) {
            uint64_t u;
            double v;
            memcpy(&u, b, 8);
            if (x->big != native)
                u = __builtin_bswap64(u);
            memcpy(&v, &u, 8);
            return (ae_iv){v, 0};
        } else {
            uint32_t u;
            float f;
            memcpy(&u, b, 4);
            if (x->big != native)
                u = __builtin_bswap32(u);
            memcpy(&f, &u, 4);
            return (ae_iv){(double)f, 0}; /* exact */
        }
    }
    return src_arb(x->arb + k);
}

/* ------------------------------------------------------------------ worst records */

static void worst_init(ae_fworst *w)
{
    w->hi = w->lo = 0;
    w->k = -1;
}

/* The largest upper bound wins, the smaller entry among equal ones: an order-free rule. */
static inline void worst_add(ae_fworst *w, double hi, double lo, slong k)
{
    if (hi != hi)
        hi = HUGE_VAL;
    if (w->k < 0 || hi > w->hi || (hi == w->hi && k < w->k)) {
        w->hi = hi;
        w->k = k;
    }
    if (lo > w->lo)
        w->lo = lo;
}

static void worst_merge(ae_fworst *w, const ae_fworst *x)
{
    if (x->k >= 0)
        worst_add(w, x->hi, x->lo, x->k);
    if (x->lo > w->lo)
        w->lo = x->lo;
}

/* One rounded operation's result moved outward past the exact value (proofs/interval.md, ends). */
static inline double up1(double x)
{
    return x + (2 * AE_IV_U * fabs(x) + AE_IV_ETA);
}

static inline double dn1(double x)
{
    return x - (2 * AE_IV_U * fabs(x) + AE_IV_ETA);
}

/* Counts |x| / max(1, |den|) at entry k into w, |x| in [lo, hi]: the quotient is at most hi and
   at least lo / max(1, |den|) <= lo, so the divisions are made only when they can change w. */
static inline void worst_add_rel(ae_fworst *w, double hi, double lo, ae_iv den, slong k)
{
    if (w->k < 0 || hi >= w->hi || hi != hi) {
        double dl = ae_iv_abs_lo(den);
        worst_add(w, dl > 1 ? up1(hi / dl) : hi, 0, k);
    }
    if (lo > w->lo) {
        double dh = ae_iv_abs_hi(den), l = dh > 1 ? dn1(lo / dh) : lo;
        if (l > w->lo)
            w->lo = l;
    }
}

/* ------------------------------------------------------------------ the walk */

/* A last row of F(V,T) from exact values (every action ends, no child): the same quantities
   with the radii bounded once per row from row-wide maxima instead of entry by entry
   (proofs/interval.md, "Leaf rows"), for most of the entries of a fixed-length space. */
static sub_res leaf_fixed(fctx *c, slong p, slong s, int native)
{
    const ae_space_struct *sp = c->sp;
    slong A = sp->A, a, base = (p * sp->S + s) * A;
    double *rv = c->lr, *qv = c->lq, *ek = c->ek;
    double ms = -HUGE_VAL, mq = -HUGE_VAL, xmax = 0, ymax = 0, dmax = 0;
    double se = 0, sf = 0, te = 0, tf = 0, we = 0, wf = 0, n = (double)A, gam, ge, gf, rad;
    double dmax_hi = -HUGE_VAL, dmax_lo = -HUGE_VAL, dmin_hi = HUGE_VAL, dmin_lo = HUGE_VAL, chi, clo;
    ae_iv ss, sq, ts, tq, vs, vq, kf;
    sub_res out;

    for (a = 0; a < A; a++) {
        rv[a] = src_get(c->r, base + a, native).m;
        qv[a] = src_get(c->q, base + a, native).m;
        ms = rv[a] > ms ? rv[a] : ms;
        mq = qv[a] > mq ? qv[a] : mq;
    }
    for (a = 0; a < A; a++) { /* x = r - max r, y = q - max q: both <= 0 */
        double x = rv[a] - ms, y = qv[a] - mq;
        xmax = -x > xmax ? -x : xmax;
        ymax = -y > ymax ? -y : ymax;
        ek[2 * a] = x;
        ek[2 * a + 1] = y;
    }
    for (a = 0; a < 2 * A; a++)
        ek[a] = ae_iv_exp_kernel(ek[a]);
    for (a = 0; a < A; a++) {
        double e = ek[2 * a], f = ek[2 * a + 1], dd = rv[a] - qv[a], ad = fabs(dd), hi, lo;
        se += e;
        sf += f;
        te += e * dd;
        tf += f * dd;
        we += e * ad;
        wf += f * ad;
        dmax = ad > dmax ? ad : dmax;
        /* q - q* = -dd, computed with error at most u |dd| */
        hi = up1(ad);
        lo = dn1(ad);
        worst_add(&c->abs, hi, lo, base + a);
        worst_add_rel(&c->rel, hi, lo, ae_iv_exact(rv[a]), base + a);
        hi = up1(-dd);
        lo = dn1(-dd);
        dmax_hi = hi > dmax_hi ? hi : dmax_hi;
        dmax_lo = lo > dmax_lo ? lo : dmax_lo;
        dmin_hi = hi < dmin_hi ? hi : dmin_hi;
        dmin_lo = lo < dmin_lo ? lo : dmin_lo;
    }
    /* gam >= gamma_n = n u / (1 - n u); ge, gf: the relative radius of each exponential */
    gam = ae_iv_rup(n * AE_IV_U * (1 + 2 * n * AE_IV_U));
    ge = ae_iv_rup((AE_IV_EXP_EPS + AE_IV_U * xmax * (1 + AE_IV_U * xmax)) * (1 + 0x1p-45));
    gf = ae_iv_rup((AE_IV_EXP_EPS + AE_IV_U * ymax * (1 + AE_IV_U * ymax)) * (1 + 0x1p-45));
    ss.m = se;
    ss.r = ae_iv_rup((ge + gam) * se * (1 + 2 * gam) + 2 * n * AE_IV_ETA);
    sq.m = sf;
    sq.r = ae_iv_rup((gf + gam) * sf * (1 + 2 * gam) + 2 * n * AE_IV_ETA);
    rad = (1 + AE_IV_U) * n * dmax * 2 * AE_IV_ETA + n * AE_IV_ETA;
    ts.m = te; /* sum_a e_a (r_a - q_a) */
    ts.r = ae_iv_rup(we * (1 + 2 * gam) * (ge * (1 + AE_IV_U) + AE_IV_U + gam) + rad);
    tq.m = tf; /* sum_a f_a (r_a - q_a) */
    tq.r = ae_iv_rup(wf * (1 + 2 * gam) * (gf * (1 + AE_IV_U) + AE_IV_U + gam) + rad);
    ss = ae_iv_fix(ss), sq = ae_iv_fix(sq), ts = ae_iv_fix(ts), tq = ae_iv_fix(tq);
    vs = ae_iv_add(ae_iv_exact(ms), ae_iv_log(ss));
    vq = ae_iv_add(ae_iv_exact(mq), ae_iv_log(sq));
    kf = ae_iv_sub(vq, vs);
    out.v = vs;
    out.kf = ae_iv_add(kf, ae_iv_mul(ts, ae_iv_inv(ss)));
    out.kr = ae_iv_sub(ae_iv_neg(kf), ae_iv_mul(tq, ae_iv_inv(sq)));
    chi = up1(up1(dmax_hi + dmin_hi) * 0.5);
    clo = dn1(dn1(dmax_lo + dmin_lo) * 0.5);
    for (a = 0; a < A; a++) {
        double dd = rv[a] - qv[a], eh = up1(up1(-dd) - clo), el = dn1(dn1(-dd) - chi), hi, lo;
        hi = fabs(eh) > fabs(el) ? fabs(eh) : fabs(el);
        lo = (el > 0) ? el : (eh < 0) ? -eh : 0;
        worst_add(&c->cabs, hi, lo, base + a);
        worst_add_rel(&c->crel, hi, lo, ae_iv_exact(rv[a]), base + a);
    }
    return out;
}

/* A last row of E(V,T) from exact values: EOS is its only allowed action, so V* = r(EOS)
   exactly, both policies put mass 1 on EOS and the subtree KL divergences are exactly 0; only
   the errors of q(EOS) remain. */
static sub_res leaf_eos(fctx *c, slong p, slong s, int native)
{
    const ae_space_struct *sp = c->sp;
    slong k = (p * sp->S + s) * sp->A + sp->V;
    double rv = src_get(c->r, k, native).m, dd = rv - src_get(c->q, k, native).m, hi, lo, w;
    sub_res out;
    hi = up1(fabs(dd));
    lo = dn1(fabs(dd));
    worst_add(&c->abs, hi, lo, k);
    worst_add_rel(&c->rel, hi, lo, ae_iv_exact(rv), k);
    /* one entry: c(s) is q - q* itself, the centered error is 0 up to the width of its ends */
    w = up1(up1(-dd) - dn1(-dd));
    worst_add(&c->cabs, w, 0, k);
    worst_add_rel(&c->crel, w, 0, ae_iv_exact(rv), k);
    out.v = ae_iv_exact(rv);
    out.kf = out.kr = ae_iv_exact(0);
    return out;
}

static sub_res walk(fctx *c, slong p, slong d, slong s, int native)
{
    const ae_space_struct *sp = c->sp;
    slong A = sp->A, a, base = (p * sp->S + s) * A, k;
    ae_iv *qs = c->qs + d * A, *qv = c->qv + d * A, *es = c->es + d * A, *eq = c->eq + d * A;
    double *dh = c->dh + d * A, *dl = c->dl + d * A;
    double *ek = c->ek + 2 * d * A;
    sub_res *ch = c->ch + d * A, out;
    ae_iv ss = {0, 0}, sq = {0, 0}, sf = {0, 0}, sr = {0, 0}, vs, vq, kf;
    double ms = -HUGE_VAL, mq = -HUGE_VAL, dmax_hi = -HUGE_VAL, dmax_lo = -HUGE_VAL, dmin_hi = HUGE_VAL,
           dmin_lo = HUGE_VAL, chi, clo;
    int any = 0, bad = 0;

    if (d == sp->T - 1 && c->exact)
        return sp->kind == AE_FIXED ? leaf_fixed(c, p, s, native) : leaf_eos(c, p, s, native);
    /* children first (leave order), then this row */
    for (a = 0; a < A; a++) {
        if (!_ae_allowed(sp, d, a) || _ae_ends(sp, d, a))
            continue;
        k = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
        if (d + 1 == c->stop)
            ch[a] = c->done[p * c->per_prompt + (k - sp->first[d + 1])];
        else
            ch[a] = walk(c, p, d + 1, k, native);
    }
    for (a = 0; a < A; a++) {
        ae_iv rv;
        if (!_ae_allowed(sp, d, a))
            continue;
        rv = src_get(c->r, base + a, native);
        qv[a] = src_get(c->q, base + a, native);
        qs[a] = _ae_ends(sp, d, a) ? rv : ae_iv_add(rv, ch[a].v);
        if (qs[a].m > ms)
            ms = qs[a].m;
        if (qv[a].m > mq)
            mq = qv[a].m;
    }
    /* the row's exponentials first, in a loop of their own: independent kernel calls, which
       the processor overlaps (masked entries: exp(-inf) = 0, unused) */
    for (a = 0; a < A; a++) {
        es[a] = _ae_allowed(sp, d, a) ? ae_iv_sub(qs[a], ae_iv_exact(ms)) : ae_iv_neg_inf();
        eq[a] = _ae_allowed(sp, d, a) ? ae_iv_sub(qv[a], ae_iv_exact(mq)) : ae_iv_neg_inf();
    }
    for (a = 0; a < A; a++) {
        ek[2 * a] = ae_iv_exp_kernel(es[a].m);
        ek[2 * a + 1] = ae_iv_exp_kernel(eq[a].m);
    }
    /* pi*(a) = es[a] / ss and pi_q(a) = eq[a] / sq: the sums over a of pi (...) are formed as
       sum es (...) times 1/ss */
    for (a = 0; a < A; a++) {
        ae_iv dq, t;
        double hi, lo;
        if (!_ae_allowed(sp, d, a))
            continue;
        es[a] = ae_iv_exp_from(es[a], ek[2 * a]);
        eq[a] = ae_iv_exp_from(eq[a], ek[2 * a + 1]);
        ss = ae_iv_add(ss, es[a]);
        sq = ae_iv_add(sq, eq[a]);
        dq = ae_iv_sub(qv[a], qs[a]); /* q - q* */
        if (_ae_ends(sp, d, a)) {
            sf = ae_iv_sub(sf, ae_iv_mul(es[a], dq));
            sr = ae_iv_add(sr, ae_iv_mul(eq[a], dq));
        } else {
            t = ae_iv_sub(ch[a].kf, dq);
            sf = ae_iv_add(sf, ae_iv_mul(es[a], t));
            t = ae_iv_add(ch[a].kr, dq);
            sr = ae_iv_add(sr, ae_iv_mul(eq[a], t));
        }
        hi = ae_iv_abs_hi(dq);
        lo = ae_iv_abs_lo(dq);
        worst_add(&c->abs, hi, lo, base + a);
        worst_add_rel(&c->rel, hi, lo, qs[a], base + a);
        /* the midrange of the row's differences, as an interval: max and min of the ends */
        dh[a] = hi = ae_iv_hi(dq);
        dl[a] = lo = ae_iv_lo(dq);
        if (!(hi < HUGE_VAL && lo > -HUGE_VAL)) /* unknown: so is the midrange */
            bad = 1;
        if (hi > dmax_hi)
            dmax_hi = hi;
        if (lo > dmax_lo)
            dmax_lo = lo;
        if (hi < dmin_hi)
            dmin_hi = hi;
        if (lo < dmin_lo)
            dmin_lo = lo;
        any = 1;
    }
    vs = ae_iv_add(ae_iv_exact(ms), ae_iv_log(ss));
    vq = ae_iv_add(ae_iv_exact(mq), ae_iv_log(sq));
    kf = ae_iv_sub(vq, vs);
    out.v = vs;
    out.kf = ae_iv_add(kf, ae_iv_mul(sf, ae_iv_inv(ss)));
    out.kr = ae_iv_add(ae_iv_neg(kf), ae_iv_mul(sr, ae_iv_inv(sq)));
    if (!any)
        return out;
    chi = bad ? HUGE_VAL : up1(up1(dmax_hi + dmin_hi) * 0.5);
    clo = bad ? -HUGE_VAL : dn1(dn1(dmax_lo + dmin_lo) * 0.5);
    for (a = 0; a < A; a++) {
        double eh, el, hi, lo;
        if (!_ae_allowed(sp, d, a))
            continue;
        eh = up1(dh[a] - clo); /* q - q* - c(s) lies in [el, eh] */
        el = dn1(dl[a] - chi);
        hi = fabs(eh) > fabs(el) ? fabs(eh) : fabs(el);
        lo = (el > 0) ? el : (eh < 0) ? -eh : 0;
        if (hi != hi)
            hi = HUGE_VAL, lo = 0;
        worst_add(&c->cabs, hi, lo, base + a);
        worst_add_rel(&c->crel, hi, lo, qs[a], base + a);
    }
    return out;
}

static void ctx_init(fctx *c, const ae_space_t sp, const ae_fsrc *r, const ae_fsrc *q)
{
    size_t n = (size_t)(sp->T * sp->A);
    memset(c, 0, sizeof *c);
    c->sp = sp;
    c->r = r;
    c->q = q;
    c->stop = sp->T;
    c->qs = ae_malloc(4 * n * sizeof(ae_iv));
    c->qv = c->qs + n;
    c->es = c->qv + n;
    c->eq = c->es + n;
    c->dh = ae_malloc(4 * n * sizeof(double));
    c->dl = c->dh + n;
    c->ek = c->dl + n;
    c->lr = ae_malloc(2 * (size_t)sp->A * sizeof(double));
    c->lq = c->lr + sp->A;
    c->exact = r->kind != AE_FSRC_ARB && q->kind != AE_FSRC_ARB;
    c->ch = ae_malloc(n * sizeof(sub_res));
    worst_init(&c->abs);
    worst_init(&c->rel);
    worst_init(&c->cabs);
    worst_init(&c->crel);
}

static void ctx_clear(fctx *c)
{
    free(c->qs);
    free(c->dh);
    free(c->lr);
    free(c->ch);
}

/* The tasks are shared out by a counter; each worker keeps its own worst records. Plain threads
   rather than OpenMP: an OpenMP worker spins for milliseconds after its region ends, CPU taken
   from the rest of the check (and from other processes) on a busy machine. */
typedef struct {
    const ae_space_struct *sp;
    const ae_fsrc *r, *q;
    slong split, per, ntask;
    sub_res *done;
    int native;
    pthread_mutex_t lock;
    slong next;
    ae_fworst abs, rel, cabs, crel;
} task_pool;

static void *worker(void *arg)
{
    task_pool *tp = arg;
    fctx c;
    ctx_init(&c, tp->sp, tp->r, tp->q);
    for (;;) {
        slong i;
        pthread_mutex_lock(&tp->lock);
        i = tp->next;
        tp->next += 8; /* eight tasks at a time: fewer trips through the lock */
        pthread_mutex_unlock(&tp->lock);
        if (i >= tp->ntask)
            break;
        for (slong j = i; j < i + 8 && j < tp->ntask; j++)
            tp->done[j] = walk(&c, j / tp->per, tp->split, tp->sp->first[tp->split] + j % tp->per, tp->native);
    }
    /* the merge is order-free (worst_add's rule), so the thread that finishes first does not matter */
    pthread_mutex_lock(&tp->lock);
    worst_merge(&tp->abs, &c.abs);
    worst_merge(&tp->rel, &c.rel);
    worst_merge(&tp->cabs, &c.cabs);
    worst_merge(&tp->crel, &c.crel);
    pthread_mutex_unlock(&tp->lock);
    ctx_clear(&c);
    return NULL;
}

void _ae_check_fast(ae_fmeasures *m, const ae_space_t sp, const ae_fsrc *r, const ae_fsrc *q)
{
    slong split = 0, per = 1, p;
    fctx top;
    task_pool tp;
    int nthreads = 1, t;
    pthread_t tid[64];

    /* tasks: the subtrees at the first depth with at least 256 of them over all prompts
       (enough to balance a few threads), never below the last depth */
    while (split < sp->T - 1 && sp->P * per < 256) {
        split++;
        per *= sp->V;
    }
#ifdef _OPENMP
    nthreads = omp_get_max_threads(); /* --threads (omp_set_num_threads) or the core count */
#endif
    if (nthreads > 64)
        nthreads = 64;
    if (sp->P * sp->S * sp->A < 65536) /* too small to pay for a thread */
        nthreads = 1;
    memset(&tp, 0, sizeof tp);
    tp.sp = sp;
    tp.r = r;
    tp.q = q;
    tp.split = split;
    tp.per = per;
    tp.ntask = sp->P * per;
    tp.done = ae_malloc((size_t)tp.ntask * sizeof(sub_res));
    tp.native = host_big();
    pthread_mutex_init(&tp.lock, NULL);
    worst_init(&tp.abs), worst_init(&tp.rel), worst_init(&tp.cabs), worst_init(&tp.crel);
    for (t = 1; t < nthreads; t++)
        if (pthread_create(&tid[t], NULL, worker, &tp) != 0)
            break; /* fewer threads: the same result */
    nthreads = t;
    worker(&tp);
    for (t = 1; t < nthreads; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&tp.lock);

    /* the part above the split, from the tasks' results */
    ctx_init(&top, sp, r, q);
    top.abs = tp.abs, top.rel = tp.rel, top.cabs = tp.cabs, top.crel = tp.crel;
    top.stop = split;
    top.done = tp.done;
    top.per_prompt = per;
    for (p = 0; p < sp->P; p++) {
        sub_res root = split == 0 ? tp.done[p] : walk(&top, p, 0, 0, tp.native);
        m->kf_lo[p] = ae_iv_lo(root.kf);
        m->kf_hi[p] = ae_iv_hi(root.kf);
        m->kr_lo[p] = ae_iv_lo(root.kr);
        m->kr_hi[p] = ae_iv_hi(root.kr);
    }
    m->abs = top.abs;
    m->rel = top.rel;
    m->cabs = top.cabs;
    m->crel = top.crel;
    ctx_clear(&top);
    free(tp.done);
}
