/* Adversarial students: the student q = q* + delta, |delta| <= eps, that maximises KL(p_q || p_R)
   or KL(p_R || p_q). Both maxima are exact (proofs/C9.md#tightness):
   - the divergences split over states, KL(p_q||p_R) = sum_s m_q(s) KL_s with the subtrees of
     different children independent, so the maximum is a backward recursion over states, each state
     maximising sum_a pi(a) (log(pi(a)/pi*(a)) + F*(s.a)) over its own row (reverse: KL(pi*||pi),
     the weights m_{q*}(s) do not depend on delta);
   - along one entry delta(s,a), pi moves on a segment of the simplex, monotonically in delta(s,a),
     and both per-state objectives are convex in pi: so each row's maximum is at a vertex of its box.
   Each row's vertices are enumerated in float64 (rows of at most AE_ADV_ENUM_MAX allowed entries;
   longer rows fall back to coordinate ascent over vertices from 2(k+1) threshold vertices and
   `restarts` random ones, a search). The
   float64 values only choose the vertex; the student's KL is then measured certified. */
#include "ae-impl.h"

#define AE_ADV_ENUM_MAX 16

/* exp(l) l - expm1(l) = sum_{n>=2} (n-1) l^n / n!, and expm1(l) - l = sum_{n>=2} l^n / n!: both
   about l^2/2, summed as series for small l to avoid the cancellation (KL ~ eps^2 at eps = 1e-6). */
static double fwd_term(double l)
{
    if (fabs(l) < 0.1) {
        double p = l, f = 1, s = 0;
        int n;
        for (n = 2; n <= 14; n++) {
            p *= l;
            f *= n;
            s += (n - 1) * p / f;
        }
        return s;
    }
    return l * exp(l) - expm1(l);
}

static double rev_term(double l)
{
    if (fabs(l) < 0.1) {
        double p = l, f = 1, s = 0;
        int n;
        for (n = 2; n <= 14; n++) {
            p *= l;
            f *= n;
            s += p / f;
        }
        return s;
    }
    return expm1(l) - l;
}

/* The state's objective for row shift v (k allowed entries, teacher policy ps, child values c):
   forward sum_a pi(a) (l(a) + c(a)), reverse KL(pi*||pi) = -sum_a pi*(a) l(a), with
   l(a) = log pi(a)/pi*(a) = v(a) - log sum_b pi*(b) exp(v(b)). */
static double row_value(const double *v, const double *ps, const double *c, slong k, int reverse)
{
    double z = 0, L, val = 0;
    slong a;
    for (a = 0; a < k; a++)
        z += ps[a] * expm1(v[a]);
    L = log1p(z);
    for (a = 0; a < k; a++) {
        double l = v[a] - L;
        if (ps[a] == 0)
            continue;
        if (reverse)
            val += ps[a] * rev_term(l);
        else
            val += ps[a] * fwd_term(l) + ps[a] * exp(l) * c[a];
    }
    return val;
}

