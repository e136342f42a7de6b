/* The exact risks of Proposition 2 and their gradients in float64 (what training computes):
   L_ARM(q) = sum_s [rho(s) V_q(s) - sum_a rho(s.a) q(s,a)], one softmax per state;
   L_EBM(R) = sum_x [rho(x) A(x) - sum_y rho(x,y) R(x,y)], one softmax per prompt. */
#include "ae-impl.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* 2^(j/64), j = 0..63, correctly rounded */
static const double exp2_64[64] = {
    0x1.0000000000000p+0,    0x1.02c9a3e778061p+0,    0x1.059b0d3158574p+0,    0x1.0874518759bc8p+0,
    0x1.0b5586cf9890fp+0,    0x1.0e3ec32d3d1a2p+0,    0x1.11301d0125b51p+0,    0x1.1429aaea92de0p+0,
    0x1.172b83c7d517bp+0,    0x1.1a35beb6fcb75p+0,    0x1.1d4873168b9aap+0,    0x1.2063b88628cd6p+0,
    0x1.2387a6e756238p+0,    0x1.26b4565e27cddp+0,    0x1.29e9df51fdee1p+0,    0x1.2d285a6e4030bp+0,
    0x1.306fe0a31b715p+0,    0x1.33c08b26416ffp+0,    0x1.371a7373aa9cbp+0,    0x1.3a7db34e59ff7p+0,
    0x1.3dea64c123422p+0,    0x1.4160a21f72e2ap+0,    0x1.44e086061892dp+0,    0x1.486a2b5c13cd0p+0,
    0x1.4bfdad5362a27p+0,    0x1.4f9b2769d2ca7p+0,    0x1.5342b569d4f82p+0,    0x1.56f4736b527dap+0,
    0x1.5ab07dd485429p+0,    0x1.5e76f15ad2148p+0,    0x1.6247eb03a5585p+0,    0x1.6623882552225p+0,
    0x1.6a09e667f3bcdp+0,    0x1.6dfb23c651a2fp+0,    0x1.71f75e8ec5f74p+0,    0x1.75feb564267c9p+0,
    0x1.7a11473eb0187p+0,    0x1.7e2f336cf4e62p+0,    0x1.82589994cce13p+0,    0x1.868d99b4492edp+0,
    0x1.8ace5422aa0dbp+0,    0x1.8f1ae99157736p+0,    0x1.93737b0cdc5e5p+0,    0x1.97d829fde4e50p+0,
    0x1.9c49182a3f090p+0,    0x1.a0c667b5de565p+0,    0x1.a5503b23e255dp+0,    0x1.a9e6b5579fdbfp+0,
    0x1.ae89f995ad3adp+0,    0x1.b33a2b84f15fbp+0,    0x1.b7f76f2fb5e47p+0,    0x1.bcc1e904bc1d2p+0,
    0x1.c199bdd85529cp+0,    0x1.c67f12e57d14bp+0,    0x1.cb720dcef9069p+0,    0x1.d072d4a07897cp+0,
    0x1.d5818dcfba487p+0,    0x1.da9e603db3285p+0,    0x1.dfc97337b9b5fp+0,    0x1.e502ee78b3ff6p+0,
    0x1.ea4afa2a490dap+0,    0x1.efa1bee615a27p+0,    0x1.f50765b6e4540p+0,    0x1.fa7c1819e90d8p+0};

/* exp(x) for x <= 0 (what the softmaxes need, shifted by their maximum): x = (64e + j) ln2/64 + r,
   |r| <= ln2/128, exp(x) = 2^e 2^(j/64) exp(r) with a degree-5 polynomial for exp(r) - 1
   (truncation below 4e-17). Error about 1 ulp. Only +, *, and exact conversions: the same bits
   on every IEEE platform (glibc's exp may change in its last bit between versions), and faster than
   the library call, which dominated training. */
#define EXP_SHIFT 0x1.8p52                 /* adding and subtracting it rounds to an integer */
#define EXP_INV 0x1.71547652b82fep+6          /* 64/ln2 */
#define EXP_HI 0x1.62e42fee00000p-7           /* ln2/64 = EXP_HI + EXP_LO, EXP_HI with 32 bits */
#define EXP_LO 0x1.a39ef35793c76p-39
#define EXP_C2 0.5
#define EXP_C3 (1.0 / 6)
#define EXP_C4 (1.0 / 24)
#define EXP_C5 (1.0 / 120)

