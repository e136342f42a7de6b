/* check: another implementation's logits q against the certified q* = M(r), as a regression
   test (KL both ways, and optionally absolute / mixed relative errors, raw or row-centred). */
#include "claim/claim.h"
#include "check/fast.h"
#include "io/io-impl.h"
#include <stdarg.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define CHECK_PREC 128
#define CHECK_MAX_PREC 4096

void ae_check_opts_init(ae_check_opts *o)
{
    o->tol = 1e-9;
    o->atol = -1;
    o->rtol = -1;
    o->centered = 0;
    o->mask_below = -HUGE_VAL;
    o->prec = 0;
    o->max_prec = 0;
}

/* The worst of one error measure over the allowed entries: the largest upper bound (and its
   entry) and the largest lower bound, which certifies a violation when above the threshold. */
typedef struct {
    arf_t hi, lo;
    slong k;
} worst;

typedef struct {
    worst abs, rel, cabs, crel;
    arb_ptr kl_fwd, kl_rev; /* per prompt */
    slong fwd_inf, rev_inf; /* first entry making a KL +inf (ae_paths_struct.kl_inf), or -1 */
} measures;

static int neg_inf(arb_srcptr x)
{
    return arf_is_neg_inf(arb_midref(x));
}

static void worst_init(worst *w)
{
    arf_init(w->hi);
    arf_init(w->lo);
    w->k = -1;
}

static void worst_clear(worst *w)
{
    arf_clear(w->hi);
    arf_clear(w->lo);
}

/* Counts |x| / max(1, |den|) (den NULL: |x|) at entry k into w. */
static void worst_add(worst *w, const arb_t x, const arb_t den, slong k, slong prec)
{
    arf_t u, l, d;
    arf_init(u);
    arf_init(l);
    arf_init(d);
    arb_get_abs_ubound_arf(u, x, prec);
    arb_get_abs_lbound_arf(l, x, prec);
    if (den != NULL) {
        arb_get_abs_lbound_arf(d, den, prec);
        if (arf_cmp_si(d, 1) < 0)
            arf_one(d);
        arf_div(u, u, d, prec, ARF_RND_UP);
        arb_get_abs_ubound_arf(d, den, prec);
        if (arf_cmp_si(d, 1) < 0)
            arf_one(d);
        arf_div(l, l, d, prec, ARF_RND_DOWN);
    }
    if (arf_is_nan(u)) /* NaN compares as nothing: it would drop out of the max */
        arf_pos_inf(u);
    if (arf_is_nan(l))
        arf_zero(l);
    if (w->k < 0 || arf_cmp(u, w->hi) > 0) {
        arf_set(w->hi, u);
        w->k = k;
    }
    if (arf_cmp(l, w->lo) > 0)
        arf_set(w->lo, l);
    arf_clear(u);
    arf_clear(l);
    arf_clear(d);
}

