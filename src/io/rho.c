/* A data distribution rho as a file of probabilities, one per response in response order
   (by length, then tokens; the layout of map --scores), per prompt: .npy float64 of shape (Y,)
   for one prompt or (P, Y), or CSV `prompt,response,value`. Values are read as the exact
   rationals they denote, checked, and divided by their total exactly. */
#include "ae-impl.h"
#include <errno.h>
#include "io-impl.h"

static const char rho_header[] = "prompt,response,value";

/* "N/D" (digits, D > 0) or a decimal, >= 0, as the exact rational q; NULL or the reason. */
static const char *rho_value(fmpq_t q, const char *s)
{
    const char *slash = strchr(s, '/');
    if (slash != NULL) {
        slong k;
        const char *c;
        for (c = s, k = 0; *c; c++, k++)
            if (c != slash && (*c < '0' || *c > '9'))
                return "not a number (expected a decimal such as 0.25 or a fraction such as 1/4)";
        if (slash == s || slash[1] == '\0' || k > 100000)
            return "not a number (expected a decimal such as 0.25 or a fraction such as 1/4)";
        {
            char *num = ae_malloc((size_t)(slash - s) + 1);
            memcpy(num, s, (size_t)(slash - s));
            num[slash - s] = '\0';
            fmpz_set_str(fmpq_numref(q), num, 10);
            fmpz_set_str(fmpq_denref(q), slash + 1, 10);
            free(num);
        }
        if (fmpz_is_zero(fmpq_denref(q)))
            return "zero denominator";
        fmpq_canonicalise(q);
        return NULL;
    } else {
        arb_t x;
        int cls = AE_IO_FINITE;
        const char *why;
        arb_init(x);
        why = _ae_csv_parse_value(x, &cls, s, 64);
        arb_clear(x);
        if (why != NULL)
            return why;
        if (cls != AE_IO_FINITE)
            return "a probability must be finite";
        if (_ae_csv_decimal_exact(q, s) != 0)
            return "power of ten too large to take exactly";
        if (fmpq_sgn(q) < 0)
            return "a probability must be >= 0";
        return NULL;
    }
}

