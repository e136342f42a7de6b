#include <config.h>
/* Tests of src/bellman: the maps M and M^{-1} in exact rationals, in certified balls and in
   float64, against an oracle that sums over every response (CLAIMS.md section 2).

   The oracle enumerates the responses of one prompt by its own recursion over token sequences
   (not ae_walk), with state indices from the canonical formula of DESIGN.md. For potentials
   psi = exp r (rational) it accumulates, for every response y and every step t,
       phi(s_t, y_t) += prod_{u >= t} psi(s_u, y_u)      and      Z += prod_u psi(s_u, y_u),
   which is the definition phi(s,a) = psi(s,a) * beta(s.a), beta(s) = sum of the products of
   psi over the continuations of s, written as a direct sum over responses (no recursion on beta).
   For logits r = log psi + 2^40 * k (k in {-1,0,1}) it keeps phi as a polynomial in e^(2^40):
   one rational coefficient per total shift K in [-T, T]. */
#include "testlib.h"
#include "ae-impl.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

/* ck_assert_msg records a mark point on every success (a write to the runner): too slow in
   loops over every table entry. Test first, then fail. */
#define BIG_SHIFT 40 /* logits +-2^40 */

/* ------------------------------------------------------------------ helpers */

static char failbuf[2048];

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(failbuf, sizeof failbuf, fmt, ap);
    va_end(ap);
    ck_abort_msg("%s", failbuf);
}

/* "E(2,3) P=1 prompt 0 prefix (0 1) action EOS" */
static void where(char *buf, size_t n, const ae_space_t sp, slong p, slong s, slong a)
{
    slong tok[AE_T_MAX], d = ae_space_unrank(tok, sp, s), i;
    size_t u = (size_t)snprintf(buf, n, "%c(%ld,%ld) P=%ld prompt %ld state %ld prefix (",
                                sp->kind == AE_EOS ? 'E' : 'F', (long)sp->V, (long)sp->T,
                                (long)sp->P, (long)p, (long)s);
    for (i = 0; i < d && u < n; i++)
        u += (size_t)snprintf(buf + u, n - u, i ? " %ld" : "%ld", (long)tok[i]);
    if (u < n) {
        if (sp->kind == AE_EOS && a == sp->V)
            snprintf(buf + u, n - u, ") action EOS");
        else
            snprintf(buf + u, n - u, ") action %ld", (long)a);
    }
}

static int is_neg_inf(const arb_t x)
{
    return arf_is_neg_inf(arb_midref(x)) && mag_is_zero(arb_radref(x));
}

/* Allowed / ending by the definitions of CLAIMS.md section 1 (not the library's). */
static int def_allowed(ae_space_kind kind, slong V, slong T, slong d, slong a)
{
    return kind == AE_EOS ? (a == V || d < T - 1) : 1;
}

static int def_ends(ae_space_kind kind, slong V, slong T, slong d, slong a)
{
    return kind == AE_EOS ? a == V : d == T - 1;
}

static slong canon_index(slong V, const slong *y, slong d)
{
    slong i, base = 0, pw = 1, off = 0;
    for (i = 0; i < d; i++) {
        base += pw;
        pw *= V;
        off = off * V + y[i];
    }
    return base + off;
}

static slong canon_depth(slong V, slong T, slong s)
{
    slong d = 0, first = 0, pw = 1;
    while (d < T && s >= first + pw) {
        first += pw;
        pw *= V;
        d++;
    }
    return d;
}

/* ------------------------------------------------------------------ the oracle */

typedef struct {
    ae_space_kind kind;
    slong V, T, P, S, A, nk; /* nk = 2T+1 coefficients per entry */
    fmpq *phi;               /* [(p*S+s)*A+a][K+T] */
    fmpq *Z;                 /* [p][K+T] */
    /* walk state */
    const ae_qtable_struct *psi;
    const slong *kshift; /* [(p*S+s)*A+a] or NULL */
    slong *st, *act, *y;
    fmpq_t prod;
} oracle;

static void orc_leaf(oracle *o, slong p, slong len)
{
    slong t, K = 0;
    fmpq_one(o->prod);
    for (t = len - 1; t >= 0; t--) {
        slong e = (p * o->S + o->st[t]) * o->A + o->act[t];
        fmpq_mul(o->prod, o->prod, o->psi->v + e);
        if (o->kshift)
            K += o->kshift[e];
        fmpq_add(o->phi + e * o->nk + K + o->T, o->phi + e * o->nk + K + o->T, o->prod);
    }
    fmpq_add(o->Z + p * o->nk + K + o->T, o->Z + p * o->nk + K + o->T, o->prod);
}

static void orc_rec(oracle *o, slong p, slong d)
{
    slong s = canon_index(o->V, o->y, d), a;
    for (a = 0; a < o->A; a++) {
        if (!def_allowed(o->kind, o->V, o->T, d, a))
            continue;
        o->st[d] = s;
        o->act[d] = a;
        if (def_ends(o->kind, o->V, o->T, d, a)) {
            orc_leaf(o, p, d + 1);
        } else {
            o->y[d] = a;
            orc_rec(o, p, d + 1);
        }
    }
}

static void oracle_init(oracle *o, const ae_space_t sp, const ae_qtable_t psi, const slong *kshift)
{
    slong p;
    o->kind = sp->kind;
    o->V = sp->V;
    o->T = sp->T;
    o->P = sp->P;
    o->S = sp->S;
    o->A = sp->A;
    o->nk = 2 * sp->T + 1;
    o->phi = _fmpq_vec_init(o->P * o->S * o->A * o->nk);
    o->Z = _fmpq_vec_init(o->P * o->nk);
    o->psi = psi;
    o->kshift = kshift;
    o->st = malloc((size_t)(o->T + 1) * sizeof(slong));
    o->act = malloc((size_t)(o->T + 1) * sizeof(slong));
    o->y = malloc((size_t)(o->T + 1) * sizeof(slong));
    fmpq_init(o->prod);
    for (p = 0; p < o->P; p++)
        orc_rec(o, p, 0);
}

static void oracle_clear(oracle *o)
{
    _fmpq_vec_clear(o->phi, o->P * o->S * o->A * o->nk);
    _fmpq_vec_clear(o->Z, o->P * o->nk);
    free(o->st);
    free(o->act);
    free(o->y);
    fmpq_clear(o->prod);
}

/* Exact phi(p,s,a) and Z(p) when no shifts were used. */
static const fmpq *orc_phi(const oracle *o, slong p, slong s, slong a)
{
    return o->phi + ((p * o->S + s) * o->A + a) * o->nk + o->T;
}

static const fmpq *orc_Z(const oracle *o, slong p)
{
    return o->Z + p * o->nk + o->T;
}

/* Ball for log(sum_K W_K e^(2^40 K)) over the coefficients c[0..nk-1] (index K+T), at wp. */
static void orc_log(arb_t out, const fmpq *c, slong T, slong wp)
{
    arb_t t, e;
    slong K;
    int any = 0;
    arb_init(t);
    arb_init(e);
    arb_zero(out);
    for (K = -T; K <= T; K++) {
        if (fmpq_is_zero(c + K + T))
            continue;
        any = 1;
        arb_set_si(e, K);
        arb_mul_2exp_si(e, e, BIG_SHIFT);
        arb_exp(e, e, wp);
        arb_set_fmpq(t, c + K + T, wp);
        arb_addmul(out, t, e, wp);
    }
    if (any)
        arb_log(out, out, wp);
    else
        arb_neg_inf(out);
    arb_clear(t);
    arb_clear(e);
}

/* ------------------------------------------------------------------ instances */

typedef struct {
    ae_space_kind kind;
    slong V, T, P;
} inst_space;

/* A random small space, with V = 1 and T = 1 often (at most ~1500 responses). */
static inst_space random_space(uint64_t *x)
{
    inst_space r;
    slong ny, k;
    r.kind = (sm_next(x) & 1) ? AE_EOS : AE_FIXED;
    r.V = (sm_next(x) % 4 == 0) ? 1 : sm_range(x, 1, 5);
    r.T = (sm_next(x) % 5 == 0) ? 1 : sm_range(x, 1, 6);
    r.P = sm_range(x, 1, 2);
    for (;;) {
        slong pw = 1;
        ny = 0;
        for (k = 0; k < r.T; k++) {
            ny += pw;
            pw *= r.V;
        }
        if (r.kind == AE_FIXED)
            ny = pw;
        if (ny <= 1500)
            break;
        r.T--;
    }
    return r;
}

enum { POT_INT = 0, POT_RATIONAL = 1, POT_ZEROS = 2 };

/* Random potentials: integers in [1, 20]; or rationals n/d; or with zeros (each row keeps a
   nonzero allowed entry, so that every beta is positive). Masked entries are 0. */
static void random_psi(ae_qtable_t psi, const ae_space_t sp, uint64_t *x, int mode)
{
    slong p, s, a, d;
    for (p = 0; p < sp->P; p++)
        for (s = 0; s < sp->S; s++) {
            slong nz = 0, last = -1;
            d = canon_depth(sp->V, sp->T, s);
            for (a = 0; a < sp->A; a++) {
                fmpq *e = ae_qtable_entry(psi, p, s, a);
                if (!def_allowed(sp->kind, sp->V, sp->T, d, a)) {
                    fmpq_zero(e);
                    continue;
                }
                last = a;
                if (mode == POT_RATIONAL)
                    fmpq_set_si(e, sm_range(x, 1, 1000), (ulong)sm_range(x, 1, 97));
                else if (mode == POT_ZEROS && sm_next(x) % 3 == 0)
                    fmpq_zero(e);
                else
                    fmpq_set_si(e, sm_range(x, 1, 20), 1);
                if (!fmpq_is_zero(e))
                    nz++;
            }
            if (nz == 0)
                fmpq_set_si(ae_qtable_entry(psi, p, s, last), 1, 1);
        }
}

