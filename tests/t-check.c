#include <config.h>
/* Tests of src/check (the regression check) and the flat float64 maps, against an oracle of
   the soft Bellman map written here in long double from the definition (CLAIMS.md: q(s,a) =
   r(s,a) + log sum_b exp q(s.a, b) for a non-ending a), and against the armebm program. */
#include "testlib.h"
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* ------------------------------------------------------------------ oracle */

/* State count and first state of depth d, from the definition (states by depth). */
static slong first_of(slong V, slong d)
{
    slong f = 0, n = 1, i;
    for (i = 0; i < d; i++, n *= V)
        f += n;
    return f;
}

static int ends(int kind, slong V, slong T, slong d, slong a)
{
    return kind == AE_EOS ? a == V : d == T - 1;
}

static int masked(int kind, slong V, slong T, slong d, slong a)
{
    return kind == AE_EOS && a < V && d == T - 1;
}

/* q = M(r) in long double, one prompt at a time, deepest rows first. */
static void oracle_map(long double *q, const double *r, int kind, slong V, slong T, slong P)
{
    slong A = kind == AE_EOS ? V + 1 : V, S = first_of(V, T), p, d, i, a, b;
    for (p = 0; p < P; p++)
        for (d = T - 1; d >= 0; d--)
            for (i = 0; i < first_of(V, d + 1) - first_of(V, d); i++) {
                slong s = first_of(V, d) + i;
                for (a = 0; a < A; a++) {
                    slong k = (p * S + s) * A + a;
                    if (masked(kind, V, T, d, a)) {
                        q[k] = -INFINITY;
                        continue;
                    }
                    q[k] = r[k];
                    if (!ends(kind, V, T, d, a)) {
                        slong c = first_of(V, d + 1) + i * V + a; /* child prefix . a */
                        long double m = -INFINITY, sum = 0;
                        for (b = 0; b < A; b++)
                            if (!masked(kind, V, T, d + 1, b) && q[(p * S + c) * A + b] > m)
                                m = q[(p * S + c) * A + b];
                        for (b = 0; b < A; b++)
                            if (!masked(kind, V, T, d + 1, b))
                                sum += expl(q[(p * S + c) * A + b] - m);
                        q[k] += m + logl(sum);
                    }
                }
            }
}

typedef struct {
    int kind;
    slong V, T, P, S, A, n;
    double *r, *q;
} inst;

/* A random instance: rewards uniform in [-2, 2] with a few digits, masked entries -inf. */
static void inst_init(inst *x, int kind, slong V, slong T, slong P, uint64_t *st)
{
    slong p, d, s, a;
    x->kind = kind;
    x->V = V, x->T = T, x->P = P;
    x->A = kind == AE_EOS ? V + 1 : V;
    x->S = first_of(V, T);
    x->n = P * x->S * x->A;
    x->r = malloc((size_t)x->n * sizeof(double));
    x->q = malloc((size_t)x->n * sizeof(double));
    for (p = 0; p < P; p++)
        for (d = 0; d < T; d++)
            for (s = first_of(V, d); s < first_of(V, d + 1); s++)
                for (a = 0; a < x->A; a++)
                    x->r[(p * x->S + s) * x->A + a] =
                        masked(kind, V, T, d, a) ? -INFINITY : (double)sm_range(st, -20000, 20000) / 9999.0;
}

static void inst_clear(inst *x)
{
    free(x->r);
    free(x->q);
}

/* ------------------------------------------------------------------ the flat maps */