static int read_csv(fmpq *x, const ae_space_t sp, FILE *in, const char *path, ae_err_t err)
{
    slong Y = fmpz_get_si(sp->responses), lineno = 0, blank = 0, *seen, tokens[AE_T_MAX + 1];
    char *line = NULL;
    size_t cap = 0, len;
    int rc = 0;

    seen = ae_calloc((size_t)(sp->P * Y), sizeof(slong)); /* line that set each value */
    while (rc == 0) {
        char *f[3], *c;
        slong p, n = 0, y, nf = 1;
        const char *why;
        int got = _ae_read_line(in, &line, &cap, &len, AE_LINE_MAX), r;

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
            if (strcmp(line, rho_header) != 0)
                rc = _ae_csv_fail(err, path, 1, NULL, "bad header (expected exactly '%s')", rho_header);
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
        for (c = line; *c; c++)
            if (*c == ',') {
                if (nf < 3)
                    f[nf] = c + 1;
                nf++;
                *c = '\0';
            }
        if (nf != 3) {
            rc = _ae_csv_fail(err, path, lineno, NULL, "expected 3 fields (%s), found %ld", rho_header, (long)nf);
            break;
        }
        r = _ae_csv_parse_index(&p, f[0], f[0] + strlen(f[0]), sp->P);
        if (r != 0) {
            rc = r == 1 ? _ae_csv_fail(err, path, lineno, "prompt", "'%.40s' is not a prompt index", f[0])
                        : _ae_csv_fail(err, path, lineno, "prompt", "prompt %.40s out of range (expected 0..%ld)",
                                       f[0], (long)(sp->P - 1));
            break;
        }
        if (f[1][0] != '\0')
            for (c = f[1];; c++) {
                char *e = c;
                while (*e && *e != ' ')
                    e++;
                if (e == c) {
                    rc = _ae_csv_fail(err, path, lineno, "response", "tokens must be separated by single spaces");
                    break;
                }
                if (n > sp->T) {
                    rc = _ae_csv_fail(err, path, lineno, "response", "longer than the horizon T = %ld", (long)sp->T);
                    break;
                }
                r = _ae_csv_parse_index(tokens + n, c, e, sp->V);
                if (r != 0) {
                    rc = r == 1 ? _ae_csv_fail(err, path, lineno, "response", "'%.*s' is not a token",
                                               (int)(e - c > 40 ? 40 : e - c), c)
                                : _ae_csv_fail(err, path, lineno, "response", "token %.*s out of range (expected 0..%ld)",
                                               (int)(e - c > 40 ? 40 : e - c), c, (long)(sp->V - 1));
                    break;
                }
                n++;
                if (*e == '\0')
                    break;
                c = e;
            }
        if (rc != 0)
            break;
        y = ae_space_response_rank_tokens(sp, tokens, n);
        if (y < 0) {
            rc = sp->kind == AE_EOS
                     ? _ae_csv_fail(err, path, lineno, "response", "%ld tokens do not fit E(V,T): at most T-1 = %ld "
                                    "tokens before EOS (which is not written)", (long)n, (long)(sp->T - 1))
                     : _ae_csv_fail(err, path, lineno, "response", "%ld tokens are not a response of F(V,T): "
                                    "exactly T = %ld tokens", (long)n, (long)sp->T);
            break;
        }
        if (seen[p * Y + y] != 0) {
            rc = _ae_csv_fail(err, path, lineno, NULL, "duplicate row for prompt %ld, response \"%s\" (first at "
                              "line %ld)", (long)p, f[1], (long)seen[p * Y + y]);
            break;
        }
        why = rho_value(x + p * Y + y, f[2]);
        if (why != NULL) {
            rc = _ae_csv_fail(err, path, lineno, "value", "'%.40s': %s", f[2], why);
            break;
        }
        seen[p * Y + y] = lineno;
    }
    if (rc == 0 && lineno == 0)
        rc = _ae_csv_fail(err, path, 1, NULL, "empty file (expected the header '%s')", rho_header);
    if (rc == 0) { /* the first missing response in order */
        slong i;
        for (i = 0; i < sp->P * Y; i++)
            if (seen[i] == 0) {
                char tok[AE_IO_PREFIX_MAX + 8];
                _ae_io_response(tok, sp, i % Y);
                rc = ae_err_set(err, AE_E_INPUT, "%s:line %ld (end of file): missing row for prompt %ld, "
                                "response \"%s\" (every response must appear once)", path, (long)(lineno + 1),
                                (long)(i / Y), tok);
                break;
            }
    }
    free(line);
    free(seen);
    return rc;
}

