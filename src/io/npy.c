/* NumPy .npy tables. The reader takes format 1.0/2.0/3.0, float32 or float64 of an explicit
   byte order, C order; the writer emits float64 little-endian, format 1.0, with the data
   aligned to 64 bytes as NumPy itself does. Byte order is decoded by hand so that the result
   does not depend on the host. */
#include "ae-impl.h"
#include <errno.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "io-impl.h"

static const unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

/* NumPy writes headers of a few hundred bytes; refuse absurd ones before allocating them. */
#define NPY_HEADER_MAX (1 << 20)
#define NPY_MAXDIM 64
/* Data is read in chunks; a multiple of both item sizes, so no value straddles two chunks. */
#define NPY_CHUNK 8192

static int npy_vfail(ae_err_t err, const char *path, slong byte, const char *fmt, va_list ap)
    AE_IO_PRINTF(4, 0);
static int npy_fail(ae_err_t err, const char *path, slong byte, const char *fmt, ...)
    AE_IO_PRINTF(4, 5);

static int npy_vfail(ae_err_t err, const char *path, slong byte, const char *fmt, va_list ap)
{
    char why[400];
    vsnprintf(why, sizeof why, fmt, ap);
    return ae_err_set(err, AE_E_INPUT, "%s:byte %ld: %s", path, (long)byte, why);
}

static int npy_fail(ae_err_t err, const char *path, slong byte, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = npy_vfail(err, path, byte, fmt, ap);
    va_end(ap);
    return rc;
}

static int npy_ioerr(ae_err_t err, const char *path)
{
    return ae_err_set(err, AE_E_IO, "%s: read error: %s", path, strerror(errno));
}

/* ------------------------------------------------------------ header dictionary */

/* A cursor over the header text; base is the file offset of h[0], for messages. */
typedef struct {
    const unsigned char *h;
    size_t n, i;
    slong base;
    const char *path;
    ae_err_struct *err;
} npy_hdr;

static int hfail(npy_hdr *x, size_t at, const char *fmt, ...) AE_IO_PRINTF(3, 4);

static int hfail(npy_hdr *x, size_t at, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = npy_vfail(x->err, x->path, x->base + (slong)at, fmt, ap);
    va_end(ap);
    return rc;
}

static void hskip(npy_hdr *x)
{
    while (x->i < x->n && (x->h[x->i] == ' ' || x->h[x->i] == '\t' || x->h[x->i] == '\n' ||
                           x->h[x->i] == '\r'))
        x->i++;
}

static int hat(const npy_hdr *x, char c)
{
    return x->i < x->n && x->h[x->i] == (unsigned char)c;
}

static int hend(npy_hdr *x)
{
    return hfail(x, x->n, "header ends inside the dictionary");
}

/* A Python string literal without escapes (all NumPy ever writes for these keys). */
static int hstring(npy_hdr *x, char *out, size_t cap)
{
    size_t start = x->i, k = 0;
    unsigned char q;

    if (x->i >= x->n)
        return hend(x);
    if (!hat(x, '\'') && !hat(x, '"'))
        return hfail(x, x->i, "expected a quoted string");
    q = x->h[x->i++];
    while (x->i < x->n && x->h[x->i] != q) {
        if (x->h[x->i] == '\\')
            return hfail(x, x->i, "escape sequences are not supported in the header");
        if (x->h[x->i] < 0x20)
            return hfail(x, x->i, "control character in a string");
        if (k + 1 >= cap)
            return hfail(x, start, "string too long");
        out[k++] = (char)x->h[x->i++];
    }
    if (x->i >= x->n)
        return hend(x);
    x->i++;
    out[k] = '\0';
    return 0;
}

