/* Fast certified arithmetic: double-precision balls [m - r, m + r] with proven error bounds
   (proofs/interval.md). Midpoints are computed in round-to-nearest; every radius carries the
   midpoint's rounding error as an explicit term and is rounded up by ae_iv_rup (Lemma 1), so no
   rounding-mode switch is needed. exp and log are our own kernels (Cody-Waite reduction with a
   split ln2, Taylor / atanh series) with the bounds AE_IV_EXP_EPS and AE_IV_LOG_EPS proved there.
   A ball with a part that is not finite stands for the whole line ("undecided": NaN,
   overflow): add, sub and mul let it propagate (IEEE: inf and NaN stay so, and a radius
   computed from them is inf or NaN); the others return the canonical whole line {0, +inf};
   ae_iv_hi / ae_iv_lo of it are +-inf or NaN, which callers read as unknown.
   An exact -inf (m = -inf, r = 0) is accepted by ae_iv_exp and ae_iv_lse only (masked
   entries): exp(-inf) = 0 exactly.
   Compiled with AE_INTERVAL_MUTATE = 1 the kernels drop their error bounds, = 2 they use a
   bound below their real error: the containment test must catch both (tests/t-interval.c). */
#ifndef AE_INTERVAL_H
#define AE_INTERVAL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#ifndef AE_INTERVAL_MUTATE
#define AE_INTERVAL_MUTATE 0
#endif

typedef struct {
    double m, r;
} ae_iv;

/* Inlined always: the check calls these once or twice per table entry, and the exp kernel's
   Horner chain is long; inlined, independent calls overlap in the processor. */
#if defined(__GNUC__)
#define AE_IV_FN static inline __attribute__((always_inline))
#else
#define AE_IV_FN static inline
#endif

#define AE_IV_U 0x1p-53     /* unit roundoff of binary64, round to nearest */
/* Bounds the absolute error of a rounding that underflows (at most 2^-1075); the smallest
   normal number rather than a subnormal one, because x86 processors take a slow microcode
   assist on every subnormal operand. */
#define AE_IV_ETA 0x1p-1022
/* Relative error bounds of the kernels (proofs/interval.md, Theorems 1 and 2 prove 4.93u and
   6.2u, u = 2^-53; the constants are 8u). */
#if AE_INTERVAL_MUTATE == 1
#define AE_IV_EXP_EPS 0.0
#define AE_IV_LOG_EPS 0.0
#elif AE_INTERVAL_MUTATE == 2
#define AE_IV_EXP_EPS 0x1p-60
#define AE_IV_LOG_EPS 0x1p-60
#else
#define AE_IV_EXP_EPS 0x1p-48
#define AE_IV_LOG_EPS 0x1p-48
#endif

/* Lemma 1: for x >= 0 computed from exact nonnegative quantities by at most 16 round-to-nearest
   additions and multiplications, ae_iv_rup(x) is at least the exact value. */
AE_IV_FN double ae_iv_rup(double x)
{
    return x * (1 + 0x1p-46) + 0x1p-1000;
}

AE_IV_FN ae_iv ae_iv_whole(void)
{
    ae_iv z = {0, HUGE_VAL};
    return z;
}

/* Any NaN or infinite part makes the ball the whole line. */
AE_IV_FN ae_iv ae_iv_fix(ae_iv x)
{
    if (!(x.r <= 1.7976931348623157e308) || !(fabs(x.m) <= 1.7976931348623157e308))
        return ae_iv_whole();
    return x;
}

AE_IV_FN ae_iv ae_iv_set(double m, double r)
{
    ae_iv z = {m, r};
    return ae_iv_fix(z);
}

AE_IV_FN ae_iv ae_iv_exact(double x)
{
    return ae_iv_set(x, 0);
}

/* An exact -inf (a masked entry), for ae_iv_exp and ae_iv_lse only. */
AE_IV_FN ae_iv ae_iv_neg_inf(void)
{
    ae_iv z = {-HUGE_VAL, 0};
    return z;
}

AE_IV_FN int ae_iv_is_whole(ae_iv x)
{
    return !(x.r < HUGE_VAL);
}

AE_IV_FN ae_iv ae_iv_add(ae_iv a, ae_iv b)
{
    ae_iv z;
    z.m = a.m + b.m;
    z.r = ae_iv_rup(a.r + b.r + AE_IV_U * fabs(z.m));
    return z;
}

