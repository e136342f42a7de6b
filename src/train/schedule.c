/* The paper's trapezoidal learning-rate schedule: linear warm-up from 0, constant, linear decay
   to 0 at the end. */
#include "ae-impl.h"

double ae_train_lr(slong t, slong steps, double lr_peak, slong warmup, slong decay)
{
    double f = 1;
    if (t <= 0 && warmup > 0)
        return 0;
    if (t >= steps)
        return 0;
    if (warmup > 0 && t < warmup)
        f = (double)t / (double)warmup;
    if (decay > 0 && steps - t < decay && (double)(steps - t) / (double)decay < f)
        f = (double)(steps - t) / (double)decay;
    return lr_peak * f;
}
