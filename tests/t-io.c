/* Tests of table files (src/io): write/read round trips in both formats, the exact bytes the
   writers produce, hand-built .npy files of every dtype and version, CSV forms, and every kind
   of malformed input (code, file name and location in the message). Expected bytes and values
   are built here by hand, never by the code under test. */
#include <config.h>
#include "testlib.h"
#include "ae-impl.h"
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <float.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>

/* ------------------------------------------------------------ helpers */

static uint64_t rng;

static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* finite doubles favouring corners: zero, dyadics, subnormals, extremes, any exponent */
static double rnd_double(void)
{
    double sign = (rnd() & 1) ? -1.0 : 1.0;
    switch (rnd() % 8) {
    case 0:
        return 0.0;
    case 1:
        return (double)((int)(rnd() % 1025) - 512) / 256;
    case 2:
        return sign * ldexp((double)(rnd() >> 11), (int)(rnd() % 2000) - 1126);
    case 3: {
        static const double corner[] = {5e-324, DBL_MIN, DBL_MAX, 1.0, 0.1, 1e-300, 1e300};
        return sign * corner[rnd() % 7];
    }
    default:
        return sign * ldexp(1.0 + (double)(rnd() >> 12) * 0x1p-52, (int)(rnd() % 200) - 100);
    }
}

/* dyadics k / 2^20: at most 27 significant decimal digits */
static double rnd_dyadic(void)
{
    return ldexp((double)((int64_t)(rnd() % (UINT64_C(1) << 41)) - (INT64_C(1) << 40)), -20);
}

static void space(ae_space_t sp, ae_space_kind kind, slong V, slong T, slong P)
{
    ae_err_t err;
    ae_err_init(err);
    ck_assert_int_eq(ae_space_init(sp, kind, V, T, P, err), 0);
}

static char *tmpname(const char *tag)
{
    return ae_test_tmpname("t-io", tag);
}

static void put_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

static void put_text(const char *path, const char *s)
{
    put_file(path, s, strlen(s));
}

static unsigned char *get_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *b;
    long len;
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc((size_t)len + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
    b[len] = 0;
    fclose(f);
    *n = (size_t)len;
    return b;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* mask by the definition: tokens at depth T-1 of the variable-length space */
static int masked(const ae_space_t sp, slong s, slong a)
{
    slong last = 0, p = 1, d;
    for (d = 0; d + 1 < sp->T; d++) { /* first index of depth T-1 */
        last += p;
        p *= sp->V;
    }
    return sp->kind == AE_EOS && s >= last && a < sp->V;
}

/* prefix of state s written as tokens, computed here from the layout of DESIGN.md */
static void prefix_of(char *buf, const ae_space_t sp, slong s)
{
    slong first = 0, p = 1, d = 0, off, tok[AE_T_MAX], i;
    while (s >= first + p) {
        first += p;
        p *= sp->V;
        d++;
    }
    off = s - first;
    for (i = d - 1; i >= 0; i--) {
        tok[i] = off % sp->V;
        off /= sp->V;
    }
    buf[0] = 0;
    for (i = 0; i < d; i++)
        sprintf(buf + strlen(buf), "%s%ld", i ? " " : "", (long)tok[i]);
}

/* fills every unmasked entry from gen; vals gets the doubles, -inf at masked entries */
static void fill(ae_table_t t, double *vals, const ae_space_t sp, double (*gen)(void))
{
    slong p, s, a, i = 0;
    for (p = 0; p < sp->P; p++)
        for (s = 0; s < sp->S; s++)
            for (a = 0; a < sp->A; a++, i++) {
                if (masked(sp, s, a)) {
                    vals[i] = -INFINITY;
                    arb_neg_inf(ae_table_entry(t, p, s, a));
                } else {
                    vals[i] = gen();
                    arb_set_d(ae_table_entry(t, p, s, a), vals[i]);
                }
            }
}

static void assert_is_d(const arb_t x, double v, const char *what, slong i)
{
    arb_t y;
    arb_init(y);
    if (v == -INFINITY)
        arb_neg_inf(y);
    else
        arb_set_d(y, v);
    ck_assert_msg(arb_equal(x, y), "%s: entry %ld: expected %.17g (seed %llu)", what, (long)i, v,
                  (unsigned long long)ae_test_seed());
    arb_clear(y);
}

static int read_table(ae_table_t t, const ae_space_t sp, const char *path, slong prec, ae_err_t err)
{
    ae_err_init(err);
    return ae_table_read(t, sp, path, prec, err);
}

/* Reading path must fail with code and a one-line message "path<where>..." holding what. */
static void expect_fail(const ae_space_t sp, const char *path, int code, const char *where,
                        const char *what)
{
    ae_table_t t;
    ae_err_t err;
    size_t n = strlen(path);
    int rc;

    ae_table_init(t, sp);
    rc = read_table(t, sp, path, 128, err);
    ck_assert_msg(rc == code && err->code == code, "%s: rc %d, expected %d; message: %s", path, rc,
                  code, err->msg);
    ck_assert_msg(strncmp(err->msg, path, n) == 0 && strncmp(err->msg + n, where, strlen(where)) == 0,
                  "message '%s' does not start with the path and '%s'", err->msg, where);
    ck_assert_msg(what == NULL || strstr(err->msg, what) != NULL, "message '%s' lacks '%s'",
                  err->msg, what);
    ck_assert_msg(strchr(err->msg, '\n') == NULL, "message is not one line: %s", err->msg);
    if (getenv("AE_TEST_VERBOSE")) /* to review the wording of every message */
        fprintf(stderr, "%s\n", err->msg);
    ae_table_clear(t);
}

/* ------------------------------------------------------------ hand-built .npy files */

typedef struct {
    unsigned char *b;
    size_t n, cap;
} bytes;

static void bput(bytes *x, const void *p, size_t n)
{
    if (x->n + n > x->cap) {
        x->cap = 2 * (x->n + n) + 64;
        x->b = realloc(x->b, x->cap);
        ck_assert_ptr_nonnull(x->b);
    }
    memcpy(x->b + x->n, p, n);
    x->n += n;
}

static void bputc(bytes *x, int c)
{
    unsigned char u = (unsigned char)c;
    bput(x, &u, 1);
}

/* v as float64 (isz 8) or float32 (isz 4), little- or big-endian */
static void bput_val(bytes *x, double v, int isz, int big)
{
    unsigned char b[8];
    int k;
    if (isz == 8) {
        uint64_t u;
        memcpy(&u, &v, 8);
        for (k = 0; k < 8; k++)
            b[k] = (unsigned char)(u >> (8 * (big ? 7 - k : k)));
    } else {
        float f = (float)v;
        uint32_t u;
        memcpy(&u, &f, 4);
        for (k = 0; k < 4; k++)
            b[k] = (unsigned char)(u >> (8 * (big ? 3 - k : k)));
    }
    bput(x, b, (size_t)isz);
}

/* Preamble and header: dict, spaces up to a multiple of align (0: none), '\n'. Returns the
   offset of the data. */
static size_t npy_head(bytes *x, int major, const char *dict, size_t align)
{
    size_t lb = major == 1 ? 2 : 4, n = strlen(dict) + 1, pad, hlen, k;
    pad = align ? (align - (8 + lb + n) % align) % align : 0;
    hlen = n + pad;
    bput(x, "\x93NUMPY", 6);
    bputc(x, major);
    bputc(x, 0);
    for (k = 0; k < lb; k++)
        bputc(x, (int)((hlen >> (8 * k)) & 0xff));
    bput(x, dict, strlen(dict));
    for (k = 0; k < pad; k++)
        bputc(x, ' ');
    bputc(x, '\n');
    return x->n;
}

static const char dict32[] = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }";

/* A valid float64 file for F(2,2), P = 1 (S = 3, A = 2) holding 0.5, 1.5, ..., 5.5. */
static size_t npy_f22(bytes *x)
{
    size_t ds = npy_head(x, 1, dict32, 64);
    int i;
    for (i = 0; i < 6; i++)
        bput_val(x, i + 0.5, 8, 0);
    return ds;
}

/* offset in the file of the first occurrence of needle in the header */
static slong hoff(const bytes *x, const char *needle)
{
    size_t i, n = strlen(needle);
    for (i = 0; i + n <= x->n; i++)
        if (memcmp(x->b + i, needle, n) == 0)
            return (slong)i;
    ck_abort_msg("needle %s not in file", needle);
    return -1;
}

/* ------------------------------------------------------------ CSV files as lines */

typedef struct {
    char **v;
    slong n;
} lines;

static void lines_add(lines *L, const char *s)
{
    L->v = realloc(L->v, (size_t)(L->n + 1) * sizeof(char *));
    L->v[L->n++] = strdup(s);
}