static void measure(measures *m, const ae_table_t r, const ae_table_t q, const ae_space_t sp, slong prec)
{
    ae_table_t qs;
    ae_paths_t ps;
    arb_ptr dv = _arb_vec_init(sp->A);
    arb_t c, e, lo;
    slong p, s, a, dep;

    ae_table_init(qs, sp);
    ae_paths_init(ps);
    arb_init(c);
    arb_init(e);
    arb_init(lo);
    ae_bellman_map(qs, r, sp, prec);
    worst_clear(&m->abs), worst_clear(&m->rel), worst_clear(&m->cabs), worst_clear(&m->crel);
    worst_init(&m->abs), worst_init(&m->rel), worst_init(&m->cabs), worst_init(&m->crel);
    for (p = 0; p < sp->P; p++)
        for (dep = 0; dep < sp->T; dep++)
            for (s = sp->first[dep]; s < sp->first[dep + 1]; s++) {
                slong base = (p * sp->S + s) * sp->A, n = 0;
                for (a = 0; a < sp->A; a++) {
                    int banned = neg_inf(qs->v + base + a);
                    if (!ae_space_allowed(sp, dep, a))
                        continue;
                    /* a banned entry: both -inf agree exactly, one -inf is an infinite error */
                    if (banned && neg_inf(q->v + base + a))
                        arb_zero(dv + a);
                    else
                        arb_sub(dv + a, q->v + base + a, qs->v + base + a, prec);
                    worst_add(&m->abs, dv + a, NULL, base + a, prec);
                    worst_add(&m->rel, dv + a, banned ? NULL : qs->v + base + a, base + a, prec);
                    if (banned || neg_inf(q->v + base + a))
                        continue; /* a row shift leaves -inf as it is: out of the centring */
                    /* c = (max_a d + min_a d) / 2: the midrange minimises max_a |d - c| */
                    if (n++ == 0) {
                        arb_set(c, dv + a);
                        arb_set(lo, dv + a);
                    } else {
                        arb_max(c, c, dv + a, prec);
                        arb_min(lo, lo, dv + a, prec);
                    }
                }
                arb_add(c, c, lo, prec);
                arb_mul_2exp_si(c, c, -1);
                if (n == 0)
                    arb_zero(c);
                for (a = 0; a < sp->A; a++) {
                    int banned = neg_inf(qs->v + base + a);
                    if (!ae_space_allowed(sp, dep, a))
                        continue;
                    if (banned || neg_inf(q->v + base + a))
                        arb_set(e, dv + a); /* 0 or infinite, whatever the shift */
                    else
                        arb_sub(e, dv + a, c, prec);
                    worst_add(&m->cabs, e, NULL, base + a, prec);
                    worst_add(&m->crel, e, banned ? NULL : qs->v + base + a, base + a, prec);
                }
            }
    m->fwd_inf = m->rev_inf = -1;
    for (p = 0; p < sp->P; p++) {
        ae_paths_walk(ps, r, qs, q, sp, p, prec); /* weights p_q* = p_r: KL(p_r || p_q) */
        arb_set(m->kl_fwd + p, ps->klchain);
        if (m->fwd_inf < 0)
            m->fwd_inf = ps->kl_inf;
        ae_paths_walk(ps, r, q, qs, sp, p, prec); /* weights p_q: KL(p_q || p_r) */
        arb_set(m->kl_rev + p, ps->klchain);
        if (m->rev_inf < 0)
            m->rev_inf = ps->kl_inf;
    }
    arb_clear(c);
    arb_clear(e);
    arb_clear(lo);
    _arb_vec_clear(dv, sp->A);
    ae_paths_clear(ps);
    ae_table_clear(qs);
}

/* hi <= x: verified; lo > x: violated (the worst entry certainly exceeds x). */
static ae_verdict decide_worst(const worst *w, double x)
{
    if (arf_cmp_d(w->hi, x) <= 0)
        return AE_VERIFIED;
    return arf_cmp_d(w->lo, x) > 0 ? AE_VIOLATED : AE_UNDECIDED;
}

static double up_d(const arf_t x)
{
    return arf_is_nan(x) ? HUGE_VAL : arf_get_d(x, ARF_RND_UP);
}

static double arb_up_d(const arb_t x)
{
    arf_t u;
    double d;
    arf_init(u);
    arb_get_ubound_arf(u, x, 53);
    d = up_d(u);
    arf_clear(u);
    return d;
}

static void locate(long *pp, long *ps, long *pa, char *where, size_t n, const ae_space_t sp, slong k)
{
    if (k < 0) {
        *pp = *ps = *pa = -1;
        if (where != NULL)
            snprintf(where, n, "no allowed entry");
        return;
    }
    *pa = (long)(k % sp->A);
    *ps = (long)((k / sp->A) % sp->S);
    *pp = (long)(k / (sp->A * sp->S));
    if (where != NULL)
        ae_entry_name(where, n, sp, k);
}

static void append(char *buf, size_t n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void append(char *buf, size_t n, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;
    if (used + 1 >= n)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + used, n - used, fmt, ap);
    va_end(ap);
}

/* An upper bound as "%.2e" rounded up, the row writers' rule (a bound never printed low). */
static const char *up_str(char *buf, size_t n, double x)
{
    arf_t u;
    arf_init(u);
    if (isfinite(x))
        arf_set_d(u, x);
    else
        arf_pos_inf(u);
    ae_fmt_ubound(buf, n, u);
    arf_clear(u);
    return buf;
}