static int hbool(npy_hdr *x, int *v)
{
    size_t start = x->i;
    while (x->i < x->n && ((x->h[x->i] >= 'a' && x->h[x->i] <= 'z') ||
                           (x->h[x->i] >= 'A' && x->h[x->i] <= 'Z')))
        x->i++;
    if (x->i - start == 4 && memcmp(x->h + start, "True", 4) == 0)
        *v = 1;
    else if (x->i - start == 5 && memcmp(x->h + start, "False", 5) == 0)
        *v = 0;
    else
        return x->i >= x->n ? hend(x) : hfail(x, start, "expected True or False");
    return 0;
}

/* A tuple of non-negative integers: "()", "(3,)", "(2, 3)", "(2,3,)"; Python 2's "3L" too. */
static int hshape(npy_hdr *x, slong *dims, int *ndim)
{
    *ndim = 0;
    if (x->i >= x->n)
        return hend(x);
    if (!hat(x, '('))
        return hfail(x, x->i, "expected a tuple for 'shape'");
    x->i++;
    for (;;) {
        size_t start;
        slong v = 0;
        hskip(x);
        if (hat(x, ')'))
            break;
        if (x->i >= x->n)
            return hend(x);
        start = x->i;
        while (x->i < x->n && x->h[x->i] >= '0' && x->h[x->i] <= '9') {
            if (v > (WORD(1) << 58))
                return hfail(x, start, "dimension too large");
            v = 10 * v + (x->h[x->i] - '0');
            x->i++;
        }
        if (x->i == start)
            return hfail(x, start, "expected a non-negative integer in 'shape'");
        if (hat(x, 'L') || hat(x, 'l'))
            x->i++;
        if (*ndim >= NPY_MAXDIM)
            return hfail(x, start, "too many dimensions");
        dims[(*ndim)++] = v;
        hskip(x);
        if (hat(x, ','))
            x->i++;
        else if (!hat(x, ')'))
            return x->i >= x->n ? hend(x) : hfail(x, x->i, "expected ',' or ')' in 'shape'");
    }
    x->i++;
    return 0;
}

typedef struct {
    char descr[32];
    int fortran;
    slong dims[NPY_MAXDIM];
    int ndim;
    size_t descr_at, fortran_at, shape_at; /* offsets of the values, for messages */
} npy_info;

/* Parses the dictionary literal: keys in any order, each once, optional trailing comma,
   whitespace anywhere between tokens and as padding after the closing brace. */
static int hdict(npy_info *info, npy_hdr *x)
{
    int seen[3] = {0, 0, 0}, rc;
    char key[32];

    hskip(x);
    if (x->i >= x->n)
        return hfail(x, x->i, "empty header (expected a dictionary)");
    if (!hat(x, '{'))
        return hfail(x, x->i, "expected '{' at the start of the header dictionary");
    x->i++;
    for (;;) {
        size_t key_at;
        int k;
        hskip(x);
        if (hat(x, '}'))
            break;
        key_at = x->i;
        if ((rc = hstring(x, key, sizeof key)) != 0)
            return rc;
        if (strcmp(key, "descr") == 0)
            k = 0;
        else if (strcmp(key, "fortran_order") == 0)
            k = 1;
        else if (strcmp(key, "shape") == 0)
            k = 2;
        else
            return hfail(x, key_at, "unexpected key '%s' (expected 'descr', 'fortran_order', 'shape')",
                         key);
        if (seen[k])
            return hfail(x, key_at, "key '%s' appears twice", key);
        seen[k] = 1;
        hskip(x);
        if (!hat(x, ':'))
            return x->i >= x->n ? hend(x) : hfail(x, x->i, "expected ':' after '%s'", key);
        x->i++;
        hskip(x);
        if (k == 0) {
            info->descr_at = x->i;
            if (hat(x, '['))
                return hfail(x, x->i, "structured dtypes are not supported (expected '<f8', '>f8', "
                                      "'<f4' or '>f4')");
            rc = hstring(x, info->descr, sizeof info->descr);
        } else if (k == 1) {
            info->fortran_at = x->i;
            rc = hbool(x, &info->fortran);
        } else {
            info->shape_at = x->i;
            rc = hshape(x, info->dims, &info->ndim);
        }
        if (rc != 0)
            return rc;
        hskip(x);
        if (hat(x, ','))
            x->i++;
        else if (!hat(x, '}'))
            return x->i >= x->n ? hend(x) : hfail(x, x->i, "expected ',' or '}' in the header");
    }
    x->i++;
    hskip(x);
    if (x->i < x->n)
        return hfail(x, x->i, "unexpected character after the header dictionary");
    if (!seen[0] || !seen[1] || !seen[2])
        return hfail(x, 0, "header lacks the key '%s'",
                     !seen[0] ? "descr" : !seen[1] ? "fortran_order" : "shape");
    return 0;
}