/* r = log psi (+ 2^40 k) at prec; masked entries -inf. */
static void log_table(ae_table_t r, const ae_qtable_t psi, const slong *kshift, const ae_space_t sp,
                      slong prec)
{
    slong e, n = sp->P * sp->S * sp->A;
    for (e = 0; e < n; e++) {
        slong s = (e / sp->A) % sp->S, a = e % sp->A;
        arb_ptr x = r->v + e;
        if (!def_allowed(sp->kind, sp->V, sp->T, canon_depth(sp->V, sp->T, s), a)) {
            arb_neg_inf(x);
            continue;
        }
        arb_set_fmpq(x, psi->v + e, prec);
        arb_log(x, x, prec);
        if (kshift && kshift[e]) {
            arb_t b;
            arb_init(b);
            arb_set_si(b, kshift[e]);
            arb_mul_2exp_si(b, b, BIG_SHIFT);
            arb_add(x, x, b, prec);
            arb_clear(b);
        }
    }
}

static void space_init_ok(ae_space_t sp, inst_space is)
{
    ae_err_t err;
    ae_err_init(err);
    ck_assert_msg(ae_space_init(sp, is.kind, is.V, is.T, is.P, err) == 0, "%s", err->msg);
}

/* |rad(x)| <= 2^e * max(1, |x|) */
static int rad_le_rel(const arb_t x, slong e)
{
    mag_t m, b;
    int ok;
    mag_init(m);
    mag_init(b);
    arb_get_mag(m, x);
    mag_one(b);
    mag_max(b, b, m);
    mag_mul_2exp_si(b, b, e);
    ok = arb_is_finite(x) && mag_cmp(arb_radref(x), b) <= 0;
    mag_clear(m);
    mag_clear(b);
    return ok;
}

/* ------------------------------------------------------------------ hand-solved cases */

/* Potentials listed row by row in table order (masked entries written 0), with phi = M(psi)
   and Z worked out by hand below. */
typedef struct {
    ae_space_kind kind;
    slong V, T;
    const char *psi[16];
    const char *phi[16];
    const char *Z;
} hand_case;

static const hand_case hand[] = {
    /* E(1,2): states root, (0); columns token 0, EOS. Responses: (EOS) = 3, (0 EOS) = 2*5 = 10.
       Z = 13. phi(root,0) = 2*beta((0)) = 2*5 = 10, phi(root,EOS) = 3, phi((0),EOS) = 5. */
    {AE_EOS, 1, 2, {"2", "3", "0", "5"}, {"10", "3", "0", "5"}, "13"},
    /* E(2,2): root, (0), (1); columns 0, 1, EOS. Responses: (EOS) = 5, (0 EOS) = 2*7 = 14,
       (1 EOS) = 3*11 = 33, Z = 52. Rows of depth 1 keep only EOS: beta((0)) = 7, beta((1)) = 11.
       phi(root,.) = (2*7, 3*11, 5) = (14, 33, 5); sum = 52 = Z. */
    {AE_EOS, 2, 2, {"2", "3", "5", "0", "0", "7", "0", "0", "11"},
     {"14", "33", "5", "0", "0", "7", "0", "0", "11"}, "52"},
    /* F(2,2): root, (0), (1); columns 0, 1. Responses 00 = 2*5, 01 = 2*7, 10 = 3*11, 11 = 3*13:
       Z = 10+14+33+39 = 96. beta((0)) = 12, beta((1)) = 24, phi(root,.) = (24, 72). */
    {AE_FIXED, 2, 2, {"2", "3", "5", "7", "11", "13"}, {"24", "72", "5", "7", "11", "13"}, "96"},
    /* F(1,3): one response 000 = 2*3*5 = 30; phi = (30, 15, 5) from the root down. */
    {AE_FIXED, 1, 3, {"2", "3", "5"}, {"30", "15", "5"}, "30"},
    /* E(2,1): T = 1, only EOS: Z = 7. */
    {AE_EOS, 2, 1, {"0", "0", "7"}, {"0", "0", "7"}, "7"},
    /* F(2,1): phi = psi, Z = 1/2 + 1/3 = 5/6. */
    {AE_FIXED, 2, 1, {"1/2", "1/3"}, {"1/2", "1/3"}, "5/6"},
    /* E(1,3): root, (0), (0 0); columns 0, EOS. Responses: (EOS) = 3, (0 EOS) = 1/2*1/4 = 1/8,
       (0 0 EOS) = 1/2*2*6 = 6: Z = 73/8. beta((0 0)) = 6; phi((0),0) = 2*6 = 12,
       beta((0)) = 12 + 1/4 = 49/4; phi(root,0) = 1/2*49/4 = 49/8; 49/8 + 3 = 73/8. */
    {AE_EOS, 1, 3, {"1/2", "3", "2", "1/4", "0", "6"}, {"49/8", "3", "12", "1/4", "0", "6"}, "73/8"},
};

START_TEST(test_hand)
{
    const hand_case *h = hand + _i;
    inst_space is = {h->kind, h->V, h->T, 1};
    ae_space_t sp;
    ae_qtable_t psi, phi, back;
    ae_table_t r, q;
    fmpq_t x, z;
    arb_t v, e;
    slong k, n;

    space_init_ok(sp, is);
    n = sp->S * sp->A;
    ae_qtable_init(psi, sp);
    ae_qtable_init(phi, sp);
    ae_qtable_init(back, sp);
    ae_table_init(r, sp);
    ae_table_init(q, sp);
    fmpq_init(x);
    fmpq_init(z);
    arb_init(v);
    arb_init(e);
    for (k = 0; k < n; k++)
        ck_assert(fmpq_set_str(psi->v + k, h->psi[k], 10) == 0);
    ae_bellman_map_exact(phi, psi, sp);
    ae_bellman_unmap_exact(back, phi, sp);
    log_table(r, psi, NULL, sp, 128);
    ae_bellman_map(q, r, sp, 128);
    ck_assert(fmpq_set_str(z, h->Z, 10) == 0);
    for (k = 0; k < n; k++) {
        fmpq_set_str(x, h->phi[k], 10);
        ck_assert_msg(fmpq_equal(phi->v + k, x), "hand case %d entry %ld: phi != %s", _i, (long)k,
                      h->phi[k]);
        ck_assert_msg(fmpq_equal(back->v + k, psi->v + k), "hand case %d entry %ld: M^-1(M(psi)) != %s",
                      _i, (long)k, h->psi[k]);
        if (fmpq_is_zero(x)) { /* masked in these cases */
            ck_assert_msg(is_neg_inf(q->v + k), "hand case %d entry %ld: q not -inf", _i, (long)k);
        } else { /* q = log phi */
            arb_exp(e, q->v + k, 512);
            ck_assert_msg(arb_contains_fmpq(e, x), "hand case %d entry %ld: exp q excludes %s", _i,
                          (long)k, h->phi[k]);
        }
    }
    /* A(x) = V_q(root) = log Z */
    ae_bellman_value(v, q, sp, 0, 0, 128);
    arb_exp(e, v, 512);
    ck_assert_msg(arb_contains_fmpq(e, z), "hand case %d: exp V_q(root) excludes Z = %s", _i, h->Z);
    ae_qtable_clear(psi);
    ae_qtable_clear(phi);
    ae_qtable_clear(back);
    ae_table_clear(r);
    ae_table_clear(q);
    fmpq_clear(x);
    fmpq_clear(z);
    arb_clear(v);
    arb_clear(e);
    ae_space_clear(sp);
}
END_TEST

/* The oracle itself on the hand cases (so that its own bugs cannot hide library bugs). */
START_TEST(test_oracle_hand)
{
    const hand_case *h = hand + _i;
    inst_space is = {h->kind, h->V, h->T, 1};
    ae_space_t sp;
    ae_qtable_t psi;
    oracle o;
    fmpq_t x;
    slong k;
    space_init_ok(sp, is);
    ae_qtable_init(psi, sp);
    fmpq_init(x);
    for (k = 0; k < sp->S * sp->A; k++)
        fmpq_set_str(psi->v + k, h->psi[k], 10);
    oracle_init(&o, sp, psi, NULL);
    for (k = 0; k < sp->S * sp->A; k++) {
        fmpq_set_str(x, h->phi[k], 10);
        ck_assert_msg(fmpq_equal(orc_phi(&o, 0, k / sp->A, k % sp->A), x), "oracle, hand case %d entry %ld",
                      _i, (long)k);
    }
    fmpq_set_str(x, h->Z, 10);
    ck_assert(fmpq_equal(orc_Z(&o, 0), x));
    oracle_clear(&o);
    fmpq_clear(x);
    ae_qtable_clear(psi);
    ae_space_clear(sp);
}
END_TEST

/* ------------------------------------------------------------------ ae_bellman_map_exact */