/* header plus one row per entry in canonical order; value "(i+1)/4" written as a decimal */
static void csv_canonical(lines *L, const ae_space_t sp, int with_masked)
{
    char row[1024], pre[512], act[32];
    slong p, s, a, i = 0;
    L->v = NULL;
    L->n = 0;
    lines_add(L, "prompt,prefix,action,value");
    for (p = 0; p < sp->P; p++)
        for (s = 0; s < sp->S; s++)
            for (a = 0; a < sp->A; a++, i++) {
                prefix_of(pre, sp, s);
                if (a == sp->V)
                    strcpy(act, "EOS");
                else
                    sprintf(act, "%ld", (long)a);
                if (masked(sp, s, a)) {
                    if (!with_masked)
                        continue;
                    sprintf(row, "%ld,%s,%s,-inf", (long)p, pre, act);
                } else {
                    sprintf(row, "%ld,%s,%s,%.2f", (long)p, pre, act, (double)(i + 1) / 4);
                }
                lines_add(L, row);
            }
}

/* 1-based line numbers, as in the messages */
static void lines_set(lines *L, slong k, const char *s)
{
    free(L->v[k - 1]);
    L->v[k - 1] = strdup(s);
}

static void lines_del(lines *L, slong k)
{
    free(L->v[k - 1]);
    memmove(L->v + k - 1, L->v + k, (size_t)(L->n - k) * sizeof(char *));
    L->n--;
}

static void lines_ins(lines *L, slong k, const char *s)
{
    char *q;
    lines_add(L, s);
    q = L->v[L->n - 1];
    memmove(L->v + k, L->v + k - 1, (size_t)(L->n - k) * sizeof(char *));
    L->v[k - 1] = q;
}

static void lines_save(const lines *L, const char *path, const char *eol, int final_eol)
{
    FILE *f = fopen(path, "wb");
    slong k;
    ck_assert_ptr_nonnull(f);
    for (k = 0; k < L->n; k++)
        fprintf(f, "%s%s", L->v[k], k + 1 < L->n || final_eol ? eol : "");
    ck_assert_int_eq(fclose(f), 0);
}

static void lines_clear(lines *L)
{
    slong k;
    for (k = 0; k < L->n; k++)
        free(L->v[k]);
    free(L->v);
    L->v = NULL;
    L->n = 0;
}

/* ------------------------------------------------------------ ae_table_write */

typedef struct {
    ae_space_kind kind;
    slong V, T, P;
} shape;

static const shape rt_spaces[] = {
    {AE_FIXED, 3, 3, 1}, {AE_FIXED, 2, 3, 2}, {AE_EOS, 3, 3, 1}, {AE_EOS, 2, 2, 2},
    {AE_FIXED, 1, 1, 1}, {AE_EOS, 1, 1, 1},   {AE_EOS, 1, 4, 2},  {AE_FIXED, 4, 1, 3}};
#define N_RT (sizeof rt_spaces / sizeof rt_spaces[0])

START_TEST(test_npy_roundtrip)
{
    size_t k;
    char *path = tmpname("rt.npy");
    rng = ae_test_seed();
    for (k = 0; k < N_RT; k++) {
        ae_space_t sp;
        ae_table_t t, u;
        ae_err_t err;
        double *vals;
        slong i, n, it;
        space(sp, rt_spaces[k].kind, rt_spaces[k].V, rt_spaces[k].T, rt_spaces[k].P);
        n = sp->P * sp->S * sp->A;
        vals = malloc((size_t)n * sizeof(double));
        ae_table_init(t, sp);
        ae_table_init(u, sp);
        for (it = 0; it < ae_test_iters(3); it++) {
            fill(t, vals, sp, rnd_double);
            ae_err_init(err);
            ck_assert_int_eq(ae_table_write(path, t, sp, 17, err), 0);
            ck_assert_int_eq(read_table(u, sp, path, 64, err), 0);
            for (i = 0; i < n; i++)
                assert_is_d(u->v + i, vals[i], "npy round trip", i);
        }
        ae_table_clear(t);
        ae_table_clear(u);
        ae_space_clear(sp);
        free(vals);
    }
    unlink(path);
    free(path);
}
END_TEST

/* 10^(e-16): one unit in the 17th significant digit of x, e taken from the C library */
static void unit17(arb_t u, double x, slong prec)
{
    char buf[64];
    int e;
    fmpz_t p;
    snprintf(buf, sizeof buf, "%.16e", x);
    e = atoi(strchr(buf, 'e') + 1) - 16;
    fmpz_init(p);
    fmpz_ui_pow_ui(p, 10, (ulong)(e < 0 ? -e : e));
    arb_set_fmpz(u, p);
    if (e < 0) {
        arb_one(u);
        arb_div_fmpz(u, u, p, prec);
    }
    fmpz_clear(p);
}

START_TEST(test_csv_roundtrip)
{
    size_t k;
    char *path = tmpname("rt.csv");
    arb_t diff, unit, x;
    arb_init(diff);
    arb_init(unit);
    arb_init(x);
    rng = ae_test_seed() + 1;
    for (k = 0; k < N_RT; k++) {
        ae_space_t sp;
        ae_table_t t, u;
        ae_err_t err;
        double *vals;
        slong i, n, it;
        space(sp, rt_spaces[k].kind, rt_spaces[k].V, rt_spaces[k].T, rt_spaces[k].P);
        n = sp->P * sp->S * sp->A;
        vals = malloc((size_t)n * sizeof(double));
        ae_table_init(t, sp);
        ae_table_init(u, sp);
        for (it = 0; it < ae_test_iters(3); it++) {
            /* 17 digits: within one unit of the 17th digit, and back to the same double */
            fill(t, vals, sp, rnd_double);
            ae_err_init(err);
            ck_assert_int_eq(ae_table_write(path, t, sp, 17, err), 0);
            ck_assert_int_eq(read_table(u, sp, path, 128, err), 0);
            for (i = 0; i < n; i++) {
                if (vals[i] == -INFINITY) {
                    assert_is_d(u->v + i, vals[i], "csv masked", i);
                    continue;
                }
                arb_set_d(x, vals[i]);
                arb_sub(diff, u->v + i, x, 256);
                arb_abs(diff, diff);
                unit17(unit, vals[i], 256);
                ck_assert_msg(vals[i] == 0 ? arb_is_zero(u->v + i) : arb_le(diff, unit),
                              "csv 17 digits: entry %ld: %.17g not within one unit (seed %llu)",
                              (long)i, vals[i], (unsigned long long)ae_test_seed());
                ck_assert_msg(arf_get_d(arb_midref(u->v + i), ARF_RND_NEAR) == vals[i],
                              "csv 17 digits: entry %ld: %.17g does not round-trip", (long)i, vals[i]);
            }
            /* 40 digits: dyadics come back exactly */
            fill(t, vals, sp, rnd_dyadic);
            ck_assert_int_eq(ae_table_write(path, t, sp, 40, err), 0);
            ck_assert_int_eq(read_table(u, sp, path, 256, err), 0);
            for (i = 0; i < n; i++)
                assert_is_d(u->v + i, vals[i], "csv 40 digits", i);
        }
        ae_table_clear(t);
        ae_table_clear(u);
        ae_space_clear(sp);
        free(vals);
    }
    arb_clear(diff);
    arb_clear(unit);
    arb_clear(x);
    unlink(path);
    free(path);
}
END_TEST

