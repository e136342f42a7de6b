/* CSV tables in long form: header `prompt,prefix,action,value`, one row per entry. Values are
   decimals of any length, read as balls at the caller's precision, so tables can carry more
   than double precision; written with a chosen number of correctly rounded digits. */
#include "ae-impl.h"
#include <errno.h>
#include <stdarg.h>
#include "io-impl.h"

static const char csv_header[] = "prompt,prefix,action,value";

int _ae_csv_fail(ae_err_t err, const char *path, slong line, const char *field,
                 const char *fmt, ...)
{
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (field != NULL)
        return ae_err_set(err, AE_E_INPUT, "%s:line %ld:field %s: %s", path, (long)line, field, why);
    return ae_err_set(err, AE_E_INPUT, "%s:line %ld: %s", path, (long)line, why);
}

int _ae_csv_parse_index(slong *v, const char *s, const char *e, slong bound)
{
    slong x = 0;
    if (s == e)
        return 1;
    for (; s < e; s++) {
        if (*s < '0' || *s > '9')
            return 1;
        if (x < bound) /* stays below 10 * 2^48: no overflow, and >= bound stays so */
            x = 10 * x + (*s - '0');
    }
    if (x >= bound)
        return 2;
    *v = x;
    return 0;
}

static int ieq(const char *s, const char *lower)
{
    for (; *s && *lower; s++, lower++)
        if ((*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s) != *lower)
            return 0;
    return *s == '\0' && *lower == '\0';
}

/* q would be too large to be worth building beyond AE_IO_EXACT_EXP_MAX */
int _ae_csv_decimal_exact(fmpq_t q, const char *s)
{
    size_t n = strlen(s), k = 0;
    char *digits = ae_malloc(n + 1);
    const char *c = s;
    slong e = 0, frac = 0;
    int neg = 0, in_frac = 0, rc = 0;

    if (*c == '+' || *c == '-')
        neg = *c++ == '-';
    for (; (*c >= '0' && *c <= '9') || *c == '.'; c++) {
        if (*c == '.')
            in_frac = 1;
        else {
            digits[k++] = *c;
            frac += in_frac;
        }
    }
    digits[k] = '\0';
    if (*c == 'e' || *c == 'E')
        e = strtol(c + 1, NULL, 10); /* at most 9 significant digits: fits */
    e -= frac;
    fmpz_set_str(fmpq_numref(q), digits, 10);
    fmpz_one(fmpq_denref(q));
    if (!fmpz_is_zero(fmpq_numref(q))) {
        if (e > AE_IO_EXACT_EXP_MAX || e < -AE_IO_EXACT_EXP_MAX)
            rc = 1;
        else {
            fmpz_t t;
            fmpz_init(t);
            fmpz_set_ui(t, 10);
            fmpz_pow_ui(t, t, (ulong)(e < 0 ? -e : e));
            if (e < 0)
                fmpz_set(fmpq_denref(q), t);
            else
                fmpz_mul(fmpq_numref(q), fmpq_numref(q), t);
            fmpz_clear(t);
            fmpq_canonicalise(q);
        }
    }
    if (neg)
        fmpq_neg(q, q);
    free(digits);
    return rc;
}

/* Strict syntax check first: arb_set_str alone would take "[1 +/- 2]", "--1" and digits
   split by spaces. */
const char *_ae_csv_parse_value(arb_t x, int *cls, const char *s, slong prec)
{
    static const char bad[] = "not a number (expected a decimal such as -1.25e-3, inf or -inf)";
    const char *c = s;
    int neg = 0, nd = 0, ne = 0, sig = 0;

    if (*c == '+' || *c == '-')
        neg = *c++ == '-';
    if (ieq(c, "inf") || ieq(c, "infinity")) {
        *cls = neg ? AE_IO_NEG_INF : AE_IO_POS_INF;
        return NULL;
    }
    if (ieq(c, "nan")) {
        *cls = AE_IO_NAN;
        return NULL;
    }
    for (; *c >= '0' && *c <= '9'; c++)
        nd++;
    if (*c == '.')
        for (c++; *c >= '0' && *c <= '9'; c++)
            nd++;
    if (nd == 0)
        return bad;
    if (*c == 'e' || *c == 'E') {
        c++;
        if (*c == '+' || *c == '-')
            c++;
        for (; *c >= '0' && *c <= '9'; c++, ne++)
            if (sig || *c != '0')
                sig++;
        if (ne == 0)
            return bad;
        if (sig > 9) /* keeps the power of ten arb computes cheap */
            return "exponent out of range (at most 9 digits)";
    }
    if (*c != '\0')
        return bad;
    if (arb_set_str(x, s, prec) != 0)
        return bad;
    *cls = AE_IO_FINITE;
    return NULL;
}