static const char *word(ae_verdict v)
{
    return v == AE_VIOLATED ? "fails" : "undecided";
}

/* Fills res and det from the measures at prec. */
static void report(ae_check_result *res, ae_check_detail *det, const measures *m, const ae_space_t sp,
                   const ae_check_opts *o, slong prec)
{
    ae_check_detail scratch;
    ae_verdict kl = AE_VERIFIED, av = AE_UNDECIDED, rv = AE_UNDECIDED, all;
    arb_t tol;
    slong p;
    const worst *wa = o->centered ? &m->cabs : &m->abs, *wr = o->centered ? &m->crel : &m->rel;
    char where[160], b1[48], b2[48];

    if (det == NULL) {
        memset(&scratch, 0, sizeof scratch);
        det = &scratch;
    }
    arb_init(tol);
    arb_set_d(tol, o->tol);
    res->kl_fwd_upper = res->kl_rev_upper = 0;
    for (p = 0; p < sp->P; p++) {
        double f = arb_up_d(m->kl_fwd + p), b = arb_up_d(m->kl_rev + p);
        kl = ae_verdict_meet(kl, ae_verdict_meet(ae_cert_le(m->kl_fwd + p, tol), ae_cert_le(m->kl_rev + p, tol)));
        if (det->kl_fwd != NULL)
            det->kl_fwd[p] = f;
        if (det->kl_rev != NULL)
            det->kl_rev[p] = b;
        if (!(f <= res->kl_fwd_upper)) /* NaN-proof max */
            res->kl_fwd_upper = f;
        if (!(b <= res->kl_rev_upper))
            res->kl_rev_upper = b;
    }
    arb_clear(tol);
    all = kl;
    if (o->atol >= 0)
        all = ae_verdict_meet(all, av = decide_worst(wa, o->atol));
    if (o->rtol >= 0)
        all = ae_verdict_meet(all, rv = decide_worst(wr, o->rtol));
    res->verdict = all;
    res->passed = all == AE_VERIFIED;
    res->prec = (long)prec;
    res->abs_err_upper = up_d(m->abs.hi);
    res->rel_err_upper = up_d(m->rel.hi);
    res->centered_err_upper = up_d(m->cabs.hi);
    det->centered_rel_err_upper = up_d(m->crel.hi);
    locate(&res->abs_prompt, &res->abs_state, &res->abs_action, det->abs_where, sizeof det->abs_where, sp,
           m->abs.k);
    locate(&det->rel_prompt, &det->rel_state, &det->rel_action, det->rel_where, sizeof det->rel_where, sp,
           m->rel.k);
    locate(&det->centered_prompt, &det->centered_state, &det->centered_action, det->centered_where,
           sizeof det->centered_where, sp, m->cabs.k);
    locate(&det->centered_rel_prompt, &det->centered_rel_state, &det->centered_rel_action, det->centered_rel_where,
           sizeof det->centered_rel_where, sp, m->crel.k);
    det->kl_verdict = kl;
    det->atol_verdict = av;
    det->rtol_verdict = rv;

    res->message[0] = '\0';
    if (all == AE_VERIFIED) {
        append(res->message, sizeof res->message, "passed: KL <= %g both ways", o->tol);
        if (o->atol >= 0)
            append(res->message, sizeof res->message, ", %s <= %g", o->centered ? "centered abs error" : "abs error",
                   o->atol);
        if (o->rtol >= 0)
            append(res->message, sizeof res->message, ", %s <= %g", o->centered ? "centered rel error" : "rel error",
                   o->rtol);
        return;
    }
    append(res->message, sizeof res->message, "%s at %ld bits:", all == AE_VIOLATED ? "failed" : "undecided",
           (long)prec);
    if (kl != AE_VERIFIED)
        append(res->message, sizeof res->message, " KL %s tol %g (KL(p_r||p_q) <= %s, KL(p_q||p_r) <= %s);",
               word(kl), o->tol, up_str(b1, sizeof b1, res->kl_fwd_upper), up_str(b2, sizeof b2, res->kl_rev_upper));
    /* infinite KL: a support mismatch, said in words with the first entry where it shows */
    if (m->rev_inf >= 0) {
        ae_entry_name(where, sizeof where, sp, m->rev_inf);
        append(res->message, sizeof res->message, " KL(p_q||p_r) = inf: p_q puts mass on responses that p_r "
               "gives probability 0 (q finite, q* = -inf at %s);", where);
    }
    if (m->fwd_inf >= 0) {
        ae_entry_name(where, sizeof where, sp, m->fwd_inf);
        append(res->message, sizeof res->message, " KL(p_r||p_q) = inf: p_q gives probability 0 to responses "
               "that p_r does not (q = -inf, q* finite at %s);", where);
    }
    if (o->atol >= 0 && av != AE_VERIFIED) {
        ae_entry_name(where, sizeof where, sp, wa->k);
        append(res->message, sizeof res->message, " %s %s atol %g (up to %s at %s);",
               o->centered ? "centered abs error" : "abs error", word(av), o->atol,
               up_str(b1, sizeof b1, up_d(wa->hi)), where);
    }
    if (o->rtol >= 0 && rv != AE_VERIFIED) {
        ae_entry_name(where, sizeof where, sp, wr->k);
        append(res->message, sizeof res->message, " %s %s rtol %g (up to %s at %s);",
               o->centered ? "centered rel error" : "rel error", word(rv), o->rtol,
               up_str(b1, sizeof b1, up_d(wr->hi)), where);
    }
    {
        size_t n = strlen(res->message);
        if (n > 0 && res->message[n - 1] == ';')
            res->message[n - 1] = '\0';
    }
}

