#include <config.h>
/* The fast certified arithmetic (src/interval) tested as Arb tests its own functions: every
   enclosure, on millions of seeded random arguments and on the edges (+-745, overflow,
   subnormals, +-1e308, -inf, NaN), must contain the value computed by Arb at 256 bits. Built a
   second and third time with AE_INTERVAL_MUTATE = 1 (error bounds dropped) and = 2 (bounds
   below the kernels' real error): tests/interval-mutants.sh asserts that those builds fail. */
#include "testlib.h"
#include "interval/interval.h"
#include <float.h>
#include <math.h>

#define PREC 256

static int contains(ae_iv x, const arb_t exact)
{
    arf_t lo, hi, t;
    int ok;
    if (ae_iv_is_whole(x))
        return 1;
    arf_init(lo);
    arf_init(hi);
    arf_init(t);
    /* exact ends m - r and m + r, compared with the ends of Arb's enclosure */
    arf_set_d(t, x.r);
    arf_set_d(lo, x.m);
    arf_sub(lo, lo, t, ARF_PREC_EXACT, ARF_RND_DOWN);
    arf_set_d(hi, x.m);
    arf_add(hi, hi, t, ARF_PREC_EXACT, ARF_RND_DOWN);
    arb_get_lbound_arf(t, exact, PREC);
    ok = arf_cmp(lo, t) <= 0;
    arb_get_ubound_arf(t, exact, PREC);
    ok = ok && arf_cmp(t, hi) <= 0 && !arf_is_nan(t);
    arf_clear(lo);
    arf_clear(hi);
    arf_clear(t);
    return ok;
}

/* A random double: uniform in [lo, hi] or, half of the time, sign * 2^e * mantissa with e
   uniform (all magnitudes). */
static double rnd_uniform(uint64_t *st, double lo, double hi)
{
    return lo + (hi - lo) * (double)(sm_next(st) >> 11) * 0x1p-53;
}

static double rnd_any(uint64_t *st, int emin, int emax)
{
    double m = 1 + (double)(sm_next(st) >> 12) * 0x1p-52;
    int e = (int)sm_range(st, emin, emax);
    double x = ldexp(m, e);
    return (sm_next(st) & 1) ? -x : x;
}

static void check_exp_at(double x, double r)
{
    ae_iv b = ae_iv_exp(ae_iv_set(x, r));
    arb_t e;
    arb_init(e);
    arb_set_d(e, x);
    if (r > 0) { /* exp is increasing: both ends and the midpoint */
        arb_t t;
        arb_init(t);
        arb_set_d(t, r);
        arb_sub(t, e, t, PREC);
        arb_exp(t, t, PREC);
        TEST_CHECK(contains(b, t), "exp(%a +- %a) = %a +- %a misses exp(lower end)", x, r, b.m, b.r);
        arb_set_d(t, r);
        arb_add(t, e, t, PREC);
        arb_exp(t, t, PREC);
        TEST_CHECK(contains(b, t), "exp(%a +- %a) = %a +- %a misses exp(upper end)", x, r, b.m, b.r);
        arb_clear(t);
    }
    arb_exp(e, e, PREC);
    TEST_CHECK(contains(b, e), "exp(%a +- %a) = %a +- %a does not contain the value", x, r, b.m, b.r);
    arb_clear(e);
}

static void check_log_at(double x, double r)
{
    ae_iv b = ae_iv_log(ae_iv_set(x, r));
    arb_t e;
    arb_init(e);
    arb_set_d(e, x);
    if (r > 0) {
        arb_t t;
        arb_init(t);
        arb_set_d(t, r);
        arb_sub(t, e, t, PREC);
        arb_log(t, t, PREC);
        TEST_CHECK(contains(b, t), "log(%a +- %a) = %a +- %a misses log(lower end)", x, r, b.m, b.r);
        arb_set_d(t, r);
        arb_add(t, e, t, PREC);
        arb_log(t, t, PREC);
        TEST_CHECK(contains(b, t), "log(%a +- %a) = %a +- %a misses log(upper end)", x, r, b.m, b.r);
        arb_clear(t);
    }
    arb_log(e, e, PREC);
    TEST_CHECK(contains(b, e), "log(%a +- %a) = %a +- %a does not contain the value", x, r, b.m, b.r);
    arb_clear(e);
}