START_TEST(test_map_exact)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0x4444), x = seed;
    slong it, iters = ae_test_iters(60);
    for (it = 0; it < iters; it++) {
        inst_space is = random_space(&x);
        int mode = (int)(sm_next(&x) % 3);
        ae_space_t sp;
        ae_qtable_t psi, phi;
        oracle o;
        fmpq_t b;
        slong p, s, a;
        char w[256];

        space_init_ok(sp, is);
        ae_qtable_init(psi, sp);
        ae_qtable_init(phi, sp);
        fmpq_init(b);
        random_psi(psi, sp, &x, mode);
        for (s = 0; s < sp->P * sp->S * sp->A; s++) /* garbage in the output */
            fmpq_set_si(phi->v + s, -7, 3);
        oracle_init(&o, sp, psi, NULL);
        ae_bellman_map_exact(phi, psi, sp);
        for (p = 0; p < sp->P; p++) {
            for (s = 0; s < sp->S; s++)
                for (a = 0; a < sp->A; a++) {
                    const fmpq *got = ae_qtable_entry(phi, p, s, a), *want = orc_phi(&o, p, s, a);
                    if (!fmpq_equal(got, want)) {
                        char *gs = fmpq_get_str(NULL, 10, got), *ws = fmpq_get_str(NULL, 10, want);
                        char *ps = fmpq_get_str(NULL, 10, ae_qtable_entry(psi, p, s, a));
                        where(w, sizeof w, sp, p, s, a);
                        failf("seed %llu iter %ld mode %d %s: psi = %s, phi = %s, oracle %s",
                              (unsigned long long)seed, (long)it, mode, w, ps, gs, ws);
                    }
                }
            /* beta(root) = Z(x) */
            fmpq_zero(b);
            for (a = 0; a < sp->A; a++)
                fmpq_add(b, b, ae_qtable_entry(phi, p, 0, a));
            if (!fmpq_equal(b, orc_Z(&o, p))) {
                char *bs = fmpq_get_str(NULL, 10, b), *zs = fmpq_get_str(NULL, 10, orc_Z(&o, p));
                failf("seed %llu iter %ld: beta(root) of prompt %ld = %s, Z = %s",
                      (unsigned long long)seed, (long)it, (long)p, bs, zs);
            }
        }
        oracle_clear(&o);
        fmpq_clear(b);
        ae_qtable_clear(psi);
        ae_qtable_clear(phi);
        ae_space_clear(sp);
    }
}
END_TEST

/* ------------------------------------------------------------------ ae_bellman_unmap_exact */

START_TEST(test_unmap_exact)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0x5555), x = seed;
    slong it, iters = ae_test_iters(60);
    for (it = 0; it < iters; it++) {
        inst_space is = random_space(&x);
        int mode = (int)(sm_next(&x) % 3);
        ae_space_t sp;
        ae_qtable_t psi, phi, psi2, phi2;
        fmpq_t b, want;
        slong p, s, a, c, n;
        char w[256];

        space_init_ok(sp, is);
        n = sp->P * sp->S * sp->A;
        ae_qtable_init(psi, sp);
        ae_qtable_init(phi, sp);
        ae_qtable_init(psi2, sp);
        ae_qtable_init(phi2, sp);
        fmpq_init(b);
        fmpq_init(want);

        /* M^{-1}(M(psi)) = psi */
        random_psi(psi, sp, &x, mode);
        ae_bellman_map_exact(phi, psi, sp);
        ae_bellman_unmap_exact(psi2, phi, sp);
        for (s = 0; s < n; s++)
            if (!fmpq_equal(psi->v + s, psi2->v + s)) {
                char *ps = fmpq_get_str(NULL, 10, psi->v + s), *qs = fmpq_get_str(NULL, 10, psi2->v + s);
                where(w, sizeof w, sp, s / (sp->S * sp->A), (s / sp->A) % sp->S, s % sp->A);
                failf("seed %llu iter %ld mode %d %s: M^-1(M(psi)) = %s, psi = %s",
                      (unsigned long long)seed, (long)it, mode, w, qs, ps);
            }

        /* arbitrary phi: psi(s,a) = phi(s,a) / sum_b phi(s.a, b) by hand, and M(M^{-1}(phi)) = phi */
        random_psi(phi, sp, &x, mode == POT_ZEROS ? POT_INT : mode);
        ae_bellman_unmap_exact(psi2, phi, sp);
        ae_bellman_map_exact(phi2, psi2, sp);
        for (p = 0; p < sp->P; p++)
            for (s = 0; s < sp->S; s++) {
                slong d = canon_depth(sp->V, sp->T, s), y[AE_T_MAX + 1];
                ae_space_unrank(y, sp, s);
                for (a = 0; a < sp->A; a++) {
                    const fmpq *f = ae_qtable_entry(phi, p, s, a);
                    if (!def_allowed(sp->kind, sp->V, sp->T, d, a) || def_ends(sp->kind, sp->V, sp->T, d, a)) {
                        fmpq_set(want, f);
                    } else {
                        slong bb;
                        y[d] = a;
                        c = canon_index(sp->V, y, d + 1);
                        fmpq_zero(b);
                        for (bb = 0; bb < sp->A; bb++)
                            fmpq_add(b, b, ae_qtable_entry(phi, p, c, bb));
                        fmpq_div(want, f, b);
                    }
                    if (!fmpq_equal(want, ae_qtable_entry(psi2, p, s, a)) ||
                        !fmpq_equal(f, ae_qtable_entry(phi2, p, s, a))) {
                        char *fs = fmpq_get_str(NULL, 10, f), *ws = fmpq_get_str(NULL, 10, want);
                        char *gs = fmpq_get_str(NULL, 10, ae_qtable_entry(psi2, p, s, a));
                        where(w, sizeof w, sp, p, s, a);
                        failf("seed %llu iter %ld %s: phi = %s, M^-1(phi) = %s (expected %s), "
                              "or M(M^-1(phi)) != phi",
                              (unsigned long long)seed, (long)it, w, fs, gs, ws);
                    }
                }
            }
        fmpq_clear(b);
        fmpq_clear(want);
        ae_qtable_clear(psi);
        ae_qtable_clear(phi);
        ae_qtable_clear(psi2);
        ae_qtable_clear(phi2);
        ae_space_clear(sp);
    }
}
END_TEST

/* ------------------------------------------------------------------ ae_bellman_map (certified) */

/* Checks q = M(log psi) entrywise against the oracle at prec: containment after exp, overlap
   with log phi at 4*prec, a tight radius; and -inf on the mask. */
static slong check_q(const ae_table_t q, const oracle *o, const ae_qtable_t psi, const ae_space_t sp,
                     slong prec, uint64_t seed, slong it)
{
    arb_t e, l;
    slong p, s, a, checked = 0;
    char w[256];
    arb_init(e);
    arb_init(l);
    for (p = 0; p < sp->P; p++)
        for (s = 0; s < sp->S; s++)
            for (a = 0; a < sp->A; a++) {
                arb_srcptr x = ae_table_entry(q, p, s, a);
                const fmpq *f = orc_phi(o, p, s, a);
                slong d = canon_depth(sp->V, sp->T, s);
                int ok;
                if (!def_allowed(sp->kind, sp->V, sp->T, d, a) || fmpq_is_zero(f)) {
                    ok = is_neg_inf(x); /* masked, or banned: a zero-probability subtree */
                } else {
                    arb_exp(e, x, 4 * prec);
                    arb_set_fmpq(l, f, 4 * prec);
                    arb_log(l, l, 4 * prec);
                    ok = arb_contains_fmpq(e, f) && arb_overlaps(x, l) && rad_le_rel(x, 30 - prec);
                    checked++;
                }
                if (!ok) {
                    char *fs = fmpq_get_str(NULL, 10, f);
                    char *ps = fmpq_get_str(NULL, 10, ae_qtable_entry(psi, p, s, a));
                    char *xs = arb_get_str(x, 30, 0);
                    where(w, sizeof w, sp, p, s, a);
                    failf("seed %llu iter %ld prec %ld %s: psi = %s, exact phi = %s, q = %s",
                          (unsigned long long)seed, (long)it, (long)prec, w, ps, fs, xs);
                }
            }
    arb_clear(e);
    arb_clear(l);
    return checked;
}

START_TEST(test_map_certified)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0x6666), x = seed;
    slong it, iters = ae_test_iters(25), n, k, checked = 0;
    for (it = 0; it < iters; it++) {
        inst_space is = random_space(&x);
        int mode = (sm_next(&x) & 1) ? POT_RATIONAL : POT_INT;
        ae_space_t sp;
        ae_qtable_t psi;
        ae_table_t r, q64, q512;

        if (it % 4 == 0) { /* a deep tree every fourth time */
            is.V = FLINT_MAX(is.V, 2);
            is.T = FLINT_MAX(is.T, 3);
            if (is.kind == AE_FIXED && is.V == 5 && is.T > 4)
                is.T = 4;
        }
        oracle o;
        char w[256];

        space_init_ok(sp, is);
        n = sp->P * sp->S * sp->A;
        ae_qtable_init(psi, sp);
        ae_table_init(r, sp);
        ae_table_init(q64, sp);
        ae_table_init(q512, sp);
        random_psi(psi, sp, &x, mode);
        oracle_init(&o, sp, psi, NULL);

        log_table(r, psi, NULL, sp, 64);
        for (k = 0; k < n; k++) /* garbage in the output, mask included */
            arb_set_si(q64->v + k, 7);
        ae_bellman_map(q64, r, sp, 64);
        checked += check_q(q64, &o, psi, sp, 64, seed, it);

        log_table(r, psi, NULL, sp, 512);
        ae_bellman_map(q512, r, sp, 512);
        check_q(q512, &o, psi, sp, 512, seed, it);
        for (k = 0; k < n; k++)
            if (mag_cmp(arb_radref(q512->v + k), arb_radref(q64->v + k)) > 0 ||
                (!mag_is_zero(arb_radref(q64->v + k)) &&
                 mag_cmp(arb_radref(q512->v + k), arb_radref(q64->v + k)) >= 0)) {
                where(w, sizeof w, sp, k / (sp->S * sp->A), (k / sp->A) % sp->S, k % sp->A);
                failf("seed %llu iter %ld %s: radius at 512 bits not below radius at 64 bits",
                      (unsigned long long)seed, (long)it, w);
            }
        oracle_clear(&o);
        ae_qtable_clear(psi);
        ae_table_clear(r);
        ae_table_clear(q64);
        ae_table_clear(q512);
        ae_space_clear(sp);
    }
    /* vacuity guard: the instances exercised many entries */
    TEST_CHECK(checked >= 20 * iters, "seed %llu: only %ld entries checked", (unsigned long long)seed,
               (long)checked);
}
END_TEST