/* ------------------------------------------------------------------ the fast path */

/* The fast path's measures, as the Arb path's (so that one report() states both): the worst
   records' bounds exactly, each KL as the ball of its interval (KL >= 0 clips the lower end). */
static void measures_from_fast(measures *m, const ae_fmeasures *f, const ae_space_t sp)
{
    const ae_fworst *src[4] = {&f->abs, &f->rel, &f->cabs, &f->crel};
    worst *dst[4] = {&m->abs, &m->rel, &m->cabs, &m->crel};
    arf_t lo, hi;
    slong p;
    int i;
    for (i = 0; i < 4; i++) {
        arf_set_d(dst[i]->hi, src[i]->hi);
        arf_set_d(dst[i]->lo, src[i]->lo);
        dst[i]->k = src[i]->k;
    }
    arf_init(lo);
    arf_init(hi);
    for (p = 0; p < sp->P; p++) {
        double l[2] = {f->kf_lo[p], f->kr_lo[p]}, h[2] = {f->kf_hi[p], f->kr_hi[p]};
        arb_ptr kl[2] = {m->kl_fwd + p, m->kl_rev + p};
        for (i = 0; i < 2; i++) {
            if (!(h[i] < HUGE_VAL)) {
                arb_zero_pm_inf(kl[i]);
                continue;
            }
            arf_set_d(lo, l[i] > 0 ? l[i] : 0);
            arf_set_d(hi, h[i] > 0 ? h[i] : 0);
            arb_set_interval_arf(kl[i], lo, hi, 128);
        }
    }
    arf_clear(lo);
    arf_clear(hi);
}

/* Whether t has -inf at an allowed entry (a banned token): the fast path leaves those to Arb. */
static int has_banned(const ae_table_t t, const ae_space_t sp)
{
    slong p, d, s, a;
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++)
                    if (ae_space_allowed(sp, d, a) && neg_inf(t->v + (p * sp->S + s) * sp->A + a))
                        return 1;
    return 0;
}

/* Precision reported for a verdict of the fast path: binary64. */
#define CHECK_FAST_PREC 53

/* The check in the fast arithmetic on sources r and q: 1 with res (and det) filled when every
   criterion asked for is decided, 0 when the Arb path must decide. */
