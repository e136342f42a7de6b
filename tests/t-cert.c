#include <config.h>
/* Tests of src/cert: verdict names and aggregation, and the certified comparison rule of
   DESIGN.md principle 3 / doc/guide.md section 4:
     a = b:  VIOLATED when the enclosure D of a - b excludes 0; VERIFIED when 0 in D and
             D within tol = 2^-(prec - AE_TOL_SLACK) * max(1, |a|, |b|); else UNDECIDED
             (also when D is not finite); -inf is exact: -inf = -inf VERIFIED, -inf against a
             finite value VIOLATED;
     a <= b: VERIFIED when upper(a) <= lower(b); VIOLATED when lower(a) > upper(b); else
             UNDECIDED.
   Expected verdicts of the random tests are computed in exact integer arithmetic. */
#include "testlib.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *vn(ae_verdict v)
{
    return v == AE_VERIFIED ? "VERIFIED" : v == AE_VIOLATED ? "VIOLATED" : v == AE_UNDECIDED ? "UNDECIDED" : "?";
}

/* x = (m +- r) * 2^e with integers m, r >= 0 */
static void ball(arb_t x, slong m, slong r, slong e)
{
    arb_set_si(x, m);
    mag_set_ui(arb_radref(x), (ulong)r);
    arb_mul_2exp_si(x, x, e);
}

/* ------------------------------------------------------------------ ae_verdict_name / meet */

START_TEST(test_verdict_name)
{
    ck_assert_str_eq(ae_verdict_name(AE_VERIFIED), "verified");
    ck_assert_str_eq(ae_verdict_name(AE_VIOLATED), "violated");
    ck_assert_str_eq(ae_verdict_name(AE_UNDECIDED), "undecided");
    /* the enumeration values are part of the API (STYLE.md section 7) */
    ck_assert_int_eq(AE_VIOLATED, -1);
    ck_assert_int_eq(AE_UNDECIDED, 0);
    ck_assert_int_eq(AE_VERIFIED, 1);
}
END_TEST

START_TEST(test_verdict_meet)
{
    static const ae_verdict all[3] = {AE_VIOLATED, AE_UNDECIDED, AE_VERIFIED};
    /* VIOLATED beats UNDECIDED beats VERIFIED; rows and columns in the order of `all` */
    static const ae_verdict table[3][3] = {
        {AE_VIOLATED, AE_VIOLATED, AE_VIOLATED},
        {AE_VIOLATED, AE_UNDECIDED, AE_UNDECIDED},
        {AE_VIOLATED, AE_UNDECIDED, AE_VERIFIED},
    };
    int i, j, k;
    for (i = 0; i < 3; i++)
        for (j = 0; j < 3; j++) {
            ae_verdict m = ae_verdict_meet(all[i], all[j]);
            ck_assert_msg(m == table[i][j], "meet(%s, %s) = %s, expected %s", vn(all[i]), vn(all[j]),
                          vn(m), vn(table[i][j]));
            for (k = 0; k < 3; k++) /* associative, so that aggregation order never matters */
                ck_assert_msg(ae_verdict_meet(ae_verdict_meet(all[i], all[j]), all[k]) ==
                                  ae_verdict_meet(all[i], ae_verdict_meet(all[j], all[k])),
                              "meet not associative on (%s, %s, %s)", vn(all[i]), vn(all[j]), vn(all[k]));
        }
}
END_TEST

/* ------------------------------------------------------------------ ae_cert_eq */

/* Runs ae_cert_eq and checks its verdict; returns it. */
static ae_verdict eq_expect(const arb_t a, const arb_t b, slong prec, ae_verdict want, const char *what)
{
    arf_t dev, tol;
    ae_verdict v;
    arf_init(dev);
    arf_init(tol);
    v = ae_cert_eq(dev, tol, a, b, prec);
    if (v != want) {
        char *as = arb_get_str(a, 25, 0), *bs = arb_get_str(b, 25, 0);
        ck_abort_msg("%s: ae_cert_eq(%s, %s, prec %ld) = %s, expected %s", what, as, bs, (long)prec, vn(v),
                     vn(want));
    }
    arf_clear(dev);
    arf_clear(tol);
    return v;
}