int _ae_csv_probe(FILE *in, const char *path, ae_err_t err)
{
    char h[sizeof csv_header + 2];
    size_t n = fread(h, 1, sizeof h - 1, in);
    if (ferror(in))
        return ae_err_set(err, AE_E_IO, "%s: read error: %s", path, strerror(errno));
    if (n == 0)
        return _ae_csv_fail(err, path, 1, NULL, "empty file (expected the header '%s')", csv_header);
    h[n] = '\0';
    /* the header, then the end of the line (LF or CRLF) or of the file */
    if (strncmp(h, csv_header, sizeof csv_header - 1) != 0 ||
        (n >= sizeof csv_header && h[sizeof csv_header - 1] != '\n' && h[sizeof csv_header - 1] != '\r'))
        return _ae_csv_fail(err, path, 1, NULL, "bad header (expected exactly '%s')", csv_header);
    return 0;
}

/* 1 when every value of ball x is <= the double m. */
static int below(const arb_t x, double m)
{
    arf_t u;
    int r;
    arf_init(u);
    arb_get_ubound_arf(u, x, 2 * FLINT_BITS);
    r = arf_cmp_d(u, m) <= 0;
    arf_clear(u);
    return r;
}

int _ae_csv_read(ae_table_t t, ae_qtable_struct *exact, const ae_space_t sp, FILE *in,
                 const char *path, slong prec, double mask_below, ae_err_t err)
{
    char *line = NULL, *f[4];
    size_t cap = 0, len;
    slong lineno = 0, blank = 0, *seen, tokens[AE_T_MAX];
    char where[AE_IO_PREFIX_MAX + 64];
    int rc = 0;

    AE_ASSERT(t->P == sp->P && t->S == sp->S && t->A == sp->A);
    ae_table_mask(t, sp); /* masked rows may be absent */
    /* line of the row that set each entry (0: not yet), for duplicates and missing rows */
    seen = ae_calloc((size_t)(sp->P * sp->S * sp->A), sizeof(slong));

    while (rc == 0) {
        slong p, s, a, d, r, idx, nf;
        const char *why;
        char *c;
        int cls, got = _ae_read_line(in, &line, &cap, &len, AE_LINE_MAX);

        if (got == AE_LINE_EOF)
            break;
        lineno++;
        if (got != AE_LINE_OK) {
            rc = _ae_line_fail(err, got, path, lineno, AE_LINE_MAX);
            break;
        }
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        if (memchr(line, '\0', len) != NULL) {
            rc = _ae_csv_fail(err, path, lineno, NULL, "NUL byte in line (not a text file?)");
            break;
        }
        if (lineno == 1) {
            if (strcmp(line, csv_header) != 0)
                rc = _ae_csv_fail(err, path, 1, NULL, "bad header (expected exactly '%s')", csv_header);
            continue;
        }
        if (len == 0) { /* allowed only as trailing blank lines */
            if (blank == 0)
                blank = lineno;
            continue;
        }
        if (blank != 0) {
            rc = _ae_csv_fail(err, path, blank, NULL, "empty line inside the table");
            break;
        }

        f[0] = line;
        nf = 1;
        for (c = line; *c; c++)
            if (*c == ',') {
                if (nf < 4)
                    f[nf] = c + 1;
                nf++;
                *c = '\0';
            }
        if (nf != 4) {
            rc = _ae_csv_fail(err, path, lineno, NULL, "expected 4 fields (%s), found %ld", csv_header,
                          (long)nf);
            break;
        }

        r = _ae_csv_parse_index(&p, f[0], f[0] + strlen(f[0]), sp->P);
        if (r != 0) {
            rc = r == 1 ? _ae_csv_fail(err, path, lineno, "prompt", "'%.40s' is not a prompt index", f[0])
                        : _ae_csv_fail(err, path, lineno, "prompt", "prompt %.40s out of range (expected "
                                   "0..%ld)", f[0], (long)(sp->P - 1));
            break;
        }

        d = 0;
        if (f[1][0] != '\0') {
            for (c = f[1];; c++) {
                char *e = c;
                slong tok;
                while (*e && *e != ' ')
                    e++;
                if (e == c) {
                    rc = _ae_csv_fail(err, path, lineno, "prefix", "tokens must be separated by single "
                                  "spaces");
                    break;
                }
                if (d >= sp->T - 1) {
                    rc = _ae_csv_fail(err, path, lineno, "prefix", "prefix too deep: states have at most "
                                  "T-1 = %ld tokens", (long)(sp->T - 1));
                    break;
                }
                r = _ae_csv_parse_index(&tok, c, e, sp->V);
                if (r != 0) {
                    rc = r == 1 ? _ae_csv_fail(err, path, lineno, "prefix", "'%.*s' is not a token",
                                           (int)(e - c > 40 ? 40 : e - c), c)
                                : _ae_csv_fail(err, path, lineno, "prefix", "token %.*s out of range "
                                           "(expected 0..%ld)", (int)(e - c > 40 ? 40 : e - c), c,
                                           (long)(sp->V - 1));
                    break;
                }
                tokens[d++] = tok;
                if (*e == '\0')
                    break;
                c = e;
            }
            if (rc != 0)
                break;
        }
        s = ae_space_rank(sp, tokens, d);
        AE_ASSERT(s >= 0);

        if (strcmp(f[2], "EOS") == 0) {
            if (sp->kind != AE_EOS) {
                rc = _ae_csv_fail(err, path, lineno, "action", "EOS is not an action of the fixed-length "
                              "space (expected 0..%ld)", (long)(sp->V - 1));
                break;
            }
            a = sp->V;
        } else if ((r = _ae_csv_parse_index(&a, f[2], f[2] + strlen(f[2]), sp->V)) != 0) {
            rc = r == 1 ? _ae_csv_fail(err, path, lineno, "action", "'%.40s' is not an action "
                                   "(expected 0..%ld%s)", f[2], (long)(sp->V - 1),
                                   sp->kind == AE_EOS ? " or EOS" : "")
                        : _ae_csv_fail(err, path, lineno, "action", "action %.40s out of range "
                                   "(expected 0..%ld%s)", f[2], (long)(sp->V - 1),
                                   sp->kind == AE_EOS ? " or EOS" : "");
            break;
        }

        idx = (p * sp->S + s) * sp->A + a;
        why = _ae_csv_parse_value(ae_table_entry(t, p, s, a), &cls, f[3], prec);
        if (why != NULL) {
            rc = _ae_csv_fail(err, path, lineno, "value", "'%.40s': %s", f[3], why);
            break;
        }
        if (seen[idx] != 0) {
            _ae_io_entry_name(where, sizeof where, sp, p, s, a);
            rc = _ae_csv_fail(err, path, lineno, NULL, "duplicate row for %s (first at line %ld)", where,
                          (long)seen[idx]);
            break;
        }
        if (cls == AE_IO_FINITE && !ae_space_allowed(sp, d, a) && mask_below != -HUGE_VAL &&
            below(ae_table_entry(t, p, s, a), mask_below))
            cls = AE_IO_NEG_INF; /* a mask written as a large negative number */
        why = _ae_io_value_error(ae_space_allowed(sp, d, a), cls);
        if (why != NULL) {
            rc = _ae_csv_fail(err, path, lineno, "value", "%s", why);
            break;
        }
        if (cls == AE_IO_NEG_INF)
            arb_neg_inf(ae_table_entry(t, p, s, a));
        else if (exact != NULL && _ae_csv_decimal_exact(ae_qtable_entry(exact, p, s, a), f[3]) != 0) {
            rc = _ae_csv_fail(err, path, lineno, "value", "'%.40s': power of ten beyond +-%d, too large "
                          "to take exactly", f[3], AE_IO_EXACT_EXP_MAX);
            break;
        }
        seen[idx] = lineno;
    }
    if (rc == 0 && lineno == 0)
        rc = _ae_csv_fail(err, path, 1, NULL, "empty file (expected the header '%s')", csv_header);
    if (rc == 0) { /* the first missing entry in canonical order */
        slong p, s, a, d, idx = 0;
        for (p = 0; p < sp->P && rc == 0; p++) {
            d = 0;
            for (s = 0; s < sp->S && rc == 0; s++) {
                if (s == sp->first[d + 1])
                    d++;
                for (a = 0; a < sp->A; a++, idx++)
                    if (seen[idx] == 0 && ae_space_allowed(sp, d, a)) {
                        _ae_io_entry_name(where, sizeof where, sp, p, s, a);
                        rc = ae_err_set(err, AE_E_INPUT, "%s:line %ld (end of file): missing "
                                        "row for %s (every unmasked entry must appear once)",
                                        path, (long)(lineno + 1), where);
                        break;
                    }
            }
        }
    }
    free(line);
    free(seen);
    return rc;
}