static void shape_str(char *buf, size_t n, const slong *dims, int ndim)
{
    size_t k = 0;
    int j;
    k += (size_t)snprintf(buf, n, "(");
    for (j = 0; j < ndim && k < n; j++)
        k += (size_t)snprintf(buf + k, n - k, "%s%ld", j ? ", " : "", (long)dims[j]);
    if (k < n)
        snprintf(buf + k, n - k, "%s)", ndim == 1 ? "," : "");
}

/* What npy_read reads: a table, or one value per response (scores: finite; probabilities:
   finite and >= 0). */
enum { NPY_TABLE = 0, NPY_SCORES, NPY_PROBS };

/* Checks dtype, order and shape against the space (a table, or with scores one value per
   response: (Y,) for one prompt, (P, Y)); sets the item size and byte order. */
static int hcheck(size_t *isz, int *big, const npy_info *info, const ae_space_t sp, slong Y, int scores,
                  npy_hdr *x)
{
    const char *d = info->descr;
    char got[160], name[64];
    int ok;

    if (strlen(d) == 3 && d[1] == 'f' && (d[2] == '8' || d[2] == '4')) {
        if (d[0] == '=' || d[0] == '|')
            return hfail(x, info->descr_at, "dtype '%s': byte order '%c' is ambiguous for a "
                                            "multi-byte type (expected '<' or '>')", d, d[0]);
        if (d[0] != '<' && d[0] != '>')
            return hfail(x, info->descr_at, "unsupported dtype '%s' (expected '<f8', '>f8', "
                                            "'<f4' or '>f4')", d);
        *big = d[0] == '>';
        *isz = d[2] == '8' ? 8 : 4;
    } else {
        return hfail(x, info->descr_at, "unsupported dtype '%s' (expected '<f8', '>f8', '<f4' "
                                        "or '>f4')", d);
    }
    if (info->fortran)
        return hfail(x, info->fortran_at, "fortran_order True is not supported (expected C order)");

    if (scores) {
        const char *what = scores == NPY_PROBS ? "probability" : "score";
        ok = (info->ndim == 2 && info->dims[0] == sp->P && info->dims[1] == Y) ||
             (info->ndim == 1 && sp->P == 1 && info->dims[0] == Y);
        if (!ok) {
            shape_str(got, sizeof got, info->dims, info->ndim);
            ae_space_name(name, sizeof name, sp);
            if (sp->P == 1)
                return hfail(x, info->shape_at, "shape %s does not match space %s with 1 prompt: "
                                                "expected one %s per response, (%ld,) or (1, %ld)",
                             got, name, what, (long)Y, (long)Y);
            return hfail(x, info->shape_at, "shape %s does not match space %s with %ld prompts: "
                                            "expected one %s per response, (P, Y) = (%ld, %ld)",
                         got, name, (long)sp->P, what, (long)sp->P, (long)Y);
        }
        return 0;
    }
    if (info->ndim == 3)
        ok = info->dims[0] == sp->P && info->dims[1] == sp->S && info->dims[2] == sp->A;
    else
        ok = info->ndim == 2 && sp->P == 1 && info->dims[0] == sp->S && info->dims[1] == sp->A;
    if (!ok) {
        shape_str(got, sizeof got, info->dims, info->ndim);
        ae_space_name(name, sizeof name, sp);
        if (sp->P == 1)
            return hfail(x, info->shape_at, "shape %s does not match space %s with 1 prompt: "
                                            "expected (S, A) = (%ld, %ld) or (1, %ld, %ld)",
                         got, name, (long)sp->S, (long)sp->A, (long)sp->S, (long)sp->A);
        return hfail(x, info->shape_at, "shape %s does not match space %s with %ld prompts: "
                                        "expected (P, S, A) = (%ld, %ld, %ld)",
                     got, name, (long)sp->P, (long)sp->P, (long)sp->S, (long)sp->A);
    }
    return 0;
}