START_TEST(test_eq_exact)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0x1212), x = seed;
    slong it, iters = ae_test_iters(500);
    arb_t a, b;
    arf_t dev, tol, want;
    arb_init(a);
    arb_init(b);
    arf_init(dev);
    arf_init(tol);
    arf_init(want);
    for (it = 0; it < iters; it++) {
        slong m = sm_range(&x, -1000000, 1000000), e = sm_range(&x, -80, 80);
        slong prec = sm_range(&x, 40, 600);
        ae_verdict v;
        /* the same exact number built twice */
        ball(a, m, 0, e);
        arb_set_si(b, m);
        arb_mul_2exp_si(b, b, e);
        v = ae_cert_eq(dev, tol, a, b, prec);
        /* want = 2^-(prec - 32) * max(1, |a|) */
        arf_abs(want, arb_midref(a));
        if (arf_cmp_si(want, 1) < 0)
            arf_one(want);
        arf_mul_2exp_si(want, want, -(prec - AE_TOL_SLACK));
        TEST_CHECK(v == AE_VERIFIED && arf_is_zero(dev),
                   "seed %llu iter %ld: equal values %ld*2^%ld at prec %ld: %s, dev %s zero",
                   (unsigned long long)seed, (long)it, (long)m, (long)e, (long)prec, vn(v),
                   arf_is_zero(dev) ? "is" : "is not");
        /* tol is the stated tolerance, rounded up by at most a mag's rounding */
        {
            arf_t hi;
            arf_init(hi);
            arf_mul_2exp_si(hi, want, 1);
            TEST_CHECK(arf_cmp(tol, want) >= 0 && arf_cmp(tol, hi) < 0,
                       "seed %llu iter %ld: tol for %ld*2^%ld at prec %ld is not 2^-(prec-32)*max(1,|a|)",
                       (unsigned long long)seed, (long)it, (long)m, (long)e, (long)prec);
            arf_clear(hi);
        }
        /* aliased arguments */
        v = ae_cert_eq(dev, tol, a, a, prec);
        TEST_CHECK(v == AE_VERIFIED, "seed %llu iter %ld: ae_cert_eq(a, a) = %s", (unsigned long long)seed,
                   (long)it, vn(v));
        /* and a different exact number is certainly different */
        arb_set_si(b, m + (m >= 0 ? 1 : -1));
        arb_mul_2exp_si(b, b, e);
        v = ae_cert_eq(dev, tol, a, b, prec);
        TEST_CHECK(v == AE_VIOLATED && arf_cmp_2exp_si(dev, e) >= 0,
                   "seed %llu iter %ld: %ld*2^%ld vs its neighbour at prec %ld: %s", (unsigned long long)seed,
                   (long)it, (long)m, (long)e, (long)prec, vn(v));
    }
    arb_clear(a);
    arb_clear(b);
    arf_clear(dev);
    arf_clear(tol);
    arf_clear(want);
}
END_TEST