/* Corner spaces V = 1 and T = 1, and the paper's E(8,4), at 128 bits. */
START_TEST(test_map_corners)
{
    static const inst_space corners[] = {
        {AE_FIXED, 1, 1, 1}, {AE_EOS, 1, 1, 1},  {AE_FIXED, 1, 7, 2}, {AE_EOS, 1, 7, 2},
        {AE_FIXED, 6, 1, 2}, {AE_EOS, 6, 1, 2},  {AE_EOS, 8, 4, 1},   {AE_FIXED, 3, 5, 1},
    };
    uint64_t seed = ae_test_seed() ^ UINT64_C(0x7777), x = seed;
    slong it;
    for (it = 0; it < (slong)(sizeof corners / sizeof corners[0]); it++) {
        ae_space_t sp;
        ae_qtable_t psi;
        ae_table_t r, q;
        oracle o;
        space_init_ok(sp, corners[it]);
        ae_qtable_init(psi, sp);
        ae_table_init(r, sp);
        ae_table_init(q, sp);
        random_psi(psi, sp, &x, POT_INT);
        oracle_init(&o, sp, psi, NULL);
        log_table(r, psi, NULL, sp, 128);
        ae_bellman_map(q, r, sp, 128);
        TEST_CHECK(check_q(q, &o, psi, sp, 128, seed, it) >= 1, "corner %ld: nothing checked", (long)it);
        oracle_clear(&o);
        ae_qtable_clear(psi);
        ae_table_clear(r);
        ae_table_clear(q);
        ae_space_clear(sp);
    }
}
END_TEST

/* Logits +-2^40: r = log psi + 2^40 k. The map must still give finite balls of relative
   radius < 2^-60 at 128 bits, overlapping the oracle's log at 512 bits. */
START_TEST(test_map_huge)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0x8888), x = seed;
    slong it, iters = ae_test_iters(15), big = 0;
    for (it = 0; it < iters; it++) {
        inst_space is = random_space(&x);
        ae_space_t sp;
        ae_qtable_t psi;
        ae_table_t r, q;
        oracle o;
        slong *ks, n, k;
        arb_t l;
        char w[256];

        if (is.T > 4)
            is.T = 4;
        space_init_ok(sp, is);
        n = sp->P * sp->S * sp->A;
        ks = malloc((size_t)n * sizeof(slong));
        for (k = 0; k < n; k++)
            ks[k] = sm_range(&x, -1, 1);
        ae_qtable_init(psi, sp);
        ae_table_init(r, sp);
        ae_table_init(q, sp);
        arb_init(l);
        random_psi(psi, sp, &x, POT_INT);
        oracle_init(&o, sp, psi, ks);
        log_table(r, psi, ks, sp, 128);
        ae_bellman_map(q, r, sp, 128);
        for (k = 0; k < n; k++) {
            slong s = (k / sp->A) % sp->S, a = k % sp->A;
            int ok;
            if (!def_allowed(sp->kind, sp->V, sp->T, canon_depth(sp->V, sp->T, s), a)) {
                ok = is_neg_inf(q->v + k);
            } else {
                orc_log(l, o.phi + k * o.nk, sp->T, 512);
                ok = arb_overlaps(q->v + k, l) && rad_le_rel(q->v + k, -60);
                big += arf_cmpabs_2exp_si(arb_midref(q->v + k), BIG_SHIFT - 1) > 0;
            }
            if (!ok) {
                char *qs = arb_get_str(q->v + k, 30, 0), *ls = arb_get_str(l, 30, 0);
                char *ps = fmpq_get_str(NULL, 10, psi->v + k);
                where(w, sizeof w, sp, k / (sp->S * sp->A), s, a);
                failf("seed %llu iter %ld %s: psi = %s, shift %ld*2^40: q = %s, oracle %s",
                      (unsigned long long)seed, (long)it, w, ps, (long)ks[k], qs, ls);
            }
        }
        arb_clear(l);
        oracle_clear(&o);
        free(ks);
        ae_qtable_clear(psi);
        ae_table_clear(r);
        ae_table_clear(q);
        ae_space_clear(sp);
    }
    /* vacuity guard: logits of size 2^40 actually reached the output */
    TEST_CHECK(iters < 5 || big >= 2 * iters, "seed %llu: only %ld entries of q of size 2^40", (unsigned long long)seed,
               (long)big);
}
END_TEST

/* ------------------------------------------------------------------ ae_bellman_unmap (certified) */

/* Random dyadic table k / 2^m on the allowed entries, -inf elsewhere. */
static void random_dyadic(ae_table_t t, const ae_space_t sp, uint64_t *x, slong range, slong m)
{
    slong k, n = sp->P * sp->S * sp->A;
    for (k = 0; k < n; k++) {
        slong s = (k / sp->A) % sp->S, a = k % sp->A;
        if (!def_allowed(sp->kind, sp->V, sp->T, canon_depth(sp->V, sp->T, s), a)) {
            arb_neg_inf(t->v + k);
        } else {
            arb_set_si(t->v + k, sm_range(x, -range, range));
            arb_mul_2exp_si(t->v + k, t->v + k, -m);
        }
    }
}

/* ae_bellman_map(q, q, ...) gives the same balls as ae_bellman_map(q, r, ...). */
START_TEST(test_aliasing)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0xf0f0), x = seed;
    slong it, iters = ae_test_iters(40);
    for (it = 0; it < iters; it++) {
        inst_space is = random_space(&x);
        slong prec = sm_range(&x, 30, 300), n, k;
        ae_space_t sp;
        ae_table_t r, q, qa;
        char w[256];
        space_init_ok(sp, is);
        n = sp->P * sp->S * sp->A;
        ae_table_init(r, sp);
        ae_table_init(q, sp);
        ae_table_init(qa, sp);
        random_dyadic(r, sp, &x, 1 << 12, 10);
        for (k = 0; k < n; k++) /* inexact inputs too */
            if (sm_next(&x) & 1)
                arb_add_error_2exp_si(r->v + k, -40);
        ae_table_mask(r, sp);
        ae_bellman_map(q, r, sp, prec);
        ae_table_set(qa, r);
        ae_bellman_map(qa, qa, sp, prec);
        for (k = 0; k < n; k++)
            if (!arb_equal(qa->v + k, q->v + k)) {
                char *as = arb_get_str(qa->v + k, 30, 0), *qs = arb_get_str(q->v + k, 30, 0);
                where(w, sizeof w, sp, k / (sp->S * sp->A), (k / sp->A) % sp->S, k % sp->A);
                failf("seed %llu iter %ld prec %ld %s: aliased map %s, plain map %s",
                      (unsigned long long)seed, (long)it, (long)prec, w, as, qs);
            }
        ae_table_clear(r);
        ae_table_clear(q);
        ae_table_clear(qa);
        ae_space_clear(sp);
    }
}
END_TEST

START_TEST(test_unmap_certified)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0x9999), x = seed;
    slong it, iters = ae_test_iters(40);
    for (it = 0; it < iters; it++) {
        inst_space is = random_space(&x);
        slong prec = (it & 1) ? 64 : 256, n, k;
        ae_space_t sp;
        ae_table_t r, q, r2, q2;
        char w[256];

        space_init_ok(sp, is);
        n = sp->P * sp->S * sp->A;
        ae_table_init(r, sp);
        ae_table_init(q, sp);
        ae_table_init(r2, sp);
        ae_table_init(q2, sp);

        /* M^{-1}(M(r)) contains r, for dyadic r */
        random_dyadic(r, sp, &x, 512, 8);
        ae_bellman_map(q, r, sp, prec);
        ae_bellman_unmap(r2, q, sp, prec);
        for (k = 0; k < n; k++) {
            int ok = arf_is_neg_inf(arb_midref(r->v + k)) ? is_neg_inf(r2->v + k)
                                                          : arb_contains(r2->v + k, r->v + k) &&
                                                                rad_le_rel(r2->v + k, 30 - prec);
            if (!ok) {
                char *rs = arb_get_str(r->v + k, 20, 0), *ts = arb_get_str(r2->v + k, 30, 0);
                where(w, sizeof w, sp, k / (sp->S * sp->A), (k / sp->A) % sp->S, k % sp->A);
                failf("seed %llu iter %ld prec %ld %s: r = %s, M^-1(M(r)) = %s",
                      (unsigned long long)seed, (long)it, (long)prec, w, rs, ts);
            }
        }
        /* M(M^{-1}(q)) contains q, for arbitrary dyadic logits q */
        random_dyadic(q, sp, &x, 1 << 20, 16);
        ae_bellman_unmap(r2, q, sp, prec);
        ae_bellman_map(q2, r2, sp, prec);
        for (k = 0; k < n; k++) {
            int ok = arf_is_neg_inf(arb_midref(q->v + k)) ? is_neg_inf(q2->v + k)
                                                          : arb_contains(q2->v + k, q->v + k) &&
                                                                rad_le_rel(q2->v + k, 30 - prec);
            if (!ok) {
                char *rs = arb_get_str(q->v + k, 20, 0), *ts = arb_get_str(q2->v + k, 30, 0);
                where(w, sizeof w, sp, k / (sp->S * sp->A), (k / sp->A) % sp->S, k % sp->A);
                failf("seed %llu iter %ld prec %ld %s: q = %s, M(M^-1(q)) = %s",
                      (unsigned long long)seed, (long)it, (long)prec, w, rs, ts);
            }
        }
        ae_table_clear(r);
        ae_table_clear(q);
        ae_table_clear(r2);
        ae_table_clear(q2);
        ae_space_clear(sp);
    }
}
END_TEST