START_TEST(test_map_d_oracle)
{
    uint64_t st = ae_test_seed() ^ 11;
    slong it, n = ae_test_iters(30), k;
    for (it = 0; it < n; it++) {
        inst x;
        long double *o;
        double *back;
        char err[256];
        int kind = (int)sm_range(&st, 0, 1);
        inst_init(&x, kind, sm_range(&st, 1, 3), sm_range(&st, 1, 4), sm_range(&st, 1, 2), &st);
        o = malloc((size_t)x.n * sizeof(long double));
        back = malloc((size_t)x.n * sizeof(double));
        ck_assert_int_eq(ae_map_d(kind, x.V, x.T, x.P, x.r, x.q, err, sizeof err), 0);
        oracle_map(o, x.r, kind, x.V, x.T, x.P);
        for (k = 0; k < x.n; k++) {
            if (isinf(x.r[k])) { /* masked (the long double -inf is not trusted under valgrind) */
                TEST_CHECK(isinf(x.q[k]) && x.q[k] < 0, "mask at %ld", (long)k);
                continue;
            }
            /* an independent route: within a few ulps of the long double oracle (valgrind
               computes long double in double precision, hence the margin) */
            TEST_CHECK(fabsl((long double)x.q[k] - o[k]) <= 4 * DBL_EPSILON * (1 + fabsl(o[k])),
                       "M(r) entry %ld: %.17g vs oracle %.20Lg", (long)k, x.q[k], o[k]);
        }
        /* correctly rounded: the certified value is within half an ulp of the double */
        {
            ae_space_t sp;
            ae_table_t rt, qt;
            ae_err_t e;
            arb_t d;
            arf_t half, u;
            ae_err_init(e);
            ck_assert_int_eq(ae_space_init(sp, (ae_space_kind)kind, x.V, x.T, x.P, e), 0);
            ae_table_init(rt, sp);
            ae_table_init(qt, sp);
            arb_init(d);
            arf_init(half);
            arf_init(u);
            for (k = 0; k < x.n; k++)
                if (!isinf(x.r[k]))
                    arb_set_d(rt->v + k, x.r[k]);
            ae_bellman_map(qt, rt, sp, 1024);
            for (k = 0; k < x.n; k++) {
                int ex;
                if (isinf(x.r[k]) || x.q[k] == 0)
                    continue;
                frexp(x.q[k], &ex); /* |q| in [2^(ex-1), 2^ex): ulp 2^(ex-53), half of it 2^(ex-54) */
                arf_set_si_2exp_si(half, 1, ex - 54);
                arf_set_d(u, x.q[k]);
                arb_sub_arf(d, qt->v + k, u, 1024);
                arb_get_abs_ubound_arf(u, d, 1024);
                TEST_CHECK(arf_cmp(u, half) <= 0, "entry %ld: %.17g is not the double nearest M(r)", (long)k, x.q[k]);
            }
            arb_clear(d);
            arf_clear(half);
            arf_clear(u);
            ae_table_clear(rt);
            ae_table_clear(qt);
            ae_space_clear(sp);
        }
        /* M^-1(M(r)) = r up to the rounding of q */
        ck_assert_int_eq(ae_unmap_d(kind, x.V, x.T, x.P, x.q, back, err, sizeof err), 0);
        for (k = 0; k < x.n; k++)
            TEST_CHECK(isinf(x.r[k]) ? back[k] == x.r[k] : fabs(back[k] - x.r[k]) <= 1e-14 * (x.T + 1) * 8,
                       "unmap entry %ld: %.17g vs %.17g", (long)k, back[k], x.r[k]);
        free(o);
        free(back);
        inst_clear(&x);
    }
}
END_TEST

START_TEST(test_map_d_refusals)
{
    double r[4] = {0, 0, 0, 0}, q[4];
    char err[256];
    ck_assert_int_ne(ae_map_d(7, 2, 1, 1, r, q, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "space_kind"));
    r[1] = NAN;
    ck_assert_int_ne(ae_map_d(AE_FIXED, 2, 2, 1, r, q, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "NaN"));
    ck_assert_ptr_nonnull(strstr(err, "rewards:index 1 "));
    {
        /* F(2,2): q(root, a) = r(root, a) + LSE(child row) = 1.7e308 + 1.7e308 + log 2 */
        double big[6] = {1.7e308, 0, 1.7e308, 1.7e308, 0, 0}, out[6];
        ck_assert_int_ne(ae_map_d(AE_FIXED, 2, 2, 1, big, out, err, sizeof err), 0);
        ck_assert_ptr_nonnull(strstr(err, "beyond the float64 range"));
        ck_assert_ptr_nonnull(strstr(err, "logits:index 0 "));
    }
}
END_TEST

/* ------------------------------------------------------------------ the check */

/* E(3,3), one or two prompts, with its exact q rounded to doubles. */
static void instance(inst *x, slong P, uint64_t seed)
{
    char err[256];
    uint64_t st = seed;
    inst_init(x, AE_EOS, 3, 3, P, &st);
    ck_assert_int_eq(ae_map_d(x->kind, x->V, x->T, x->P, x->r, x->q, err, sizeof err), 0);
}