START_TEST(test_eq_hand)
{
    arb_t a, b;
    arb_init(a);
    arb_init(b);
    /* overlapping wide balls: 0 +- 1 and 1/2 +- 1 */
    ball(a, 0, 1, 0);
    ball(b, 1, 2, -1);
    eq_expect(a, b, 64, AE_UNDECIDED, "wide overlapping balls");
    eq_expect(a, b, 1024, AE_UNDECIDED, "wide overlapping balls");
    /* disjoint balls: 1 +- 2^-10 and 1 + 2^-9 + 2^-11 +- 2^-10 (gap 2^-11) */
    ball(a, 1 << 10, 1, -10);
    ball(b, (1 << 11) + 4 + 1, 2, -11);
    eq_expect(a, b, 64, AE_VIOLATED, "disjoint balls");
    /* touching balls: 1 +- 2^-10 and 1 + 2^-9 +- 2^-10 share 1 + 2^-10 */
    ball(b, (1 << 10) + 2, 1, -10);
    eq_expect(a, b, 64, AE_UNDECIDED, "touching balls");

    /* the tolerance is relative: |a - b| <= 2^-60 + 2^-62 is within tol = 2^-(128-32) * 2^40
       = 2^-56 near 2^40, but far above tol = 2^-96 near 1 */
    ball(a, WORD(1) << 60, 1, -60);            /* 1 +- 2^-60 */
    ball(b, (WORD(1) << 62) + 1, 0, -62);      /* 1 + 2^-62 */
    eq_expect(a, b, 128, AE_UNDECIDED, "near 1, |a-b| ~ 2^-60");
    {
        arb_t c;
        arb_init(c);
        arb_one(c);
        arb_mul_2exp_si(c, c, 40);
        arb_add(a, a, c, 256); /* 2^40 + 1 +- 2^-60 */
        arb_add(b, b, c, 256); /* 2^40 + 1 + 2^-62 */
        eq_expect(a, b, 128, AE_VERIFIED, "near 2^40, |a-b| ~ 2^-60");
        arb_neg(a, a);
        arb_neg(b, b);
        eq_expect(a, b, 128, AE_VERIFIED, "near -2^40, |a-b| ~ 2^-60");
        /* 2^-50 is above 2^-56 even near 2^40 */
        mag_set_ui_2exp_si(arb_radref(a), 1, -50);
        eq_expect(a, b, 128, AE_UNDECIDED, "near -2^40, |a-b| ~ 2^-50");
        /* and at prec 64 near 2^40 the tolerance is 2^8 */
        mag_set_ui_2exp_si(arb_radref(a), 1, 7);
        eq_expect(a, b, 64, AE_VERIFIED, "near -2^40, |a-b| ~ 2^7, prec 64");
        arb_clear(c);
    }
    /* the scale is max(1, |a|, |b|) with upper bounds, from either side: a = 3, b = 4 +- 1 give
       D = -1 +- 1, dev = 2; at prec 33 tol = 2^-1 * 5 = 5/2 (it would be 3/2 without |b|) */
    ball(a, 3, 0, 0);
    ball(b, 4, 1, 0);
    eq_expect(a, b, 33, AE_VERIFIED, "scale from |b|");
    eq_expect(b, a, 33, AE_VERIFIED, "scale from |a|");
    eq_expect(a, b, 34, AE_UNDECIDED, "tol 5/4 < dev 2");
    /* below 1 the tolerance is absolute: 2^-(prec-32) */
    ball(a, 0, 1, -97);
    ball(b, 0, 1, -97);
    eq_expect(a, b, 128, AE_VERIFIED, "0 +- 2^-97 twice, tol 2^-96");
    ball(b, 0, 3, -97);
    eq_expect(a, b, 128, AE_UNDECIDED, "dev 2^-95 > tol 2^-96");
    /* -inf is an exact value; any other enclosure that is not finite: undecided, never verified */
    arb_neg_inf(a);
    arb_zero(b);
    eq_expect(a, b, 128, AE_VIOLATED, "-inf vs 0"); /* -inf is exact (a banned entry): certainly not 0 */
    eq_expect(b, a, 128, AE_VIOLATED, "0 vs -inf");
    {
        arb_t c;
        arf_t dev, tol;
        arb_init(c);
        arf_init(dev);
        arf_init(tol);
        arb_neg_inf(c);
        ck_assert_int_eq(ae_cert_eq(dev, tol, a, c, 128), AE_VERIFIED); /* -inf = -inf, deviation 0 */
        ck_assert(arf_is_zero(dev) && arf_cmp_2exp_si(tol, -96) == 0);
        arb_zero_pm_inf(c);
        eq_expect(a, c, 128, AE_UNDECIDED, "-inf vs 0 +- inf");
        arb_clear(c);
        arf_clear(dev);
        arf_clear(tol);
    }
    arb_zero_pm_inf(a);
    eq_expect(a, b, 128, AE_UNDECIDED, "0 +- inf vs 0");
    arb_indeterminate(a);
    eq_expect(a, b, 128, AE_UNDECIDED, "nan vs 0");
    arb_clear(a);
    arb_clear(b);
}
END_TEST