/* Beyond double: 1/3 at 300 bits written with 40 digits comes back within 10^-40. */
START_TEST(test_csv_precision)
{
    char *path = tmpname("third.csv");
    ae_space_t sp;
    ae_table_t t, u;
    ae_err_t err;
    arb_t d, tol;
    space(sp, AE_FIXED, 1, 1, 1);
    ae_table_init(t, sp);
    ae_table_init(u, sp);
    arb_init(d);
    arb_init(tol);
    arb_set_ui(t->v, 1);
    arb_div_ui(t->v, t->v, 3, 300);
    ae_err_init(err);
    ck_assert_int_eq(ae_table_write(path, t, sp, 40, err), 0);
    ck_assert_int_eq(read_table(u, sp, path, 300, err), 0);
    arb_sub(d, u->v, t->v, 300);
    arb_abs(d, d);
    arb_set_str(tol, "1e-40", 300);
    ck_assert(arb_le(d, tol));
    arb_set_str(tol, "1e-42", 300);
    ck_assert(arb_gt(d, tol)); /* and really only 40 digits were kept */
    arb_clear(d);
    arb_clear(tol);
    ae_table_clear(t);
    ae_table_clear(u);
    ae_space_clear(sp);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_npy_write_bytes)
{
    char *path = tmpname("bytes.npy");
    static const char want32[] = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }";
    static const char want233[] = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3, 3), }";
    ae_space_t sp;
    ae_table_t t;
    ae_err_t err;
    unsigned char *b;
    size_t n, hlen, i;
    bytes x = {NULL, 0, 0};
    slong P;

    for (P = 1; P <= 2; P++) {
        const char *want = P == 1 ? want32 : want233;
        space(sp, AE_EOS, 2, 2, P); /* states root, (0), (1); columns 0, 1, EOS */
        ae_table_init(t, sp);
        for (i = 0; i < (size_t)(P * 9); i++)
            if (!masked(sp, (slong)(i / 3) % 3, (slong)(i % 3)))
                arb_set_d(t->v + i, (double)i - 2.25);
        /* midpoints rounded to nearest: pi; 1 + 2^-53, a tie, to even; just above that tie */
        arb_const_pi(t->v + 0, 200);
        arb_one(t->v + 1);
        arb_mul_2exp_si(t->v + 1, t->v + 1, -53);
        arb_add_ui(t->v + 1, t->v + 1, 1, 200);
        arb_set_str(t->v + 2, "1.00000000000000011102230246251565404236316680908203125000001", 300);
        ae_err_init(err);
        ck_assert_int_eq(ae_table_write(path, t, sp, 17, err), 0);
        b = get_file(path, &n);
        ck_assert_int_eq(memcmp(b, "\x93NUMPY\x01\x00", 8), 0);
        hlen = b[8] | ((size_t)b[9] << 8);
        ck_assert_uint_eq((10 + hlen) % 64, 0);
        ck_assert_int_eq(memcmp(b + 10, want, strlen(want)), 0);
        for (i = 10 + strlen(want); i + 1 < 10 + hlen; i++)
            ck_assert_int_eq(b[i], ' ');
        ck_assert_int_eq(b[9 + hlen], '\n');
        ck_assert_uint_eq(n, 10 + hlen + (size_t)P * 9 * 8);
        x.n = 0;
        bput_val(&x, 3.141592653589793, 8, 0);
        bput_val(&x, 1.0, 8, 0);
        bput_val(&x, 1.0000000000000002, 8, 0);
        for (i = 3; i < (size_t)(P * 9); i++)
            bput_val(&x, masked(sp, (slong)(i / 3) % 3, (slong)(i % 3)) ? -INFINITY : (double)i - 2.25,
                     8, 0);
        ck_assert_int_eq(memcmp(b + 10 + hlen, x.b, x.n), 0);
        /* -inf is 0xfff0000000000000 little-endian */
        ck_assert_int_eq(memcmp(b + 10 + hlen + 3 * 8, "\0\0\0\0\0\0\xf0\xff", 8), 0);
        free(b);
        ae_table_clear(t);
        ae_space_clear(sp);
    }
    free(x.b);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_csv_write_bytes)
{
    static const char want[] = "prompt,prefix,action,value\n"
                               "0,,0,1.5000e+00\n"
                               "0,,1,-2.5000e-01\n"
                               "0,,EOS,3.0000e+00\n"
                               "0,0,0,-inf\n"
                               "0,0,1,-inf\n"
                               "0,0,EOS,1.0000e-03\n"
                               "0,1,0,-inf\n"
                               "0,1,1,-inf\n"
                               "0,1,EOS,0.0000e+00\n";
    static const char want_f[] = "prompt,prefix,action,value\n"
                                 "0,,0,1.2e-01\n"
                                 "0,,1,3.3e+00\n"
                                 "0,0,0,-1.0e+03\n"
                                 "0,0,1,1.0e+00\n"
                                 "0,1,0,3.3e-01\n"
                                 "0,1,1,-2.9e+300\n"
                                 "1,,0,0.0e+00\n"
                                 "1,,1,0.0e+00\n"
                                 "1,0,0,0.0e+00\n"
                                 "1,0,1,0.0e+00\n"
                                 "1,1,0,0.0e+00\n"
                                 "1,1,1,0.0e+00\n";
    char *path = tmpname("bytes.csv");
    ae_space_t sp;
    ae_table_t t;
    ae_err_t err;
    unsigned char *b;
    size_t n;

    space(sp, AE_EOS, 2, 2, 1);
    ae_table_init(t, sp);
    arb_set_d(ae_table_entry(t, 0, 0, 0), 1.5);
    arb_set_d(ae_table_entry(t, 0, 0, 1), -0.25);
    arb_set_d(ae_table_entry(t, 0, 0, 2), 3);
    arb_set_d(ae_table_entry(t, 0, 1, 2), 1e-3);
    arb_set_d(ae_table_entry(t, 0, 1, 0), 7); /* masked: written -inf whatever it holds */
    ae_err_init(err);
    ck_assert_int_eq(ae_table_write(path, t, sp, 5, err), 0);
    b = get_file(path, &n);
    ck_assert_str_eq((char *)b, want);
    free(b);
    ae_table_clear(t);
    ae_space_clear(sp);

    /* two significant digits, correctly rounded; ties to even (0.125 -> 1.2e-01) */
    space(sp, AE_FIXED, 2, 2, 2);
    ae_table_init(t, sp);
    arb_set_d(ae_table_entry(t, 0, 0, 0), 0.125);
    arb_set_d(ae_table_entry(t, 0, 0, 1), 3.2500001);
    arb_set_si(ae_table_entry(t, 0, 1, 0), -995); /* tie 9.9|5e2 -> even 1.0e+03 */
    arb_set_d(ae_table_entry(t, 0, 1, 1), 0.99999);
    arb_set_ui(ae_table_entry(t, 0, 2, 0), 1);
    arb_div_ui(ae_table_entry(t, 0, 2, 0), ae_table_entry(t, 0, 2, 0), 3, 200);
    arb_set_d(ae_table_entry(t, 0, 2, 1), -2.86e300);
    ck_assert_int_eq(ae_table_write(path, t, sp, 2, err), 0);
    b = get_file(path, &n);
    ck_assert_str_eq((char *)b, want_f);
    free(b);
    ae_table_clear(t);
    ae_space_clear(sp);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_write_failures)
{
    char *dir = tmpname("dir"), *path, *sub;
    ae_space_t sp;
    ae_table_t t;
    ae_err_t err;
    DIR *dh;
    struct dirent *de;
    int others = 0;

    space(sp, AE_EOS, 2, 2, 1);
    ae_table_init(t, sp);
    path = malloc(strlen(dir) + 64);
    sub = malloc(strlen(dir) + 64);

    /* a directory that does not exist */
    sprintf(path, "%s/no/such/q.npy", dir);
    ae_err_init(err);
    ck_assert_int_eq(ae_table_write(path, t, sp, 17, err), AE_E_IO);
    ck_assert_ptr_nonnull(strstr(err->msg, path));
    ck_assert(!exists(path));
    sprintf(path, "%s/no/such/q.csv", dir);
    ae_err_init(err);
    ck_assert_int_eq(ae_table_write(path, t, sp, 17, err), AE_E_IO);
    ck_assert(!exists(path));

    /* rename onto a directory fails: the temporary is removed */
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    sprintf(sub, "%s/q.csv", dir);
    ck_assert_int_eq(mkdir(sub, 0777), 0);
    ae_err_init(err);
    ck_assert_int_eq(ae_table_write(sub, t, sp, 17, err), AE_E_IO);
    ck_assert_ptr_nonnull(strstr(err->msg, sub));
    dh = opendir(dir);
    ck_assert_ptr_nonnull(dh);
    while ((de = readdir(dh)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "q.csv"))
            others++;
    closedir(dh);
    ck_assert_int_eq(others, 0);
    ck_assert_int_eq(rmdir(sub), 0);

    /* unknown extension and bad digits: usage errors, nothing written */
    sprintf(path, "%s/q.txt", dir);
    ae_err_init(err);
    ck_assert_int_eq(ae_table_write(path, t, sp, 17, err), AE_E_USAGE);
    ck_assert_ptr_nonnull(strstr(err->msg, "unknown table format (expected .npy or .csv)"));
    ck_assert(!exists(path));
    sprintf(path, "%s/q.csv", dir);
    ae_err_init(err);
    ck_assert_int_eq(ae_table_write(path, t, sp, 0, err), AE_E_USAGE);
    ck_assert(!exists(path));

    /* a successful write replaces an existing file and leaves nothing else */
    put_file(path, "old", 3);
    ae_err_init(err);
    ck_assert_int_eq(ae_table_write(path, t, sp, 3, err), 0);
    {
        size_t n;
        unsigned char *b = get_file(path, &n);
        ck_assert_int_eq(strncmp((char *)b, "prompt,prefix,action,value\n", 27), 0);
        free(b);
    }
    dh = opendir(dir);
    while ((de = readdir(dh)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "q.csv"))
            others++;
    closedir(dh);
    ck_assert_int_eq(others, 0);
    unlink(path);
    ck_assert_int_eq(rmdir(dir), 0);

    ae_table_clear(t);
    ae_space_clear(sp);
    free(path);
    free(sub);
    free(dir);
}
END_TEST

