/* Adversarial students: projected sign-gradient ascent, in float64, on the KL between a
   student q = q* + delta and the teacher over the box |delta| <= eps. The search only has to
   find a good student; its KL is then measured certified like any other. */
#include "ae-impl.h"

typedef struct {
    const ae_space_struct *sp;
    slong n;
    const double *qs;
    double *q, *pq, *ps, *w, *F, *g; /* policies, prefix weights, subtree KL, gradient */
} adv;

/* Row softmax of allowed entries of row k (A entries) into out. */
static void softmax_row(double *out, const double *row, const ae_space_t sp, slong d)
{
    double m = -HUGE_VAL, z = 0;
    slong a;
    for (a = 0; a < sp->A; a++)
        if (ae_space_allowed(sp, d, a) && row[a] > m)
            m = row[a];
    for (a = 0; a < sp->A; a++)
        z += out[a] = ae_space_allowed(sp, d, a) ? exp(row[a] - m) : 0.0;
    for (a = 0; a < sp->A; a++)
        out[a] /= z;
}

/* Objective and gradient at q = qs + delta. */
static double objective(adv *o, const double *delta, int reverse)
{
    const ae_space_struct *sp = o->sp;
    slong p, d, s, a, A = sp->A;
    double total = 0;
    for (s = 0; s < o->n; s++)
        o->q[s] = o->qs[s] + delta[s];
    for (p = 0; p < sp->P; p++) {
        slong base = p * sp->S;
        o->w[base] = 1.0;
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                slong k = (base + s) * A;
                softmax_row(o->pq + k, o->q + k, sp, d);
                softmax_row(o->ps + k, o->qs + k, sp, d);
                for (a = 0; a < A; a++)
                    if (ae_space_allowed(sp, d, a) && !ae_space_ends(sp, d, a)) {
                        slong c = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
                        o->w[base + c] = o->w[base + s] * (reverse ? o->ps[k + a] : o->pq[k + a]);
                    }
            }
        /* backward: F(s) = sum_a pi(a) (l(s,a) + F(child)); gradient per entry */
        for (d = sp->T - 1; d >= 0; d--)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                slong k = (base + s) * A;
                double F = 0;
                for (a = 0; a < A; a++) {
                    double l, fc = 0;
                    if (!ae_space_allowed(sp, d, a) || o->pq[k + a] == 0 || o->ps[k + a] == 0)
                        continue;
                    if (!ae_space_ends(sp, d, a))
                        fc = o->F[base + sp->first[d + 1] + (s - sp->first[d]) * sp->V + a];
                    l = reverse ? log(o->ps[k + a] / o->pq[k + a]) : log(o->pq[k + a] / o->ps[k + a]);
                    F += (reverse ? o->ps[k + a] : o->pq[k + a]) * (l + fc);
                }
                o->F[base + s] = F;
                for (a = 0; a < A; a++) {
                    double fc = 0, l;
                    if (!ae_space_allowed(sp, d, a)) {
                        o->g[k + a] = 0;
                        continue;
                    }
                    if (reverse) { /* d KL(p*||p_q) / dq(s,a) = p*(s) (pi_q(a|s) - pi*(a|s)) */
                        o->g[k + a] = o->w[base + s] * (o->pq[k + a] - o->ps[k + a]);
                        continue;
                    }
                    if (!ae_space_ends(sp, d, a))
                        fc = o->F[base + sp->first[d + 1] + (s - sp->first[d]) * sp->V + a];
                    l = log(o->pq[k + a] / o->ps[k + a]);
                    o->g[k + a] = o->w[base + s] * o->pq[k + a] * (l + fc - F);
                }
            }
        total += o->F[base];
    }
    return total;
}

void ae_student_adversarial(ae_table_t delta, const ae_table_t qstar, int reverse, double eps,
                            uint64_t seed, slong restarts, slong steps, const ae_space_t sp)
{
    adv o;
    slong n = sp->P * sp->S * sp->A, i, rs, t, d, s, a;
    double *cur = ae_calloc((size_t)n, sizeof(double)), *best = ae_calloc((size_t)n, sizeof(double));
    double bestval = -1;
    int *mask = ae_calloc((size_t)n, sizeof(int)); /* 1 on allowed entries */
    double *qs = ae_malloc((size_t)n * sizeof(double));

    o.sp = sp;
    o.n = n;
    for (i = 0; i < n; i++)
        qs[i] = arf_get_d(arb_midref(qstar->v + i), ARF_RND_NEAR);
    o.qs = qs;
    o.q = ae_malloc((size_t)n * sizeof(double));
    o.pq = ae_malloc((size_t)n * sizeof(double));
    o.ps = ae_malloc((size_t)n * sizeof(double));
    o.g = ae_calloc((size_t)n, sizeof(double));
    o.w = ae_calloc((size_t)(sp->P * sp->S), sizeof(double));
    o.F = ae_calloc((size_t)(sp->P * sp->S), sizeof(double));
    for (i = 0; i < sp->P; i++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++)
                    mask[(i * sp->S + s) * sp->A + a] = ae_space_allowed(sp, d, a);

    for (rs = 0; rs < restarts; rs++) {
        for (i = 0; i < n; i++) /* random vertex of the box */
            cur[i] = !mask[i] ? 0.0 : (ae_hash(seed, 15, (uint64_t)rs, (uint64_t)i, 0) & 1) ? eps : -eps;
        for (t = 0; t <= steps; t++) {
            double val = objective(&o, cur, reverse), step;
            if (val > bestval) {
                bestval = val;
                memcpy(best, cur, (size_t)n * sizeof(double));
            }
            if (t == steps)
                break;
            step = eps * (1.0 - (double)t / (double)steps); /* decaying sign steps */
            for (i = 0; i < n; i++)
                if (mask[i] && o.g[i] != 0) {
                    double x = cur[i] + (o.g[i] > 0 ? step : -step);
                    cur[i] = x > eps ? eps : x < -eps ? -eps : x;
                }
        }
    }
    for (i = 0; i < n; i++)
        arb_set_d(delta->v + i, best[i]);
    free(cur);
    free(best);
    free(mask);
    free(qs);
    free(o.q);
    free(o.pq);
    free(o.ps);
    free(o.g);
    free(o.w);
    free(o.F);
}