/* Random integer balls a = (ma +- ra) 2^e, b = (mb +- rb) 2^e. With N = |ma - mb| + ra + rb
   (the width of D in units of 2^e) and M = max(2^-e, |ma| + ra, |mb| + rb):
   VIOLATED iff |ma - mb| > ra + rb; VERIFIED iff N <= 2^-(prec-32) M; UNDECIDED otherwise.
   Instances within a factor 1 +- 2^-20 of the threshold are skipped (mag rounding). */
START_TEST(test_eq_random)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0x3434), x = seed;
    slong it, iters = ae_test_iters(3000), decided = 0, count[3] = {0, 0, 0};
    arb_t a, b;
    arf_t dev, tol;
    fmpz_t N, M, t;
    arb_init(a);
    arb_init(b);
    arf_init(dev);
    arf_init(tol);
    fmpz_init(N);
    fmpz_init(M);
    fmpz_init(t);
    for (it = 0; it < iters; it++) {
        slong big = WORD(1) << sm_range(&x, 0, 50);
        slong ma = sm_range(&x, -big, big), ra = sm_range(&x, 0, 1 + big / 1024);
        slong mb = (sm_next(&x) & 1) ? ma + sm_range(&x, -3, 3) * (ra + 1) : sm_range(&x, -big, big);
        slong rb = sm_range(&x, 0, 1 + big / 1024), e = sm_range(&x, -60, 60);
        slong prec = sm_range(&x, 33, 120), k = prec - AE_TOL_SLACK;
        ae_verdict want, v;
        int skip = 0;

        ball(a, ma, ra, e);
        ball(b, mb, rb, e);
        /* N = |ma - mb| + ra + rb */
        fmpz_set_si(N, ma);
        fmpz_sub_si(N, N, mb);
        fmpz_abs(N, N);
        if (fmpz_cmp_si(N, ra + rb) > 0) {
            want = AE_VIOLATED;
        } else {
            fmpz_add_si(N, N, ra + rb);
            /* VERIFIED iff N 2^e <= 2^-k max(1, |a|, |b|), i.e. N 2^k <= max(2^-e, Ma, Mb) with
               Ma = |ma| + ra, Mb = |mb| + rb; both sides times 2^sh, sh = max(0, e), to stay in Z */
            slong sh = FLINT_MAX(0, e);
            fmpz_set_si(M, FLINT_ABS(ma) + ra);
            fmpz_set_si(t, FLINT_ABS(mb) + rb);
            if (fmpz_cmp(t, M) > 0)
                fmpz_set(M, t);
            fmpz_mul_2exp(M, M, (ulong)sh);
            fmpz_one(t);
            fmpz_mul_2exp(t, t, (ulong)(sh - e));
            if (fmpz_cmp(t, M) > 0)
                fmpz_set(M, t);
            fmpz_mul_2exp(N, N, (ulong)(k + sh));
            want = fmpz_cmp(N, M) <= 0 ? AE_VERIFIED : AE_UNDECIDED;
            /* skip when |N - M| <= 2^-20 M (mag rounding of the tolerance) */
            fmpz_sub(t, N, M);
            fmpz_mul_2exp(t, t, 20);
            skip = fmpz_cmpabs(t, M) <= 0;
        }
        v = ae_cert_eq(dev, tol, b, a, prec); /* symmetric: check the swapped call first */
        if (!skip)
            TEST_CHECK(v == want, "seed %llu iter %ld: swapped a = (%ld +- %ld)*2^%ld, b = (%ld +- %ld)*2^%ld, "
                       "prec %ld: %s, expected %s", (unsigned long long)seed, (long)it, (long)ma, (long)ra,
                       (long)e, (long)mb, (long)rb, (long)e, (long)prec, vn(v), vn(want));
        v = ae_cert_eq(dev, tol, a, b, prec);
        if (skip)
            continue;
        decided++;
        count[want + 1]++;
        TEST_CHECK(v == want,
                   "seed %llu iter %ld: a = (%ld +- %ld)*2^%ld, b = (%ld +- %ld)*2^%ld, prec %ld: %s, "
                   "expected %s",
                   (unsigned long long)seed, (long)it, (long)ma, (long)ra, (long)e, (long)mb, (long)rb,
                   (long)e, (long)prec, vn(v), vn(want));
        /* dev is an upper bound on |x - y| over x in a, y in b, and a tight one */
        {
            arf_t lo;
            arf_init(lo);
            arf_set_si(lo, FLINT_ABS(ma - mb) + ra + rb);
            arf_mul_2exp_si(lo, lo, e);
            TEST_CHECK(arf_cmp(dev, lo) >= 0, "seed %llu iter %ld: dev below |a - b| + rad a + rad b",
                       (unsigned long long)seed, (long)it);
            arf_mul_2exp_si(lo, lo, 1);
            TEST_CHECK(arf_is_zero(lo) || arf_cmp(dev, lo) < 0, "seed %llu iter %ld: dev not tight",
                       (unsigned long long)seed, (long)it);
            arf_clear(lo);
        }
    }
    /* vacuity guard: most iterations decided, each verdict seen */
    TEST_CHECK(3 * decided >= 2 * iters && (iters < 100 || (count[0] > 0 && count[1] > 0 && count[2] > 0)),
               "seed %llu: decided %ld of %ld (violated %ld, undecided %ld, verified %ld)",
               (unsigned long long)seed, (long)decided, (long)iters, (long)count[0], (long)count[1],
               (long)count[2]);
    arb_clear(a);
    arb_clear(b);
    arf_clear(dev);
    arf_clear(tol);
    fmpz_clear(N);
    fmpz_clear(M);
    fmpz_clear(t);
}
END_TEST