static int try_fast(ae_check_result *res, ae_check_detail *det, const ae_space_t sp, const ae_fsrc *r,
                    const ae_fsrc *q, const ae_check_opts *o)
{
    ae_fmeasures f;
    measures m;
    ae_check_detail scratch, *dd = det;
    int decided;

    f.kf_lo = ae_malloc(4 * (size_t)sp->P * sizeof(double));
    f.kf_hi = f.kf_lo + sp->P;
    f.kr_lo = f.kf_hi + sp->P;
    f.kr_hi = f.kr_lo + sp->P;
    _ae_check_fast(&f, sp, r, q);
    worst_init(&m.abs), worst_init(&m.rel), worst_init(&m.cabs), worst_init(&m.crel);
    m.kl_fwd = _arb_vec_init(sp->P);
    m.kl_rev = _arb_vec_init(sp->P);
    measures_from_fast(&m, &f, sp);
    if (dd == NULL) {
        memset(&scratch, 0, sizeof scratch);
        dd = &scratch;
    }
    report(res, dd, &m, sp, o, CHECK_FAST_PREC);
    decided = dd->kl_verdict != AE_UNDECIDED && (o->atol < 0 || dd->atol_verdict != AE_UNDECIDED) &&
              (o->rtol < 0 || dd->rtol_verdict != AE_UNDECIDED);
    _arb_vec_clear(m.kl_fwd, sp->P);
    _arb_vec_clear(m.kl_rev, sp->P);
    worst_clear(&m.abs), worst_clear(&m.rel), worst_clear(&m.cabs), worst_clear(&m.crel);
    free(f.kf_lo);
    return decided;
}

static int opts_bad(const ae_check_opts *o, ae_err_t err)
{
    if (!(o->tol >= 0) || o->tol == HUGE_VAL || o->atol != o->atol || o->rtol != o->rtol ||
        o->atol == HUGE_VAL || o->rtol == HUGE_VAL || o->mask_below != o->mask_below)
        return ae_err_set(err, AE_E_USAGE, "check: tol must be finite and >= 0, atol and rtol finite "
                          "(< 0: not asked), mask_below not NaN");
    return 0;
}

/* Reads (or not) the tables at a precision. */
typedef int (*load_fn)(ae_table_t r, ae_table_t q, slong prec, void *ctx, ae_err_t err);

static int run(ae_check_result *res, ae_check_detail *det, const ae_table_t r, const ae_table_t q,
               const ae_space_t sp, const ae_check_opts *o, unsigned long max_memory, load_fn load,
               void *ctx, const char *rname, const char *qname, int try_fast_first, ae_err_t err)
{
    measures m;
    slong prec = o->prec > 0 ? o->prec : CHECK_PREC;
    slong max_prec = o->max_prec > 0 ? o->max_prec : CHECK_MAX_PREC;
    int rc = 0;

    memset(res, 0, sizeof *res);
    if (det != NULL)
        det->note[0] = '\0';
    if (opts_bad(o, err) != 0)
        return err->code;
    if (max_prec < prec)
        max_prec = prec;
    worst_init(&m.abs), worst_init(&m.rel), worst_init(&m.cabs), worst_init(&m.crel);
    m.kl_fwd = _arb_vec_init(sp->P);
    m.kl_rev = _arb_vec_init(sp->P);
    for (;; prec *= 2) {
        if (load != NULL && (rc = load((ae_table_struct *)r, (ae_table_struct *)q, prec, ctx, err)) != 0)
            break;
        /* -inf at allowed entries (banned tokens): p_R and p_q must be defined */
        if ((rc = ae_bellman_domain(r, sp, AE_DOMAIN_MAP, rname, err)) != 0 ||
            (rc = ae_bellman_domain(q, sp, AE_DOMAIN_POLICY, qname, err)) != 0)
            break;
        if (try_fast_first && o->prec <= 0 && !has_banned(r, sp) && !has_banned(q, sp)) {
            /* the tables as read: first in the fast arithmetic (banned entries: the Arb path) */
            ae_fsrc fr = {AE_FSRC_ARB, NULL, 0, 0, NULL, r->v}, fq = {AE_FSRC_ARB, NULL, 0, 0, NULL, q->v};
            try_fast_first = 0;
            if (try_fast(res, det, sp, &fr, &fq, o))
                break;
        }
        measure(&m, r, q, sp, prec);
        report(res, det, &m, sp, o, prec);
        if (res->verdict != AE_UNDECIDED || 2 * prec > max_prec)
            break;
        if (max_memory > 0) {
            ae_err_t merr;
            ae_err_init(merr);
            if (ae_mem_need(AE_MEM_CHECK, sp, 2 * prec, 1, max_memory, "check", merr) != 0) {
                if (det != NULL)
                {
                    snprintf(det->note, sizeof det->note, "precision not raised above %ld bits: ", (long)prec);
                    append(det->note, sizeof det->note, "%s", merr->msg); /* cut to fit */
                }
                break;
            }
        }
    }
    _arb_vec_clear(m.kl_fwd, sp->P);
    _arb_vec_clear(m.kl_rev, sp->P);
    worst_clear(&m.abs), worst_clear(&m.rel), worst_clear(&m.cabs), worst_clear(&m.crel);
    return rc;
}