int ae_data_read_probs(ae_data_t d, const ae_space_t sp, const char *path, ae_err_t err)
{
    ae_table_format_t fmt = ae_table_format(path);
    slong n = d->P * d->Y, i, p;
    fmpq_t total, dev;
    FILE *in;
    int rc;

    AE_ASSERT(fmt != AE_TABLE_UNKNOWN);
    in = fopen(path, "rb");
    if (in == NULL)
        return ae_err_set(err, AE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    for (i = 0; i < n; i++)
        fmpq_zero(d->q + i);
    if (fmt == AE_TABLE_NPY) {
        rc = _ae_npy_read_probs(d->b, sp, in, path, err);
        for (i = 0; rc == 0 && i < n; i++) /* float64/float32 values are dyadic: exact */
            arf_get_fmpq(d->q + i, arb_midref(d->b + i));
    } else
        rc = read_csv(d->q, sp, in, path, err);
    fclose(in);
    if (rc != 0)
        return rc;

    fmpq_init(total);
    fmpq_init(dev);
    for (p = 0; p < d->P && rc == 0; p++) {
        fmpq_zero(dev);
        for (i = 0; i < d->Y; i++)
            fmpq_add(dev, dev, d->q + p * d->Y + i);
        if (fmpq_is_zero(dev))
            rc = ae_err_set(err, AE_E_INPUT, "%s: prompt %ld has total probability 0 (every prompt needs mass)", path,
                            (long)p);
        fmpq_add(total, total, dev);
    }
    if (rc == 0) {
        /* |total - 1| <= AE_DATA_SUM_TOL, compared exactly: rounding to float64 (or float32, or
           a few printed digits) passes, a file of counts or of per-prompt conditionals does not */
        fmpq_t tol, a;
        fmpq_init(tol);
        fmpq_init(a);
        fmpq_set_si(tol, 1, AE_DATA_SUM_TOL_INV);
        fmpq_sub_si(dev, total, 1);
        fmpq_abs(a, dev);
        if (fmpq_cmp(a, tol) > 0)
            rc = ae_err_set(err, AE_E_INPUT, "%s: the probabilities sum to %.17g, not 1 (within 1e-%d; "
                            "P x Y = %ld x %ld values: rho(x,y) over all prompts together)", path,
                            fmpq_get_d(total), AE_DATA_SUM_TOL_DIGITS, (long)d->P, (long)d->Y);
        fmpq_clear(a);
        fmpq_clear(tol);
    }
    if (rc == 0) {
        mpfr_t m;
        mpfr_init2(m, 53);
        fmpq_get_mpfr(m, dev, MPFR_RNDN);
        d->sum_dev = mpfr_get_d(m, MPFR_RNDN);
        mpfr_clear(m);
        d->kind = AE_DATA_FILE;
        d->exact = 1;
        d->prec = 0;
        d->zeros = 0;
        for (i = 0; i < n; i++) {
            fmpq_div(d->q + i, d->q + i, total);
            d->zeros += fmpq_is_zero(d->q + i);
            arb_set_fmpq(d->b + i, d->q + i, 256);
            d->d[i] = fmpq_get_d(d->q + i);
        }
        snprintf(d->name, sizeof d->name, "file:%s", path);
    }
    fmpq_clear(total);
    fmpq_clear(dev);
    return rc;
}

/* The value of response i as the double nearest it: the exact rational, or the midpoint of
   the enclosure of a certified distribution. */
static double nearest(const ae_data_t d, slong i)
{
    double v;
    if (d->exact) {
        mpfr_t m;
        mpfr_init2(m, 53);
        fmpq_get_mpfr(m, d->q + i, MPFR_RNDN);
        v = mpfr_get_d(m, MPFR_RNDN);
        mpfr_clear(m);
    } else
        v = arf_get_d(arb_midref(d->b + i), ARF_RND_NEAR);
    return v;
}

typedef struct {
    const ae_data_struct *d;
    const ae_space_struct *sp;
    slong digits;
    int npy;
} rho_emit;

static int emit_rho(FILE *out, const void *ctx)
{
    const rho_emit *e = ctx;
    const ae_data_struct *d = e->d;
    slong i, n = d->P * d->Y;
    if (e->npy) {
        double *v = ae_malloc((size_t)n * sizeof(double));
        int rc;
        for (i = 0; i < n; i++)
            v[i] = nearest(d, i);
        rc = _ae_npy_write_vector(out, v, d->P, d->Y);
        free(v);
        return rc;
    }
    fprintf(out, "%s\n", rho_header);
    for (i = 0; i < n; i++) {
        char tok[AE_IO_PREFIX_MAX + 8];
        _ae_io_response(tok, e->sp, i % d->Y);
        fprintf(out, "%ld,%s,", (long)(i / d->Y), tok);
        if (d->exact) {
            char *s = fmpq_get_str(NULL, 10, d->q + i);
            fprintf(out, "%s\n", s);
            flint_free(s);
        } else { /* the midpoint, correctly rounded to `digits` significant digits */
            arf_srcptr mid = arb_midref(d->b + i);
            mpfr_t m;
            slong bits = arf_bits(mid);
            mpfr_init2(m, bits > MPFR_PREC_MIN ? (mpfr_prec_t)bits : MPFR_PREC_MIN);
            arf_get_mpfr(m, mid, MPFR_RNDN);
            mpfr_fprintf(out, "%.*RNe\n", (int)(e->digits - 1), m);
            mpfr_clear(m);
        }
    }
    return ferror(out) ? -1 : 0;
}

int ae_data_write(const char *path, const ae_data_t d, const ae_space_t sp, slong digits, ae_err_t err)
{
    ae_table_format_t fmt = ae_table_format(path);
    rho_emit e;
    if (fmt == AE_TABLE_UNKNOWN)
        return ae_err_set(err, AE_E_USAGE, "%s: unknown format (expected .npy or .csv)", path);
    if (fmt == AE_TABLE_CSV && (digits < 1 || digits > AE_IO_DIGITS_MAX))
        return ae_err_set(err, AE_E_USAGE, "%s: %ld significant digits out of range [1, %d]", path, (long)digits,
                          AE_IO_DIGITS_MAX);
    AE_ASSERT(d->P == sp->P && d->Y == fmpz_get_si(sp->responses));
    e.d = d;
    e.sp = sp;
    e.digits = digits;
    e.npy = fmt == AE_TABLE_NPY;
    return ae_file_write_atomic(path, emit_rho, &e, err);
}