/* r = M^{-1}(log phi) encloses log(phi(s,a) / sum_b phi(s.a, b)), computed here in Q. */
START_TEST(test_unmap_oracle)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0xaaaa), x = seed;
    slong it, iters = ae_test_iters(25);
    for (it = 0; it < iters; it++) {
        inst_space is = random_space(&x);
        ae_space_t sp;
        ae_qtable_t phi;
        ae_table_t q, r;
        fmpq_t want, b;
        arb_t e;
        slong p, s, a, bb, y[AE_T_MAX + 1];
        char w[256];

        space_init_ok(sp, is);
        ae_qtable_init(phi, sp);
        ae_table_init(q, sp);
        ae_table_init(r, sp);
        fmpq_init(want);
        fmpq_init(b);
        arb_init(e);
        random_psi(phi, sp, &x, POT_INT);
        log_table(q, phi, NULL, sp, 128);
        ae_bellman_unmap(r, q, sp, 128);
        for (p = 0; p < sp->P; p++)
            for (s = 0; s < sp->S; s++) {
                slong d = canon_depth(sp->V, sp->T, s);
                ae_space_unrank(y, sp, s);
                for (a = 0; a < sp->A; a++) {
                    arb_srcptr got = ae_table_entry(r, p, s, a);
                    int ok;
                    if (!def_allowed(sp->kind, sp->V, sp->T, d, a)) {
                        ok = is_neg_inf(got);
                    } else {
                        fmpq_set(want, ae_qtable_entry(phi, p, s, a));
                        if (!def_ends(sp->kind, sp->V, sp->T, d, a)) {
                            y[d] = a;
                            fmpq_zero(b);
                            for (bb = 0; bb < sp->A; bb++)
                                fmpq_add(b, b, ae_qtable_entry(phi, p, canon_index(sp->V, y, d + 1), bb));
                            fmpq_div(want, want, b);
                        }
                        arb_exp(e, got, 512);
                        ok = arb_contains_fmpq(e, want) && rad_le_rel(got, -98);
                    }
                    if (!ok) {
                        char *ws = fmpq_get_str(NULL, 10, want), *gs = arb_get_str(got, 30, 0);
                        where(w, sizeof w, sp, p, s, a);
                        failf("seed %llu iter %ld %s: M^-1(log phi) = %s, expected log(%s)",
                              (unsigned long long)seed, (long)it, w, gs, ws);
                    }
                }
            }
        fmpq_clear(want);
        fmpq_clear(b);
        arb_clear(e);
        ae_qtable_clear(phi);
        ae_table_clear(q);
        ae_table_clear(r);
        ae_space_clear(sp);
    }
}
END_TEST

/* ------------------------------------------------------------------ ae_bellman_value, _ae_row_lse */

/* V_{M(log psi)}(s) = log beta(s), beta(s) = sum_a phi(s,a) from the oracle; at the root log Z. */
START_TEST(test_value)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0xbbbb), x = seed;
    slong it, iters = ae_test_iters(25);
    for (it = 0; it < iters; it++) {
        inst_space is = random_space(&x);
        ae_space_t sp;
        ae_qtable_t psi;
        ae_table_t r, q;
        oracle o;
        fmpq_t beta;
        arb_t v, e;
        slong p, s, a;
        char w[256];

        space_init_ok(sp, is);
        ae_qtable_init(psi, sp);
        ae_table_init(r, sp);
        ae_table_init(q, sp);
        fmpq_init(beta);
        arb_init(v);
        arb_init(e);
        random_psi(psi, sp, &x, POT_RATIONAL);
        oracle_init(&o, sp, psi, NULL);
        log_table(r, psi, NULL, sp, 128);
        ae_bellman_map(q, r, sp, 128);
        for (p = 0; p < sp->P; p++)
            for (s = 0; s < sp->S; s++) {
                fmpq_zero(beta);
                for (a = 0; a < sp->A; a++)
                    fmpq_add(beta, beta, orc_phi(&o, p, s, a));
                if (s == 0 && !fmpq_equal(beta, orc_Z(&o, p)))
                    failf("oracle: beta(root) != Z (seed %llu iter %ld)", (unsigned long long)seed,
                          (long)it);
                ae_bellman_value(v, q, sp, p, s, 128);
                arb_exp(e, v, 512);
                if (!arb_contains_fmpq(e, beta) || !rad_le_rel(v, -90)) {
                    char *bs = fmpq_get_str(NULL, 10, beta), *vs = arb_get_str(v, 30, 0);
                    where(w, sizeof w, sp, p, s, 0);
                    failf("seed %llu iter %ld %s: V_q = %s, expected log(%s)", (unsigned long long)seed,
                          (long)it, w, vs, bs);
                }
                /* the internal kernel agrees with the public one */
                _ae_row_lse(e, q, sp, p, s, canon_depth(sp->V, sp->T, s), 128);
                if (!arb_equal(e, v)) {
                    where(w, sizeof w, sp, p, s, 0);
                    failf("seed %llu iter %ld %s: _ae_row_lse differs from ae_bellman_value",
                          (unsigned long long)seed, (long)it, w);
                }
            }
        oracle_clear(&o);
        fmpq_clear(beta);
        arb_clear(v);
        arb_clear(e);
        ae_qtable_clear(psi);
        ae_table_clear(r);
        ae_table_clear(q);
        ae_space_clear(sp);
    }
}
END_TEST

/* _ae_row_lse on rows log psi_a + c with c in {0, +-2^40}: must enclose c + log sum psi_a over
   allowed entries only (masked entries of E rows hold garbage here, not -inf, to see that they
   are skipped). */
START_TEST(test_row_lse)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0xcccc), x = seed;
    slong it, iters = ae_test_iters(200);
    for (it = 0; it < iters; it++) {
        inst_space is = {(sm_next(&x) & 1) ? AE_EOS : AE_FIXED, sm_range(&x, 1, 9), sm_range(&x, 1, 3), 1};
        slong c = sm_range(&x, -1, 1), prec = (it & 1) ? 64 : 200, s, d, a;
        ae_space_t sp;
        ae_table_t q;
        fmpz_t sum;
        arb_t v, e, cc;
        char w[256];

        space_init_ok(sp, is);
        ae_table_init(q, sp);
        fmpz_init(sum);
        arb_init(v);
        arb_init(e);
        arb_init(cc);
        s = sm_range(&x, 0, sp->S - 1);
        d = canon_depth(sp->V, sp->T, s);
        arb_set_si(cc, c);
        arb_mul_2exp_si(cc, cc, BIG_SHIFT);
        for (a = 0; a < sp->A; a++) {
            arb_ptr t = ae_table_entry(q, 0, s, a);
            if (def_allowed(sp->kind, sp->V, sp->T, d, a)) {
                slong k = sm_range(&x, 1, 1000);
                fmpz_add_ui(sum, sum, (ulong)k);
                arb_set_si(t, k);
                arb_log(t, t, prec);
                arb_add(t, t, cc, prec);
            } else {
                arb_set_si(t, 1000); /* garbage where the mask is */
            }
        }
        _ae_row_lse(v, q, sp, 0, s, d, prec);
        arb_sub(e, v, cc, 4 * prec);
        arb_exp(e, e, 4 * prec);
        if (!arb_contains_fmpz(e, sum) || !rad_le_rel(v, 20 - prec)) {
            char *vs = arb_get_str(v, 30, 0);
            where(w, sizeof w, sp, 0, s, 0);
            failf("seed %llu iter %ld prec %ld %s: LSE = %s, expected %ld*2^40 + log %ld",
                  (unsigned long long)seed, (long)it, (long)prec, w, vs, (long)c, (long)fmpz_get_si(sum));
        }
        fmpz_clear(sum);
        arb_clear(v);
        arb_clear(e);
        arb_clear(cc);
        ae_table_clear(q);
        ae_space_clear(sp);
    }
}
END_TEST

/* ------------------------------------------------------------------ float64 */

START_TEST(test_map_d)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0xdddd), x = seed;
    slong it, iters = ae_test_iters(40);
    for (it = 0; it < iters; it++) {
        inst_space is = random_space(&x);
        slong m = (it % 3 == 0) ? 20 : 8, range = (it % 3 == 0) ? (WORD(40) << 20) : 512, n, k;
        ae_space_t sp;
        ae_table_t r, q;
        double *rd, *qd;
        char w[256];

        space_init_ok(sp, is);
        n = sp->P * sp->S * sp->A;
        ae_table_init(r, sp);
        ae_table_init(q, sp);
        rd = malloc((size_t)n * sizeof(double));
        qd = malloc((size_t)n * sizeof(double));
        random_dyadic(r, sp, &x, range, m);
        for (k = 0; k < n; k++) {
            rd[k] = arf_is_neg_inf(arb_midref(r->v + k)) ? -HUGE_VAL : arf_get_d(arb_midref(r->v + k), ARF_RND_NEAR);
            qd[k] = 12345.0; /* garbage */
        }
        ae_bellman_map(q, r, sp, 128);
        ae_bellman_map_d(qd, rd, sp);
        for (k = 0; k < n; k++) {
            int ok;
            if (arf_is_neg_inf(arb_midref(r->v + k))) {
                ok = qd[k] == -HUGE_VAL;
            } else {
                double mid = arf_get_d(arb_midref(q->v + k), ARF_RND_NEAR);
                ok = rad_le_rel(q->v + k, -100) && isfinite(qd[k]) &&
                     fabs(qd[k] - mid) <= 1e-12 * fmax(1.0, fabs(mid));
            }
            if (!ok) {
                char *qs = arb_get_str(q->v + k, 20, 0);
                where(w, sizeof w, sp, k / (sp->S * sp->A), (k / sp->A) % sp->S, k % sp->A);
                failf("seed %llu iter %ld %s: r = %.17g, double q = %.17g, certified %s",
                      (unsigned long long)seed, (long)it, w, rd[k], qd[k], qs);
            }
        }
        free(rd);
        free(qd);
        ae_table_clear(r);
        ae_table_clear(q);
        ae_space_clear(sp);
    }
}
END_TEST