static void check(ae_check_result *res, const inst *x, const double *q, const ae_check_opts *o)
{
    char err[256] = "";
    ck_assert_msg(ae_check_d(res, x->kind, x->V, x->T, x->P, x->r, q, o, err, sizeof err) == 0, "%s", err);
}

START_TEST(test_check_float32)
{
    inst x;
    ae_check_opts o;
    ae_check_result res;
    double *q32, worst = 0;
    slong k, at = -1;

    instance(&x, 2, 5);
    q32 = malloc((size_t)x.n * sizeof(double));
    for (k = 0; k < x.n; k++) {
        q32[k] = (double)(float)x.q[k];
        if (isfinite(q32[k]) && fabs(q32[k] - x.q[k]) > worst)
            worst = fabs(q32[k] - x.q[k]), at = k;
    }
    ck_assert(worst > 1e-9); /* float32 really moved something */
    ae_check_opts_init(&o);
    check(&res, &x, q32, &o);
    ck_assert_msg(res.passed && res.verdict == AE_VERIFIED, "%s", res.message);
    /* KL ~ eps^2: far below 1e-9 for float32 errors of 1e-7 */
    ck_assert(res.kl_fwd_upper >= 0 && res.kl_fwd_upper < 1e-12 && res.kl_rev_upper < 1e-12);
    /* the certified bound covers the true error (q* within half an ulp of x.q) and is tight
       (the fast path's balls: within 1e-12) */
    ck_assert(res.abs_err_upper >= worst - 1e-15 && res.abs_err_upper <= worst + 1e-12);
    ck_assert_int_eq(res.abs_prompt * x.S * x.A + res.abs_state * x.A + res.abs_action, at);
    ck_assert(res.rel_err_upper <= res.abs_err_upper); /* divided by max(1, |q*|) >= 1 */
    o.atol = 1e-12;
    check(&res, &x, q32, &o);
    ck_assert_msg(!res.passed && res.verdict == AE_VIOLATED, "%s", res.message);
    ck_assert_ptr_nonnull(strstr(res.message, "atol"));
    o.atol = 1e-6;
    check(&res, &x, q32, &o);
    ck_assert_msg(res.passed, "%s", res.message);
    o.atol = -1;
    o.rtol = 1e-12;
    check(&res, &x, q32, &o);
    ck_assert_int_eq(res.verdict, AE_VIOLATED);
    free(q32);
    inst_clear(&x);
}
END_TEST

START_TEST(test_check_shift)
{
    inst x;
    ae_check_opts o;
    ae_check_result res;
    double *qs;
    slong k;

    instance(&x, 1, 9);
    qs = malloc((size_t)x.n * sizeof(double));
    for (k = 0; k < x.n; k++)
        qs[k] = x.q[k] + 3; /* -inf stays -inf */
    ae_check_opts_init(&o);
    check(&res, &x, qs, &o);
    ck_assert_msg(res.passed, "%s", res.message);
    ck_assert(res.abs_err_upper >= 3 - 1e-12);
    ck_assert(res.centered_err_upper < 1e-12); /* only the rounding of q + 3 (and the balls' radii) */
    o.atol = 1e-9;
    check(&res, &x, qs, &o);
    ck_assert_int_eq(res.verdict, AE_VIOLATED);
    o.centered = 1;
    check(&res, &x, qs, &o);
    ck_assert_msg(res.passed, "%s", res.message);
    /* a shift by a different constant per row: still centred away; a tilt within a row is not */
    for (k = 0; k < x.n; k++)
        qs[k] = x.q[k] + (double)((k / x.A) % 5);
    check(&res, &x, qs, &o);
    ck_assert_msg(res.passed, "%s", res.message);
    qs[2] += 1e-3;
    check(&res, &x, qs, &o);
    ck_assert_int_eq(res.verdict, AE_VIOLATED);
    /* the midrange halves a single entry's error: c(s) = 5e-4 in that row */
    ck_assert(res.centered_err_upper >= 5e-4 - 1e-12 && res.centered_err_upper <= 5e-4 + 1e-9);
    free(qs);
    inst_clear(&x);
}
END_TEST

