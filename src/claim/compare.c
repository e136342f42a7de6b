/* Entrywise certified comparison of tables, and row construction shared by the checkers. */
#include "claim.h"

ae_verdict ae_table_compare(arf_t maxdev, arf_t tol, slong *where, const ae_table_t a,
                            const ae_table_t b, const ae_space_t sp, slong prec)
{
    ae_verdict v = AE_VERIFIED;
    arf_t dev, t;
    slong p, d, s, k, worst = -1;

    arf_init(dev);
    arf_init(t);
    arf_zero(maxdev);
    arf_zero(tol);
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (k = 0; k < sp->A; k++) {
                    ae_verdict e;
                    if (!ae_space_allowed(sp, d, k))
                        continue;
                    e = ae_cert_eq(dev, t, ae_table_entry(a, p, s, k), ae_table_entry(b, p, s, k), prec);
                    /* report the entry that decides the verdict, else the largest deviation */
                    if (worst < 0 || (e == AE_VIOLATED && v != AE_VIOLATED) ||
                        (ae_verdict_meet(e, v) == v && arf_cmp(dev, maxdev) > 0)) {
                        arf_set(maxdev, dev);
                        arf_set(tol, t);
                        worst = (p * sp->S + s) * sp->A + k;
                    }
                    v = ae_verdict_meet(v, e);
                }
    if (where)
        *where = worst;
    arf_clear(dev);
    arf_clear(t);
    return v;
}

void ae_entry_name(char *buf, size_t n, const ae_space_t sp, slong k)
{
    slong a = k % sp->A, s = (k / sp->A) % sp->S, p = k / (sp->A * sp->S), i, d;
    slong *tok = ae_malloc((size_t)sp->T * sizeof(slong));
    size_t used;

    d = ae_space_unrank(tok, sp, s);
    used = (size_t)snprintf(buf, n, "prompt %ld prefix (", (long)p);
    for (i = 0; i < d && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, i ? " %ld" : "%ld", (long)tok[i]);
    if (used < n) {
        if (a == sp->V && sp->kind == AE_EOS)
            snprintf(buf + used, n - used, ") action EOS");
        else
            snprintf(buf + used, n - used, ") action %ld", (long)a);
    }
    free(tok);
}

ae_row *ae_row_new(ae_rows_t rows, const char *claim, const char *check, const ae_instance *in,
                   const char *arith, slong prec)
{
    ae_row *r = ae_rows_add(rows);
    snprintf(r->claim, sizeof r->claim, "%s", claim);
    snprintf(r->check, sizeof r->check, "%s", check);
    ae_space_row_name(r->space, sizeof r->space, in->sp);
    snprintf(r->prompt, sizeof r->prompt, in->sp->P == 1 ? "0" : "all");
    snprintf(r->instance, sizeof r->instance, "%s", in->name);
    snprintf(r->arith, sizeof r->arith, "%s", arith);
    r->prec = prec;
    return r;
}

void ae_eq_row(ae_rows_t rows, const char *claim, const char *check, const ae_instance *in, slong prec,
               arb_srcptr lhs, arb_srcptr rhs, slong n, slong items)
{
    arf_t dev, tol, wdev, wtol;
    ae_verdict v = AE_VERIFIED;
    slong i;
    ae_row *row;

    arf_init(dev);
    arf_init(tol);
    arf_init(wdev);
    arf_init(wtol);
    for (i = 0; i < n; i++) {
        v = ae_verdict_meet(v, ae_cert_eq(dev, tol, lhs + i, rhs + i, prec));
        if (arf_cmp(dev, wdev) >= 0) {
            arf_set(wdev, dev);
            arf_set(wtol, tol);
        }
    }
    row = ae_row_new(rows, claim, check, in, "certified", prec);
    snprintf(row->items, sizeof row->items, "%ld", (long)items);
    ae_fmt_ubound(row->measured, sizeof row->measured, wdev);
    snprintf(row->predicted, sizeof row->predicted, "0");
    ae_fmt_ubound(row->tol, sizeof row->tol, wtol);
    row->verdict = v;
    arf_clear(dev);
    arf_clear(tol);
    arf_clear(wdev);
    arf_clear(wtol);
}

