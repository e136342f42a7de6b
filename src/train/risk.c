/* The exact risks of Proposition 2 and their gradients in float64 (what training computes):
   L_ARM(q) = sum_s [rho(s) V_q(s) - sum_a rho(s.a) q(s,a)], one softmax per state;
   L_EBM(R) = sum_x [rho(x) A(x) - sum_y rho(x,y) R(x,y)], one softmax per prompt. */
#include "ae-impl.h"

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
static inline double exp_neg(double x)
{
    const double shift = 0x1.8p52, inv = 0x1.71547652b82fep+6;  /* 64/ln2 */
    const double hi = 0x1.62e42fee00000p-7, lo = 0x1.a39ef35793c76p-39; /* ln2/64 = hi + lo */
    double kd, r, t, p;
    slong k, j, e;
    if (!(x > -745.0))
        return 0; /* underflow (and -inf) */
    if (x > 0)
        return exp(x);
    kd = (x * inv + shift) - shift; /* round to nearest integer, |kd| < 2^16 */
    r = (x - kd * hi) - kd * lo;    /* kd * hi is exact: hi has 32 significant bits */
    k = (slong)kd;
    j = (slong)((ulong)k & 63);
    e = (k - j) / 64;
    t = exp2_64[j];
    p = r + r * r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120))));
    t = t + t * p;
    if (e >= -1022) { /* scale by 2^e, built from its bits (exact) */
        uint64_t b = (uint64_t)(e + 1023) << 52;
        double s2;
        memcpy(&s2, &b, sizeof s2);
        return t * s2;
    }
    return ldexp(t, (int)e); /* subnormal result: one rounding */
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
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                const slong off = (p * S + s) * A;
                const double *row = q + off, *t = rho_sa + off;
                double *gr = g + off, mx = row[lo], z = 0, w = mass[p * S + s], wz;
                for (a = lo + 1; a < A; a++)
                    mx = row[a] > mx ? row[a] : mx;
                for (a = lo; a < A; a++) {
                    gr[a] = exp_neg(row[a] - mx);
                    z += gr[a];
                }
                for (a = 0; a < lo; a++)
                    gr[a] = 0;
                wz = w / z;
                for (a = lo; a < A; a++)
                    gr[a] = wz * gr[a] - t[a];
                if (risk != NULL) {
                    double lin = 0;
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
        double *gr = g + p * Y, mx = r[0], z = 0, w = xmass[p], wz;
        for (y = 1; y < Y; y++)
            mx = r[y] > mx ? r[y] : mx;
        for (y = 0; y < Y; y++) {
            gr[y] = exp_neg(r[y] - mx);
            z += gr[y];
        }
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
