/* Table files: format chosen by extension, the value rules shared by both formats, and writes
   that go through a temporary file so that a failed write never leaves a partial table. */
#include "ae-impl.h"
#include <errno.h>
#include <math.h>
#include <unistd.h>
#include <sys/stat.h>
#include "io-impl.h"

ae_table_format_t ae_table_format(const char *path)
{
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    char ext[5];
    int k;

    if (dot == NULL || (slash != NULL && dot < slash) || strlen(dot) != 4)
        return AE_TABLE_UNKNOWN;
    for (k = 0; k < 4; k++)
        ext[k] = (char)(dot[k] >= 'A' && dot[k] <= 'Z' ? dot[k] - 'A' + 'a' : dot[k]);
    ext[4] = '\0';
    if (strcmp(ext, ".npy") == 0)
        return AE_TABLE_NPY;
    if (strcmp(ext, ".csv") == 0)
        return AE_TABLE_CSV;
    return AE_TABLE_UNKNOWN;
}

const char *_ae_io_value_error(int allowed, int cls)
{
    if (cls == AE_IO_NAN)
        return "NaN is not allowed";
    if (cls == AE_IO_POS_INF)
        return "+inf is not allowed";
    if (!allowed && cls != AE_IO_NEG_INF)
        return "finite value at a masked entry (masked entries must be -inf)";
    return NULL; /* -inf at an allowed entry: a banned token (ae_bellman_domain says where it is defined) */
}

void _ae_io_prefix(char *buf, const slong *tokens, slong d)
{
    size_t k = 0;
    slong i;
    buf[0] = '\0';
    for (i = 0; i < d && k < AE_IO_PREFIX_MAX; i++)
        k += (size_t)snprintf(buf + k, AE_IO_PREFIX_MAX - k, "%s%ld", i ? " " : "", (long)tokens[i]);
}

void _ae_io_response(char *buf, const ae_space_t sp, slong rank)
{
    slong tokens[AE_T_MAX + 1], d;
    if (sp->kind == AE_EOS)
        d = ae_space_unrank(tokens, sp, rank);
    else {
        d = ae_space_unrank(tokens, sp, sp->first[sp->T - 1] + rank / sp->V);
        tokens[d++] = rank % sp->V;
    }
    _ae_io_prefix(buf, tokens, d);
}

void _ae_io_entry_name(char *buf, size_t n, const ae_space_t sp, slong p, slong s, slong a)
{
    char prefix[AE_IO_PREFIX_MAX];
    slong tokens[AE_T_MAX], d = ae_space_unrank(tokens, sp, s);
    _ae_io_prefix(prefix, tokens, d);
    if (a == sp->V)
        snprintf(buf, n, "prompt %ld, prefix \"%s\", action EOS", (long)p, prefix);
    else
        snprintf(buf, n, "prompt %ld, prefix \"%s\", action %ld", (long)p, prefix, (long)a);
}

int ae_table_read(ae_table_t t, const ae_space_t sp, const char *path, slong prec, ae_err_t err)
{
    return ae_table_read_masked(t, sp, path, prec, -HUGE_VAL, err);
}