/* ------------------------------------------------------------ ae_table_read */

/* every dtype and byte order, versions 1/2/3, header variants, shapes (S,A) and (1,S,A) */
START_TEST(test_npy_handmade)
{
    static const char *const descr[4] = {"<f8", ">f8", "<f4", ">f4"};
    /* header text before and after the dtype string */
    static const char *const fmt[][2] = {
        {"{'descr': '", "', 'fortran_order': False, 'shape': (3, 2), }"},
        {"{\"shape\": (3,2), \"descr\": \"", "\", \"fortran_order\": False}"},
        {"{ 'fortran_order' : False ,'descr':'", "','shape':( 1 , 3 , 2 , ) ,\t}"},
        {"{'descr': '", "', 'fortran_order': False, 'shape': (3L, 2L)}  \t  "}};
    static const double v[6] = {0.5, -1.25, 3, 1e-3, -7.75e10, 0.1};
    char *path = tmpname("hand.npy"), dict[256];
    ae_space_t sp;
    ae_table_t t;
    ae_err_t err;
    int di, major, fi, i;
    size_t align;

    space(sp, AE_FIXED, 2, 2, 1);
    ae_table_init(t, sp);
    for (di = 0; di < 4; di++)
        for (major = 1; major <= 3; major++)
            for (fi = 0; fi < 4; fi++)
                for (align = 0; align <= 64; align += 48) {
                    bytes x = {NULL, 0, 0};
                    int isz = descr[di][2] == '8' ? 8 : 4, big = descr[di][0] == '>';
                    snprintf(dict, sizeof dict, "%s%s%s", fmt[fi][0], descr[di], fmt[fi][1]);
                    npy_head(&x, major, dict, align);
                    for (i = 0; i < 6; i++)
                        bput_val(&x, v[i], isz, big);
                    put_file(path, x.b, x.n);
                    free(x.b);
                    ck_assert_msg(read_table(t, sp, path, 64, err) == 0, "%s v%d %s: %s", descr[di],
                                  major, dict, err->msg);
                    for (i = 0; i < 6; i++)
                        assert_is_d(t->v + i, isz == 8 ? v[i] : (double)(float)v[i], descr[di], i);
                }
    ae_table_clear(t);
    ae_space_clear(sp);

    /* E(2,2) with two prompts, big-endian float32, -inf at the masked entries */
    space(sp, AE_EOS, 2, 2, 2);
    ae_table_init(t, sp);
    {
        bytes x = {NULL, 0, 0};
        double want[18];
        npy_head(&x, 2, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3, 3), }", 64);
        for (i = 0; i < 18; i++) {
            want[i] = masked(sp, (i / 3) % 3, i % 3) ? -INFINITY : (double)(i - 9) / 8;
            bput_val(&x, want[i], 4, 1);
        }
        put_file(path, x.b, x.n);
        free(x.b);
        ck_assert_msg(read_table(t, sp, path, 64, err) == 0, "%s", err->msg);
        for (i = 0; i < 18; i++)
            assert_is_d(t->v + i, want[i], "E(2,2) >f4", i);
    }
    ae_table_clear(t);
    ae_space_clear(sp);
    unlink(path);
    free(path);
}
END_TEST

/* rows in any order, CRLF, masked rows present or absent, no final newline, blank tail */
START_TEST(test_csv_forms)
{
    char *path = tmpname("forms.csv");
    ae_space_t sp;
    ae_table_t t;
    ae_err_t err;
    lines L;
    slong i, k, variant;

    rng = ae_test_seed() + 2;
    space(sp, AE_EOS, 2, 3, 2);
    ae_table_init(t, sp);
    for (variant = 0; variant < 4; variant++) {
        csv_canonical(&L, sp, variant & 1);
        for (k = L.n - 1; k > 1; k--) { /* shuffle the rows, keep the header */
            slong j = 1 + (slong)(rnd() % (uint64_t)k);
            char *tmp = L.v[k];
            L.v[k] = L.v[j];
            L.v[j] = tmp;
        }
        if (variant == 3) {
            lines_add(&L, "");
            lines_add(&L, "");
        }
        lines_save(&L, path, variant & 2 ? "\r\n" : "\n", variant != 2);
        lines_clear(&L);
        ck_assert_msg(read_table(t, sp, path, 64, err) == 0, "variant %ld: %s", (long)variant, err->msg);
        for (i = 0; i < sp->P * sp->S * sp->A; i++)
            assert_is_d(t->v + i, masked(sp, (i / sp->A) % sp->S, i % sp->A) ? -INFINITY
                                                                             : (double)(i + 1) / 4,
                        "csv forms", i);
    }
    ae_table_clear(t);
    ae_space_clear(sp);

    /* number forms, each enclosed exactly: F(10,1), one row of 10 actions */
    {
        static const char *const txt[10] = {"1E3", "+2.5", ".5", "5.", "-0", "0.1", "-1.5e-0003",
                                            "0.333333333333333333333333333333333333333333333333333333333333",
                                            "12345678901234567890123456789", "7e+2"};
        static const char *const exact[10] = {"1000", "5/2", "1/2", "5", "0", "1/10", "-3/2000",
                                              ("333333333333333333333333333333333333333333333333333333333333/"
                                               "1000000000000000000000000000000000000000000000000000000000000"),
                                              "12345678901234567890123456789", "700"};
        FILE *f;
        fmpq_t q;
        fmpq_init(q);
        space(sp, AE_FIXED, 10, 1, 1);
        ae_table_init(t, sp);
        f = fopen(path, "wb");
        fputs("prompt,prefix,action,value\n", f);
        for (i = 9; i >= 0; i--)
            fprintf(f, "0,,%ld,%s\n", (long)i, txt[i]);
        fclose(f);
        ck_assert_msg(read_table(t, sp, path, 256, err) == 0, "%s", err->msg);
        for (i = 0; i < 10; i++) {
            ck_assert_int_eq(fmpq_set_str(q, exact[i], 10), 0);
            ck_assert_msg(arb_contains_fmpq(t->v + i, q), "%s not enclosed", txt[i]);
            ck_assert_msg(arb_rel_accuracy_bits(t->v + i) >= 240 || arb_is_exact(t->v + i),
                          "%s: radius too large", txt[i]);
        }
        ck_assert(arb_is_exact(t->v + 0) && arb_is_exact(t->v + 1) && arb_is_exact(t->v + 4));
        fmpq_clear(q);
        ae_table_clear(t);
        ae_space_clear(sp);
    }

    /* spellings of -inf at masked entries; E(1,1): the root with token 0 masked */
    space(sp, AE_EOS, 1, 1, 1);
    ae_table_init(t, sp);
    put_text(path, "prompt,prefix,action,value\n0,,EOS,2\n");
    ck_assert_msg(read_table(t, sp, path, 64, err) == 0, "%s", err->msg);
    assert_is_d(t->v + 0, -INFINITY, "E(1,1)", 0);
    assert_is_d(t->v + 1, 2, "E(1,1)", 1);
    put_text(path, "prompt,prefix,action,value\n0,,0,-Infinity\n0,,EOS,-3\n");
    ck_assert_msg(read_table(t, sp, path, 64, err) == 0, "%s", err->msg);
    assert_is_d(t->v + 1, -3, "E(1,1)", 1);
    put_text(path, "prompt,prefix,action,value\n0,,EOS,-3\n0,,0,-INF\n");
    ck_assert_msg(read_table(t, sp, path, 64, err) == 0, "%s", err->msg);
    ae_table_clear(t);
    ae_space_clear(sp);
    unlink(path);
    free(path);
}
END_TEST


/* ae_table_read_exact: each CSV decimal as the rational it denotes (written here by hand),
   each .npy double as its dyadic; a power of ten beyond +-2000 refused with line and field. */