/* ------------------------------------------------------------------ ae_cert_le */

static void le_expect(const arb_t a, const arb_t b, ae_verdict want, const char *what)
{
    ae_verdict v = ae_cert_le(a, b);
    if (v != want) {
        char *as = arb_get_str(a, 25, 0), *bs = arb_get_str(b, 25, 0);
        ck_abort_msg("%s: ae_cert_le(%s, %s) = %s, expected %s", what, as, bs, vn(v), vn(want));
    }
}

START_TEST(test_le_hand)
{
    arb_t a, b;
    arb_init(a);
    arb_init(b);
    ball(a, 1, 0, 0);
    ball(b, 2, 0, 0);
    le_expect(a, b, AE_VERIFIED, "1 <= 2");
    le_expect(b, a, AE_VIOLATED, "2 <= 1");
    le_expect(a, a, AE_VERIFIED, "1 <= 1 (aliased)");
    ball(b, 1, 0, 0);
    le_expect(a, b, AE_VERIFIED, "1 <= 1");
    /* [0,1] <= [1,2]: upper(a) = lower(b) */
    ball(a, 1, 1, -1);
    ball(b, 3, 1, -1);
    le_expect(a, b, AE_VERIFIED, "[0,1] <= [1,2]");
    le_expect(b, a, AE_UNDECIDED, "[1,2] <= [0,1]");
    /* overlapping */
    ball(a, 0, 2, 0);
    ball(b, 1, 2, 0);
    le_expect(a, b, AE_UNDECIDED, "[-2,2] <= [-1,3]");
    le_expect(b, a, AE_UNDECIDED, "[-1,3] <= [-2,2]");
    le_expect(a, a, AE_UNDECIDED, "[-2,2] <= itself");
    /* disjoint the other way */
    ball(a, 10, 1, 0);
    ball(b, 5, 1, 0);
    le_expect(a, b, AE_VIOLATED, "[9,11] <= [4,6]");
    /* huge and tiny */
    ball(a, 1, 0, 40);
    ball(b, (WORD(1) << 40) + 1, 0, 0);
    le_expect(a, b, AE_VERIFIED, "2^40 <= 2^40 + 1");
    le_expect(b, a, AE_VIOLATED, "2^40 + 1 <= 2^40");
    ball(a, 1, 0, -1000);
    ball(b, 1, 0, -999);
    le_expect(a, b, AE_VERIFIED, "2^-1000 <= 2^-999");
    /* -inf (masked logits) is below everything */
    arb_neg_inf(a);
    ball(b, -5, 0, 100);
    le_expect(a, b, AE_VERIFIED, "-inf <= -5*2^100");
    le_expect(b, a, AE_VIOLATED, "-5*2^100 <= -inf");
    /* an unbounded ball decides nothing */
    arb_zero_pm_inf(a);
    le_expect(a, b, AE_UNDECIDED, "0 +- inf <= -5*2^100");
    le_expect(b, a, AE_UNDECIDED, "-5*2^100 <= 0 +- inf");
    arb_clear(a);
    arb_clear(b);
}
END_TEST