/* The kernels' constants: LN2_HI + LN2_LO within 2^-86 of ln 2, LN2_HI with 32 significant
   bits (so n * LN2_HI is exact for |n| < 2^11), as proofs/interval.md uses them. */
START_TEST(test_constants)
{
    arb_t l, c;
    arf_t u;
    uint64_t b;
    double hi = AE_IV_LN2_HI;
    arb_init(l);
    arb_init(c);
    arf_init(u);
    arb_const_log2(l, PREC);
    arb_set_d(c, AE_IV_LN2_HI);
    arb_sub(l, l, c, PREC);
    arb_set_d(c, AE_IV_LN2_LO);
    arb_sub(l, l, c, PREC);
    arb_get_abs_ubound_arf(u, l, PREC);
    ck_assert(arf_cmp_2exp_si(u, -86) <= 0);
    memcpy(&b, &hi, 8);
    ck_assert((b & ((1ULL << 21) - 1)) == 0);
    arb_clear(l);
    arb_clear(c);
    arf_clear(u);
}
END_TEST

START_TEST(test_exp_random)
{
    uint64_t st = ae_test_seed() ^ 0x65787031ULL;
    slong i, n = ae_test_iters(1000000);
    for (i = 0; i < n; i++) {
        double x, r = 0;
        switch (i % 4) {
        case 0: x = rnd_uniform(&st, -746, 710); break;
        case 1: x = rnd_uniform(&st, -1, 1); break;
        case 2: x = rnd_any(&st, -1074, 9); break;
        default:
            x = rnd_uniform(&st, -50, 50);
            r = ldexp((double)(sm_next(&st) >> 11) * 0x1p-53, (int)sm_range(&st, -60, -2));
        }
        check_exp_at(x, r);
    }
}
END_TEST

START_TEST(test_log_random)
{
    uint64_t st = ae_test_seed() ^ 0x6c6f6731ULL;
    slong i, n = ae_test_iters(1000000);
    for (i = 0; i < n; i++) {
        double x, r = 0;
        switch (i % 4) {
        case 0: x = fabs(rnd_any(&st, -1074, 1023)); break;
        case 1: x = rnd_uniform(&st, 0.5, 2); break;
        case 2: x = 1 + rnd_any(&st, -60, -1); break;
        default:
            x = fabs(rnd_any(&st, -1000, 1000));
            r = x * ldexp((double)(sm_next(&st) >> 11) * 0x1p-53, (int)sm_range(&st, -60, -3));
        }
        if (x == HUGE_VAL)
            x = DBL_MAX;
        check_log_at(x, r);
    }
}
END_TEST

/* +, -, * on random balls: the ends of the exact result set are at the corners. */
START_TEST(test_arith_random)
{
    uint64_t st = ae_test_seed() ^ 0x61726931ULL;
    slong i, n = ae_test_iters(300000);
    arb_t a, b, z;
    arb_init(a);
    arb_init(b);
    arb_init(z);
    for (i = 0; i < n; i++) {
        int lo = (i % 3 == 0) ? -1074 : -60, hi = (i % 3 == 2) ? 1000 : 60;
        ae_iv x = ae_iv_set(rnd_any(&st, lo, hi), (i & 8) ? 0 : fabs(rnd_any(&st, lo - 10, hi - 10)));
        ae_iv y = ae_iv_set(rnd_any(&st, lo, hi), (i & 16) ? 0 : fabs(rnd_any(&st, lo - 10, hi - 10)));
        ae_iv s = ae_iv_add(x, y), d = ae_iv_sub(x, y), p = ae_iv_mul(x, y), v = ae_iv_inv(x);
        int cx, cy;
        for (cx = -1; cx <= 1; cx++)
            for (cy = -1; cy <= 1; cy++) {
                arb_set_d(a, x.m);
                arb_set_d(z, x.r);
                if (cx)
                    (cx > 0 ? arb_add : arb_sub)(a, a, z, PREC);
                arb_set_d(b, y.m);
                arb_set_d(z, y.r);
                if (cy)
                    (cy > 0 ? arb_add : arb_sub)(b, b, z, PREC);
                arb_add(z, a, b, PREC);
                TEST_CHECK(contains(s, z), "add %a+-%a, %a+-%a", x.m, x.r, y.m, y.r);
                arb_sub(z, a, b, PREC);
                TEST_CHECK(contains(d, z), "sub %a+-%a, %a+-%a", x.m, x.r, y.m, y.r);
                arb_mul(z, a, b, PREC);
                TEST_CHECK(contains(p, z), "mul %a+-%a, %a+-%a", x.m, x.r, y.m, y.r);
                if (cy == 0) {
                    arb_inv(z, a, PREC);
                    TEST_CHECK(contains(v, z), "inv %a+-%a", x.m, x.r);
                }
            }
    }
    arb_clear(a);
    arb_clear(b);
    arb_clear(z);
}
END_TEST