/* ------------------------------------------------------------ reader */

static double npy_decode(const unsigned char *b, size_t isz, int big)
{
    size_t k;
    if (isz == 8) {
        uint64_t u = 0;
        double v;
        for (k = 0; k < 8; k++)
            u = (u << 8) | b[big ? k : 7 - k];
        memcpy(&v, &u, 8);
        return v;
    } else {
        uint32_t u = 0;
        float v;
        for (k = 0; k < 4; k++)
            u = (u << 8) | b[big ? k : 3 - k];
        memcpy(&v, &u, 4);
        return (double)v; /* exact */
    }
}

/* Names response `rank` of prompt p for messages: `prompt 0, response "1 0" (rank 3)`. */
static void response_name(char *buf, size_t n, const ae_space_t sp, slong p, slong rank)
{
    char tokens[AE_IO_PREFIX_MAX + 8];
    _ae_io_response(tokens, sp, rank);
    snprintf(buf, n, "prompt %ld, response \"%s\" (rank %ld)", (long)p, tokens, (long)rank);
}

static int npy_read(ae_table_t t, arb_ptr scores, int want_scores, const ae_space_t sp, FILE *in,
                    const char *path, double mask_below, ae_err_t err);

int _ae_npy_read(ae_table_t t, const ae_space_t sp, FILE *in, const char *path, double mask_below,
                 ae_err_t err)
{
    return npy_read(t, NULL, 0, sp, in, path, mask_below, err);
}

int _ae_npy_read_scores(arb_ptr scores, const ae_space_t sp, FILE *in, const char *path, ae_err_t err)
{
    return npy_read(NULL, scores, NPY_SCORES, sp, in, path, -INFINITY, err);
}

int _ae_npy_read_probs(arb_ptr probs, const ae_space_t sp, FILE *in, const char *path, ae_err_t err)
{
    return npy_read(NULL, probs, NPY_PROBS, sp, in, path, -INFINITY, err);
}

static int npy_truncated(ae_err_t err, const char *path, slong at, slong nvals, size_t isz, slong data_start)
{
    return npy_fail(err, path, at, "data truncated: the file ends here, but the header declares %ld values "
                                   "of %lu bytes from byte %ld to byte %ld", (long)nvals, (unsigned long)isz,
                    (long)data_start, (long)(data_start + nvals * (slong)isz));
}

/* The next value of the data section, read in chunks of n bytes into buf; a short read is
   named by its byte offset. */
static int next_value(double *v, unsigned char *buf, size_t n, size_t *pos, size_t *fill,
                      slong *consumed, size_t isz, int big, slong nvals, slong data_start, FILE *in,
                      const char *path, ae_err_t err)
{
    slong nbytes = nvals * (slong)isz;
    if (*pos == *fill) {
        size_t want = (size_t)(nbytes - *consumed), got;
        if (want > n)
            want = n;
        got = fread(buf, 1, want, in);
        if (got < want)
            return ferror(in) ? npy_ioerr(err, path)
                              : npy_truncated(err, path, data_start + *consumed + (slong)got, nvals, isz,
                                              data_start);
        *consumed += (slong)got;
        *pos = 0;
        *fill = got;
    }
    *v = npy_decode(buf + *pos, isz, big);
    *pos += isz;
    return 0;
}