START_TEST(test_read_exact)
{
    static const char *const txt[10] = {"1E3", "+2.5", ".5", "5.", "-0e999999999", "0.1", "-1.5e-0003",
                                        "0.0333333333333333333333333333333e1",
                                        "12345678901234567890123456789", "7e-2000"};
    static const char *const exact[10] = {"1000", "5/2", "1/2", "5", "0", "1/10", "-3/2000",
                                          "333333333333333333333333333333/1000000000000000000000000000000",
                                          "12345678901234567890123456789", NULL};
    char *path = tmpname("exact.csv"), *npy = tmpname("exact.npy");
    ae_space_t sp;
    ae_qtable_t x;
    ae_table_t t;
    ae_err_t err;
    fmpq_t q;
    FILE *f;
    slong i;

    fmpq_init(q);
    space(sp, AE_FIXED, 10, 1, 1);
    ae_qtable_init(x, sp);
    f = fopen(path, "wb");
    fputs("prompt,prefix,action,value\n", f);
    for (i = 9; i >= 0; i--)
        fprintf(f, "0,,%ld,%s\n", (long)i, txt[i]);
    fclose(f);
    ae_err_init(err);
    ck_assert_msg(ae_table_read_exact(x, sp, path, err) == 0, "%s", err->msg);
    for (i = 0; i < 9; i++) {
        ck_assert_int_eq(fmpq_set_str(q, exact[i], 10), 0);
        ck_assert_msg(fmpq_equal(x->v + i, q), "%s read exactly", txt[i]);
    }
    fmpq_set_si(q, 7, 1); /* 7e-2000 = 7 / 10^2000 */
    fmpz_set_ui(fmpq_denref(q), 10);
    fmpz_pow_ui(fmpq_denref(q), fmpq_denref(q), 2000);
    ck_assert(fmpq_equal(x->v + 9, q));

    put_text(path, "prompt,prefix,action,value\n0,,0,1\n0,,1,2\n0,,2,3\n0,,3,4\n0,,4,5\n0,,5,6\n"
                   "0,,6,7\n0,,7,8\n0,,8,1e2001\n0,,9,0\n");
    ae_err_init(err);
    ck_assert_int_eq(ae_table_read_exact(x, sp, path, err), AE_E_INPUT);
    ck_assert_msg(strstr(err->msg, ":line 10:field value:") != NULL && strstr(err->msg, path) != NULL,
                  "%s", err->msg);

    /* npy: the double nearest 0.1 is 3602879701896397 / 2^55 */
    ae_table_init(t, sp);
    for (i = 0; i < 10; i++)
        arb_set_d(t->v + i, i == 0 ? 0.1 : -(double)i);
    ae_err_init(err);
    ck_assert_msg(ae_table_write(npy, t, sp, 17, err) == 0, "%s", err->msg);
    ck_assert_msg(ae_table_read_exact(x, sp, npy, err) == 0, "%s", err->msg);
    fmpz_set_ui(fmpq_numref(q), UINT64_C(3602879701896397));
    fmpz_one(fmpq_denref(q));
    fmpz_mul_2exp(fmpq_denref(q), fmpq_denref(q), 55);
    ck_assert(fmpq_equal(x->v + 0, q));
    fmpq_set_si(q, -9, 1);
    ck_assert(fmpq_equal(x->v + 9, q));
    ae_table_clear(t);
    ae_qtable_clear(x);
    ae_space_clear(sp);
    fmpq_clear(q);
    unlink(path);
    unlink(npy);
    free(path);
    free(npy);
}
END_TEST

START_TEST(test_read_missing_file)
{
    char *path = tmpname("nonexistent.csv");
    ae_space_t sp;
    space(sp, AE_EOS, 2, 2, 1);
    expect_fail(sp, path, AE_E_IO, ": cannot open", NULL);
    ae_space_clear(sp);
    free(path);
    path = tmpname("nonexistent.npy");
    space(sp, AE_EOS, 2, 2, 1);
    expect_fail(sp, path, AE_E_IO, ": cannot open", NULL);
    ae_space_clear(sp);
    free(path);
}
END_TEST

/* ------------------------------------------------------------ bad_input */

/* writes the bytes and expects a failure at ":byte N: " whose reason holds what */
static void npy_bad(const ae_space_t sp, const char *path, const bytes *x, slong byte, const char *what)
{
    char where[64];
    put_file(path, x->b, x->n);
    snprintf(where, sizeof where, ":byte %ld: ", (long)byte);
    expect_fail(sp, path, AE_E_INPUT, where, what);
}

/* header variants of the F(2,2) file: dict text, expected location (needle) and reason */
START_TEST(test_bad_npy_header)
{
    static const struct {
        const char *dict, *needle, *what;
    } cases[] = {
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }", "'<i4'", "unsupported dtype '<i4'"},
        {"{'descr': '<f2', 'fortran_order': False, 'shape': (3, 2), }", "'<f2'", "unsupported dtype"},
        {"{'descr': '=f8', 'fortran_order': False, 'shape': (3, 2), }", "'=f8'", "ambiguous"},
        {"{'descr': '|f8', 'fortran_order': False, 'shape': (3, 2), }", "'|f8'", "ambiguous"},
        {"{'descr': 'f8', 'fortran_order': False, 'shape': (3, 2), }", "'f8'", "unsupported dtype"},
        {"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3, 2), }", "[", "structured"},
        {"{'descr': '<f8', 'fortran_order': True, 'shape': (3, 2), }", "True", "fortran_order"},
        {"{'descr': '<f8', 'fortran_order': maybe, 'shape': (3, 2), }", "maybe", "True or False"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", "(2, 3)", "(S, A) = (3, 2)"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3, 2), }", "(2, 3, 2)", "shape (2, 3, 2)"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }", "(6,)", "shape (6,)"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (), }", "()", "shape ()"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3, -2), }", "-2", "non-negative integer"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3 2), }", "2)", "expected ',' or ')'"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999, 2), }", "9999",
         "too large"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': [3, 2], }", "[3", "tuple"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), 'extra': 1}", "'extra'",
         "unexpected key 'extra'"},
        {"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", "'descr': '<f8', 'fortran",
         "appears twice"},
        {"{'descr': '<f8', 'shape': (3, 2), }", "{", "lacks the key 'fortran_order'"},
        {"{'descr': '<f8' 'fortran_order': False, 'shape': (3, 2), }", "'fortran_order'", "expected ',' or '}'"},
        {"{'descr' '<f8', 'fortran_order': False, 'shape': (3, 2), }", "'<f8'", "expected ':'"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }x", "}x", "after the header"},
        {"['descr', '<f8']", "[", "expected '{'"},
        {"{'descr': '<f\\x38', 'fortran_order': False, 'shape': (3, 2), }", "\\", "escape"},
        {"{'descr: '<f8', 'fortran_order': False, 'shape': (3, 2), }", "'descr: '", "unexpected key"},
        {"{descr: '<f8', 'fortran_order': False, 'shape': (3, 2), }", "descr:", "quoted string"},
    };
    char *path = tmpname("badhdr.npy");
    ae_space_t sp;
    size_t k;
    int i;

    space(sp, AE_FIXED, 2, 2, 1);
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        bytes x = {NULL, 0, 0};
        slong at;
        npy_head(&x, 1 + (int)(k % 3), cases[k].dict, 64);
        for (i = 0; i < 6; i++)
            bput_val(&x, 1, 8, 0);
        at = hoff(&x, cases[k].needle);
        if (strcmp(cases[k].needle, "}x") == 0)
            at++;
        npy_bad(sp, path, &x, at, cases[k].what);
        free(x.b);
    }
    /* P = 2 wants (P, S, A) */
    ae_space_clear(sp);
    space(sp, AE_FIXED, 2, 2, 2);
    {
        bytes x = {NULL, 0, 0};
        npy_f22(&x);
        npy_bad(sp, path, &x, hoff(&x, "(3, 2)"), "expected (P, S, A) = (2, 3, 2)");
        free(x.b);
    }
    ae_space_clear(sp);
    unlink(path);
    free(path);
}
END_TEST

