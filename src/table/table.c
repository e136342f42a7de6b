/* State-action tables of balls with the -inf mask of the space. */
#include "ae-impl.h"

void ae_table_init(ae_table_t t, const ae_space_t sp)
{
    AE_ASSERT(sp->indexable);
    t->P = sp->P;
    t->S = sp->S;
    t->A = sp->A;
    t->v = _arb_vec_init(t->P * t->S * t->A);
    ae_table_mask(t, sp);
}

void ae_table_clear(ae_table_t t)
{
    _arb_vec_clear(t->v, t->P * t->S * t->A);
    t->v = NULL;
}

void ae_table_set(ae_table_t dst, const ae_table_t src)
{
    AE_ASSERT(dst->P == src->P && dst->S == src->S && dst->A == src->A);
    _arb_vec_set(dst->v, src->v, src->P * src->S * src->A);
}

void ae_table_mask(ae_table_t t, const ae_space_t sp)
{
    slong p, s, a;
    if (sp->kind != AE_EOS)
        return;
    for (p = 0; p < t->P; p++)
        for (s = sp->first[sp->T - 1]; s < sp->S; s++)
            for (a = 0; a < sp->V; a++)
                arb_neg_inf(ae_table_entry(t, p, s, a));
}