AE_IV_FN ae_iv ae_iv_sub(ae_iv a, ae_iv b)
{
    ae_iv z;
    z.m = a.m - b.m;
    z.r = ae_iv_rup(a.r + b.r + AE_IV_U * fabs(z.m));
    return z;
}

AE_IV_FN ae_iv ae_iv_neg(ae_iv a)
{
    a.m = -a.m;
    return a;
}

AE_IV_FN ae_iv ae_iv_mul(ae_iv a, ae_iv b)
{
    ae_iv z;
    double am = fabs(a.m), bm = fabs(b.m);
    z.m = a.m * b.m;
    z.r = ae_iv_rup(am * b.r + a.r * (bm + b.r) + AE_IV_U * fabs(z.m) + AE_IV_ETA);
    return z;
}

/* 1/a, or the whole line when a may contain 0. */
AE_IV_FN ae_iv ae_iv_inv(ae_iv a)
{
    ae_iv z;
    double am = fabs(a.m), lo = am - a.r; /* |a| >= lo (1 - u) */
    lo = lo * (1 - 0x1p-51);
    if (!(lo > 0x1p-500))
        return ae_iv_whole();
    z.m = 1 / a.m;
    /* |1/x - 1/m| <= r / (|m| lo) for |x - m| <= r (divided in this order: |m| lo may overflow) */
    z.r = ae_iv_rup(a.r / lo / am + AE_IV_U * fabs(z.m) + AE_IV_ETA);
    return ae_iv_fix(z);
}

/* ------------------------------------------------------------------ kernels */

#define AE_IV_LN2_HI 6.93147180369123816490e-01 /* 0x3fe62e42fee00000: 32 significant bits */
#define AE_IV_LN2_LO 1.90821492927058770002e-10 /* 0x3dea39ef35793c76: ln2 - LN2_HI to 2^-86 */
#define AE_IV_INVLN2 1.44269504088896338700e+00

AE_IV_FN double ae_iv_pow2(int n) /* 2^n, -1022 <= n <= 1023 */
{
    uint64_t b = (uint64_t)(n + 1023) << 52;
    double d;
    memcpy(&d, &b, 8);
    return d;
}

/* exp(x) with |E - e^x| <= AE_IV_EXP_EPS e^x + AE_IV_ETA (Theorem 1); +inf above the
   overflow threshold, NaN for NaN. */
AE_IV_FN double ae_iv_exp_kernel(double x)
{
    double t, n, r, p;
    int k;
    if (!(x <= 709.78)) /* also NaN */
        return x != x ? x : HUGE_VAL;
    if (x < -745.2) /* e^x < 2^-1075 */
        return 0;
    t = x * AE_IV_INVLN2;
    n = (t + 0x1.8p52) - 0x1.8p52; /* an integer near t, |n| <= 1076 */
    r = (x - n * AE_IV_LN2_HI) - n * AE_IV_LN2_LO; /* the first difference is exact (Lemma 2) */
    /* Taylor polynomial of degree 13 on |r| <= 0.35, Horner */
    p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    k = (int)n;
    if (k < -1000) /* the result may be subnormal: one rounding, in the last multiplication */
        return (p * ae_iv_pow2(k + 200)) * 0x1p-200;
    if (k > 1000)
        return (p * ae_iv_pow2(k - 200)) * 0x1p200;
    return p * ae_iv_pow2(k);
}

/* log(x) with |L - log x| <= AE_IV_LOG_EPS |log x| (Theorem 2); -inf at 0, +inf at +inf, NaN
   below 0 and for NaN. */