/* preamble, header length and data length */
START_TEST(test_bad_npy_layout)
{
    char *path = tmpname("badlay.npy");
    ae_space_t sp;
    bytes x = {NULL, 0, 0}, y = {NULL, 0, 0};
    size_t ds, n;

    space(sp, AE_FIXED, 2, 2, 1);
    ds = npy_f22(&x);
    n = x.n;
    ck_assert_uint_eq(ds, 128); /* 10 + 60 + '\n' > 64: NumPy pads to 128 */

    put_file(path, x.b, x.n); /* sanity: the file is valid */
    {
        ae_table_t t;
        ae_err_t err;
        ae_table_init(t, sp);
        ck_assert_msg(read_table(t, sp, path, 64, err) == 0, "%s", err->msg);
        ae_table_clear(t);
    }

    put_file(path, "", 0);
    expect_fail(sp, path, AE_E_INPUT, ":byte 0: ", "empty file");
    y.n = 0;
    bput(&y, "hello, world\n", 13);
    npy_bad(sp, path, &y, 0, "bad magic");
    y.n = 0;
    bput(&y, "\x93NUMPX\x01\x00\x10\x00", 10);
    npy_bad(sp, path, &y, 5, "bad magic");
    y.n = 0;
    bput(&y, x.b, 4); /* ends inside the magic string */
    npy_bad(sp, path, &y, 4, "preamble");
    x.b[6] = 4; /* version 4.0 */
    npy_bad(sp, path, &x, 6, "version 4.0");
    x.b[6] = 1;
    x.b[7] = 1; /* version 1.1 */
    npy_bad(sp, path, &x, 6, "version 1.1");
    x.b[7] = 0;
    y.n = 0;
    bput(&y, x.b, 9); /* ends inside the length field */
    npy_bad(sp, path, &y, 9, "header length");

    /* truncated header: the file ends at byte 30, the header would end at 128 */
    y.n = 0;
    bput(&y, x.b, 30);
    npy_bad(sp, path, &y, 8, "the file ends at byte 30");
    /* header length pointing past the end of the file */
    x.b[8] = 0xe8; /* 1000 */
    x.b[9] = 0x03;
    npy_bad(sp, path, &x, 8, "points past the end of the file (the header would end at byte 1010, "
                             "the file ends at byte 176)");
    /* a header length shorter than the header: the dictionary is cut */
    x.b[8] = 20;
    x.b[9] = 0;
    npy_bad(sp, path, &x, 30, "header ends inside the dictionary");
    /* longer: the header swallows data bytes, which are not whitespace */
    x.b[8] = 150;
    npy_bad(sp, path, &x, 128, "after the header dictionary");
    /* shorter but still holding the dictionary: the data no longer ends with the file */
    x.b[8] = 64;
    npy_bad(sp, path, &x, 74 + 48, "unexpected data after the last value");
    x.b[8] = 118;

    /* version 2 with a 4 GiB header length: reported, not allocated */
    y.n = 0;
    npy_head(&y, 2, dict32, 64);
    y.b[8] = y.b[9] = y.b[10] = y.b[11] = 0xff;
    npy_bad(sp, path, &y, 8, "points past the end of the file");
    /* a header beyond what the reader accepts, present in full */
    {
        char *big = malloc((1 << 21) + 1);
        y.n = 0;
        memset(big, ' ', 1 << 21);
        memcpy(big, dict32, strlen(dict32));
        big[1 << 21] = 0;
        npy_head(&y, 2, big, 0);
        npy_bad(sp, path, &y, 8, "too large");
        free(big);
    }

    /* truncated data: 5 bytes short, the file ends at byte 171 */
    y.n = 0;
    bput(&y, x.b, n - 5);
    npy_bad(sp, path, &y, 171, "data truncated");
    y.n = 0;
    bput(&y, x.b, ds); /* header only */
    npy_bad(sp, path, &y, 128, "data truncated");
    /* trailing data after the last value */
    y.n = 0;
    bput(&y, x.b, n);
    bputc(&y, 0);
    npy_bad(sp, path, &y, 176, "unexpected data after the last value");

    free(x.b);
    free(y.b);
    ae_space_clear(sp);
    unlink(path);
    free(path);
}
END_TEST

/* values: NaN, +inf, and the mask in both directions, each at its own byte */
START_TEST(test_bad_npy_values)
{
    char *path = tmpname("badval.npy");
    ae_space_t sp;
    int isz, i;

    for (isz = 4; isz <= 8; isz += 4) {
        const int big = isz == 4;
        char dict[128];
        snprintf(dict, sizeof dict, "{'descr': '%cf%d', 'fortran_order': False, 'shape': (3, 3), }",
                 big ? '>' : '<', isz);
        /* E(2,2): masked entries 3, 4, 6, 7 */
        space(sp, AE_EOS, 2, 2, 1);
        {
            static const struct {
                int at;
                double v;
                const char *what;
            } cases[] = {
                {2, NAN, "NaN is not allowed at prompt 0, prefix \"\", action EOS"},
                {5, INFINITY, "+inf is not allowed at prompt 0, prefix \"0\", action EOS"},
                {7, 1.5, "finite value at a masked entry (masked entries must be -inf) at prompt 0, "
                         "prefix \"1\", action 1"},
                {3, 0.0, "finite value at a masked entry"},
            };
            size_t k;
            for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
                bytes x = {NULL, 0, 0};
                size_t ds = npy_head(&x, 1, dict, 64);
                for (i = 0; i < 9; i++)
                    bput_val(&x, i == cases[k].at ? cases[k].v
                                                  : masked(sp, i / 3, i % 3) ? -INFINITY : 1.0,
                             isz, big);
                npy_bad(sp, path, &x, (slong)ds + cases[k].at * isz, cases[k].what);
                free(x.b);
            }
        }
        ae_space_clear(sp);
    }
    /* F space, two prompts: the offset counts the prompt */
    space(sp, AE_FIXED, 2, 2, 2);
    {
        bytes x = {NULL, 0, 0};
        size_t ds = npy_head(&x, 3, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3, 2), }", 64);
        for (i = 0; i < 12; i++)
            bput_val(&x, i == 9 ? NAN : 0.25, 8, 0);
        npy_bad(sp, path, &x, (slong)ds + 9 * 8, "NaN is not allowed at prompt 1, prefix \"0\", action 1");
        free(x.b);
    }
    ae_space_clear(sp);
    unlink(path);
    free(path);
}
END_TEST

/* replaces line k of the canonical file (or deletes it when row is NULL), expects location */
static void csv_bad(const ae_space_t sp, const char *path, slong k, const char *row,
                    const char *where, const char *what)
{
    lines L;
    csv_canonical(&L, sp, 0);
    if (row == NULL)
        lines_del(&L, k);
    else if (k > L.n)
        lines_add(&L, row);
    else
        lines_set(&L, k, row);
    lines_save(&L, path, "\n", 1);
    lines_clear(&L);
    expect_fail(sp, path, AE_E_INPUT, where, what);
}