int _ae_csv_write(FILE *out, const ae_table_t t, const ae_space_t sp, slong digits)
{
    char prefix[AE_IO_PREFIX_MAX];
    slong tokens[AE_T_MAX], p, s, a, d;
    mpfr_t m;

    AE_ASSERT(t->P == sp->P && t->S == sp->S && t->A == sp->A);
    AE_ASSERT(digits >= 1 && digits <= AE_IO_DIGITS_MAX);
    mpfr_init2(m, MPFR_PREC_MIN);
    fprintf(out, "%s\n", csv_header);
    for (p = 0; p < sp->P; p++)
        for (s = 0; s < sp->S; s++) {
            d = ae_space_unrank(tokens, sp, s);
            _ae_io_prefix(prefix, tokens, d);
            for (a = 0; a < sp->A; a++) {
                arf_srcptr mid = arb_midref(ae_table_entry(t, p, s, a));
                slong bits;
                fprintf(out, "%ld,%s,", (long)p, prefix);
                if (a == sp->V)
                    fputs("EOS,", out);
                else
                    fprintf(out, "%ld,", (long)a);
                if (!ae_space_allowed(sp, d, a)) {
                    fputs("-inf\n", out);
                    continue;
                }
                /* exact copy of the midpoint, then one correct rounding to decimal */
                bits = arf_bits(mid);
                mpfr_set_prec(m, bits > MPFR_PREC_MIN ? (mpfr_prec_t)bits : MPFR_PREC_MIN);
                arf_get_mpfr(m, mid, MPFR_RNDN);
                mpfr_fprintf(out, "%.*RNe\n", (int)(digits - 1), m);
            }
        }
    mpfr_clear(m);
    return ferror(out) ? -1 : 0;
}