int ae_check(ae_check_result *res, ae_check_detail *det, const ae_table_t r, const ae_table_t q,
             const ae_space_t sp, const ae_check_opts *o, unsigned long max_memory, ae_err_t err)
{
    return run(res, det, r, q, sp, o, max_memory, NULL, NULL, "rewards", "logits", 1, err);
}

typedef struct {
    const ae_space_struct *sp;
    const char *rewards, *logits;
    double mask_below;
} files_ctx;

static int load_files(ae_table_t r, ae_table_t q, slong prec, void *vctx, ae_err_t err)
{
    files_ctx *c = vctx;
    if (ae_table_read_masked(r, c->sp, c->rewards, prec, c->mask_below, err) != 0)
        return err->code;
    return ae_table_read_masked(q, c->sp, c->logits, prec, c->mask_below, err) != 0 ? err->code : 0;
}

int ae_check_files(ae_check_result *res, ae_check_detail *det, const ae_space_t sp, const char *rewards,
                   const char *logits, const ae_check_opts *o, unsigned long max_memory, ae_err_t err)
{
    ae_table_t r, q;
    files_ctx c;
    int rc;

    int both_npy = ae_table_format(rewards) == AE_TABLE_NPY && ae_table_format(logits) == AE_TABLE_NPY;

    if (both_npy && o->prec <= 0) {
        /* both memory-mapped: no table of balls unless the fast path cannot decide */
        ae_npy_view vr, vq;
        memset(res, 0, sizeof *res);
        if (det != NULL)
            det->note[0] = '\0';
        if (opts_bad(o, err) != 0)
            return err->code;
        if ((rc = _ae_npy_map(&vr, sp, rewards, o->mask_below, err)) < 0)
            return rc;
        if (rc == 0 && (rc = _ae_npy_map(&vq, sp, logits, o->mask_below, err)) != 0)
            _ae_npy_unmap(&vr);
        if (rc < 0)
            return rc;
        if (rc == 1)
            both_npy = 0; /* not mapped, or -inf at an unmasked entry: the Arb path decides */
        if (rc == 0) {
            ae_fsrc fr = {AE_FSRC_BYTES, vr.data, vr.isz, vr.big, NULL, NULL};
            ae_fsrc fq = {AE_FSRC_BYTES, vq.data, vq.isz, vq.big, NULL, NULL};
            int decided = try_fast(res, det, sp, &fr, &fq, o);
            _ae_npy_unmap(&vr);
            _ae_npy_unmap(&vq);
            if (decided)
                return 0;
        }
        /* the Arb path reads the tables into balls: within the memory limit */
        if (max_memory > 0 &&
            ae_mem_need(AE_MEM_CHECK, sp, o->prec > 0 ? o->prec : CHECK_PREC, 1, max_memory, "check", err) != 0)
            return err->code;
    }
    c.sp = sp;
    c.rewards = rewards;
    c.logits = logits;
    c.mask_below = o->mask_below;
    ae_table_init(r, sp);
    ae_table_init(q, sp);
    /* the fast path again on the tables read, unless it already ran on the mapped files */
    rc = run(res, det, r, q, sp, o, max_memory, load_files, &c, rewards, logits, !both_npy, err);
    ae_table_clear(r);
    ae_table_clear(q);
    return rc;
}

/* ------------------------------------------------------------------ flat forms */

static void copy_err(char *out, size_t n, const ae_err_t err)
{
    if (out != NULL && n > 0)
        snprintf(out, n, "%s", err->msg);
}