START_TEST(test_check_mask_below)
{
    inst x;
    ae_check_opts o;
    ae_check_result res;
    double *qm, *rm;
    char err[256];
    slong k;

    instance(&x, 1, 13);
    qm = malloc((size_t)x.n * sizeof(double));
    rm = malloc((size_t)x.n * sizeof(double));
    for (k = 0; k < x.n; k++) {
        qm[k] = isinf(x.q[k]) ? -1e9 : x.q[k];
        rm[k] = isinf(x.r[k]) ? -1e9 : x.r[k];
    }
    ae_check_opts_init(&o);
    ck_assert_int_ne(ae_check_d(&res, x.kind, x.V, x.T, x.P, rm, qm, &o, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "finite value at a masked entry"));
    o.mask_below = -1e8;
    ck_assert_int_eq(ae_check_d(&res, x.kind, x.V, x.T, x.P, rm, qm, &o, err, sizeof err), 0);
    ck_assert_msg(res.passed, "%s", res.message);
    /* a mask value above the threshold is still refused */
    o.mask_below = -2e9;
    ck_assert_int_ne(ae_check_d(&res, x.kind, x.V, x.T, x.P, rm, qm, &o, err, sizeof err), 0);
    free(qm);
    free(rm);
    inst_clear(&x);
}
END_TEST

/* The fast path against the Arb path (opts.prec = 256) on random instances of both kinds and
   random perturbations: every upper bound of the fast path is at least the Arb one (the exact
   value lies in the Arb ball, whose radius at 256 bits is far below 1e-60), the verdicts agree
   where the fast path decides, and the fast bounds are within 1e-11 of the values. */
START_TEST(test_check_fast_contains)
{
    uint64_t st = ae_test_seed() ^ 0x66617374ULL;
    slong it, n = ae_test_iters(40), k;
    for (it = 0; it < n; it++) {
        int kind = (it & 1) ? AE_EOS : AE_FIXED;
        slong V = sm_range(&st, 1, 4), T = sm_range(&st, 1, 4), P = sm_range(&st, 1, 2);
        double eps = (it % 4 == 0) ? 0 : ldexp(1, (int)sm_range(&st, -40, -2)), *q;
        inst x;
        ae_check_opts o;
        ae_check_result f, a;
        char err[256];
        inst_init(&x, kind, V, T, P, &st);
        ck_assert_int_eq(ae_map_d(x.kind, x.V, x.T, x.P, x.r, x.q, err, sizeof err), 0);
        q = malloc((size_t)x.n * sizeof(double));
        for (k = 0; k < x.n; k++)
            q[k] = isfinite(x.q[k]) ? x.q[k] + eps * (double)sm_range(&st, -1000, 1000) / 1000.0 : x.q[k];
        ae_check_opts_init(&o);
        o.atol = 1e-6;
        o.rtol = 1e-6;
        check(&f, &x, q, &o);
        o.prec = 256;
        check(&a, &x, q, &o);
        ck_assert_int_eq(a.prec, 256);
        ck_assert_msg(f.kl_fwd_upper >= a.kl_fwd_upper && f.kl_rev_upper >= a.kl_rev_upper,
                      "KL: fast %g %g, Arb %g %g", f.kl_fwd_upper, f.kl_rev_upper, a.kl_fwd_upper, a.kl_rev_upper);
        ck_assert_msg(f.abs_err_upper >= a.abs_err_upper && f.rel_err_upper >= a.rel_err_upper &&
                          f.centered_err_upper >= a.centered_err_upper,
                      "errors: fast %g %g %g, Arb %g %g %g", f.abs_err_upper, f.rel_err_upper, f.centered_err_upper,
                      a.abs_err_upper, a.rel_err_upper, a.centered_err_upper);
        ck_assert(f.kl_fwd_upper <= a.kl_fwd_upper + 1e-11 && f.abs_err_upper <= a.abs_err_upper + 1e-11);
        if (f.prec == 53)
            ck_assert_int_eq(f.verdict, a.verdict);
        free(q);
        inst_clear(&x);
    }
}
END_TEST

/* ae_map_d and ae_check_d against the armebm program on the same tables. */
static char *tmp(const char *tag)
{
    return ae_test_tmpname("t-check", tag);
}

