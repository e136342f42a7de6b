/* Adam (Kingma and Ba) with the paper's constants: beta1 0.9, beta2 0.999, eps 1e-8. */
#include "ae-impl.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void ae_adam_init(ae_adam_t a)
{
    a->t = 0;
    a->b1t = 1;
    a->b2t = 1;
}

void ae_adam_tick(ae_adam_t a)
{
    a->t++;
    a->b1t *= AE_ADAM_BETA1;
    a->b2t *= AE_ADAM_BETA2;
}

void ae_adam_update(double *restrict x, double *restrict m, double *restrict v, const double *restrict g,
                    slong n, double lr, const ae_adam_t a)
{
    /* PyTorch's arrangement: step = lr / (1 - b1^t), denominator sqrt(v) / sqrt(1 - b2^t) + eps
       (the division by that constant done as a multiplication by its inverse). Every operation
       is a correctly rounded IEEE one, so the SSE2 pairs give the same bits as the scalar loop;
       they only halve the cost of sqrt and the division, which bound this loop. */
    const double b1 = AE_ADAM_BETA1, b2 = AE_ADAM_BETA2, c1 = 1 - b1, c2 = 1 - b2;
    const double step = lr / (1 - a->b1t), ic2 = 1 / sqrt(1 - a->b2t);
    slong i = 0;
    AE_ASSERT(a->t >= 1);
#if defined(__SSE2__)
    {
        const __m128d B1 = _mm_set1_pd(b1), B2 = _mm_set1_pd(b2), C1 = _mm_set1_pd(c1), C2 = _mm_set1_pd(c2);
        const __m128d ST = _mm_set1_pd(step), IC2 = _mm_set1_pd(ic2), EPS = _mm_set1_pd(AE_ADAM_EPS);
        for (; i + 2 <= n; i += 2) {
            __m128d gi = _mm_loadu_pd(g + i), mi, vi;
            mi = _mm_add_pd(_mm_mul_pd(B1, _mm_loadu_pd(m + i)), _mm_mul_pd(C1, gi));
            vi = _mm_add_pd(_mm_mul_pd(B2, _mm_loadu_pd(v + i)), _mm_mul_pd(C2, _mm_mul_pd(gi, gi)));
            _mm_storeu_pd(m + i, mi);
            _mm_storeu_pd(v + i, vi);
            _mm_storeu_pd(x + i, _mm_sub_pd(_mm_loadu_pd(x + i),
                                            _mm_div_pd(_mm_mul_pd(ST, mi),
                                                       _mm_add_pd(_mm_mul_pd(_mm_sqrt_pd(vi), IC2), EPS))));
        }
    }
#endif
    for (; i < n; i++) {
        double gi = g[i], mi, vi;
        mi = b1 * m[i] + c1 * gi;
        vi = b2 * v[i] + c2 * (gi * gi);
        m[i] = mi;
        v[i] = vi;
        x[i] -= step * mi / (sqrt(vi) * ic2 + AE_ADAM_EPS);
    }
}
