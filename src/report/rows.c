/* Result rows and the formatting of certified numbers into them. */
#include "ae-impl.h"

void ae_rows_init(ae_rows_t rows)
{
    rows->v = NULL;
    rows->n = 0;
    rows->alloc = 0;
}

void ae_rows_clear(ae_rows_t rows)
{
    free(rows->v);
    ae_rows_init(rows);
}

ae_row *ae_rows_add(ae_rows_t rows)
{
    if (rows->n == rows->alloc) {
        rows->alloc = rows->alloc ? 2 * rows->alloc : 16;
        rows->v = ae_realloc(rows->v, (size_t)rows->alloc * sizeof(ae_row));
    }
    memset(rows->v + rows->n, 0, sizeof(ae_row));
    rows->v[rows->n].verdict = AE_UNDECIDED;
    return rows->v + rows->n++;
}

void ae_rows_append(ae_rows_t dst, const ae_rows_t src)
{
    slong i;
    for (i = 0; i < src->n; i++)
        *ae_rows_add(dst) = src->v[i];
}

ae_verdict ae_rows_verdict(const ae_rows_t rows)
{
    ae_verdict v = AE_VERIFIED;
    slong i;
    for (i = 0; i < rows->n; i++)
        v = ae_verdict_meet(v, rows->v[i].verdict);
    return v;
}

void ae_row_mark_consistency(ae_row *row)
{
    size_t n = strlen(row->check);
    snprintf(row->check + n, sizeof row->check - n, " (consistency)");
    if (row->verdict == AE_VERIFIED)
        row->verdict = AE_CONSISTENT;
}

/* x in "%.2e" rounded toward +inf (up = 1) or -inf (up = 0): printed digits on the safe side */
static void fmt_directed(char *buf, size_t n, const arf_t x, int up)
{
    mpfr_t m;
    if (arf_is_zero(x)) {
        snprintf(buf, n, "0");
        return;
    }
    if (arf_is_inf(x) || arf_is_nan(x)) { /* a NaN end bounds nothing: no bound is inf */
        snprintf(buf, n, arf_is_inf(x) && arf_sgn(x) < 0 ? "-inf" : "inf");
        return;
    }
    mpfr_init2(m, arf_bits(x) > 2 ? arf_bits(x) : 2);
    arf_get_mpfr(m, x, MPFR_RNDN); /* exact at arf_bits(x) */
    mpfr_snprintf(buf, n, up ? "%.2RUe" : "%.2RDe", m);
    mpfr_clear(m);
}

void ae_fmt_ubound(char *buf, size_t n, const arf_t x)
{
    fmt_directed(buf, n, x, 1);
}

void ae_fmt_lbound(char *buf, size_t n, const arf_t x)
{
    fmt_directed(buf, n, x, 0);
}

void ae_fmt_arb(char *buf, size_t n, const arb_t x, slong digits)
{
    char *s = arb_get_str(x, digits, 0);
    snprintf(buf, n, "%s", s);
    flint_free(s);
}

void ae_fmt_fmpq(char *buf, size_t n, const fmpq_t x)
{
    char *s = fmpq_get_str(NULL, 10, x);
    if (strlen(s) < n)
        snprintf(buf, n, "%s", s);
    else { /* too long to show whole: an enclosure, ends rounded outwards, and its length */
        mpfr_t lo, hi;
        mpfr_init2(lo, 64);
        mpfr_init2(hi, 64);
        fmpq_get_mpfr(lo, x, MPFR_RNDD);
        fmpq_get_mpfr(hi, x, MPFR_RNDU);
        mpfr_snprintf(buf, n, "[%.15RDe, %.15RUe] (%ld-digit rational)", lo, hi, (long)strlen(s));
        mpfr_clear(lo);
        mpfr_clear(hi);
    }
    flint_free(s);
}