/* Best vertex of one row into best (k entries +-eps); returns its value; *exact = 0 when searched. */
static double row_max(double *best, double *v, const double *ps, const double *c, slong k, double eps,
                      int reverse, uint64_t seed, slong restarts, int *exact)
{
    double bestval = -1;
    slong a;
    if (k <= AE_ADV_ENUM_MAX) {
        ulong mask, nv = UWORD(1) << k;
        for (mask = 0; mask < nv; mask++) {
            double val;
            for (a = 0; a < k; a++)
                v[a] = (mask >> a) & 1 ? eps : -eps;
            val = row_value(v, ps, c, k, reverse);
            if (val > bestval) {
                bestval = val;
                memcpy(best, v, (size_t)k * sizeof(double));
            }
        }
        return bestval;
    }
    /* coordinate ascent: the exact line search over one entry compares its two ends. Starts: the
       threshold vertices (+eps on the j actions of least, resp. most, tilted teacher mass
       pi*(a) exp(-c(a)), -eps elsewhere: the forward objective is KL(pi || that tilt) + const),
       then random vertices. */
    *exact = 0;
    {
        slong rs, j, b, nstart = 2 * (k + 1) + restarts;
        slong *order = ae_malloc((size_t)k * sizeof(slong));
        double *key = ae_malloc((size_t)k * sizeof(double));
        for (a = 0; a < k; a++) {
            key[a] = (ps[a] > 0 ? log(ps[a]) : -HUGE_VAL) - (reverse ? 0.0 : c[a]);
            for (b = a; b > 0 && key[order[b - 1]] > key[a]; b--) /* insertion sort, stable */
                order[b] = order[b - 1];
            order[b] = a;
        }
        for (rs = 0; rs < nstart; rs++) {
            double val;
            int improved = 1;
            if (rs < 2 * (k + 1)) {
                j = rs / 2;
                for (a = 0; a < k; a++)
                    v[order[a]] = ((rs & 1) ? a >= k - j : a < j) ? eps : -eps;
            } else {
                for (a = 0; a < k; a++)
                    v[a] = (ae_hash(seed, 15, (uint64_t)rs, (uint64_t)a, 0) & 1) ? eps : -eps;
            }
            val = row_value(v, ps, c, k, reverse);
            while (improved) {
                improved = 0;
                for (a = 0; a < k; a++) {
                    double t;
                    v[a] = -v[a];
                    t = row_value(v, ps, c, k, reverse);
                    if (t > val) {
                        val = t;
                        improved = 1;
                    } else {
                        v[a] = -v[a];
                    }
                }
            }
            if (val > bestval) {
                bestval = val;
                memcpy(best, v, (size_t)k * sizeof(double));
            }
        }
        free(order);
        free(key);
    }
    return bestval;
}

int ae_student_adversarial(ae_table_t delta, const ae_table_t qstar, int reverse, double eps,
                           uint64_t seed, slong restarts, const ae_space_t sp)
{
    slong A = sp->A, p, d, s, a, k;
    double *F = ae_calloc((size_t)sp->S, sizeof(double)); /* F*(s): the subtree's maximum */
    double *row = ae_malloc((size_t)A * sizeof(double)), *ps = ae_malloc((size_t)A * sizeof(double));
    double *c = ae_malloc((size_t)A * sizeof(double)), *v = ae_malloc((size_t)A * sizeof(double));
    double *best = ae_malloc((size_t)A * sizeof(double));
    slong *col = ae_malloc((size_t)A * sizeof(slong));
    int exact = 1;

    for (p = 0; p < sp->P; p++)
        for (d = sp->T - 1; d >= 0; d--)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                double m = -HUGE_VAL, z = 0;
                for (a = 0, k = 0; a < A; a++) {
                    arb_zero(ae_table_entry(delta, p, s, a));
                    if (!ae_space_allowed(sp, d, a) || arf_is_neg_inf(arb_midref(ae_table_entry(qstar, p, s, a))))
                        continue; /* masked, or banned by the teacher (stays banned) */
                    col[k] = a;
                    row[k] = arf_get_d(arb_midref(ae_table_entry(qstar, p, s, a)), ARF_RND_NEAR);
                    c[k] = ae_space_ends(sp, d, a) ? 0.0
                                                   : F[sp->first[d + 1] + (s - sp->first[d]) * sp->V + a];
                    m = row[k] > m ? row[k] : m;
                    k++;
                }
                if (k == 0) { /* a row of banned entries: no choice, and p(s) = 0 */
                    F[s] = 0;
                    continue;
                }
                for (a = 0; a < k; a++)
                    z += ps[a] = exp(row[a] - m);
                for (a = 0; a < k; a++)
                    ps[a] /= z;
                F[s] = row_max(best, v, ps, c, k, eps, reverse,
                               ae_hash(seed, 16, (uint64_t)p, (uint64_t)s, 0), restarts, &exact);
                for (a = 0; a < k; a++)
                    arb_set_d(ae_table_entry(delta, p, s, col[a]), best[a]);
            }
    free(F);
    free(row);
    free(ps);
    free(c);
    free(v);
    free(best);
    free(col);
    return exact;
}