static int flat_space(ae_space_t sp, int kind, long V, long T, long P, ae_err_t err)
{
    if (kind != AE_FIXED && kind != AE_EOS) {
        ae_space_init(sp, AE_FIXED, 1, 1, 1, err);
        return ae_err_set(err, AE_E_USAGE, "space_kind %d is not 0 (fixed) or 1 (eos)", kind);
    }
    if (ae_space_init(sp, (ae_space_kind)kind, V, T, P, err) != 0)
        return err->code;
    if (!sp->indexable)
        return ae_err_set(err, AE_E_SIZE, "space too large for a table in memory");
    return 0;
}

/* Doubles into a table (t NULL: only checked) with the readers' value rules; "what" names the
   array in messages. */
static int from_doubles(ae_table_t t, const double *x, const ae_space_t sp, double mask_below, const char *what,
                        ae_err_t err)
{
    slong p, s, a, d;
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    slong k = (p * sp->S + s) * sp->A + a;
                    double v = x[k];
                    int allowed = ae_space_allowed(sp, d, a);
                    const char *why = NULL;
                    if (v != v)
                        why = "NaN is not allowed";
                    else if (v == HUGE_VAL)
                        why = "+inf is not allowed";
                    else if (!allowed && v != -HUGE_VAL && !(v <= mask_below))
                        why = "finite value at a masked entry (masked entries must be -inf)";
                    if (why != NULL) {
                        char where[160];
                        ae_entry_name(where, sizeof where, sp, k);
                        return ae_err_set(err, AE_E_INPUT, "%s[%ld]: %s at %s", what, (long)k, why, where);
                    }
                    if (t == NULL)
                        continue;
                    if (allowed && v != -HUGE_VAL)
                        arb_set_d(t->v + k, v); /* exact */
                    else
                        arb_neg_inf(t->v + k);
                }
    return 0;
}

/* has_banned on a flat array of doubles */
static int has_banned_d(const double *x, const ae_space_t sp)
{
    slong p, d, s, a;
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++)
                    if (ae_space_allowed(sp, d, a) && x[(p * sp->S + s) * sp->A + a] == -HUGE_VAL)
                        return 1;
    return 0;
}

int ae_check_d(ae_check_result *res, int space_kind, long vocab, long horizon, long prompts,
               const double *rewards, const double *logits, const ae_check_opts *o, char *errbuf, size_t errlen)
{
    ae_space_t sp;
    ae_table_t r, q;
    ae_err_t err;
    int rc;

    ae_err_init(err);
    if (res == NULL || rewards == NULL || logits == NULL || o == NULL) {
        ae_err_set(err, AE_E_USAGE, "ae_check_d: res, rewards, logits and o must not be NULL");
        copy_err(errbuf, errlen, err);
        return AE_E_USAGE;
    }
    if ((rc = flat_space(sp, space_kind, vocab, horizon, prompts, err)) == 0 &&
        (rc = from_doubles(NULL, rewards, sp, o->mask_below, "rewards", err)) == 0 &&
        (rc = from_doubles(NULL, logits, sp, o->mask_below, "logits", err)) == 0 && (rc = opts_bad(o, err)) == 0) {
        ae_fsrc fr = {AE_FSRC_DOUBLES, NULL, 0, 0, rewards, NULL}, fq = {AE_FSRC_DOUBLES, NULL, 0, 0, logits, NULL};
        memset(res, 0, sizeof *res);
        if (o->prec <= 0 && !has_banned_d(rewards, sp) && !has_banned_d(logits, sp) &&
            try_fast(res, NULL, sp, &fr, &fq, o)) { /* a given prec or banned entries: Arb at once */
            ae_space_clear(sp);
            return 0;
        }
        ae_table_init(r, sp);
        ae_table_init(q, sp);
        if ((rc = from_doubles(r, rewards, sp, o->mask_below, "rewards", err)) == 0 &&
            (rc = from_doubles(q, logits, sp, o->mask_below, "logits", err)) == 0)
            rc = run(res, NULL, r, q, sp, o, 0, NULL, NULL, "rewards", "logits", 0, err); /* not decided fast */
        ae_table_clear(r);
        ae_table_clear(q);
    }
    ae_space_clear(sp);
    if (rc != 0)
        copy_err(errbuf, errlen, err);
    return rc;
}