START_TEST(test_bad_csv)
{
    char *path = tmpname("bad.csv");
    ae_space_t sp;
    lines L;

    /* F(2,3), P = 2: S = 7, A = 2, 28 rows on lines 2..29 */
    space(sp, AE_FIXED, 2, 3, 2);
    csv_bad(sp, path, 1, "prompt,prefix,action,val", ":line 1: ", "bad header");
    csv_bad(sp, path, 1, "\xef\xbb\xbfprompt,prefix,action,value", ":line 1: ", "bad header");
    csv_bad(sp, path, 1, "prompt, prefix, action, value", ":line 1: ", "bad header");
    csv_bad(sp, path, 5, "2,,0,1", ":line 5:field prompt: ", "out of range (expected 0..1)");
    csv_bad(sp, path, 5, "-1,,0,1", ":line 5:field prompt: ", "not a prompt index");
    csv_bad(sp, path, 5, "x,,0,1", ":line 5:field prompt: ", NULL);
    csv_bad(sp, path, 5, ",,0,1", ":line 5:field prompt: ", NULL);
    csv_bad(sp, path, 6, "0,2,0,1", ":line 6:field prefix: ", "token 2 out of range (expected 0..1)");
    csv_bad(sp, path, 6, "0,1 99999999999999999999999,0,1", ":line 6:field prefix: ", "out of range");
    csv_bad(sp, path, 6, "0,a,0,1", ":line 6:field prefix: ", "'a' is not a token");
    csv_bad(sp, path, 6, "0,1  0,0,1", ":line 6:field prefix: ", "single spaces");
    csv_bad(sp, path, 6, "0, 1,0,1", ":line 6:field prefix: ", "single spaces");
    csv_bad(sp, path, 6, "0,1 ,0,1", ":line 6:field prefix: ", "single spaces");
    csv_bad(sp, path, 6, "0,1 0 1,0,1", ":line 6:field prefix: ", "too deep");
    csv_bad(sp, path, 6, "0,1 0 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 "
                         "1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1,0,1",
            ":line 6:field prefix: ", "too deep");
    csv_bad(sp, path, 7, "0,,2,1", ":line 7:field action: ", "action 2 out of range (expected 0..1)");
    csv_bad(sp, path, 7, "0,,x,1", ":line 7:field action: ", "not an action");
    csv_bad(sp, path, 7, "0,,,1", ":line 7:field action: ", "not an action");
    csv_bad(sp, path, 7, "0,,EOS,1", ":line 7:field action: ", "EOS is not an action");
    csv_bad(sp, path, 7, "0,,eos,1", ":line 7:field action: ", "not an action");
    csv_bad(sp, path, 2, "0,,0,1.2.3", ":line 2:field value: ", "'1.2.3': not a number");
    csv_bad(sp, path, 2, "0,,0,abc", ":line 2:field value: ", "not a number");
    csv_bad(sp, path, 2, "0,,0,", ":line 2:field value: ", "not a number");
    csv_bad(sp, path, 2, "0,,0,.", ":line 2:field value: ", "not a number");
    csv_bad(sp, path, 2, "0,,0,1e", ":line 2:field value: ", "not a number");
    csv_bad(sp, path, 2, "0,,0,1e+", ":line 2:field value: ", "not a number");
    csv_bad(sp, path, 2, "0,,0,--1", ":line 2:field value: ", "not a number");
    csv_bad(sp, path, 2, "0,,0,[1 +/- 0.5]", ":line 2:field value: ", "not a number");
    csv_bad(sp, path, 2, "0,,0,1 ", ":line 2:field value: ", "not a number");
    csv_bad(sp, path, 2, "0,,0, 1", ":line 2:field value: ", "not a number");
    csv_bad(sp, path, 2, "0,,0,0x10", ":line 2:field value: ", "not a number");
    csv_bad(sp, path, 2, "0,,0,1e1 2", ":line 2:field value: ", "not a number");
    csv_bad(sp, path, 2, "0,,0,1e1234567890", ":line 2:field value: ", "exponent out of range");
    csv_bad(sp, path, 2, "0,,0,nan", ":line 2:field value: ", "NaN is not allowed");
    csv_bad(sp, path, 2, "0,,0,-NaN", ":line 2:field value: ", "NaN is not allowed");
    csv_bad(sp, path, 2, "0,,0,inf", ":line 2:field value: ", "+inf is not allowed");
    csv_bad(sp, path, 2, "0,,0,+inf", ":line 2:field value: ", "+inf is not allowed");
    csv_bad(sp, path, 8, "0,,0", ":line 8: ", "expected 4 fields");
    csv_bad(sp, path, 8, "0,,0,1,5", ":line 8: ", "found 5");
    csv_bad(sp, path, 8, "", ":line 8: ", "empty line");
    /* the first missing entry is named; the message points after the last line */
    csv_bad(sp, path, 10, NULL, ":line 29 (end of file): ",
            "missing row for prompt 0, prefix \"0 1\", action 0");
    csv_bad(sp, path, 30, "0,0 1,1,2", ":line 30: ",
            "duplicate row for prompt 0, prefix \"0 1\", action 1 (first at line 11)");

    /* header only, empty file, NUL byte, blank line between rows */
    put_text(path, "prompt,prefix,action,value\n");
    expect_fail(sp, path, AE_E_INPUT, ":line 2 (end of file): ", "missing row for prompt 0, prefix \"\", action 0");
    put_file(path, "", 0);
    expect_fail(sp, path, AE_E_INPUT, ":line 1: ", "empty file");
    put_file(path, "prompt,prefix,action,value\n0,,0,1\0\n", 35);
    expect_fail(sp, path, AE_E_INPUT, ":line 2: ", "NUL byte");
    csv_canonical(&L, sp, 0);
    lines_ins(&L, 4, "");
    lines_save(&L, path, "\r\n", 1);
    lines_clear(&L);
    expect_fail(sp, path, AE_E_INPUT, ":line 4: ", "empty line inside");
    ae_space_clear(sp);

    /* E(2,2), P = 1: rows root 0,1,EOS; (0) EOS; (1) EOS; tokens at depth 1 masked */
    space(sp, AE_EOS, 2, 2, 1);
    csv_bad(sp, path, 7, "0,0,0,1.5", ":line 7:field value: ", "finite value at a masked entry");
    csv_bad(sp, path, 7, "0,1,1,inf", ":line 7:field value: ", "+inf is not allowed");
    csv_bad(sp, path, 2, "0,,2,1", ":line 2:field action: ", "out of range (expected 0..1 or EOS)");
    csv_bad(sp, path, 2, "0,0 0,EOS,1", ":line 2:field prefix: ", "too deep");
    csv_canonical(&L, sp, 0);
    lines_add(&L, "0,1,0,-inf");
    lines_add(&L, "0,1,0,-inf");
    lines_save(&L, path, "\n", 1);
    lines_clear(&L);
    expect_fail(sp, path, AE_E_INPUT, ":line 8: ", "duplicate row for prompt 0, prefix \"1\", action 0 "
                                                   "(first at line 7)");
    ae_space_clear(sp);
    unlink(path);
    free(path);
}
END_TEST

/* -inf at an allowed entry (a banned token) is read as an exact -inf ball in both formats,
   next to finite values read as before, and written back as -inf (not refused as beyond the
   float64 range of .npy). */
START_TEST(test_banned_entries)
{
    static const char *const exts[] = {"ban.npy", "ban.csv"};
    ae_space_t sp;
    ae_table_t t, u;
    ae_err_t err;
    slong i, n, banned = 0;
    size_t e;

    space(sp, AE_EOS, 2, 3, 2);
    n = sp->P * sp->S * sp->A;
    ae_table_init(t, sp);
    ae_table_init(u, sp);
    for (i = 0; i < n; i++) { /* every third allowed entry banned, the others i/8 */
        slong s = (i / sp->A) % sp->S, a = i % sp->A;
        if (!ae_space_allowed(sp, ae_space_depth(sp, s), a))
            continue;
        if (i % 3 == 0) {
            arb_neg_inf(t->v + i);
            banned++;
        } else
            arb_set_d(t->v + i, (double)i / 8);
    }
    ck_assert_int_ge(banned, 4);
    for (e = 0; e < 2; e++) {
        char *path = tmpname(exts[e]);
        ae_err_init(err);
        ck_assert_msg(ae_table_write(path, t, sp, 17, err) == 0, "%s", err->msg);
        ck_assert_msg(read_table(u, sp, path, 64, err) == 0, "%s", err->msg);
        for (i = 0; i < n; i++)
            ck_assert_msg(arb_equal(u->v + i, t->v + i) && arb_is_exact(u->v + i), "%s entry %ld", exts[e],
                          (long)i);
        unlink(path);
        free(path);
    }
    ae_table_clear(t);
    ae_table_clear(u);
    ae_space_clear(sp);
}
END_TEST

START_TEST(test_bad_extension)
{
    static const char *const tags[] = {"x.txt", "x.npz", "x", "x.csv.gz", "x.cs", "x.npy/y"};
    ae_space_t sp;
    size_t k;
    space(sp, AE_EOS, 2, 2, 1);
    for (k = 0; k < sizeof tags / sizeof tags[0]; k++) {
        char *path = tmpname(tags[k]);
        expect_fail(sp, path, AE_E_USAGE, ": unknown table format (expected .npy or .csv)", NULL);
        free(path);
    }
    {
        char *path = tmpname("upper.NPY"); /* case does not matter */
        bytes x = {NULL, 0, 0};
        ae_table_t t;
        ae_err_t err;
        ae_space_clear(sp);
        space(sp, AE_FIXED, 2, 2, 1);
        npy_f22(&x);
        put_file(path, x.b, x.n);
        ae_table_init(t, sp);
        ck_assert_msg(read_table(t, sp, path, 64, err) == 0, "%s", err->msg);
        ae_table_clear(t);
        free(x.b);
        unlink(path);
        free(path);
    }
    ae_space_clear(sp);
}
END_TEST

/* Every truncation and random corruptions of valid files: an error or success, never a crash
   (ASan and valgrind watch the reads). */
START_TEST(test_fuzz)
{
    char *pnpy = tmpname("fuzz.npy"), *pcsv = tmpname("fuzz.csv");
    ae_space_t sp;
    ae_table_t t;
    ae_err_t err;
    bytes x = {NULL, 0, 0};
    unsigned char *c, *m;
    size_t n, nc, k;
    slong it;
    int rc;

    rng = ae_test_seed() + 3;
    space(sp, AE_EOS, 2, 2, 2);
    ae_table_init(t, sp);
    npy_head(&x, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3, 3), }", 64);
    for (k = 0; k < 18; k++)
        bput_val(&x, masked(sp, (slong)(k / 3) % 3, (slong)(k % 3)) ? -INFINITY : 0.5, 8, 0);
    n = x.n;
    {
        lines L;
        csv_canonical(&L, sp, 1);
        lines_save(&L, pcsv, "\n", 1);
        lines_clear(&L);
        c = get_file(pcsv, &nc);
    }
    for (k = 0; k < n; k++) {
        put_file(pnpy, x.b, k);
        rc = read_table(t, sp, pnpy, 64, err);
        ck_assert_msg(rc == AE_E_INPUT, "npy cut at %lu: rc %d", (unsigned long)k, rc);
    }
    for (k = 0; k < nc; k++) {
        put_file(pcsv, c, k);
        rc = read_table(t, sp, pcsv, 64, err);
        /* cutting into the last value ("4.50\n") leaves a valid, shorter number */
        ck_assert_msg(rc == AE_E_INPUT || (rc == 0 && k + 4 >= nc), "csv cut at %lu: rc %d",
                      (unsigned long)k, rc);
    }
    m = malloc(n > nc ? n : nc);
    for (it = 0; it < ae_test_iters(300); it++) {
        int j, flips = 1 + (int)(rnd() % 3);
        memcpy(m, x.b, n);
        for (j = 0; j < flips; j++)
            m[rnd() % n] = (unsigned char)rnd();
        put_file(pnpy, m, n);
        rc = read_table(t, sp, pnpy, 64, err);
        ck_assert_msg(rc == 0 || rc == AE_E_INPUT, "npy corruption: rc %d (%s)", rc, err->msg);
        memcpy(m, c, nc);
        for (j = 0; j < flips; j++)
            m[rnd() % nc] = (unsigned char)(rnd() % 4 == 0 ? (int)(rnd() & 0xff)
                                                             : "0123456789 ,.-e\nEOSinf"[rnd() % 22]);
        put_file(pcsv, m, nc);
        rc = read_table(t, sp, pcsv, 64, err);
        ck_assert_msg(rc == 0 || rc == AE_E_INPUT, "csv corruption: rc %d (%s)", rc, err->msg);
    }
    free(m);
    free(c);
    free(x.b);
    ae_table_clear(t);
    ae_space_clear(sp);
    unlink(pnpy);
    unlink(pcsv);
    free(pnpy);
    free(pcsv);
}
END_TEST