static inline double exp_neg(double x)
{
    double kd, r, t, p;
    slong k, j, e;
    if (!(x > -745.0))
        return 0; /* underflow (and -inf) */
    if (x > 0)
        return exp(x);
    kd = (x * EXP_INV + EXP_SHIFT) - EXP_SHIFT; /* round to nearest integer, |kd| < 2^17 */
    r = (x - kd * EXP_HI) - kd * EXP_LO;        /* kd * EXP_HI is exact */
    k = (slong)kd;
    j = (slong)((ulong)k & 63);
    e = (k - j) / 64;
    t = exp2_64[j];
    p = r + (r * r) * (EXP_C2 + r * (EXP_C3 + r * (EXP_C4 + r * EXP_C5)));
    t = t + t * p;
    if (e >= -1022) { /* scale by 2^e, built from its bits (exact) */
        uint64_t b = (uint64_t)(e + 1023) << 52;
        double s2;
        memcpy(&s2, &b, sizeof s2);
        return t * s2;
    }
    return ldexp(t, (int)e); /* subnormal result: one rounding */
}

/* out[i] = exp(x[i] - mx) for x[i] <= mx. With SSE2, pairs whose arguments lie in [-708, 0]
   (normal results) go through the same IEEE operations two at a time: the bits are those of the
   scalar routine, whichever path runs. */
static void exp_shifted(double *out, const double *x, double mx, slong n)
{
    slong i = 0;
#if defined(__SSE2__)
    const __m128d INV = _mm_set1_pd(EXP_INV), SH = _mm_set1_pd(EXP_SHIFT), HI = _mm_set1_pd(EXP_HI);
    const __m128d LO = _mm_set1_pd(EXP_LO), MX = _mm_set1_pd(mx), LOW = _mm_set1_pd(-708.0);
    const __m128d ZERO = _mm_setzero_pd(), C2 = _mm_set1_pd(EXP_C2), C3 = _mm_set1_pd(EXP_C3);
    const __m128d C4 = _mm_set1_pd(EXP_C4), C5 = _mm_set1_pd(EXP_C5);
    const __m128i M63 = _mm_set1_epi32(63), BIAS = _mm_set1_epi32(1023), IZERO = _mm_setzero_si128();
    for (; i + 2 <= n; i += 2) {
        __m128d xv = _mm_sub_pd(_mm_loadu_pd(x + i), MX), kd, r, t, p;
        __m128i k, j, e;
        if (_mm_movemask_pd(_mm_and_pd(_mm_cmpge_pd(xv, LOW), _mm_cmple_pd(xv, ZERO))) != 3) {
            out[i] = exp_neg(x[i] - mx);
            out[i + 1] = exp_neg(x[i + 1] - mx);
            continue;
        }
        kd = _mm_sub_pd(_mm_add_pd(_mm_mul_pd(xv, INV), SH), SH);
        r = _mm_sub_pd(_mm_sub_pd(xv, _mm_mul_pd(kd, HI)), _mm_mul_pd(kd, LO));
        k = _mm_cvtpd_epi32(kd); /* kd is an integer: exact */
        j = _mm_and_si128(k, M63);
        e = _mm_srai_epi32(_mm_sub_epi32(k, j), 6); /* k - j is a multiple of 64: exact */
        t = _mm_set_pd(exp2_64[_mm_cvtsi128_si32(_mm_shuffle_epi32(j, 1))], exp2_64[_mm_cvtsi128_si32(j)]);
        p = _mm_add_pd(C4, _mm_mul_pd(r, C5));
        p = _mm_add_pd(C3, _mm_mul_pd(r, p));
        p = _mm_add_pd(C2, _mm_mul_pd(r, p));
        p = _mm_add_pd(r, _mm_mul_pd(_mm_mul_pd(r, r), p));
        t = _mm_add_pd(t, _mm_mul_pd(t, p));
        e = _mm_unpacklo_epi32(_mm_add_epi32(e, BIAS), IZERO); /* two 64-bit lanes, e + 1023 >= 1 */
        _mm_storeu_pd(out + i, _mm_mul_pd(t, _mm_castsi128_pd(_mm_slli_epi64(e, 52))));
    }
#endif
    for (; i < n; i++)
        out[i] = exp_neg(x[i] - mx);
}