static void write_npy(const char *path, const inst *x, const double *v)
{
    ae_space_t sp;
    ae_table_t t;
    ae_err_t err;
    slong k;
    ae_err_init(err);
    ck_assert_int_eq(ae_space_init(sp, (ae_space_kind)x->kind, x->V, x->T, x->P, err), 0);
    ae_table_init(t, sp);
    for (k = 0; k < x->n; k++)
        if (isinf(v[k]))
            arb_neg_inf(t->v + k);
        else
            arb_set_d(t->v + k, v[k]);
    ck_assert_msg(ae_table_write(path, t, sp, 17, err) == 0, "%s", err->msg);
    ae_table_clear(t);
    ae_space_clear(sp);
}

static int run_cli(const char *args)
{
    const char *dir = getenv("top_builddir");
    char cmd[2048];
    int st;
    snprintf(cmd, sizeof cmd, "'%s/armebm' %s >/dev/null 2>&1", dir ? dir : ".", args);
    st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_against_cli)
{
    inst x;
    char *rp = tmp("r.npy"), *qp = tmp("q.npy"), *q32p = tmp("q32.npy"), args[1024];
    const char *sp = "--space eos --vocab 3 --horizon 3 --prompts 2";
    double *q32;
    FILE *f;
    long sz;
    unsigned char *bytes;
    ae_check_opts o;
    ae_check_result res;
    slong k;

    instance(&x, 2, 21);
    write_npy(rp, &x, x.r);
    snprintf(args, sizeof args, "map %s --in '%s' --out '%s'", sp, rp, qp);
    ck_assert_int_eq(run_cli(args), 0);
    /* the program's .npy data is the last n doubles, little-endian on this machine's order as
       written by the npy writer ('<f8'): compare byte for byte with ae_map_d's doubles */
    f = fopen(qp, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    sz = ftell(f);
    ck_assert(sz >= (long)(x.n * 8));
    bytes = malloc((size_t)x.n * 8);
    fseek(f, sz - (long)(x.n * 8), SEEK_SET);
    ck_assert_int_eq((int)fread(bytes, 8, (size_t)x.n, f), (int)x.n);
    fclose(f);
    for (k = 0; k < x.n; k++) {
        unsigned char le[8];
        uint64_t u;
        int b;
        memcpy(&u, x.q + k, 8);
        for (b = 0; b < 8; b++)
            le[b] = (unsigned char)(u >> (8 * b));
        TEST_CHECK(memcmp(le, bytes + 8 * k, 8) == 0, "map entry %ld differs from ae_map_d", (long)k);
    }
    free(bytes);

    q32 = malloc((size_t)x.n * sizeof(double));
    for (k = 0; k < x.n; k++)
        q32[k] = (double)(float)x.q[k];
    write_npy(q32p, &x, q32);
    ae_check_opts_init(&o);
    check(&res, &x, q32, &o);
    snprintf(args, sizeof args, "check %s --rewards '%s' --logits '%s'", sp, rp, q32p);
    ck_assert_int_eq(run_cli(args), res.passed ? 0 : 1);
    ck_assert(res.passed);
    o.atol = 1e-12;
    check(&res, &x, q32, &o);
    snprintf(args, sizeof args, "check %s --rewards '%s' --logits '%s' --atol 1e-12", sp, rp, q32p);
    ck_assert_int_eq(run_cli(args), res.passed ? 0 : 1);
    ck_assert(!res.passed);
    remove(rp), remove(qp), remove(q32p);
    free(rp), free(qp), free(q32p), free(q32);
    inst_clear(&x);
}
END_TEST

/* ------------------------------------------------------------------ banned entries */

/* Brute force over the responses of prompt p, in long double: p_R(y) = exp R(y) / Z from r
   alone, p_q(y) the product of per-state softmaxes from q alone; returns sum_y a(y) log(a(y) /
   b(y)) over the responses with a(y) > 0 (a = p_R, b = p_q when r_first, else the other way),
   +inf when some such y has b(y) = 0. */
typedef struct {
    const inst *x;
    const double *r, *q;
    slong p;
    long double z, pr[256], pq[256]; /* per response, in visiting order */
    int n;
} brute;

static void brute_rec(brute *b, slong s, slong d, long double R, long double L)
{
    const inst *x = b->x;
    slong base = (b->p * x->S + s) * x->A, a, i = s - first_of(x->V, d);
    long double m = -INFINITY, sum = 0;
    for (a = 0; a < x->A; a++)
        if (!masked(x->kind, x->V, x->T, d, a) && b->q[base + a] > m)
            m = b->q[base + a];
    for (a = 0; a < x->A; a++)
        if (!masked(x->kind, x->V, x->T, d, a) && b->q[base + a] != -INFINITY)
            sum += expl(b->q[base + a] - m);
    for (a = 0; a < x->A; a++) {
        long double R2, L2;
        if (masked(x->kind, x->V, x->T, d, a))
            continue;
        R2 = b->r[base + a] == -INFINITY ? -INFINITY : R + b->r[base + a];
        L2 = b->q[base + a] == -INFINITY || L == -INFINITY ? -INFINITY : L + b->q[base + a] - m - logl(sum);
        if (ends(x->kind, x->V, x->T, d, a)) {
            ck_assert_int_lt(b->n, 256);
            b->pr[b->n] = R2 == -INFINITY ? 0 : expl(R2);
            b->pq[b->n++] = L2 == -INFINITY ? 0 : expl(L2);
            b->z += R2 == -INFINITY ? 0 : expl(R2);
        } else
            brute_rec(b, first_of(x->V, d + 1) + i * x->V + a, d + 1, R2, L2);
    }
}

static long double brute_kl(const inst *x, const double *q, slong p, int r_first)
{
    brute b;
    long double kl = 0;
    int i;
    b.x = x, b.r = x->r, b.q = q, b.p = p, b.z = 0, b.n = 0;
    brute_rec(&b, 0, 0, 0, 0);
    for (i = 0; i < b.n; i++) {
        long double pr = b.pr[i] / b.z, pq = b.pq[i], u = r_first ? pr : pq, v = r_first ? pq : pr;
        if (u > 0)
            kl += v > 0 ? u * logl(u / v) : INFINITY;
    }
    return kl;
}

/* -inf at allowed reward entries (banned tokens): M(r) keeps them, its float64 rounding passes
   the check with both -inf counted as agreement; a logit that unbans or bans a response makes
   one KL +inf, said in words; the finite KL matches the brute-force sum over responses; a root
   of value -inf and a row of -inf that p_q reaches are refused. */
START_TEST(test_check_banned)
{
    inst x;
    ae_check_opts o;
    ae_check_result res;
    double *q1;
    char err[256];
    slong k, S1;
    long double want;

    /* E(3,3), 2 prompts: bans in prompt 0 at (root, token 1) and the whole row of prefix (2),
       so q*(root, 2) = -inf too; in prompt 1 at (prefix (0), EOS) */
    {
        uint64_t st = 21;
        inst_init(&x, AE_EOS, 3, 3, 2, &st);
    }
    S1 = x.S * x.A;
    x.r[1] = -INFINITY;
    for (k = 0; k < x.A; k++)
        x.r[3 * x.A + k] = -INFINITY; /* state 3 = prefix (2) */
    x.r[S1 + 1 * x.A + 3] = -INFINITY; /* prompt 1, prefix (0), EOS */
    ck_assert_int_eq(ae_map_d(x.kind, x.V, x.T, x.P, x.r, x.q, err, sizeof err), 0);
    ck_assert(x.q[1] == -INFINITY && x.q[2] == -INFINITY && x.q[3 * x.A] == -INFINITY && isfinite(x.q[0]));
    ck_assert(x.q[S1 + 1 * x.A + 3] == -INFINITY && isfinite(x.q[S1 + 1 * x.A]));
    ae_check_opts_init(&o);
    o.atol = 1e-12;
    check(&res, &x, x.q, &o);
    ck_assert_msg(res.passed, "%s", res.message);
    ck_assert(res.abs_err_upper < 1e-15 && res.kl_fwd_upper < 1e-25 && res.kl_rev_upper < 1e-25);

    /* unban (root, token 1): p_q has mass where p_R has none */
    q1 = malloc((size_t)x.n * sizeof(double));
    memcpy(q1, x.q, (size_t)x.n * sizeof(double));
    q1[1] = 0.5;
    check(&res, &x, q1, &o);
    ck_assert_msg(!res.passed && res.verdict == AE_VIOLATED, "%s", res.message);
    ck_assert(res.kl_rev_upper == INFINITY && !isfinite((double)brute_kl(&x, q1, 0, 0)));
    ck_assert_msg(strstr(res.message, "KL(p_q||p_r) = inf: p_q puts mass on responses that p_r gives "
                                      "probability 0 (q finite, q* = -inf at prompt 0 prefix () action 1)") != NULL,
                  "%s", res.message);
    want = brute_kl(&x, q1, 0, 1); /* KL(p_R || p_q): finite, the mass p_q moved away */
    ck_assert_msg(isfinite((double)want) && want > 1e-3 && res.kl_fwd_upper >= (double)want * (1 - 1e-12) &&
                      res.kl_fwd_upper <= (double)want * (1 + 1e-9),
                  "KL(p_R||p_q) <= %.17g, brute force %.17Lg", res.kl_fwd_upper, want);
    ck_assert(res.abs_err_upper == INFINITY && res.abs_state == 0 && res.abs_action == 1);

    /* ban (prompt 1, prefix (0), token 2), which p_R reaches: KL(p_R || p_q) = inf */
    memcpy(q1, x.q, (size_t)x.n * sizeof(double));
    q1[S1 + 1 * x.A + 2] = -INFINITY;
    check(&res, &x, q1, &o);
    ck_assert_msg(!res.passed && res.kl_fwd_upper == INFINITY && !isfinite((double)brute_kl(&x, q1, 1, 1)),
                  "%s", res.message);
    ck_assert_msg(strstr(res.message, "KL(p_r||p_q) = inf: p_q gives probability 0 to responses that p_r does "
                                      "not (q = -inf, q* finite at prompt 1 prefix (0) action 2)") != NULL,
                  "%s", res.message);
    want = brute_kl(&x, q1, 1, 0);
    ck_assert(res.kl_rev_upper >= (double)want * (1 - 1e-12) && res.kl_rev_upper <= (double)want * (1 + 1e-9));

    /* a row of -inf that p_q reaches (prefix (0) of prompt 0): no policy there */
    memcpy(q1, x.q, (size_t)x.n * sizeof(double));
    for (k = 0; k < x.A; k++)
        q1[1 * x.A + k] = -INFINITY;
    ck_assert_int_eq(ae_check_d(&res, x.kind, x.V, x.T, x.P, x.r, q1, &o, err, sizeof err), AE_E_INPUT);
    ck_assert_str_eq(err, "logits: prompt 0, prefix \"0\": every logit of this row is -inf but no logit on the "
                          "path to it is, so pi_q(.|s) is not defined");
    /* a row of -inf where p_q does not go (prefix (1), below the banned q(root, 1)): accepted,
       an infinite error at its entries but the same distribution */
    memcpy(q1, x.q, (size_t)x.n * sizeof(double));
    for (k = 0; k < x.A; k++)
        q1[2 * x.A + k] = -INFINITY;
    check(&res, &x, q1, &o);
    ck_assert_msg(!res.passed && res.verdict == AE_VIOLATED && res.abs_err_upper == INFINITY &&
                      res.kl_fwd_upper < 1e-25 && res.kl_rev_upper < 1e-25, "%s", res.message);
    o.atol = -1;
    check(&res, &x, q1, &o);
    ck_assert_msg(res.passed, "%s", res.message);

    /* every root action banned in prompt 1: p_R is not defined */
    for (k = 0; k < x.A; k++)
        x.r[S1 + k] = -INFINITY;
    ck_assert_int_eq(ae_check_d(&res, x.kind, x.V, x.T, x.P, x.r, x.q, &o, err, sizeof err), AE_E_INPUT);
    ck_assert_str_eq(err, "rewards: prompt 1: every response has reward -inf (V = -inf at the root), so p_R is "
                          "not defined");
    free(q1);
    inst_clear(&x);
}
END_TEST

static Suite *check_suite(void)
{
    Suite *s = suite_create("check");
    ae_test_add(s, "map_d_oracle", test_map_d_oracle, 60);
    ae_test_add(s, "map_d_refusals", test_map_d_refusals, 10);
    ae_test_add(s, "check_float32", test_check_float32, 30);
    ae_test_add(s, "check_shift", test_check_shift, 30);
    ae_test_add(s, "check_mask_below", test_check_mask_below, 30);
    ae_test_add(s, "check_fast_contains", test_check_fast_contains, 120);
    ae_test_add(s, "against_cli", test_against_cli, 60);
    ae_test_add(s, "check_banned", test_check_banned, 30);
    return s;
}

int main(void)
{
    return ae_test_run(check_suite());
}