/* log-sum-exp of random rows (with exact -inf entries, as masks), at the all-low, all-high
   and midpoint corners (it is increasing in each argument). */
START_TEST(test_lse_random)
{
    uint64_t st = ae_test_seed() ^ 0x6c736531ULL;
    slong i, n = ae_test_iters(200000);
    ae_iv x[9];
    arb_t s, t, u;
    arb_init(s);
    arb_init(t);
    arb_init(u);
    for (i = 0; i < n; i++) {
        int k = (int)sm_range(&st, 1, 9), j, c;
        double scale = ldexp(1, (int)sm_range(&st, -10, 9));
        ae_iv l;
        for (j = 0; j < k; j++) {
            x[j] = ae_iv_set(rnd_uniform(&st, -scale, scale), (i & 1) ? 0 : scale * 0x1p-50);
            if (j > 0 && sm_range(&st, 0, 5) == 0)
                x[j] = ae_iv_neg_inf();
        }
        x[0].m = fabs(x[0].m) - 800 * (i % 7 == 0); /* rows far below 0 too */
        l = ae_iv_lse(x, k);
        for (c = -1; c <= 1; c++) {
            arb_neg_inf(s);
            for (j = 0; j < k; j++) {
                if (x[j].m == -HUGE_VAL)
                    continue;
                arb_set_d(t, x[j].m);
                arb_set_d(u, x[j].r);
                if (c)
                    (c > 0 ? arb_add : arb_sub)(t, t, u, PREC);
                if (arb_is_finite(s)) {
                    arb_exp(t, t, PREC);
                    arb_exp(u, s, PREC);
                    arb_add(t, t, u, PREC);
                    arb_log(s, t, PREC);
                } else
                    arb_set(s, t);
            }
            TEST_CHECK(contains(l, s), "lse of %d entries (%a, ...) = %a +- %a", k, x[0].m, l.m, l.r);
        }
    }
    arb_clear(s);
    arb_clear(t);
    arb_clear(u);
}
END_TEST