/* Reads the preamble and header of in and checks them against sp (a table, or with
   want_scores one score per response); sets where the data starts, the item size and the byte
   order. */
static int npy_header(slong *data_start, size_t *isz, int *big, const ae_space_t sp, int want_scores, FILE *in,
                      const char *path, ae_err_t err)
{
    unsigned char pre[12];
    unsigned char *h = NULL;
    size_t got, lenbytes, hstart, hlen, have, k;
    npy_info info;
    npy_hdr x;
    int rc = 0;
    slong Y = want_scores ? fmpz_get_si(sp->responses) : 0;

    memset(&info, 0, sizeof info);
    *isz = 8;
    *big = 0;
    got = fread(pre, 1, 8, in);
    if (got < 8 && ferror(in))
        return npy_ioerr(err, path);
    if (got == 0)
        return npy_fail(err, path, 0, "empty file (expected a NumPy .npy file)");
    for (k = 0; k < got && k < 6; k++)
        if (pre[k] != npy_magic[k])
            return npy_fail(err, path, (slong)k, "not a NumPy .npy file (bad magic string, "
                                                 "expected \\x93NUMPY)");
    if (got < 8)
        return npy_fail(err, path, (slong)got, "file ends inside the .npy preamble");
    if ((pre[6] != 1 && pre[6] != 2 && pre[6] != 3) || pre[7] != 0)
        return npy_fail(err, path, 6, "unsupported .npy format version %d.%d (expected 1.0, 2.0 "
                                      "or 3.0)", pre[6], pre[7]);
    lenbytes = pre[6] == 1 ? 2 : 4;
    got = fread(pre + 8, 1, lenbytes, in);
    if (got < lenbytes)
        return ferror(in) ? npy_ioerr(err, path)
                          : npy_fail(err, path, (slong)(8 + got), "file ends inside the header length");
    hlen = 0;
    for (k = lenbytes; k > 0; k--)
        hlen = (hlen << 8) | pre[8 + k - 1];
    hstart = 8 + lenbytes;

    /* Read the header in pieces: a length field pointing far past the end of the file must be
       reported as such, not turned into a huge allocation. */
    have = 0;
    while (have < hlen) {
        size_t step = hlen - have;
        if (step > 65536)
            step = 65536;
        if (have + step > NPY_HEADER_MAX)
            step = NPY_HEADER_MAX - have;
        if (step == 0) {
            rc = npy_fail(err, path, 8, "header length %lu is too large (at most %d bytes "
                                        "supported)", (unsigned long)hlen, NPY_HEADER_MAX);
            goto done;
        }
        h = ae_realloc(h, have + step);
        got = fread(h + have, 1, step, in);
        have += got;
        if (got < step) {
            if (ferror(in))
                rc = npy_ioerr(err, path);
            else
                rc = npy_fail(err, path, 8, "header length %lu points past the end of the file "
                                            "(the header would end at byte %lu, the file ends at "
                                            "byte %lu)", (unsigned long)hlen,
                              (unsigned long)(hstart + hlen), (unsigned long)(hstart + have));
            goto done;
        }
    }

    x.h = h;
    x.n = hlen;
    x.i = 0;
    x.base = (slong)hstart;
    x.path = path;
    x.err = err;
    if ((rc = hdict(&info, &x)) != 0 || (rc = hcheck(isz, big, &info, sp, Y, want_scores, &x)) != 0)
        goto done;
    *data_start = (slong)(hstart + hlen);
done:
    free(h);
    return rc;
}

/* A table (t), or with want_scores one score per response (scores, P*Y); both NULL: a probe.
   Finite values <= mask_below at masked table entries are read as -inf. */