void ae_train_arm_grad_d(double *g, double *risk, const double *q, const double *mass,
                         const double *rho_sa, const ae_space_t sp)
{
    const slong A = sp->A, S = sp->S;
    double loss = 0;
    slong p, d, s, a;

    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++) {
            /* in E(V,T) only EOS (column V) is allowed at depth T-1 */
            const slong lo = (sp->kind == AE_EOS && d == sp->T - 1) ? sp->V : 0;
            const slong first = sp->first[d], last = sp->first[d + 1];
            if (lo == 0) {
                /* a whole level at once: shift each row by its maximum into g, one pass of
                   exponentials over the level (same bits as row by row) */
                const slong off = (p * S + first) * A, n = (last - first) * A;
                for (s = 0; s < n; s += A) {
                    const double *row = q + off + s;
                    double mx = row[0];
                    for (a = 1; a < A; a++)
                        mx = row[a] > mx ? row[a] : mx;
                    for (a = 0; a < A; a++)
                        g[off + s + a] = row[a] - mx;
                }
                exp_shifted(g + off, g + off, 0, n);
            }
            for (s = first; s < last; s++) {
                const slong off = (p * S + s) * A;
                const double *row = q + off, *t = rho_sa + off;
                double *gr = g + off, z = 0, w = mass[p * S + s], wz;
                if (lo > 0) {
                    double mx = row[lo];
                    for (a = lo + 1; a < A; a++)
                        mx = row[a] > mx ? row[a] : mx;
                    exp_shifted(gr + lo, row + lo, mx, A - lo);
                    for (a = 0; a < lo; a++)
                        gr[a] = 0;
                }
                for (a = lo; a < A; a++)
                    z += gr[a];
                wz = w / z;
                for (a = lo; a < A; a++)
                    gr[a] = wz * gr[a] - t[a];
                if (risk != NULL) {
                    double lin = 0, mx = row[lo];
                    for (a = lo + 1; a < A; a++)
                        mx = row[a] > mx ? row[a] : mx;
                    for (a = lo; a < A; a++)
                        lin += t[a] * row[a];
                    loss += w * (mx + log(z)) - lin;
                }
            }
        }
    if (risk != NULL)
        *risk = loss;
}

void ae_train_ebm_grad_d(double *g, double *risk, const double *R, const double *xmass,
                         const double *rho_y, const ae_space_t sp)
{
    const slong Y = fmpz_get_si(sp->responses);
    double loss = 0;
    slong p, y;

    for (p = 0; p < sp->P; p++) {
        const double *r = R + p * Y, *t = rho_y + p * Y;
        double *gr = g + p * Y, mx, z, w = xmass[p], wz;
        double m4[4] = {r[0], r[0], r[0], r[0]}, z4[4] = {0, 0, 0, 0};
        /* four independent chains (the maximum is exact in any order; the sum is always
           grouped the same way, so the bits are fixed) */
        for (y = 0; y + 4 <= Y; y += 4) {
            m4[0] = r[y] > m4[0] ? r[y] : m4[0];
            m4[1] = r[y + 1] > m4[1] ? r[y + 1] : m4[1];
            m4[2] = r[y + 2] > m4[2] ? r[y + 2] : m4[2];
            m4[3] = r[y + 3] > m4[3] ? r[y + 3] : m4[3];
        }
        for (; y < Y; y++)
            m4[0] = r[y] > m4[0] ? r[y] : m4[0];
        mx = fmax(fmax(m4[0], m4[1]), fmax(m4[2], m4[3]));
        exp_shifted(gr, r, mx, Y);
        for (y = 0; y + 4 <= Y; y += 4) {
            z4[0] += gr[y];
            z4[1] += gr[y + 1];
            z4[2] += gr[y + 2];
            z4[3] += gr[y + 3];
        }
        for (; y < Y; y++)
            z4[0] += gr[y];
        z = (z4[0] + z4[1]) + (z4[2] + z4[3]);
        wz = w / z;
        for (y = 0; y < Y; y++)
            gr[y] = wz * gr[y] - t[y];
        if (risk != NULL) {
            double lin = 0;
            for (y = 0; y < Y; y++)
                lin += t[y] * r[y];
            loss += w * (mx + log(z)) - lin;
        }
    }
    if (risk != NULL)
        *risk = loss;
}