START_TEST(test_edges)
{
    static const double xs[] = {745, -745, 745.1332, -745.1332, -745.13321910194122, -745.2, -746, 709.78,
                                709.7827128933840, -708.4, -708.3964185322641, 1e-300, -1e-300, 0x1p-1074,
                                -0x1p-1074, 0, -0.0, 0.34657359, -0.34657359, 0.5 * 0.6931471805599453,
                                1, -1, 10, -10, 700, -700, -1022 * 0.6931471805599453, -1e308, -1e3};
    static const double ls[] = {0x1p-1074, 0x1p-1073, 3 * 0x1p-1074, 0x1p-1022, 0x1.fffffffffffffp-1023,
                                2.2250738585072014e-308, 1e-308, 1e308, DBL_MAX, 1, 0x1.0000000000001p0,
                                0x1.fffffffffffffp-1, 1.4142135623730951, 0.7071067811865476, 2, 0.5, 1e-5,
                                1e5, 0x1.6a09e667f3bcdp0, 0x1.6a09e667f3bccp0};
    size_t i;
    for (i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        check_exp_at(xs[i], 0);
        check_exp_at(xs[i], 0x1p-40);
    }
    for (i = 0; i < sizeof ls / sizeof ls[0]; i++) {
        check_log_at(ls[i], 0);
        if (ls[i] > 0x1p-1000)
            check_log_at(ls[i], ls[i] * 0x1p-45);
    }
    /* above the overflow threshold the upper end is +inf: the whole line */
    ck_assert(ae_iv_is_whole(ae_iv_exp(ae_iv_exact(710))));
    ck_assert(ae_iv_is_whole(ae_iv_exp(ae_iv_exact(1e308))));
    ck_assert(ae_iv_exp_kernel(1e308) == HUGE_VAL && ae_iv_exp_kernel(710) == HUGE_VAL);
    /* far below, the lower end is 0 (or below) and the upper end tiny */
    {
        ae_iv z = ae_iv_exp(ae_iv_exact(-1e308));
        ck_assert(ae_iv_lo(z) <= 0 && ae_iv_hi(z) <= 0x1p-990);
        ck_assert(ae_iv_exp_kernel(-1e308) == 0 && ae_iv_exp_kernel(-HUGE_VAL) == 0);
    }
    /* -inf exact (a masked entry): exp is exactly 0 */
    {
        ae_iv z = ae_iv_exp(ae_iv_neg_inf());
        ck_assert(z.m == 0 && z.r == 0);
    }
    /* NaN, +-inf, a ball reaching 0: the whole line (undecided) */
    ck_assert(ae_iv_is_whole(ae_iv_exact(NAN)));
    ck_assert(ae_iv_is_whole(ae_iv_exact(HUGE_VAL)));
    ck_assert(ae_iv_is_whole(ae_iv_exp(ae_iv_exact(NAN))));
    ck_assert(ae_iv_is_whole(ae_iv_log(ae_iv_exact(0))));
    ck_assert(ae_iv_is_whole(ae_iv_log(ae_iv_exact(-1))));
    ck_assert(ae_iv_is_whole(ae_iv_log(ae_iv_set(1, 2))));
    ck_assert(ae_iv_is_whole(ae_iv_inv(ae_iv_set(1, 2))));
    ck_assert(ae_iv_is_whole(ae_iv_add(ae_iv_exact(DBL_MAX), ae_iv_exact(DBL_MAX))));
    ck_assert(ae_iv_is_whole(ae_iv_mul(ae_iv_whole(), ae_iv_exact(0))));
    ck_assert(isnan(ae_iv_log_kernel(-1)) && ae_iv_log_kernel(0) == -HUGE_VAL);
    ck_assert(ae_iv_log_kernel(HUGE_VAL) == HUGE_VAL && ae_iv_log_kernel(1) == 0);
    /* the certified ends are outward of the ball */
    {
        ae_iv z = ae_iv_set(1, 0x1p-60);
        ck_assert(ae_iv_hi(z) > 1 && ae_iv_lo(z) < 1 && ae_iv_abs_lo(ae_iv_set(0, 1)) == 0);
    }
}
END_TEST

/* The radii are not needlessly wide: on ordinary arguments the kernels' enclosures are within a
   few hundred ulps, so the fast path decides the check's verdicts. */
START_TEST(test_tight)
{
    ae_iv e = ae_iv_exp(ae_iv_exact(0.3)), l = ae_iv_log(ae_iv_exact(3.0));
    ck_assert(e.r < 1e-13 && l.r < 1e-13);
}
END_TEST

static Suite *interval_suite(void)
{
    Suite *s = suite_create("interval");
    ae_test_add(s, "constants", test_constants, 10);
    ae_test_add(s, "edges", test_edges, 10);
    ae_test_add(s, "tight", test_tight, 10);
    ae_test_add(s, "exp_random", test_exp_random, 120);
    ae_test_add(s, "log_random", test_log_random, 120);
    ae_test_add(s, "arith_random", test_arith_random, 120);
    ae_test_add(s, "lse_random", test_lse_random, 120);
    return s;
}

int main(void)
{
    return ae_test_run(interval_suite());
}
