/* Value-error and lookahead students: the next-token logits add an approximate soft value of
   the future to the immediate reward. */
#include "ae-impl.h"

void ae_student_value_noise(ae_table_t q, const ae_table_t r, const ae_table_t qstar, double eps,
                            uint64_t seed, const ae_space_t sp, slong prec)
{
    arb_t v, e;
    slong p, s, a, d;
    arb_init(v);
    arb_init(e);
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    arb_ptr x = ae_table_entry(q, p, s, a);
                    slong c;
                    uint64_t h;
                    if (!ae_space_allowed(sp, d, a)) {
                        arb_neg_inf(x);
                        continue;
                    }
                    if (ae_space_ends(sp, d, a)) {
                        arb_set(x, ae_table_entry(r, p, s, a));
                        continue;
                    }
                    c = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
                    _ae_row_lse(v, qstar, sp, p, c, d + 1, prec); /* the true V(s.a) */
                    h = ae_hash(seed, 14, (uint64_t)p, (uint64_t)c, 0);
                    arb_set_si(e, (slong)(h % 2049) - 1024); /* eta = eps * k / 1024 */
                    arb_mul_2exp_si(e, e, -10);
                    {
                        arb_t ee;
                        arb_init(ee);
                        arb_set_d(ee, eps);
                        arb_mul(e, e, ee, prec);
                        arb_clear(ee);
                    }
                    arb_add(x, ae_table_entry(r, p, s, a), v, prec);
                    arb_add(x, x, e, prec);
                }
    arb_clear(v);
    arb_clear(e);
}

void ae_student_lookahead(ae_table_t q, const ae_table_t r, slong k, const ae_space_t sp, slong prec)
{
    slong n = sp->P * sp->S, j, p, s, a, d;
    arb_ptr cur = _arb_vec_init(n), nxt = _arb_vec_init(n); /* V^(j) per (prompt, state) */
    arb_t t, m;
    arb_init(t);
    arb_init(m);
    for (j = 1; j <= k && j < sp->T; j++) { /* beyond T-1 steps nothing changes */
        for (p = 0; p < sp->P; p++)
            for (d = 0; d < sp->T; d++)
                for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                    /* LSE over the row of r + V^(j-1)(child), shifted by its largest midpoint */
                    arb_ptr out = nxt + p * sp->S + s;
                    arb_ptr vals = _arb_vec_init(sp->A);
                    int have = 0;
                    for (a = 0; a < sp->A; a++) {
                        if (!ae_space_allowed(sp, d, a))
                            continue;
                        arb_set(vals + a, ae_table_entry(r, p, s, a));
                        if (!ae_space_ends(sp, d, a))
                            arb_add(vals + a, vals + a, cur + p * sp->S + sp->first[d + 1] + (s - sp->first[d]) * sp->V + a, prec);
                        if (!have || arf_cmp(arb_midref(vals + a), arb_midref(m)) > 0)
                            arb_set(m, vals + a);
                        have = 1;
                    }
                    arb_zero(out);
                    for (a = 0; a < sp->A; a++)
                        if (ae_space_allowed(sp, d, a)) {
                            arb_sub_arf(t, vals + a, arb_midref(m), prec);
                            arb_exp(t, t, prec);
                            arb_add(out, out, t, prec);
                        }
                    arb_log(out, out, prec);
                    arb_add_arf(out, out, arb_midref(m), prec);
                    _arb_vec_clear(vals, sp->A);
                }
        _arb_vec_swap(cur, nxt, n);
    }
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    arb_ptr x = ae_table_entry(q, p, s, a);
                    if (!ae_space_allowed(sp, d, a))
                        arb_neg_inf(x);
                    else if (ae_space_ends(sp, d, a))
                        arb_set(x, ae_table_entry(r, p, s, a));
                    else
                        arb_add(x, ae_table_entry(r, p, s, a),
                                cur + p * sp->S + sp->first[d + 1] + (s - sp->first[d]) * sp->V + a, prec);
                }
    _arb_vec_clear(cur, n);
    _arb_vec_clear(nxt, n);
    arb_clear(t);
    arb_clear(m);
}