/* Certified LSE of doubles (exact as balls) at 256 bits: log sum exp(row - m) + m. */
static void lse_ref(arb_t out, const double *row, slong n)
{
    arb_t t, u;
    slong i;
    double m = -HUGE_VAL;
    arb_init(t);
    arb_init(u);
    for (i = 0; i < n; i++)
        if (row[i] > m)
            m = row[i];
    arb_zero(out);
    if (m == -HUGE_VAL) {
        arb_neg_inf(out);
    } else {
        arb_set_d(u, m);
        for (i = 0; i < n; i++)
            if (row[i] != -HUGE_VAL) {
                arb_set_d(t, row[i]);
                arb_sub(t, t, u, 256);
                arb_exp(t, t, 256);
                arb_add(out, out, t, 256);
            }
        arb_log(out, out, 256);
        arb_add(out, out, u, 256);
    }
    arb_clear(t);
    arb_clear(u);
}

static int close_d(double got, const arb_t want, double rel)
{
    double m = arf_get_d(arb_midref(want), ARF_RND_NEAR);
    if (arf_is_neg_inf(arb_midref(want)))
        return got == -HUGE_VAL;
    return isfinite(got) && fabs(got - m) <= rel * fmax(1.0, fabs(m));
}

START_TEST(test_lse_d)
{
    static const struct {
        double row[4];
        slong n;
        double want; /* by hand */
    } cases[] = {
        {{-HUGE_VAL, 0.0, -HUGE_VAL, 0.0}, 3, 0.0},          /* only one finite entry: log e^0 */
        {{0.0, 0.0, 0.0, 0.0}, 2, 0.69314718055994531},     /* log 2 */
        {{1e300, 1e300, 0, 0}, 2, 1e300},                    /* 1e300 + log 2 rounds to 1e300 */
        {{1e308, 1e308, 1e308, 0}, 3, 1e308},                /* naive exp would overflow */
        {{1e300, -1e300, -HUGE_VAL, 0}, 3, 1e300},
        {{-1e300, -1e300, 0, 0}, 2, -1e300},
        {{-800.0, -800.0, 0, 0}, 2, -799.30685281944005},   /* naive exp underflows to 0 */
        {{-HUGE_VAL, -HUGE_VAL, 0, 0}, 2, -HUGE_VAL},       /* no finite entry: log 0 */
        {{0, 0, 0, 0}, 0, -HUGE_VAL},                       /* empty row */
        {{-HUGE_VAL, 5.0, 5.0, -HUGE_VAL}, 4, 5.6931471805599453},
    };
    uint64_t seed = ae_test_seed() ^ UINT64_C(0xeeee), x = seed;
    slong i, it, iters = ae_test_iters(300);
    arb_t ref;
    arb_init(ref);
    for (i = 0; i < (slong)(sizeof cases / sizeof cases[0]); i++) {
        double got = _ae_lse_d(cases[i].row, cases[i].n), want = cases[i].want;
        int ok = (want == -HUGE_VAL) ? got == -HUGE_VAL
                                     : isfinite(got) && fabs(got - want) <= 4e-16 * fmax(1.0, fabs(want));
        TEST_CHECK(ok, "_ae_lse_d case %ld (n = %ld, row %g %g %g %g) = %.17g, expected %.17g", (long)i,
                   (long)cases[i].n, cases[i].row[0], cases[i].row[1], cases[i].row[2], cases[i].row[3],
                   got, want);
    }
    for (it = 0; it < iters; it++) {
        double row[12];
        slong n = sm_range(&x, 1, 12), k;
        double got;
        for (k = 0; k < n; k++) {
            uint64_t c = sm_next(&x) % 8;
            double u = ldexp((double)(sm_next(&x) >> 11), -53); /* [0,1) */
            row[k] = c == 0 ? -HUGE_VAL : c == 1 ? (u - 0.5) * 2e300 : c == 2 ? (u - 0.5) * 2e5 : (u - 0.5) * 100;
        }
        got = _ae_lse_d(row, n);
        lse_ref(ref, row, n);
        if (!close_d(got, ref, 1e-13)) {
            char *rs = arb_get_str(ref, 20, 0);
            char buf[600];
            size_t u = 0;
            for (k = 0; k < n && u < sizeof buf; k++)
                u += (size_t)snprintf(buf + u, sizeof buf - u, " %.17g", row[k]);
            failf("seed %llu iter %ld: _ae_lse_d(%s) = %.17g, certified %s", (unsigned long long)seed,
                  (long)it, buf, got, rs);
        }
    }
    arb_clear(ref);
}
END_TEST


/* ------------------------------------------------------------------ exact zeros */

/* For every response of one prompt and every step t on it: cnt[e] += 1 and sum[e] = the sum of
   x over steps t.. of the response, for entry e at step t. An entry of M(x) is 0 exactly when
   cnt[e] == 1 and sum[e] == 0 (one continuation, Lindemann-Weierstrass otherwise). */
static void zero_rec(slong *cnt, fmpq *sum, const ae_qtable_t x, const ae_space_t sp, slong p,
                     slong *y, slong *st, slong *act, slong d)
{
    slong s = canon_index(sp->V, y, d), a, t;
    for (a = 0; a < sp->A; a++) {
        if (!def_allowed(sp->kind, sp->V, sp->T, d, a))
            continue;
        st[d] = s;
        act[d] = a;
        if (def_ends(sp->kind, sp->V, sp->T, d, a)) {
            fmpq_t acc;
            fmpq_init(acc);
            for (t = d; t >= 0; t--) {
                slong e = (p * sp->S + st[t]) * sp->A + act[t];
                fmpq_add(acc, acc, x->v + e);
                cnt[e]++;
                fmpq_set(sum + e, acc);
            }
            fmpq_clear(acc);
        } else {
            y[d] = a;
            zero_rec(cnt, sum, x, sp, p, y, st, act, d + 1);
        }
    }
}

START_TEST(test_exact_zeros)
{
    uint64_t st = ae_test_seed() ^ 0x7a65726fULL;
    slong it, n = ae_test_iters(300);

    for (it = 0; it < n; it++) {
        ae_space_t sp;
        ae_qtable_t x;
        ae_table_t out;
        slong p, s, a, d, N, *cnt, y[AE_T_MAX], sst[AE_T_MAX], act[AE_T_MAX];
        fmpq *sum;
        int inverse = (int)(it & 1);
        char buf[256];

        ae_test_random_space(sp, &st);
        N = sp->P * sp->S * sp->A;
        ae_qtable_init(x, sp);
        ae_table_init(out, sp);
        cnt = calloc((size_t)N, sizeof(slong));
        sum = _fmpq_vec_init(N);
        /* values k/10 with k in [-2, 2]: exact sums of 0 are frequent, none is a dyadic */
        for (s = 0; s < N; s++)
            fmpq_set_si(x->v + s, sm_range(&st, -2, 2), 10);
        for (p = 0; p < sp->P; p++)
            zero_rec(cnt, sum, x, sp, p, y, sst, act, 0);
        /* every allowed entry a ball around 0 that no precision would settle */
        for (s = 0; s < N; s++) {
            arb_zero(out->v + s);
            mag_one(arb_radref(out->v + s));
        }
        ae_bellman_exact_zeros(out, x, sp, inverse);
        for (p = 0; p < sp->P; p++)
            for (s = 0; s < sp->S; s++) {
                d = canon_depth(sp->V, sp->T, s);
                for (a = 0; a < sp->A; a++) {
                    slong e = (p * sp->S + s) * sp->A + a;
                    int want = 0, got = arb_is_zero(out->v + e);
                    if (def_allowed(sp->kind, sp->V, sp->T, d, a) &&
                        !def_ends(sp->kind, sp->V, sp->T, d, a)) {
                        if (!inverse) {
                            want = cnt[e] == 1 && fmpq_is_zero(sum + e);
                        } else { /* r = q(s,a) - V_q(child): one action in the child row */
                            slong c, b, nb = 0, only = -1, f = 0, pw = 1, k;
                            for (k = 0; k < d; k++, pw *= sp->V)
                                f += pw; /* first state of depth d; depth d+1 starts at f+pw */
                            c = f + pw + (s - f) * sp->V + a;
                            for (b = 0; b < sp->A; b++)
                                if (def_allowed(sp->kind, sp->V, sp->T, d + 1, b)) {
                                    nb++;
                                    only = b;
                                }
                            want = nb == 1 && fmpq_equal(x->v + e, x->v + (p * sp->S + c) * sp->A + only);
                        }
                    }
                    if (want != got) {
                        where(buf, sizeof buf, sp, p, s, a);
                        failf("%s %s: exact zero %d, expected %d", inverse ? "unmap" : "map", buf, got, want);
                    }
                }
            }
        _fmpq_vec_clear(sum, N);
        free(cnt);
        ae_table_clear(out);
        ae_qtable_clear(x);
        ae_space_clear(sp);
    }
}
END_TEST

/* The case of the report: E(2,2), 0.1 at the root's token 0 and -0.1 at EOS below it, read as
   balls (not exact), map gives a ball around 0 that is settled to 0; the other entries stay. */