/* a < b: ae_lt_row and C6's "risk > H" rows; equal exact values violate a strict inequality */
START_TEST(test_lt_hand)
{
    arb_t a, b;
    arb_init(a);
    arb_init(b);
    ball(a, 1, 0, 0);
    ball(b, 2, 0, 0);
    ck_assert_int_eq(ae_cert_lt(a, b), AE_VERIFIED);
    ck_assert_int_eq(ae_cert_lt(b, a), AE_VIOLATED);
    ck_assert_int_eq(ae_cert_lt(a, a), AE_VIOLATED); /* 1 < 1 is false */
    ball(a, 1, 1, -1); /* [0,1] < [1,2]: touching, 1 < 1 possible */
    ball(b, 3, 1, -1);
    ck_assert_int_eq(ae_cert_lt(a, b), AE_UNDECIDED);
    ball(a, 1, 1, -2); /* [0,1/2] < [3/4, 5/4] */
    ball(b, 4, 1, -2);
    ck_assert_int_eq(ae_cert_lt(a, b), AE_VERIFIED);
    arb_zero_pm_inf(a);
    ck_assert_int_eq(ae_cert_lt(a, b), AE_UNDECIDED);
    arb_clear(a);
    arb_clear(b);
}
END_TEST

START_TEST(test_le_random)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0x5656), x = seed;
    slong it, iters = ae_test_iters(3000), count[3] = {0, 0, 0};
    arb_t a, b;
    arb_init(a);
    arb_init(b);
    for (it = 0; it < iters; it++) {
        slong big = WORD(1) << sm_range(&x, 0, 40);
        slong ma = sm_range(&x, -big, big), ra = sm_range(&x, 0, big / 4);
        slong mb = ma + sm_range(&x, -4, 4) * sm_range(&x, 0, big / 2 + 1), rb = sm_range(&x, 0, big / 4);
        slong e = sm_range(&x, -200, 200);
        ae_verdict want, v;
        ball(a, ma, ra, e);
        ball(b, mb, rb, e);
        want = (ma + ra <= mb - rb) ? AE_VERIFIED : (ma - ra > mb + rb) ? AE_VIOLATED : AE_UNDECIDED;
        v = ae_cert_le(a, b);
        count[want + 1]++;
        TEST_CHECK(v == want, "seed %llu iter %ld: (%ld +- %ld)*2^%ld <= (%ld +- %ld)*2^%ld: %s, expected %s",
                   (unsigned long long)seed, (long)it, (long)ma, (long)ra, (long)e, (long)mb, (long)rb,
                   (long)e, vn(v), vn(want));
    }
    TEST_CHECK(iters < 100 || (count[0] > 0 && count[1] > 0 && count[2] > 0),
               "seed %llu: verdicts not all exercised (%ld, %ld, %ld)", (unsigned long long)seed,
               (long)count[0], (long)count[1], (long)count[2]);
    arb_clear(a);
    arb_clear(b);
}
END_TEST

static Suite *cert_suite(void)
{
    Suite *s = suite_create("cert");
    TCase *tc;

    tc = tcase_create("ae_verdict_name");
    tcase_add_test(tc, test_verdict_name);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_verdict_meet");
    tcase_add_test(tc, test_verdict_meet);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_cert_eq");
    tcase_add_test(tc, test_eq_exact);
    tcase_add_test(tc, test_eq_hand);
    tcase_add_test(tc, test_eq_random);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_cert_le");
    tcase_add_test(tc, test_le_hand);
    tcase_add_test(tc, test_lt_hand);
    tcase_add_test(tc, test_le_random);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ae_test_run(cert_suite());
}
