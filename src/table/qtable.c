/* State-action tables of exact rationals (potentials), masked entries 0. */
#include "ae-impl.h"

void ae_qtable_init(ae_qtable_t t, const ae_space_t sp)
{
    AE_ASSERT(sp->indexable);
    t->P = sp->P;
    t->S = sp->S;
    t->A = sp->A;
    t->v = _fmpq_vec_init(t->P * t->S * t->A);
}

void ae_qtable_clear(ae_qtable_t t)
{
    _fmpq_vec_clear(t->v, t->P * t->S * t->A);
    t->v = NULL;
}