START_TEST(test_exact_zero_decimal)
{
    ae_space_t sp;
    ae_qtable_t x;
    ae_table_t r, q;
    static const slong num[9] = {1, -5, 10, 0, 0, -1, 0, 0, 20};
    slong i;

    ck_assert_int_eq(ae_space_init(sp, AE_EOS, 2, 2, 1, (ae_err_struct[1]){{0}}), 0);
    ae_qtable_init(x, sp);
    ae_table_init(r, sp);
    ae_table_init(q, sp);
    for (i = 0; i < 9; i++) {
        fmpq_set_si(x->v + i, num[i], 10);
        arb_fmpz_div_fmpz(r->v + i, fmpq_numref(x->v + i), fmpq_denref(x->v + i), 128);
    }
    ae_table_mask(r, sp);
    ae_bellman_map(q, r, sp, 128);
    ck_assert(arb_contains_zero(q->v + 0) && !arb_is_exact(q->v + 0));
    ck_assert_int_eq(ae_bellman_exact_zeros(q, x, sp, 0), 1);
    ck_assert(arb_is_zero(q->v + 0));
    ck_assert(!arb_contains_zero(q->v + 1)); /* -0.5 + 2 */
    ae_table_clear(q);
    ae_table_clear(r);
    ae_qtable_clear(x);
    ae_space_clear(sp);
}
END_TEST

/* A ball with 60 bits of relative accuracy can still straddle a float64 rounding boundary:
   1 + 2^-53 (halfway between 1 and its successor) +- 2^-70. */
START_TEST(test_accurate_float64)
{
    ae_space_t sp;
    ae_table_t t;
    ck_assert_int_eq(ae_space_init(sp, AE_FIXED, 1, 1, 1, (ae_err_struct[1]){{0}}), 0);
    ae_table_init(t, sp);
    arb_set_d(t->v, 1.0);
    arb_add_error_2exp_si(t->v, -70);
    ck_assert(ae_table_accurate(t, sp, 60) && ae_table_accurate(t, sp, AE_ACC_FLOAT64));
    arb_set_d(t->v, 1.0);
    {
        arb_t h;
        arb_init(h);
        arb_one(h);
        arb_mul_2exp_si(h, h, -53);
        arb_add(t->v, t->v, h, 200);
        arb_add_error_2exp_si(t->v, -70);
        arb_clear(h);
    }
    ck_assert(ae_table_accurate(t, sp, 60));
    ck_assert(!ae_table_accurate(t, sp, AE_ACC_FLOAT64));
    arb_set_d(t->v, 0.1); /* exact */
    ck_assert(ae_table_accurate(t, sp, AE_ACC_FLOAT64));
    ae_table_clear(t);
    ae_space_clear(sp);
}
END_TEST

/* ae_map_d / ae_unmap_d: every value the correctly rounded double of M(r) certified at 1024
   bits; space_kind is an ae_space_kind (AE_FIXED 0, AE_EOS 1); bad input is one line naming the array and entry, and the
   output is left untouched. */
START_TEST(test_flat_map)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0xf1a7), x = seed;
    slong it, iters = ae_test_iters(20), n, k;
    char msg[512];
    for (it = 0; it < iters; it++) {
        inst_space is = random_space(&x);
        ae_space_t sp;
        ae_table_t r, q;
        double *rd, *qd, *back;
        space_init_ok(sp, is);
        n = sp->P * sp->S * sp->A;
        ae_table_init(r, sp);
        ae_table_init(q, sp);
        rd = malloc((size_t)n * sizeof(double));
        qd = malloc((size_t)n * sizeof(double));
        back = malloc((size_t)n * sizeof(double));
        random_dyadic(r, sp, &x, 512, 8);
        for (k = 0; k < n; k++)
            rd[k] = arf_is_neg_inf(arb_midref(r->v + k)) ? -HUGE_VAL : arf_get_d(arb_midref(r->v + k), ARF_RND_NEAR);
        ae_bellman_map(q, r, sp, 1024);
        ck_assert_int_eq(ae_map_d((int)sp->kind, (long)sp->V, (long)sp->T, (long)sp->P, rd, qd,
                                  msg, sizeof msg), 0);
        for (k = 0; k < n; k++) {
            if (arf_is_neg_inf(arb_midref(r->v + k))) {
                TEST_CHECK(qd[k] == -HUGE_VAL, "masked entry %ld", (long)k);
                continue;
            }
            arf_t lo, hi;
            arf_init(lo);
            arf_init(hi);
            arb_get_lbound_arf(lo, q->v + k, 1100);
            arb_get_ubound_arf(hi, q->v + k, 1100);
            TEST_CHECK(arf_get_d(lo, ARF_RND_NEAR) == qd[k] && arf_get_d(hi, ARF_RND_NEAR) == qd[k],
                       "seed %llu iter %ld entry %ld: %.17g not the rounded M(r)", (unsigned long long)seed,
                       (long)it, (long)k, qd[k]);
            arf_clear(lo);
            arf_clear(hi);
        }
        ck_assert_int_eq(ae_unmap_d((int)sp->kind, (long)sp->V, (long)sp->T, (long)sp->P, qd,
                                    back, msg, sizeof msg), 0);
        for (k = 0; k < n; k++)
            TEST_CHECK(back[k] == rd[k] || fabs(back[k] - rd[k]) <= 1e-13 * fmax(1.0, fabs(rd[k])),
                       "round trip entry %ld: %.17g vs %.17g", (long)k, back[k], rd[k]);
        free(rd);
        free(qd);
        free(back);
        ae_table_clear(r);
        ae_table_clear(q);
        ae_space_clear(sp);
    }
    {
        /* E(2,2): 3 states x 3 columns; index 4 is prefix "0", action 1 (masked) */
        double in[9] = {0, 0, 0, -HUGE_VAL, -HUGE_VAL, 0, -HUGE_VAL, -HUGE_VAL, 0}, out[9];
        for (k = 0; k < 9; k++)
            out[k] = 7.0;
        ck_assert_int_eq(ae_map_d(AE_EOS, 2, 2, 1, in, out, msg, sizeof msg), 0);
        ck_assert(out[3] == -HUGE_VAL && out[8] == 0.0 && out[0] == 0.0);
        /* F(2,2): 3 x 2, none masked: -inf at entries 3 and 4 are banned tokens, each row keeps one */
        ck_assert_int_eq(ae_map_d(AE_FIXED, 2, 2, 1, in, out, msg, sizeof msg), 0);
        ck_assert(out[0] == 0.0 && out[1] == 0.0 && out[2] == 0.0 && out[3] == -HUGE_VAL && out[4] == -HUGE_VAL &&
                  out[5] == 0.0);
        {   /* every root action banned: no response has positive probability */
            double dead[6] = {-HUGE_VAL, -HUGE_VAL, 0, 0, 0, 0};
            ck_assert_int_eq(ae_map_d(AE_FIXED, 2, 2, 1, dead, out, msg, sizeof msg), AE_E_INPUT);
            ck_assert_str_eq(msg, "rewards: prompt 0: every response has reward -inf (V = -inf at the root), "
                                  "so p_R is not defined");
            /* the logits of state "1" all -inf: the reward at its parent entry is not determined */
            dead[0] = 0;
            dead[1] = 1;
            dead[4] = dead[5] = -HUGE_VAL;
            ck_assert_int_eq(ae_unmap_d(AE_FIXED, 2, 2, 1, dead, out, msg, sizeof msg), AE_E_INPUT);
            ck_assert_str_eq(msg, "logits: prompt 0, prefix \"\", action 1: the logits of its child (prompt 0, "
                                  "prefix \"1\") are all -inf (V_q = -inf), so M^-1 cannot determine the reward here");
        }
        in[4] = 1.0;
        for (k = 0; k < 9; k++)
            out[k] = 7.0;
        ck_assert_int_eq(ae_unmap_d(AE_EOS, 2, 2, 1, in, out, msg, sizeof msg), AE_E_INPUT);
        ck_assert_str_eq(msg, "logits:index 4 (prompt 0, prefix \"0\", action 1): finite value at a masked "
                              "entry (masked entries must be -inf)");
        for (k = 0; k < 9; k++)
            ck_assert(out[k] == 7.0);
        in[4] = -HUGE_VAL;
        in[2] = NAN;
        ck_assert_int_eq(ae_map_d(AE_EOS, 2, 2, 1, in, out, msg, sizeof msg), AE_E_INPUT);
        ck_assert_str_eq(msg, "rewards:index 2 (prompt 0, prefix \"\", action EOS): NaN is not allowed");
        ck_assert_int_eq(ae_map_d(2, 2, 2, 1, in, out, msg, sizeof msg), AE_E_USAGE);
        ck_assert_int_eq(ae_map_d(AE_EOS, 0, 2, 1, in, out, msg, sizeof msg), AE_E_USAGE);
        ck_assert(strlen(msg) > 0 && strchr(msg, '\n') == NULL);
        ck_assert_int_eq(ae_map_d(AE_EOS, 2, 2, 1, in, out, NULL, 0), AE_E_INPUT);
    }
}
END_TEST

/* ------------------------------------------------------------------ banned entries (-inf) */

/* Potentials with zeros at allowed entries (r = -inf: banned tokens), whole rows of zeros
   included (states of value -inf), and Z > 0 for every prompt. The oracle sums products over
   responses, so a banned entry simply makes a product 0: it never sees a -inf. */