/* The line reader stops at its cap with the line number, keeps NUL bytes, and tells the end of
   the file from an empty last line; the expected lengths are counted here by hand. */
START_TEST(test_line_cap)
{
    static const char text[] = "ab\n\nc\0d\nlast";
    static const size_t want[] = {2, 0, 3, 4};
    char *path = tmpname("lines.csv"), *buf = NULL, big[301];
    size_t cap = 0, len = 0, k;
    FILE *f;
    ae_err_t err;

    put_file(path, text, sizeof text - 1);
    f = fopen(path, "rb");
    for (k = 0; k < 4; k++) {
        ck_assert_int_eq(_ae_read_line(f, &buf, &cap, &len, 100), AE_LINE_OK);
        ck_assert_uint_eq(len, want[k]);
        ck_assert_int_eq(buf[len], '\0');
    }
    ck_assert_int_eq(memcmp(buf, "last", 4), 0);
    ck_assert_int_eq(_ae_read_line(f, &buf, &cap, &len, 100), AE_LINE_EOF);
    fclose(f);

    /* exactly the cap passes; one byte more is refused, also without any line end */
    memset(big, 'x', sizeof big);
    for (k = 0; k < 2; k++) {
        put_file(path, big, 100 + k);
        f = fopen(path, "rb");
        ck_assert_int_eq(_ae_read_line(f, &buf, &cap, &len, 100), k == 0 ? AE_LINE_OK : AE_LINE_TOO_LONG);
        ck_assert_uint_le(cap, 102); /* never more than the cap (and its NUL) is held */
        fclose(f);
    }
    ae_err_init(err);
    ck_assert_int_eq(_ae_line_fail(err, AE_LINE_TOO_LONG, "f.csv", 7, 100), AE_E_INPUT);
    ck_assert_str_eq(err->msg, "f.csv: line 7 too long: more than 100 bytes");
    ae_err_init(err);
    ck_assert_int_eq(_ae_line_fail(err, AE_LINE_NOMEM, "f.csv", 3, 100), AE_E_NOMEM);
    ck_assert_msg(strstr(err->msg, "out of memory") != NULL && strstr(err->msg, "empty") == NULL, "%s", err->msg);

    /* through the CSV reader: a header, then a line one byte over AE_LINE_MAX */
    {
        size_t n = 27 + AE_LINE_MAX + 1;
        char *t = malloc(n), expect[200];
        ae_space_t sp;
        memcpy(t, "prompt,prefix,action,value\n", 27);
        memset(t + 27, '1', n - 27);
        put_file(path, t, n);
        space(sp, AE_EOS, 2, 2, 1);
        snprintf(expect, sizeof expect, "%s: line 2 too long: more than %lu bytes", path,
                 (unsigned long)AE_LINE_MAX);
        {
            ae_table_t tb;
            ae_table_init(tb, sp);
            ck_assert_int_eq(read_table(tb, sp, path, 64, err), AE_E_INPUT);
            ck_assert_str_eq(err->msg, expect);
            ae_table_clear(tb);
        }
        ae_space_clear(sp);
        free(t);
    }
    free(buf);
    unlink(path);
    free(path);
}
END_TEST

/* Messages never carry raw control bytes: each is written \xNN; printable UTF-8 passes, the C1
   controls (U+0080-U+009F) and broken sequences do not. Expected strings written by hand. */
START_TEST(test_escape)
{
    static const char *const in[] = {"plain", "a\033[31mb", "cr\rlf\n", "tab\tdel\177",
                                     "caf\xc3\xa9", "c1\xc2\x9b", "cut\xc3", "\xff\xfe",
                                     "\xe2\x82\xac" "5", "\xed\xa0\x80"};
    static const char *const out[] = {"plain", "a\\x1b[31mb", "cr\\x0dlf\\x0a",
                                      "tab\\x09del\\x7f", "caf\xc3\xa9", "c1\\xc2\\x9b",
                                      "cut\\xc3", "\\xff\\xfe", "\xe2\x82\xac" "5",
                                      "\\xed\\xa0\\x80"};
    char buf[64], small[6];
    ae_err_t err;
    size_t k;
    for (k = 0; k < sizeof in / sizeof in[0]; k++) {
        ae_escape(buf, sizeof buf, in[k]);
        ck_assert_str_eq(buf, out[k]);
    }
    ae_escape(small, sizeof small, "ab\033cd"); /* cut before an escape that does not fit */
    ck_assert_str_eq(small, "ab");
    ae_err_init(err);
    ae_err_set(err, AE_E_INPUT, "%s:line %d: '%s'", "x\033.csv", 2, "1\r\a");
    ck_assert_str_eq(err->msg, "x\\x1b.csv:line 2: '1\\x0d\\x07'");
}
END_TEST

/* One extension rule, any case, last path component only. */
START_TEST(test_table_format)
{
    ck_assert_int_eq(ae_table_format("q.npy"), AE_TABLE_NPY);
    ck_assert_int_eq(ae_table_format("q.NPY"), AE_TABLE_NPY);
    ck_assert_int_eq(ae_table_format("dir.csv/q.NpY"), AE_TABLE_NPY);
    ck_assert_int_eq(ae_table_format("Q.CSV"), AE_TABLE_CSV);
    ck_assert_int_eq(ae_table_format("q.cSv"), AE_TABLE_CSV);
    ck_assert_int_eq(ae_table_format("q.npz"), AE_TABLE_UNKNOWN);
    ck_assert_int_eq(ae_table_format("q.npy/x"), AE_TABLE_UNKNOWN);
    ck_assert_int_eq(ae_table_format("npy"), AE_TABLE_UNKNOWN);
    ck_assert_int_eq(ae_table_format("q.npy.gz"), AE_TABLE_UNKNOWN);
}
END_TEST

static Suite *io_suite(void)
{
    Suite *s = suite_create("io");
    TCase *tc;
    double m = ae_test_multiplier() > 1 ? ae_test_multiplier() : 1;

    tc = tcase_create("ae_table_write");
    tcase_set_timeout(tc, 30 * m);
    tcase_add_test(tc, test_npy_roundtrip);
    tcase_add_test(tc, test_csv_roundtrip);
    tcase_add_test(tc, test_csv_precision);
    tcase_add_test(tc, test_npy_write_bytes);
    tcase_add_test(tc, test_csv_write_bytes);
    tcase_add_test(tc, test_write_failures);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_table_read");
    tcase_set_timeout(tc, 30 * m);
    tcase_add_test(tc, test_npy_handmade);
    tcase_add_test(tc, test_csv_forms);
    tcase_add_test(tc, test_read_missing_file);
    tcase_add_test(tc, test_read_exact);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad_input");
    tcase_set_timeout(tc, 30 * m);
    tcase_add_test(tc, test_bad_npy_header);
    tcase_add_test(tc, test_bad_npy_layout);
    tcase_add_test(tc, test_bad_npy_values);
    tcase_add_test(tc, test_bad_csv);
    tcase_add_test(tc, test_bad_extension);
    tcase_add_test(tc, test_banned_entries);
    tcase_add_test(tc, test_fuzz);
    tcase_add_test(tc, test_line_cap);
    tcase_add_test(tc, test_escape);
    tcase_add_test(tc, test_table_format);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ae_test_run(io_suite());
}
