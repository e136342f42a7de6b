/* The maps M (soft Bellman backward pass) and M^{-1} in certified ball arithmetic. */
#include "ae-impl.h"

void _ae_lse_allowed(arb_t v, arb_srcptr row, const ae_space_t sp, slong d, slong prec)
{
    arf_t m;
    arb_t t;
    slong a;
    int have = 0;

    arf_init(m);
    arb_init(t);
    for (a = 0; a < sp->A; a++)
        if (ae_space_allowed(sp, d, a) && (!have || arf_cmp(arb_midref(row + a), m) > 0)) {
            arf_set(m, arb_midref(row + a));
            have = 1;
        }
    AE_ASSERT(have);
    arb_zero(v);
    for (a = 0; a < sp->A; a++)
        if (ae_space_allowed(sp, d, a)) {
            arb_sub_arf(t, row + a, m, prec);
            arb_exp(t, t, prec);
            arb_add(v, v, t, prec);
        }
    arb_log(v, v, prec);
    arb_add_arf(v, v, m, prec);
    arb_clear(t);
    arf_clear(m);
}

void _ae_row_lse(arb_t v, const ae_table_t q, const ae_space_t sp, slong p, slong s, slong d, slong prec)
{
    _ae_lse_allowed(v, ae_table_entry(q, p, s, 0), sp, d, prec);
}

void ae_bellman_value(arb_t v, const ae_table_t q, const ae_space_t sp, slong p, slong s, slong prec)
{
    _ae_row_lse(v, q, sp, p, s, ae_space_depth(sp, s), prec);
}

/* dir = +1 builds q from r (M), dir = -1 builds r from q (M^{-1}); the value of a child row
   is always taken from the logit table (out for M, in for M^{-1}). */
static void bellman_pass(ae_table_t out, const ae_table_t in, const ae_space_t sp, int dir, slong prec)
{
    const ae_table_struct *logits = (dir > 0) ? out : in;
    arb_t v;
    slong p, d, s, a;

    arb_init(v);
    for (p = 0; p < sp->P; p++)
        for (d = sp->T - 1; d >= 0; d--) /* children (depth d+1) are final before depth d */
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    arb_ptr o = ae_table_entry(out, p, s, a);
                    arb_srcptr i = ae_table_entry(in, p, s, a);
                    if (!ae_space_allowed(sp, d, a)) {
                        arb_neg_inf(o);
                    } else if (ae_space_ends(sp, d, a)) {
                        arb_set(o, i);
                    } else {
                        slong c = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
                        _ae_row_lse(v, logits, sp, p, c, d + 1, prec);
                        if (dir > 0)
                            arb_add(o, i, v, prec);
                        else
                            arb_sub(o, i, v, prec);
                    }
                }
    arb_clear(v);
}

void ae_bellman_map(ae_table_t q, const ae_table_t r, const ae_space_t sp, slong prec)
{
    bellman_pass(q, r, sp, +1, prec);
}

void ae_bellman_unmap(ae_table_t r, const ae_table_t q, const ae_space_t sp, slong prec)
{
    AE_ASSERT(r->v != q->v);
    bellman_pass(r, q, sp, -1, prec);
}

/* The one allowed action of row s at depth d, or -1 when the row has several. */
static slong only_action(const ae_space_t sp, slong d)
{
    slong a, found = -1;
    for (a = 0; a < sp->A; a++)
        if (ae_space_allowed(sp, d, a)) {
            if (found >= 0)
                return -1;
            found = a;
        }
    return found;
}

/* Adds to sum the entries of x along the single response that continues from state s (depth
   d); 0 when some row on the way offers a choice. */
static int single_path_sum(fmpq_t sum, const ae_qtable_t x, const ae_space_t sp, slong p, slong s,
                           slong d)
{
    for (;;) {
        slong a = only_action(sp, d);
        if (a < 0)
            return 0;
        fmpq_add(sum, sum, ae_qtable_entry(x, p, s, a));
        if (ae_space_ends(sp, d, a))
            return 1;
        s = ae_space_child(sp, s, a);
        d++;
    }
}

slong ae_bellman_exact_zeros(ae_table_t out, const ae_qtable_t x, const ae_space_t sp, int inverse)
{
    fmpq_t sum;
    slong p, d, s, a, n = 0;

    fmpq_init(sum);
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    arb_ptr o = ae_table_entry(out, p, s, a);
                    slong c, b;
                    if (!ae_space_allowed(sp, d, a) || arb_is_exact(o) || !arb_contains_zero(o))
                        continue;
                    if (ae_space_ends(sp, d, a)) /* out = in: its ball, not an open question */
                        continue;
                    c = ae_space_child(sp, s, a);
                    fmpq_set(sum, ae_qtable_entry(x, p, s, a));
                    if (inverse) { /* r = q(s,a) - q(c,b) when b is the child's only action */
                        b = only_action(sp, d + 1);
                        if (b < 0)
                            continue;
                        fmpq_sub(sum, sum, ae_qtable_entry(x, p, c, b));
                    } else if (!single_path_sum(sum, x, sp, p, c, d + 1))
                        continue;
                    if (fmpq_is_zero(sum)) {
                        arb_zero(o);
                        n++;
                    }
                }
    fmpq_clear(sum);
    return n;
}
