/* M in plain float64: the reference for "what a double implementation computes". */
#include "ae-impl.h"


double _ae_lse_d(const double *row, slong n)
{
    double m = -HUGE_VAL, s = 0;
    slong a;
    for (a = 0; a < n; a++)
        if (row[a] > m)
            m = row[a];
    if (m == -HUGE_VAL)
        return m;
    for (a = 0; a < n; a++)
        if (row[a] != -HUGE_VAL)
            s += exp(row[a] - m);
    return m + log(s);
}

void ae_bellman_map_d(double *q, const double *r, const ae_space_t sp)
{
    slong p, d, s, a, A = sp->A, S = sp->S;
    for (p = 0; p < sp->P; p++)
        for (d = sp->T - 1; d >= 0; d--)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < A; a++) {
                    slong k = (p * S + s) * A + a;
                    if (!ae_space_allowed(sp, d, a))
                        q[k] = -HUGE_VAL;
                    else if (ae_space_ends(sp, d, a))
                        q[k] = r[k];
                    else {
                        slong c = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
                        q[k] = r[k] + _ae_lse_d(q + (p * S + c) * A, A);
                    }
                }
}