void ae_lt_row(ae_rows_t rows, const char *claim, const char *check, const ae_instance *in, slong prec,
               arb_srcptr lhs, arb_srcptr rhs, slong n, const char *gap)
{
    ae_verdict v = AE_VERIFIED;
    ae_row *row;
    arb_t d, wd;
    slong i;
    arb_init(d);
    arb_init(wd);
    for (i = 0; i < n; i++) {
        v = ae_verdict_meet(v, ae_cert_lt(lhs + i, rhs + i));
        arb_sub(d, rhs + i, lhs + i, prec);
        if (i == 0 || arf_cmp(arb_midref(d), arb_midref(wd)) < 0)
            arb_set(wd, d);
    }
    row = ae_row_new(rows, claim, check, in, "certified", prec);
    snprintf(row->items, sizeof row->items, "%ld", (long)n);
    snprintf(row->measured, sizeof row->measured, "min %s = ", gap);
    ae_fmt_arb(row->measured + strlen(row->measured), sizeof row->measured - strlen(row->measured), wd, 6);
    snprintf(row->predicted, sizeof row->predicted, "> 0");
    snprintf(row->tol, sizeof row->tol, "strict");
    row->verdict = v;
    arb_clear(d);
    arb_clear(wd);
}

void ae_table_compare_row(ae_rows_t rows, const char *claim, const char *check, const ae_instance *in,
                          const ae_table_t x, const ae_table_t y, slong prec)
{
    const ae_space_struct *sp = in->sp;
    arf_t dev, tol;
    slong where;
    fmpz_t n;
    ae_row *row;

    arf_init(dev);
    arf_init(tol);
    fmpz_init(n);
    row = ae_row_new(rows, claim, check, in, "certified", prec);
    row->verdict = ae_table_compare(dev, tol, &where, x, y, sp, prec);
    if (row->verdict == AE_VIOLATED)
        ae_entry_name(row->measured, sizeof row->measured, sp, where);
    else
        ae_fmt_ubound(row->measured, sizeof row->measured, dev);
    snprintf(row->predicted, sizeof row->predicted, "0");
    ae_fmt_ubound(row->tol, sizeof row->tol, tol);
    fmpz_mul_si(n, sp->pairs, sp->P);
    fmpz_get_str(row->items, 10, n);
    fmpz_clear(n);
    arf_clear(dev);
    arf_clear(tol);
}

/* V_q(s) = log sum_a exp q(s,a) over the allowed entries of row (p,s), shifted by the largest
   upper end: written apart from the maps' LSE (src/bellman), so the checks that use it do not share it
   with the map they check. */
void ae_value_apart(arb_t v, const ae_table_t q, const ae_space_t sp, slong p, slong s, slong d, slong prec)
{
    arf_t m, u;
    arb_t t;
    slong a;
    arf_init(m);
    arf_init(u);
    arb_init(t);
    arf_neg_inf(m);
    for (a = 0; a < sp->A; a++)
        if (ae_space_allowed(sp, d, a)) {
            arb_get_ubound_arf(u, ae_table_entry(q, p, s, a), prec);
            arf_max(m, m, u);
        }
    if (arf_is_neg_inf(m)) { /* a row of banned entries: V = -inf (not -inf - (-inf)) */
        arb_neg_inf(v);
        arb_clear(t);
        arf_clear(m);
        arf_clear(u);
        return;
    }
    arb_zero(v);
    for (a = 0; a < sp->A; a++)
        if (ae_space_allowed(sp, d, a)) {
            arb_sub_arf(t, ae_table_entry(q, p, s, a), m, prec);
            arb_exp(t, t, prec);
            arb_add(v, v, t, prec);
        }
    arb_log(v, v, prec);
    arb_add_arf(v, v, m, prec);
    arb_clear(t);
    arf_clear(m);
    arf_clear(u);
}