static int npy_read(ae_table_t t, arb_ptr scores, int want_scores, const ae_space_t sp, FILE *in,
                    const char *path, double mask_below, ae_err_t err)
{
    unsigned char buf[NPY_CHUNK];
    size_t isz = 8, pos, fill;
    slong data_start = 0, nbytes, consumed, idx, p, s, a, d;
    int big = 0, rc = 0, c;
    slong Y = want_scores ? fmpz_get_si(sp->responses) : 0, nvals;

    AE_ASSERT(t == NULL || (t->P == sp->P && t->S == sp->S && t->A == sp->A));
    if ((rc = npy_header(&data_start, &isz, &big, sp, want_scores, in, path, err)) != 0)
        return rc;
    nvals = want_scores ? sp->P * Y : sp->P * sp->S * sp->A;
    nbytes = nvals * (slong)isz;
    if (t == NULL && scores == NULL) { /* probe: the data must be all there before tables are allocated for it */
        struct stat stt;
        if (fstat(fileno(in), &stt) == 0 && S_ISREG(stt.st_mode) && stt.st_size < data_start + nbytes)
            rc = npy_truncated(err, path, (slong)stt.st_size, nvals, isz, data_start);
        goto done;
    }
    consumed = 0;
    pos = fill = 0;
    if (want_scores) {
        for (idx = 0; idx < nvals; idx++) {
            double v;
            if ((rc = next_value(&v, buf, sizeof buf, &pos, &fill, &consumed, isz, big, nvals, data_start,
                                 in, path, err)) != 0)
                goto done;
            if (!isfinite(v) || (want_scores == NPY_PROBS && v < 0)) {
                char where[AE_IO_PREFIX_MAX + 80];
                response_name(where, sizeof where, sp, idx / Y, idx % Y);
                if (isfinite(v))
                    rc = npy_fail(err, path, data_start + idx * (slong)isz, "negative value %.17g at %s "
                                  "(a probability must be >= 0)", v, where);
                else
                    rc = npy_fail(err, path, data_start + idx * (slong)isz, "%s at %s (a %s must be "
                                  "finite)", isnan(v) ? "NaN" : v < 0 ? "-inf" : "+inf", where,
                                  want_scores == NPY_PROBS ? "probability" : "score");
                goto done;
            }
            arb_set_d(scores + idx, v); /* exact */
        }
        goto tail;
    }
    idx = 0;
    for (p = 0; p < sp->P; p++) {
        d = 0;
        for (s = 0; s < sp->S; s++) {
            if (s == sp->first[d + 1])
                d++;
            for (a = 0; a < sp->A; a++, idx++) {
                arb_ptr e = ae_table_entry(t, p, s, a);
                const char *why;
                double v;
                int cls;
                if ((rc = next_value(&v, buf, sizeof buf, &pos, &fill, &consumed, isz, big, nvals,
                                     data_start, in, path, err)) != 0)
                    goto done;
                cls = isnan(v) ? AE_IO_NAN : isinf(v) ? (v < 0 ? AE_IO_NEG_INF : AE_IO_POS_INF)
                                                      : AE_IO_FINITE;
                if (cls == AE_IO_FINITE && v <= mask_below && !ae_space_allowed(sp, d, a))
                    cls = AE_IO_NEG_INF; /* a mask written as a large negative number */
                why = _ae_io_value_error(ae_space_allowed(sp, d, a), cls);
                if (why != NULL) {
                    char where[AE_IO_PREFIX_MAX + 64];
                    _ae_io_entry_name(where, sizeof where, sp, p, s, a);
                    rc = npy_fail(err, path, data_start + idx * (slong)isz, "%s at %s", why, where);
                    goto done;
                }
                if (cls == AE_IO_NEG_INF)
                    arb_neg_inf(e);
                else
                    arb_set_d(e, v); /* exact: every float32/float64 is a dyadic */
            }
        }
    }
tail:
    c = fgetc(in);
    if (c != EOF)
        rc = npy_fail(err, path, data_start + nbytes, "unexpected data after the last value (the "
                                                      "header declares %ld bytes of data ending "
                                                      "here)", (long)nbytes);
    else if (ferror(in))
        rc = npy_ioerr(err, path);
done:
    return rc;
}

