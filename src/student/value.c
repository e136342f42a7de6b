/* Value-error and lookahead students: the next-token logits add an approximate soft value of
   the future to the immediate reward. */
#include "ae-impl.h"
#include <flint/fmpz_poly.h>

/* eta(p, c) = eps * k / 1024, k in [-1024, 1024] from the hash: exact (a double times 11 bits) */
static void value_eta(arb_t e, double eps, uint64_t seed, slong p, slong c, slong prec)
{
    arb_t ee;
    uint64_t h = ae_hash(seed, 14, (uint64_t)p, (uint64_t)c, 0);
    arb_init(ee);
    arb_set_si(e, (slong)(h % 2049) - 1024);
    arb_mul_2exp_si(e, e, -10);
    arb_set_d(ee, eps);
    arb_mul(e, e, ee, prec);
    arb_clear(ee);
}

void ae_student_value_delta(ae_table_t delta, double eps, uint64_t seed, const ae_space_t sp, slong prec)
{
    slong p, s, a, d;
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    arb_ptr x = ae_table_entry(delta, p, s, a);
                    if (!ae_space_allowed(sp, d, a) || ae_space_ends(sp, d, a))
                        arb_zero(x);
                    else
                        value_eta(x, eps, seed, p, sp->first[d + 1] + (s - sp->first[d]) * sp->V + a, prec);
                }
}

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
                    value_eta(e, eps, seed, p, c, prec);
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
                    if (arf_is_neg_inf(arb_midref(m))) { /* every action banned: V^(j) = -inf */
                        arb_neg_inf(out);
                        _arb_vec_clear(vals, sp->A);
                        continue;
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

static fmpz_poly_struct *poly_vec_init(slong n)
{
    fmpz_poly_struct *v = ae_malloc((size_t)n * sizeof(fmpz_poly_struct));
    slong i;
    for (i = 0; i < n; i++)
        fmpz_poly_init(v + i);
    return v;
}

static void poly_vec_clear(fmpz_poly_struct *v, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        fmpz_poly_clear(v + i);
    free(v);
}

/* Exact rows of a lookahead student when every reward is an integer in [0, 62]: potentials are
   then powers of e, and the backward variables beta = exp V* and W^(j) = exp V^(j) polynomials in
   e with integer coefficients. e is transcendental, so two such polynomials are equal as real
   numbers exactly when their coefficients are. */
int ae_student_lookahead_exact(char *same, ae_table_t delta, const ae_table_t r, slong k,
                               const ae_space_t sp)
{
    slong S = sp->S, p, d, s, a, j;
    fmpz_poly_struct *wk, *w, *wn, *tmp;
    fmpz_poly_t t, u;

    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    arb_srcptr x = ae_table_entry(r, p, s, a);
                    if (ae_space_allowed(sp, d, a) &&
                        !(arb_is_exact(x) && arf_is_int(arb_midref(x)) &&
                          arf_cmp_si(arb_midref(x), 0) >= 0 && arf_cmp_si(arb_midref(x), 62) <= 0))
                        return 0;
                }
    wk = poly_vec_init(S);
    w = poly_vec_init(S);
    wn = poly_vec_init(S);
    fmpz_poly_init(t);
    fmpz_poly_init(u);
    memset(same, 0, (size_t)(sp->P * S));
    for (p = 0; p < sp->P; p++) {
        /* W^(0) = 1; pass j computes W^(j) from W^(j-1), up to W^(T) = exp V* */
        for (s = 0; s < S; s++)
            fmpz_poly_one(w + s);
        for (j = 1; j <= sp->T; j++) {
            for (d = 0; d < sp->T; d++)
                for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                    fmpz_poly_zero(wn + s);
                    for (a = 0; a < sp->A; a++) {
                        if (!ae_space_allowed(sp, d, a))
                            continue;
                        if (ae_space_ends(sp, d, a))
                            fmpz_poly_one(t);
                        else
                            fmpz_poly_set(t, w + sp->first[d + 1] + (s - sp->first[d]) * sp->V + a);
                        fmpz_poly_shift_left(t, t, arf_get_si(arb_midref(ae_table_entry(r, p, s, a)), ARF_RND_DOWN));
                        fmpz_poly_add(wn + s, wn + s, t);
                    }
                }
            tmp = w;
            w = wn;
            wn = tmp;
            if (j == (k < sp->T ? k : sp->T))
                for (s = 0; s < S; s++)
                    fmpz_poly_set(wk + s, w + s);
        }
        if (k <= 0)
            for (s = 0; s < S; s++)
                fmpz_poly_one(wk + s);
        /* now w = W^(T) = exp V* (C10.1), wk = W^(k): compare row by row */
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                slong a0 = -1, c0 = 0;
                int zero = 1, cons = 1;
                for (a = 0; a < sp->A; a++) {
                    slong c;
                    if (!ae_space_allowed(sp, d, a))
                        continue;
                    if (ae_space_ends(sp, d, a)) { /* delta = 0 here */
                        cons = 0;
                        continue;
                    }
                    c = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
                    zero &= fmpz_poly_equal(wk + c, w + c);
                    if (a0 < 0) {
                        a0 = a;
                        c0 = c;
                    } else { /* W(c)/V*(c) = W(c0)/V*(c0), cross-multiplied */
                        fmpz_poly_mul(t, wk + c, w + c0);
                        fmpz_poly_mul(u, wk + c0, w + c);
                        cons &= fmpz_poly_equal(t, u);
                    }
                }
                if (zero) {
                    for (a = 0; a < sp->A; a++)
                        arb_zero(ae_table_entry(delta, p, s, a));
                    same[p * S + s] = 1;
                } else if (cons && a0 >= 0)
                    same[p * S + s] = 1;
            }
    }
    poly_vec_clear(wk, S);
    poly_vec_clear(w, S);
    poly_vec_clear(wn, S);
    fmpz_poly_clear(t);
    fmpz_poly_clear(u);
    return 1;
}