AE_IV_FN double ae_iv_log_kernel(double x)
{
    uint64_t b;
    int k = 0;
    double f, s, z, p, kk;
    if (!(x > 0) || x == HUGE_VAL)
        return x == 0 ? -HUGE_VAL : x == HUGE_VAL ? x : NAN;
    if (x < 0x1p-1022) { /* subnormal: scale into the normal range, exactly */
        x *= 0x1p54;
        k = -54;
    }
    memcpy(&b, &x, 8);
    k += (int)(b >> 52) - 1023;
    b = (b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
    memcpy(&f, &b, 8); /* x = 2^k f, f in [1, 2) */
    if (f > 1.4142135623730951) {
        f *= 0.5;
        k++;
    }
    s = (f - 1) / (f + 1); /* f - 1 exact; |s| <= 0.1716 */
    z = s * s;
    p = 1.0 / 21;
    p = p * z + 1.0 / 19;
    p = p * z + 1.0 / 17;
    p = p * z + 1.0 / 15;
    p = p * z + 1.0 / 13;
    p = p * z + 1.0 / 11;
    p = p * z + 1.0 / 9;
    p = p * z + 1.0 / 7;
    p = p * z + 1.0 / 5;
    p = p * z + 1.0 / 3;
    p = p * z + 1.0;
    kk = (double)k;
    return kk * AE_IV_LN2_HI + (kk * AE_IV_LN2_LO + 2 * s * p);
}

/* ------------------------------------------------------------------ enclosures */

/* exp of a ball: exp(m +- r) lies in e^m [e^-r, e^r] (Lemma 3). A ball reaching above the
   overflow threshold has upper end +inf: the whole line. */
AE_IV_FN ae_iv ae_iv_exp_from(ae_iv a, double e);

AE_IV_FN ae_iv ae_iv_exp(ae_iv a)
{
    ae_iv z;
    if (a.m == -HUGE_VAL && a.r == 0) {
        z.m = z.r = 0;
        return z;
    }
    return ae_iv_exp_from(a, ae_iv_exp_kernel(a.m));
}

/* The same given e = ae_iv_exp_kernel(a.m), computed beforehand (the check evaluates the
   kernel over a whole row in one loop, where the processor overlaps the calls). */
AE_IV_FN ae_iv ae_iv_exp_from(ae_iv a, double e)
{
    ae_iv z;
    double g;
    if (!(a.r <= 0.5) || !(a.m + a.r < 709.0))
        return ae_iv_whole();
    /* e^r - 1 <= r + r^2 for r <= 1; e^m <= e / (1 - eps) and the kernel's absolute term */
    g = a.r + a.r * a.r + AE_IV_EXP_EPS;
    z.m = e;
    z.r = ae_iv_rup(e * (1 + 0x1p-45) * g + AE_IV_ETA * (1 + g) + AE_IV_ETA);
    return ae_iv_fix(z);
}

/* log of a ball; the whole line when it may contain a number <= 0 or spans too wide a range. */
AE_IV_FN ae_iv ae_iv_log(ae_iv a)
{
    ae_iv z;
    double l, t;
    if (!(a.m > 0) || !(a.r <= 0.25 * a.m) || a.m == HUGE_VAL)
        return ae_iv_whole();
    l = ae_iv_log_kernel(a.m);
    /* |log x - log m| <= -log(1 - t) <= t + t^2 for t = r/m <= 1/2 */
    t = a.r / a.m;
    z.m = l;
    z.r = ae_iv_rup(t + t * t + AE_IV_LOG_EPS * (1 + 0x1p-45) * fabs(l) + AE_IV_ETA);
    return ae_iv_fix(z);
}

/* log(sum_i exp(x_i)) over n balls (exact -inf entries skipped), shifted by the largest
   midpoint; optional e_out[i] receives exp(x_i - shift) and *shift the shift, for the caller
   to form exp(x_i - lse) = e_i / sum without another exponential. */
AE_IV_FN ae_iv ae_iv_lse(const ae_iv *x, int n)
{
    double mx = -HUGE_VAL;
    ae_iv s = {0, 0}, sh;
    int i;
    for (i = 0; i < n; i++)
        if (x[i].m > mx)
            mx = x[i].m;
    if (mx == -HUGE_VAL)
        return ae_iv_whole();
    sh = ae_iv_exact(mx);
    for (i = 0; i < n; i++)
        if (!(x[i].m == -HUGE_VAL && x[i].r == 0))
            s = ae_iv_add(s, ae_iv_exp(ae_iv_sub(x[i], sh)));
    return ae_iv_add(sh, ae_iv_log(s));
}

/* Certified ends, rounded outward. */
AE_IV_FN double ae_iv_hi(ae_iv x)
{
    double h = x.m + x.r;
    return h + (AE_IV_U * 2 * fabs(h) + AE_IV_ETA);
}

AE_IV_FN double ae_iv_lo(ae_iv x)
{
    double l = x.m - x.r;
    return l - (AE_IV_U * 2 * fabs(l) + AE_IV_ETA);
}

/* Upper bound of |x| and lower bound of |x| (0 when the ball contains 0). */
AE_IV_FN double ae_iv_abs_hi(ae_iv x)
{
    return ae_iv_rup(fabs(x.m) + x.r);
}

AE_IV_FN double ae_iv_abs_lo(ae_iv x)
{
    double l = fabs(x.m) - x.r;
    l = l - (AE_IV_U * 2 * fabs(l) + AE_IV_ETA);
    return l > 0 ? l : 0;
}

#endif
