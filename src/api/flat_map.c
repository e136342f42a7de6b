/* Flat float64 API (for bindings): M and M^{-1} on plain C arrays in the canonical layout,
   each output value the correctly rounded float64 of the certified value. */
#include "ae-impl.h"
#include "io/io-impl.h"

/* The CLI's defaults: start precision, limit, and the largest walk accepted. */
#define FLAT_PREC 128
#define FLAT_MAX_PREC 4096
#define FLAT_MAX_WORK UWORD(1000000000)

typedef struct {
    const double *v;
    const char *name; /* "rewards" or "logits", in messages */
    int inverse;
    const ae_space_struct *sp;
} flat_input;

/* Every value is a dyadic, so its ball is exact at any precision. Checked with the table
   readers' rule (one rule for files and arrays). */
static int flat_read(ae_table_t t, slong prec, void *ctx, ae_err_t err)
{
    const flat_input *in = ctx;
    const ae_space_struct *sp = in->sp;
    slong p, s, a, d, i = 0;
    (void)prec;
    for (p = 0; p < sp->P; p++) {
        d = 0;
        for (s = 0; s < sp->S; s++) {
            if (s == sp->first[d + 1])
                d++;
            for (a = 0; a < sp->A; a++, i++) {
                double v = in->v[i];
                int cls = isnan(v) ? AE_IO_NAN : isinf(v) ? (v < 0 ? AE_IO_NEG_INF : AE_IO_POS_INF)
                                                          : AE_IO_FINITE;
                const char *why = _ae_io_value_error(ae_space_allowed(sp, d, a), cls);
                if (why != NULL) {
                    char where[AE_IO_PREFIX_MAX + 64];
                    _ae_io_entry_name(where, sizeof where, sp, p, s, a);
                    return ae_err_set(err, AE_E_INPUT, "%s:index %ld (%s): %s", in->name, (long)i,
                                      where, why);
                }
                if (cls == AE_IO_NEG_INF)
                    arb_neg_inf(ae_table_entry(t, p, s, a));
                else
                    arb_set_d(ae_table_entry(t, p, s, a), v);
            }
        }
    }
    /* -inf at allowed entries (banned tokens): refused only where the map is not defined */
    return ae_bellman_domain(t, sp, in->inverse ? AE_DOMAIN_UNMAP : AE_DOMAIN_MAP, in->name, err);
}

static int flat_read_exact(ae_qtable_t x, void *ctx, ae_err_t err)
{
    const flat_input *in = ctx;
    slong i, n = in->sp->P * in->sp->S * in->sp->A;
    arf_t f;
    (void)err;
    arf_init(f);
    for (i = 0; i < n; i++)
        if (isfinite(in->v[i])) {
            arf_set_d(f, in->v[i]);
            arf_get_fmpq(x->v + i, f);
        }
    arf_clear(f);
    return 0;
}

static void copy_err(char *buf, size_t n, const char *msg)
{
    if (buf != NULL && n > 0)
        snprintf(buf, n, "%s", msg);
}

static int flat_map(int inverse, int space_kind, long vocab, long horizon, long prompts,
                    const double *x, double *y, char *errbuf, size_t errlen)
{
    const char *in_name = inverse ? "logits" : "rewards", *out_name = inverse ? "rewards" : "logits";
    ae_space_t sp;
    ae_table_t in, out;
    ae_err_t err;
    fmpz_t max_work;
    flat_input fi;
    ae_map_source src;
    slong used, p, s, a, d, i;
    int rc;

    ae_err_init(err);
    copy_err(errbuf, errlen, "");
    if (space_kind != AE_FIXED && space_kind != AE_EOS) {
        ae_err_set(err, AE_E_USAGE, "space_kind %d is neither 0 (fixed) nor 1 (eos)", space_kind);
        copy_err(errbuf, errlen, err->msg);
        return err->code;
    }
    if (x == NULL || y == NULL) {
        ae_err_set(err, AE_E_USAGE, "%s is a null pointer", x == NULL ? in_name : out_name);
        copy_err(errbuf, errlen, err->msg);
        return err->code;
    }
    if (ae_space_init(sp, (ae_space_kind)space_kind, vocab, horizon, prompts, err) != 0) {
        copy_err(errbuf, errlen, err->msg);
        return err->code;
    }
    fmpz_init_set_ui(max_work, FLAT_MAX_WORK);
    rc = ae_space_check_work(sp, max_work, err);
    fmpz_clear(max_work);
    if (rc == 0)
        rc = ae_mem_need(AE_MEM_MAP, sp, FLAT_PREC, 1, ae_mem_default_limit(), inverse ? "unmap" : "map",
                         err);
    if (rc != 0) {
        copy_err(errbuf, errlen, err->msg);
        ae_space_clear(sp);
        return rc;
    }

    fi.v = x;
    fi.name = in_name;
    fi.inverse = inverse;
    fi.sp = sp;
    src.read = flat_read;
    src.read_exact = flat_read_exact;
    src.raise = NULL;
    src.ctx = &fi;
    ae_table_init(in, sp);
    ae_table_init(out, sp);
    rc = ae_bellman_map_accurate(&used, out, in, &src, sp, inverse, AE_ACC_FLOAT64, FLAT_PREC,
                                 FLAT_MAX_PREC, err);
    if (rc == 1)
        rc = ae_err_set(err, AE_E_SIZE, "%s: cannot round every value to float64 within %d bits of "
                        "precision", out_name, FLAT_MAX_PREC);
    /* every value is checked before any is written, so x and y may be the same array */
    for (p = 0, i = 0; rc == 0 && p < sp->P; p++) {
        d = 0;
        for (s = 0; rc == 0 && s < sp->S; s++) {
            if (s == sp->first[d + 1])
                d++;
            for (a = 0; a < sp->A; a++, i++) {
                arf_srcptr mid = arb_midref(ae_table_entry(out, p, s, a));
                if (ae_space_allowed(sp, d, a) && !arf_is_neg_inf(mid) /* a banned token */ &&
                    !isfinite(arf_get_d(mid, ARF_RND_NEAR))) {
                    char where[AE_IO_PREFIX_MAX + 64], *v = arf_get_str(mid, 6);
                    _ae_io_entry_name(where, sizeof where, sp, p, s, a);
                    rc = ae_err_set(err, AE_E_INPUT, "%s:index %ld (%s): value %s is beyond the "
                                    "float64 range", out_name, (long)i, where, v);
                    flint_free(v);
                    break;
                }
            }
        }
    }
    for (p = 0, i = 0; rc == 0 && p < sp->P; p++) {
        d = 0;
        for (s = 0; s < sp->S; s++) {
            if (s == sp->first[d + 1])
                d++;
            for (a = 0; a < sp->A; a++, i++)
                y[i] = ae_space_allowed(sp, d, a)
                           ? arf_get_d(arb_midref(ae_table_entry(out, p, s, a)), ARF_RND_NEAR)
                           : -INFINITY;
        }
    }
    if (rc != 0)
        copy_err(errbuf, errlen, err->msg);
    ae_table_clear(in);
    ae_table_clear(out);
    ae_space_clear(sp);
    return rc;
}

int ae_map_d(int space_kind, long vocab, long horizon, long prompts, const double *rewards,
             double *logits, char *err, size_t errlen)
{
    return flat_map(0, space_kind, vocab, horizon, prompts, rewards, logits, err, errlen);
}

int ae_unmap_d(int space_kind, long vocab, long horizon, long prompts, const double *logits,
               double *rewards, char *err, size_t errlen)
{
    return flat_map(1, space_kind, vocab, horizon, prompts, logits, rewards, err, errlen);
}