static void banned_psi(ae_qtable_t psi, const ae_space_t sp, uint64_t *x)
{
    slong p, s, a, k;
    for (;;) {
        int ok = 1;
        random_psi(psi, sp, x, POT_INT);
        for (k = 0; k < sp->P * sp->S * sp->A; k++)
            if (sm_next(x) % 3 == 0)
                fmpq_zero(psi->v + k);
        for (p = 0; p < sp->P && ok; p++) { /* the root keeps a path: first live action, all the way */
            for (s = 0, a = 0; ok; ) {
                slong d = canon_depth(sp->V, sp->T, s);
                for (a = 0; a < sp->A && !def_allowed(sp->kind, sp->V, sp->T, d, a); a++)
                    ;
                if (sm_next(x) % 4 == 0) /* sometimes leave the root dead, to test that too */
                    ok = 2;
                else
                    fmpq_set_si(ae_qtable_entry(psi, p, s, a), 1 + (slong)(sm_next(x) % 5), 1);
                if (def_ends(sp->kind, sp->V, sp->T, d, a))
                    break;
                s = ae_space_child(sp, s, a);
            }
        }
        if (ok)
            return;
    }
}

/* log psi with -inf where psi = 0, at prec */
static void banned_log(ae_table_t r, const ae_qtable_t psi, const ae_space_t sp, slong prec)
{
    slong k;
    for (k = 0; k < sp->P * sp->S * sp->A; k++) {
        slong s = (k / sp->A) % sp->S, a = k % sp->A;
        if (!def_allowed(sp->kind, sp->V, sp->T, canon_depth(sp->V, sp->T, s), a) || fmpq_is_zero(psi->v + k))
            arb_neg_inf(r->v + k);
        else {
            arb_set_fmpq(r->v + k, psi->v + k, prec);
            arb_log(r->v + k, r->v + k, prec);
        }
    }
}

/* M on rewards with banned entries, in every arithmetic, against the oracle (phi = 0 exactly
   where q* must be -inf, log phi elsewhere); M^{-1} back where M is injective; and where the
   maps are defined (ae_bellman_domain) against beta from the oracle's sums. */
START_TEST(test_map_banned)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0xba22ed), x = seed;
    slong it, iters = ae_test_iters(40), k, n, banned = 0, deadroots = 0, dead = 0, roundtrips = 0;
    for (it = 0; it < iters; it++) {
        inst_space is = random_space(&x);
        ae_space_t sp;
        ae_qtable_t psi, phi;
        ae_table_t r, q, back;
        ae_err_t err;
        oracle o;
        double *rd, *qd, *qf;
        char msg[512], w[256];
        slong p, s, a, d;
        int rootdead = 0, anydead = 0, rc;

        if (is.V == 1)
            is.V = 2; /* a choice to ban */
        space_init_ok(sp, is);
        n = sp->P * sp->S * sp->A;
        ae_qtable_init(psi, sp);
        ae_qtable_init(phi, sp);
        ae_table_init(r, sp);
        ae_table_init(q, sp);
        ae_table_init(back, sp);
        rd = malloc((size_t)n * sizeof(double));
        qd = malloc((size_t)n * sizeof(double));
        qf = malloc((size_t)n * sizeof(double));
        ae_err_init(err);
        banned_psi(psi, sp, &x);
        oracle_init(&o, sp, psi, NULL);
        banned_log(r, psi, sp, 128);
        for (k = 0; k < n; k++) {
            rd[k] = arf_is_neg_inf(arb_midref(r->v + k)) ? -HUGE_VAL : arf_get_d(arb_midref(r->v + k), ARF_RND_NEAR);
            banned += fmpq_is_zero(psi->v + k);
        }
        /* beta(c) = sum_b phi(c, b) from the oracle: a state is dead when it is 0 */
        for (p = 0; p < sp->P; p++)
            for (s = 0; s < sp->S; s++) {
                fmpq_t b;
                fmpq_init(b);
                for (a = 0; a < sp->A; a++)
                    fmpq_add(b, b, orc_phi(&o, p, s, a));
                if (fmpq_is_zero(b)) {
                    rootdead |= s == 0;
                    anydead = 1;
                }
                fmpq_clear(b);
            }
        deadroots += rootdead;
        dead += anydead;
        ck_assert_int_eq(ae_bellman_domain(r, sp, AE_DOMAIN_MAP, "r", err) != 0, rootdead);
        ae_err_init(err);
        ck_assert_int_eq(ae_bellman_domain(r, sp, AE_DOMAIN_INJECTIVE, "r", err) != 0, anydead);
        rc = ae_map_d((int)sp->kind, (long)sp->V, (long)sp->T, (long)sp->P, rd, qf, msg, sizeof msg);
        ck_assert_int_eq(rc, rootdead ? AE_E_INPUT : 0);
        if (!rootdead) {
            /* certified: q* -inf exactly where phi = 0, else overlapping log phi, tight */
            ae_bellman_map(q, r, sp, 128);
            check_q(q, &o, psi, sp, 128, seed, it);
            /* float64 and the correctly rounded flat map: -inf at the same entries */
            ae_bellman_map_d(qd, rd, sp);
            for (k = 0; k < n; k++) {
                int zero = fmpq_is_zero(o.phi + k * o.nk + o.T);
                if (zero ? !(qd[k] == -HUGE_VAL && qf[k] == -HUGE_VAL)
                         : !(isfinite(qd[k]) && isfinite(qf[k]) && fabs(qd[k] - qf[k]) <= 1e-12 * fmax(1, fabs(qf[k])))) {
                    where(w, sizeof w, sp, k / (sp->S * sp->A), (k / sp->A) % sp->S, k % sp->A);
                    failf("seed %llu iter %ld %s: oracle phi %s 0, float64 q = %.17g, flat q = %.17g",
                          (unsigned long long)seed, (long)it, w, zero ? "=" : "!=", qd[k], qf[k]);
                }
            }
            /* exact potentials: the multiplicative form gives the oracle's phi, zeros included */
            ae_bellman_map_exact(phi, psi, sp);
            for (k = 0; k < n; k++)
                TEST_CHECK(fmpq_equal(phi->v + k, o.phi + k * o.nk + o.T), "seed %llu iter %ld: exact phi entry %ld",
                           (unsigned long long)seed, (long)it, (long)k);
            /* M^{-1}(M(r)) = r with its -inf where M is injective; refused (one line) where not */
            ae_err_init(err); /* the first error set is kept */
            ck_assert_int_eq(ae_bellman_domain(q, sp, AE_DOMAIN_UNMAP, "q", err) != 0, anydead);
            if (!anydead) {
                ae_bellman_unmap(back, q, sp, 128);
                for (p = 0, k = 0; p < sp->P; p++)
                    for (s = 0; s < sp->S; s++)
                        for (a = 0, d = canon_depth(sp->V, sp->T, s); a < sp->A; a++, k++)
                            TEST_CHECK(def_allowed(sp->kind, sp->V, sp->T, d, a)
                                           ? (arf_is_neg_inf(arb_midref(r->v + k)) ? is_neg_inf(back->v + k)
                                                                                   : arb_overlaps(back->v + k, r->v + k) &&
                                                                                         rad_le_rel(back->v + k, -90))
                                           : is_neg_inf(back->v + k),
                                       "seed %llu iter %ld: unmap(map(r)) entry %ld", (unsigned long long)seed,
                                       (long)it, (long)k);
                roundtrips++;
            } else
                ck_assert_msg(strchr(err->msg, '\n') == NULL && strstr(err->msg, "M^-1 cannot determine") != NULL,
                              "%s", err->msg);
        } else
            ck_assert_msg(strstr(msg, "every response has reward -inf") != NULL, "%s", msg);
        oracle_clear(&o);
        free(rd);
        free(qd);
        free(qf);
        ae_qtable_clear(psi);
        ae_qtable_clear(phi);
        ae_table_clear(r);
        ae_table_clear(q);
        ae_table_clear(back);
        ae_space_clear(sp);
    }
    /* vacuity guard: bans, dead states, dead roots and round trips all occurred */
    TEST_CHECK(banned >= iters && deadroots > 0 && dead > deadroots && roundtrips > 0,
               "seed %llu: banned %ld, dead roots %ld, dead %ld, round trips %ld", (unsigned long long)seed,
               (long)banned, (long)deadroots, (long)dead, (long)roundtrips);
}
END_TEST

static Suite *bellman_suite(void)
{
    Suite *s = suite_create("bellman");
    TCase *tc;
    int nh = (int)(sizeof hand / sizeof hand[0]);

    tc = tcase_create("ae_bellman_map_exact");
    tcase_add_loop_test(tc, test_oracle_hand, 0, nh);
    tcase_add_loop_test(tc, test_hand, 0, nh);
    tcase_add_test(tc, test_map_exact);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_bellman_unmap_exact");
    tcase_add_test(tc, test_unmap_exact);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_bellman_map");
    tcase_add_test(tc, test_map_certified);
    tcase_add_test(tc, test_map_corners);
    tcase_add_test(tc, test_map_huge);
    tcase_add_test(tc, test_map_banned);
    suite_add_tcase(s, tc);

    tc = tcase_create("aliasing");
    tcase_add_test(tc, test_aliasing);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_bellman_unmap");
    tcase_add_test(tc, test_unmap_certified);
    tcase_add_test(tc, test_unmap_oracle);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_bellman_exact_zeros");
    tcase_add_test(tc, test_exact_zeros);
    tcase_add_test(tc, test_exact_zero_decimal);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_bellman_map_accurate");
    tcase_add_test(tc, test_accurate_float64);
    tcase_add_test(tc, test_flat_map);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_bellman_value");
    tcase_add_test(tc, test_value);
    suite_add_tcase(s, tc);

    tc = tcase_create("_ae_row_lse");
    tcase_add_test(tc, test_row_lse);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_bellman_map_d");
    tcase_add_test(tc, test_map_d);
    suite_add_tcase(s, tc);

    tc = tcase_create("_ae_lse_d");
    tcase_add_test(tc, test_lse_d);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ae_test_run(bellman_suite());
}