/* ------------------------------------------------------------ memory-mapped view */

int _ae_npy_map(ae_npy_view *v, const ae_space_t sp, const char *path, double mask_below, ae_err_t err)
{
    FILE *in;
    struct stat stt;
    slong data_start = 0, nvals = sp->P * sp->S * sp->A, nbytes, idx, p, s, a, d;
    size_t isz = 8;
    int big = 0, rc, native_f8;
    void *m;

    memset(v, 0, sizeof *v);
    in = fopen(path, "rb");
    if (in == NULL)
        return ae_err_set(err, AE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    if ((rc = npy_header(&data_start, &isz, &big, sp, 0, in, path, err)) != 0)
        goto done;
    nbytes = nvals * (slong)isz;
    if (fstat(fileno(in), &stt) != 0 || !S_ISREG(stt.st_mode)) {
        rc = 1; /* not a regular file: the caller reads it as a stream */
        goto done;
    }
    if (stt.st_size < data_start + nbytes) {
        rc = npy_truncated(err, path, (slong)stt.st_size, nvals, isz, data_start);
        goto done;
    }
#ifdef MAP_POPULATE
    /* every page is read: fault them in with one call rather than one fault per page */
    m = mmap(NULL, (size_t)stt.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fileno(in), 0);
#else
    m = mmap(NULL, (size_t)stt.st_size, PROT_READ, MAP_PRIVATE, fileno(in), 0);
#endif
    if (m == MAP_FAILED) {
        rc = 1;
        goto done;
    }
    (void)posix_madvise(m, (size_t)stt.st_size, POSIX_MADV_SEQUENTIAL);
    v->map = m;
    v->map_len = (size_t)stt.st_size;
    v->data = (const unsigned char *)m + data_start;
    v->isz = (int)isz;
    v->big = big;
    v->data_start = data_start;
    {
        const uint16_t one = 1;
        unsigned char lowbyte;
        memcpy(&lowbyte, &one, 1);
        native_f8 = isz == 8 && big == (lowbyte == 0); /* the host's own double */
    }
    /* the stream reader's value rules and messages, in its order; -inf at an unmasked entry is
       left to the caller (rc 1) */
    idx = 0;
    for (p = 0; p < sp->P; p++) {
        d = 0;
        for (s = 0; s < sp->S; s++) {
            if (s == sp->first[d + 1])
                d++;
            for (a = 0; a < sp->A; a++, idx++) {
                double x;
                int allowed = _ae_allowed(sp, d, a), cls;
                if (native_f8)
                    memcpy(&x, v->data + idx * 8, 8);
                else
                    x = npy_decode(v->data + idx * (slong)isz, isz, big);
                const char *why;
                if (allowed && isfinite(x))
                    continue;
                cls = isnan(x) ? AE_IO_NAN : isinf(x) ? (x < 0 ? AE_IO_NEG_INF : AE_IO_POS_INF) : AE_IO_FINITE;
                if (cls == AE_IO_FINITE && x <= mask_below && !allowed)
                    cls = AE_IO_NEG_INF;
                if (allowed && cls == AE_IO_NEG_INF) {
                    rc = 1;
                    goto unmap;
                }
                why = _ae_io_value_error(allowed, cls);
                if (why != NULL) {
                    char where[AE_IO_PREFIX_MAX + 64];
                    _ae_io_entry_name(where, sizeof where, sp, p, s, a);
                    rc = npy_fail(err, path, data_start + idx * (slong)isz, "%s at %s", why, where);
                    goto unmap;
                }
            }
        }
    }
    if (stt.st_size > data_start + nbytes) {
        rc = npy_fail(err, path, data_start + nbytes, "unexpected data after the last value (the "
                                                      "header declares %ld bytes of data ending "
                                                      "here)", (long)nbytes);
        goto unmap;
    }
    goto done;
unmap:
    _ae_npy_unmap(v);
done:
    fclose(in);
    return rc;
}

void _ae_npy_unmap(ae_npy_view *v)
{
    if (v->map != NULL)
        munmap(v->map, v->map_len);
    memset(v, 0, sizeof *v);
}

/* ------------------------------------------------------------ writer */

static void npy_encode_le(unsigned char *b, double v)
{
    uint64_t u;
    int k;
    memcpy(&u, &v, 8);
    for (k = 0; k < 8; k++)
        b[k] = (unsigned char)(u >> (8 * k));
}

/* The preamble and header of a little-endian float64 C-order array of the given shape. */
static void npy_write_header(FILE *out, const slong *dims, int ndim)
{
    unsigned char pre[10];
    char dict[256], shape[160];
    size_t n, pad, hlen;
    int len;

    shape_str(shape, sizeof shape, dims, ndim);
    len = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }", shape);
    AE_ASSERT(len > 0 && (size_t)len < sizeof dict);
    n = (size_t)len;
    /* preamble (10) + dict + padding + '\n' is a multiple of 64, so the data is aligned */
    pad = (64 - (10 + n + 1) % 64) % 64;
    hlen = n + pad + 1;
    memcpy(pre, npy_magic, 6);
    pre[6] = 1;
    pre[7] = 0;
    pre[8] = (unsigned char)(hlen & 0xff);
    pre[9] = (unsigned char)(hlen >> 8);
    fwrite(pre, 1, 10, out);
    fwrite(dict, 1, n, out);
    for (; pad > 0; pad--)
        fputc(' ', out);
    fputc('\n', out);
}

