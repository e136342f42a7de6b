/* Sequence-level reward families: the signal arrives only with the ending action, so a
   next-token model must look ahead to see it (C10). */
#include "ae-impl.h"

const char *ae_reward_family_name(ae_reward_family f)
{
    return f == AE_REWARD_PALINDROME ? "palindrome" : "summod";
}

static int rewarded(const slong *tok, slong n, ae_reward_family f, slong m)
{
    slong i, sum = 0;
    if (f == AE_REWARD_PALINDROME) {
        for (i = 0; i < n / 2; i++)
            if (tok[i] != tok[n - 1 - i])
                return 0;
        return 1;
    }
    for (i = 0; i < n; i++)
        sum += tok[i];
    return sum % m == 0;
}

void ae_reward_family_table(ae_table_t r, ae_reward_family f, slong m, const ae_space_t sp)
{
    slong *tok = ae_malloc((size_t)(sp->T + 1) * sizeof(slong));
    slong p, s, a, d, n;
    AE_ASSERT(m >= 1);
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                n = ae_space_unrank(tok, sp, s);
                for (a = 0; a < sp->A; a++) {
                    arb_ptr x = ae_table_entry(r, p, s, a);
                    if (!ae_space_allowed(sp, d, a))
                        arb_neg_inf(x);
                    else if (!ae_space_ends(sp, d, a))
                        arb_zero(x);
                    else {
                        slong len = n;
                        if (a < sp->V) /* a token that ends the response (F) is part of it */
                            tok[len++] = a;
                        arb_set_si(x, rewarded(tok, len, f, m));
                    }
                }
            }
    free(tok);
}