int ae_table_read_masked(ae_table_t t, const ae_space_t sp, const char *path, slong prec, double mask_below,
                         ae_err_t err)
{
    ae_table_format_t fmt = ae_table_format(path);
    int rc;
    FILE *in;

    if (fmt == AE_TABLE_UNKNOWN)
        return ae_err_set(err, AE_E_USAGE, "%s: unknown table format (expected .npy or .csv)", path);
    AE_ASSERT(t->P == sp->P && t->S == sp->S && t->A == sp->A);
    in = fopen(path, "rb");
    if (in == NULL)
        return ae_err_set(err, AE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    if (fmt == AE_TABLE_NPY)
        rc = _ae_npy_read(t, sp, in, path, mask_below, err);
    else
        rc = _ae_csv_read(t, NULL, sp, in, path, prec, mask_below, err);
    fclose(in);
    return rc;
}

int ae_table_read_exact(ae_qtable_t x, const ae_space_t sp, const char *path, ae_err_t err)
{
    ae_table_format_t fmt = ae_table_format(path);
    int rc;
    ae_table_t t;
    FILE *in;

    if (fmt == AE_TABLE_UNKNOWN)
        return ae_err_set(err, AE_E_USAGE, "%s: unknown table format (expected .npy or .csv)", path);
    AE_ASSERT(x->P == sp->P && x->S == sp->S && x->A == sp->A);
    in = fopen(path, "rb");
    if (in == NULL)
        return ae_err_set(err, AE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    ae_table_init(t, sp);
    if (fmt == AE_TABLE_NPY) {
        rc = _ae_npy_read(t, sp, in, path, -HUGE_VAL, err);
        if (rc == 0) { /* float64/float32 values are dyadic: their balls are exact */
            slong i;
            for (i = 0; i < sp->P * sp->S * sp->A; i++)
                if (arb_is_finite(t->v + i))
                    arf_get_fmpq(x->v + i, arb_midref(t->v + i));
        }
    } else
        rc = _ae_csv_read(t, x, sp, in, path, 64, -HUGE_VAL, err);
    ae_table_clear(t);
    fclose(in);
    return rc;
}

int ae_table_read_scores(ae_table_t r, const ae_space_t sp, const char *path, ae_err_t err)
{
    slong Y = fmpz_get_si(sp->responses), p, s, a, d;
    arb_ptr sc;
    FILE *in;
    int rc;

    AE_ASSERT(r->P == sp->P && r->S == sp->S && r->A == sp->A);
    if (ae_table_format(path) != AE_TABLE_NPY)
        return ae_err_set(err, AE_E_USAGE, "%s: scores are read from a .npy file (one value per "
                          "response, shape (Y,) or (P, Y))", path);
    in = fopen(path, "rb");
    if (in == NULL)
        return ae_err_set(err, AE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    sc = _arb_vec_init(sp->P * Y);
    rc = _ae_npy_read_scores(sc, sp, in, path, err);
    fclose(in);
    if (rc == 0) {
        for (p = 0; p < sp->P; p++) {
            d = 0;
            for (s = 0; s < sp->S; s++) {
                if (s == sp->first[d + 1])
                    d++;
                for (a = 0; a < sp->A; a++) {
                    arb_ptr e = ae_table_entry(r, p, s, a);
                    if (!ae_space_allowed(sp, d, a))
                        arb_neg_inf(e);
                    else if (ae_space_ends(sp, d, a))
                        arb_set(e, sc + p * Y + ae_space_response_rank(sp, s, a));
                    else
                        arb_zero(e);
                }
            }
        }
    }
    _arb_vec_clear(sc, sp->P * Y);
    return rc;
}

int ae_table_probe(const ae_space_t sp, const char *path, ae_err_t err)
{
    ae_table_format_t fmt = ae_table_format(path);
    int rc;
    FILE *in;

    if (fmt == AE_TABLE_UNKNOWN)
        return ae_err_set(err, AE_E_USAGE, "%s: unknown table format (expected .npy or .csv)", path);
    in = fopen(path, "rb");
    if (in == NULL)
        return ae_err_set(err, AE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    rc = fmt == AE_TABLE_NPY ? _ae_npy_read(NULL, sp, in, path, -HUGE_VAL, err) : _ae_csv_probe(in, path, err);
    fclose(in);
    return rc;
}

typedef struct {
    const ae_table_struct *t;
    const ae_space_struct *sp;
    slong digits;
    int npy;
} table_emit;

static int emit_table(FILE *out, const void *ctx)
{
    const table_emit *e = ctx;
    return e->npy ? _ae_npy_write(out, e->t, e->sp) : _ae_csv_write(out, e->t, e->sp, e->digits);
}

/* float64 holds about +-1.8e308: a larger value would be written as +-inf at an allowed entry,
   which every reader (ours included) rejects. Refuses before any file is opened. */
static int npy_range_check(const char *path, const ae_table_t t, const ae_space_t sp, ae_err_t err)
{
    slong p, s, a, d;
    for (p = 0; p < sp->P; p++) {
        d = 0;
        for (s = 0; s < sp->S; s++) {
            if (s == sp->first[d + 1])
                d++;
            for (a = 0; a < sp->A; a++) {
                arf_srcptr mid = arb_midref(ae_table_entry(t, p, s, a));
                if (ae_space_allowed(sp, d, a) && !arf_is_neg_inf(mid) /* a banned token */ &&
                    !isfinite(arf_get_d(mid, ARF_RND_NEAR))) {
                    char where[AE_IO_PREFIX_MAX + 64], *v = arf_get_str(mid, 6);
                    _ae_io_entry_name(where, sizeof where, sp, p, s, a);
                    ae_err_set(err, AE_E_INPUT, "%s: %s: value %s is beyond the float64 range "
                               "of .npy (write .csv, which holds any value)", path, where, v);
                    flint_free(v);
                    return err->code;
                }
            }
        }
    }
    return 0;
}

int ae_table_write(const char *path, const ae_table_t t, const ae_space_t sp, slong digits,
                   ae_err_t err)
{
    ae_table_format_t fmt = ae_table_format(path);
    int rc;

    if (fmt == AE_TABLE_UNKNOWN)
        return ae_err_set(err, AE_E_USAGE, "%s: unknown table format (expected .npy or .csv)", path);
    if (fmt == AE_TABLE_CSV && (digits < 1 || digits > AE_IO_DIGITS_MAX))
        return ae_err_set(err, AE_E_USAGE, "%s: %ld significant digits out of range [1, %d]", path,
                          (long)digits, AE_IO_DIGITS_MAX);
    AE_ASSERT(t->P == sp->P && t->S == sp->S && t->A == sp->A);
    if (fmt == AE_TABLE_NPY && npy_range_check(path, t, sp, err) != 0)
        return err->code;

    {
        table_emit te;
        te.t = t;
        te.sp = sp;
        te.digits = digits;
        te.npy = fmt == AE_TABLE_NPY;
        rc = ae_file_write_atomic(path, emit_table, &te, err);
    }
    return rc;
}