int _ae_npy_write_vector(FILE *out, const double *v, slong P, slong Y)
{
    unsigned char buf[NPY_CHUNK];
    size_t fill = 0;
    slong dims[2], i;
    dims[0] = P;
    dims[1] = Y;
    if (P == 1)
        npy_write_header(out, dims + 1, 1);
    else
        npy_write_header(out, dims, 2);
    for (i = 0; i < P * Y; i++) {
        if (fill == sizeof buf) {
            fwrite(buf, 1, fill, out);
            fill = 0;
        }
        npy_encode_le(buf + fill, v[i]);
        fill += 8;
    }
    fwrite(buf, 1, fill, out);
    return ferror(out) ? -1 : 0;
}

int _ae_npy_write(FILE *out, const ae_table_t t, const ae_space_t sp)
{
    unsigned char buf[NPY_CHUNK];
    size_t fill = 0;
    slong p, s, a, d, dims[3];

    AE_ASSERT(t->P == sp->P && t->S == sp->S && t->A == sp->A);
    dims[0] = sp->P;
    dims[1] = sp->S;
    dims[2] = sp->A;
    if (sp->P == 1)
        npy_write_header(out, dims + 1, 2);
    else
        npy_write_header(out, dims, 3);

    for (p = 0; p < sp->P; p++) {
        d = 0;
        for (s = 0; s < sp->S; s++) {
            if (s == sp->first[d + 1])
                d++;
            for (a = 0; a < sp->A; a++) {
                double v = ae_space_allowed(sp, d, a)
                               ? arf_get_d(arb_midref(ae_table_entry(t, p, s, a)), ARF_RND_NEAR)
                               : -INFINITY;
                if (fill == sizeof buf) {
                    fwrite(buf, 1, fill, out);
                    fill = 0;
                }
                npy_encode_le(buf + fill, v);
                fill += 8;
            }
        }
    }
    fwrite(buf, 1, fill, out);
    return ferror(out) ? -1 : 0;
}
