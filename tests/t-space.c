#include <config.h>
/* Tests of src/space: exact counts of E(V,T) and F(V,T) against a brute-force enumeration of
   responses, the canonical state index (DESIGN.md, "Canonical table layout"), the prefix tree
   navigation and the enumeration order of responses ("by length, then token ids").
   The oracle enumerates responses from the definitions of CLAIMS.md section 1 and derives every
   count from that list; it calls nothing from src/space. */
#include "testlib.h"
#include <stdlib.h>
#include <string.h>

/* ck_assert_msg records a mark point (a write to the runner) on every success, which costs
   seconds over the hundreds of thousands of assertions below: test first, then fail. */
/* ------------------------------------------------------------------ local helpers */

static const char *kname(ae_space_kind k)
{
    return k == AE_EOS ? "E" : "F";
}

/* index(y_1..y_d) = (V^d - 1)/(V - 1) + sum_i y_i V^(d-i), or d when V = 1; computed in fmpz. */
static slong formula_index(slong V, const slong *y, slong d)
{
    fmpz_t acc, pw;
    slong i, r;
    fmpz_init(acc);
    fmpz_init(pw);
    if (V == 1) {
        fmpz_set_si(acc, d);
    } else {
        fmpz_set_si(pw, V);
        fmpz_pow_ui(pw, pw, (ulong)d);
        fmpz_sub_ui(pw, pw, 1);
        fmpz_divexact_si(acc, pw, V - 1);
        for (i = 0; i < d; i++) {
            fmpz_set_si(pw, V);
            fmpz_pow_ui(pw, pw, (ulong)(d - 1 - i));
            fmpz_addmul_ui(acc, pw, (ulong)y[i]);
        }
    }
    TEST_CHECK(fmpz_fits_si(acc), "index of a depth-%ld prefix (V=%ld) overflows", (long)d, (long)V);
    r = fmpz_get_si(acc);
    fmpz_clear(acc);
    fmpz_clear(pw);
    return r;
}

/* Brute-force list of responses: each is stored as [len, y_1, ..., y_len, pad], stride T+1,
   EOS written as V. */
typedef struct {
    slong V, T, A, n, alloc;
    ae_space_kind kind;
    slong *y;
} resp_list;

static void rl_push(resp_list *L, const slong *w, slong len)
{
    slong i, *row;
    if (L->n == L->alloc) {
        L->alloc = L->alloc ? 2 * L->alloc : 64;
        L->y = realloc(L->y, (size_t)(L->alloc * (L->T + 1)) * sizeof(slong));
        TEST_CHECK(L->y != NULL, "out of memory");
    }
    row = L->y + L->n * (L->T + 1);
    row[0] = len;
    for (i = 0; i < L->T; i++)
        row[1 + i] = i < len ? w[i] : -1;
    L->n++;
}

/* All words over the tokens of length `left` appended to w[0..len-1], then (E) EOS. */
static void rl_gen(resp_list *L, slong *w, slong len, slong left)
{
    slong t;
    if (left == 0) {
        if (L->kind == AE_EOS) {
            w[len] = L->V;
            rl_push(L, w, len + 1);
        } else {
            rl_push(L, w, len);
        }
        return;
    }
    /* tokens in decreasing order, so that the list needs its sort */
    for (t = L->V - 1; t >= 0; t--) {
        w[len] = t;
        rl_gen(L, w, len + 1, left - 1);
    }
}

static int rl_cmp_T; /* stride helper for qsort */
static int rl_cmp(const void *pa, const void *pb)
{
    const slong *a = pa, *b = pb;
    slong i;
    if (a[0] != b[0])
        return a[0] < b[0] ? -1 : 1;
    for (i = 1; i <= a[0] && i <= rl_cmp_T; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

static void rl_build(resp_list *L, ae_space_kind kind, slong V, slong T)
{
    slong *w = calloc((size_t)(T + 1), sizeof(slong)), k;
    L->V = V;
    L->T = T;
    L->A = kind == AE_EOS ? V + 1 : V;
    L->kind = kind;
    L->n = L->alloc = 0;
    L->y = NULL;
    if (kind == AE_EOS) /* y = (y_1..y_{tau-1}, EOS), 1 <= tau <= T, longest first */
        for (k = T - 1; k >= 0; k--)
            rl_gen(L, w, 0, k);
    else /* Sigma^T */
        rl_gen(L, w, 0, T);
    free(w);
    rl_cmp_T = T;
    qsort(L->y, (size_t)L->n, (size_t)(T + 1) * sizeof(slong), rl_cmp);
}

static void rl_clear(resp_list *L)
{
    free(L->y);
    L->y = NULL;
}

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

/* Bijective base-(A+1) key of a word (injective across lengths). */
static uint64_t word_key(const slong *w, slong len, slong A)
{
    uint64_t k = 0;
    slong i;
    for (i = 0; i < len; i++)
        k = k * (uint64_t)(A + 1) + (uint64_t)(w[i] + 1);
    return k;
}

static slong count_distinct(uint64_t *k, slong n)
{
    slong i, c = 0;
    qsort(k, (size_t)n, sizeof(uint64_t), cmp_u64);
    for (i = 0; i < n; i++)
        if (i == 0 || k[i] != k[i - 1])
            c++;
    return c;
}

/* Counts from the response list: states = distinct proper prefixes y_<t (t = 1..tau),
   pairs = distinct nonempty prefixes y_<=t (one per (state, action) edge used by a response),
   states of depth < d for each d. */
static void rl_counts(slong *states, slong *pairs, slong *below, const resp_list *L)
{
    slong i, t, ns = 0, np = 0, d;
    uint64_t *ks = malloc((size_t)(L->n * L->T + 1) * sizeof(uint64_t));
    uint64_t *kp = malloc((size_t)(L->n * L->T + 1) * sizeof(uint64_t));
    slong *depth_seen = calloc((size_t)(L->T + 1), sizeof(slong));
    for (i = 0; i < L->n; i++) {
        const slong *row = L->y + i * (L->T + 1);
        for (t = 1; t <= row[0]; t++) {
            ks[ns++] = word_key(row + 1, t - 1, L->A);
            kp[np++] = word_key(row + 1, t, L->A);
        }
    }
    *states = count_distinct(ks, ns);
    *pairs = count_distinct(kp, np);
    /* states by depth: distinct prefixes of each length */
    for (d = 0; d < L->T; d++) {
        slong m = 0;
        for (i = 0; i < L->n; i++) {
            const slong *row = L->y + i * (L->T + 1);
            if (d < row[0])
                ks[m++] = word_key(row + 1, d, L->A);
        }
        depth_seen[d] = count_distinct(ks, m);
    }
    below[0] = 0;
    for (d = 0; d < L->T; d++)
        below[d + 1] = below[d] + depth_seen[d];
    free(ks);
    free(kp);
    free(depth_seen);
}

/* Small spaces enumerated exhaustively: every (kind, V, T) with V <= 4, T <= 5, and a few
   of the paper's. */
typedef struct {
    ae_space_kind kind;
    slong V, T;
} small_space;

static slong small_spaces(small_space *out)
{
    slong n = 0, V, T;
    int k;
    for (k = 0; k < 2; k++)
        for (V = 1; V <= 4; V++)
            for (T = 1; T <= 5; T++) {
                out[n].kind = k ? AE_EOS : AE_FIXED;
                out[n].V = V;
                out[n].T = T;
                n++;
            }
    out[n].kind = AE_EOS, out[n].V = 8, out[n].T = 4, n++;
    out[n].kind = AE_FIXED, out[n].V = 8, out[n].T = 4, n++;
    out[n].kind = AE_EOS, out[n].V = 3, out[n].T = 6, n++;
    out[n].kind = AE_FIXED, out[n].V = 2, out[n].T = 9, n++;
    return n;
}
#define NSMALL_MAX 64

/* Every prefix (y_1..y_d), d < T, in odometer order; calls f for each. */
typedef void (*prefix_fn)(const ae_space_t sp, const slong *y, slong d, void *ctx);
static void for_each_prefix(const ae_space_t sp, prefix_fn f, void *ctx)
{
    slong *y = malloc((size_t)(sp->T + 1) * sizeof(slong)), d, i;
    for (d = 0; d < sp->T; d++) {
        for (i = 0; i < d; i++)
            y[i] = 0;
        for (;;) {
            f(sp, y, d, ctx);
            for (i = d - 1; i >= 0 && y[i] == sp->V - 1; i--)
                y[i] = 0;
            if (i < 0)
                break;
            y[i]++;
        }
    }
    free(y);
}

static void space_init_ok(ae_space_t sp, ae_space_kind kind, slong V, slong T, slong P)
{
    ae_err_t err;
    int rc;
    ae_err_init(err);
    rc = ae_space_init(sp, kind, V, T, P, err);
    TEST_CHECK(rc == 0 && err->code == 0, "ae_space_init(%s, V=%ld, T=%ld, P=%ld) = %d: %s",
                  kname(kind), (long)V, (long)T, (long)P, rc, err->msg);
}

/* ------------------------------------------------------------------ ae_space_init */

START_TEST(test_init_brute)
{
    small_space sps[NSMALL_MAX];
    slong n = small_spaces(sps), i, d;
    for (i = 0; i < n; i++) {
        ae_space_t sp;
        resp_list L;
        slong states, pairs, below[16];
        ae_space_kind kind = sps[i].kind;
        slong V = sps[i].V, T = sps[i].T, P = 1 + i % 3;

        rl_build(&L, kind, V, T);
        rl_counts(&states, &pairs, below, &L);
        space_init_ok(sp, kind, V, T, P);
        TEST_CHECK(sp->indexable == 1, "%s(%ld,%ld) not indexable", kname(kind), (long)V, (long)T);
        TEST_CHECK(fmpz_equal_si(sp->responses, L.n), "%s(%ld,%ld): |Y| brute force %ld",
                      kname(kind), (long)V, (long)T, (long)L.n);
        TEST_CHECK(fmpz_equal_si(sp->states, states), "%s(%ld,%ld): states brute force %ld",
                      kname(kind), (long)V, (long)T, (long)states);
        TEST_CHECK(fmpz_equal_si(sp->pairs, pairs), "%s(%ld,%ld): pairs brute force %ld",
                      kname(kind), (long)V, (long)T, (long)pairs);
        TEST_CHECK(fmpz_equal_si(sp->nodes, states + L.n), "%s(%ld,%ld): nodes brute force %ld",
                      kname(kind), (long)V, (long)T, (long)(states + L.n));
        TEST_CHECK(sp->S == states && sp->P == P && sp->V == V && sp->T == T && sp->kind == kind,
                      "%s(%ld,%ld): S=%ld P=%ld", kname(kind), (long)V, (long)T, (long)sp->S,
                      (long)sp->P);
        TEST_CHECK(sp->A == (kind == AE_EOS ? V + 1 : V), "%s(%ld,%ld): A=%ld", kname(kind),
                      (long)V, (long)T, (long)sp->A);
        for (d = 0; d <= T; d++)
            TEST_CHECK(sp->first[d] == below[d], "%s(%ld,%ld): first[%ld] = %ld, brute force %ld",
                          kname(kind), (long)V, (long)T, (long)d, (long)sp->first[d], (long)below[d]);
        ae_space_clear(sp);
        rl_clear(&L);
    }
}
END_TEST

/* Hand-computed counts (not derived from any formula of the library). */
static const struct {
    ae_space_kind kind;
    slong V, T;
    const char *responses, *states, *pairs;
} hand[] = {
    {AE_EOS, 8, 4, "585", "585", "1169"},       /* 1+8+64+512; pairs = 585 EOS + 584 tokens */
    {AE_FIXED, 8, 4, "4096", "585", "4680"},    /* 8^4; 585*8 */
    {AE_FIXED, 4, 8, "65536", "21845", "87380"}, /* 4^8; (4^8-1)/3; 21845*4 */
    {AE_EOS, 2, 12, "4095", "4095", "8189"},    /* 2^12-1 */
    {AE_EOS, 3, 8, "3280", "3280", "6559"},     /* (3^8-1)/2 */
    {AE_EOS, 1, 5, "5", "5", "9"},              /* E(1,T) has T responses */
    {AE_FIXED, 1, 5, "1", "5", "5"},            /* F(1,T) has 1 */
    {AE_EOS, 1, 64, "64", "64", "127"},
    {AE_FIXED, 1, 64, "1", "64", "64"},
    {AE_EOS, 7, 1, "1", "1", "1"},              /* T = 1: only EOS */
    {AE_FIXED, 7, 1, "7", "1", "7"},
    {AE_EOS, 1, 1, "1", "1", "1"},
    {AE_FIXED, 1, 1, "1", "1", "1"},
    {AE_EOS, 2, 2, "3", "3", "5"},
    {AE_FIXED, 2, 2, "4", "3", "6"},
    {AE_FIXED, 2, 64, "18446744073709551616", "18446744073709551615", "36893488147419103230"},
    {AE_EOS, 2, 64, "18446744073709551615", "18446744073709551615", "36893488147419103229"},
};

START_TEST(test_init_hand)
{
    ae_space_t sp;
    fmpz_t y, s, p, n;
    fmpz_init(y);
    fmpz_init(s);
    fmpz_init(p);
    fmpz_init(n);
    fmpz_set_str(y, hand[_i].responses, 10);
    fmpz_set_str(s, hand[_i].states, 10);
    fmpz_set_str(p, hand[_i].pairs, 10);
    fmpz_add(n, y, s);
    space_init_ok(sp, hand[_i].kind, hand[_i].V, hand[_i].T, 1);
    TEST_CHECK(fmpz_equal(sp->responses, y) && fmpz_equal(sp->states, s) &&
                      fmpz_equal(sp->pairs, p) && fmpz_equal(sp->nodes, n),
                  "%s(%ld,%ld): expected |Y|=%s states=%s pairs=%s", kname(hand[_i].kind),
                  (long)hand[_i].V, (long)hand[_i].T, hand[_i].responses, hand[_i].states,
                  hand[_i].pairs);
    if (sp->indexable)
        ck_assert(fmpz_equal_si(s, sp->S));
    ae_space_clear(sp);
    fmpz_clear(y);
    fmpz_clear(s);
    fmpz_clear(p);
    fmpz_clear(n);
}
END_TEST

/* Expected counts by closed forms computed here with fmpz_pow_ui:
   F: |Y| = V^T; E: |Y| = states; states = (V^T - 1)/(V - 1) (T when V = 1);
   pairs = (states - 1) token edges into child states + |Y| leaf edges. */
static void expected_counts(fmpz_t y, fmpz_t st, fmpz_t pr, ae_space_kind kind, slong V, slong T)
{
    fmpz_t vt;
    fmpz_init(vt);
    fmpz_set_si(vt, V);
    fmpz_pow_ui(vt, vt, (ulong)T);
    if (V == 1) {
        fmpz_set_si(st, T);
    } else {
        fmpz_sub_ui(st, vt, 1);
        fmpz_divexact_si(st, st, V - 1);
    }
    if (kind == AE_FIXED)
        fmpz_set(y, vt);
    else
        fmpz_set(y, st);
    fmpz_sub_ui(pr, st, 1);
    fmpz_add(pr, pr, y);
    fmpz_clear(vt);
}

START_TEST(test_init_big)
{
    int k;
    for (k = 0; k < 2; k++) {
        ae_space_kind kind = k ? AE_EOS : AE_FIXED;
        ae_space_t sp;
        ae_err_t err;
        fmpz_t y, st, pr, mw, w;
        char *ys;
        int rc;

        fmpz_init(y);
        fmpz_init(st);
        fmpz_init(pr);
        fmpz_init(mw);
        fmpz_init(w);
        expected_counts(y, st, pr, kind, AE_V_MAX, AE_T_MAX);
        if (kind == AE_FIXED) { /* 65536^64 = 2^1024 */
            fmpz_one(mw);
            fmpz_mul_2exp(mw, mw, 1024);
            ck_assert(fmpz_equal(y, mw));
        }
        space_init_ok(sp, kind, AE_V_MAX, AE_T_MAX, 1);
        TEST_CHECK(sp->indexable == 0, "%s(65536,64) claims to be indexable", kname(kind));
        TEST_CHECK(fmpz_equal(sp->responses, y), "%s(65536,64): |Y| wrong", kname(kind));
        TEST_CHECK(fmpz_equal(sp->states, st), "%s(65536,64): states wrong", kname(kind));
        TEST_CHECK(fmpz_equal(sp->pairs, pr), "%s(65536,64): pairs wrong", kname(kind));
        fmpz_add(w, st, y);
        TEST_CHECK(fmpz_equal(sp->nodes, w), "%s(65536,64): nodes wrong", kname(kind));

        /* the work check refuses whatever the allowance, with the exact |Y| in the message */
        ys = fmpz_get_str(NULL, 10, y);
        fmpz_one(mw);
        fmpz_mul_2exp(mw, mw, 5000);
        ae_err_init(err);
        rc = ae_space_check_work(sp, mw, err);
        TEST_CHECK(rc == AE_E_SIZE && err->code == AE_E_SIZE, "%s(65536,64): check_work = %d",
                      kname(kind), rc);
        TEST_CHECK(strstr(err->msg, ys) != NULL, "%s(65536,64): message lacks |Y| = %s: %s",
                      kname(kind), ys, err->msg);
        /* the whole message fits: it ends with its last clause, not mid-number */
        TEST_CHECK(strstr(err->msg, "beyond what this build can index (2^48 table entries)") != NULL,
                   "%s(65536,64): message truncated: %s", kname(kind), err->msg);
        flint_free(ys);
        ae_space_clear(sp);
        fmpz_clear(y);
        fmpz_clear(st);
        fmpz_clear(pr);
        fmpz_clear(mw);
        fmpz_clear(w);
    }
}
END_TEST

/* Random (kind, V, T, P), most of them far too large to index: counts must be exact. */
START_TEST(test_init_random)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0x1111), x = seed;
    slong it, iters = ae_test_iters(300);
    for (it = 0; it < iters; it++) {
        ae_space_kind kind = (sm_next(&x) & 1) ? AE_EOS : AE_FIXED;
        slong V = (sm_next(&x) & 1) ? sm_range(&x, 1, 6) : sm_range(&x, 1, AE_V_MAX);
        slong T = sm_range(&x, 1, AE_T_MAX), P = sm_range(&x, 1, 5);
        ae_space_t sp;
        fmpz_t y, st, pr, w, e;
        fmpz_init(y);
        fmpz_init(st);
        fmpz_init(pr);
        fmpz_init(w);
        fmpz_init(e);
        expected_counts(y, st, pr, kind, V, T);
        space_init_ok(sp, kind, V, T, P);
        TEST_CHECK(fmpz_equal(sp->responses, y) && fmpz_equal(sp->states, st) &&
                          fmpz_equal(sp->pairs, pr),
                      "seed %llu iter %ld: %s(%ld,%ld) P=%ld counts wrong",
                      (unsigned long long)seed, (long)it, kname(kind), (long)V, (long)T, (long)P);
        /* work = P * (states * A + |Y|) */
        fmpz_mul_si(e, st, kind == AE_EOS ? V + 1 : V);
        fmpz_add(e, e, y);
        fmpz_mul_si(e, e, P);
        ae_space_work(w, sp);
        TEST_CHECK(fmpz_equal(w, e), "seed %llu iter %ld: %s(%ld,%ld) P=%ld work wrong",
                      (unsigned long long)seed, (long)it, kname(kind), (long)V, (long)T, (long)P);
        if (fmpz_cmp_si(e, WORD(1) << 20) < 0) {
            TEST_CHECK(sp->indexable && sp->S == fmpz_get_si(st),
                          "seed %llu iter %ld: %s(%ld,%ld) P=%ld small but not indexable",
                          (unsigned long long)seed, (long)it, kname(kind), (long)V, (long)T, (long)P);
        }
        if (sp->indexable) /* S*A*P must fit in a slong index */
            ck_assert(fmpz_bits(e) < FLINT_BITS - 2);
        ae_space_clear(sp);
        fmpz_clear(y);
        fmpz_clear(st);
        fmpz_clear(pr);
        fmpz_clear(w);
        fmpz_clear(e);
    }
}
END_TEST

START_TEST(test_init_usage)
{
    static const slong bad[][3] = {
        {0, 4, 1}, {-1, 4, 1}, {AE_V_MAX + 1, 4, 1}, {WORD(1) << 40, 4, 1},
        {8, 0, 1}, {8, -3, 1}, {8, AE_T_MAX + 1, 1}, {8, 1000, 1},
        {8, 4, 0}, {8, 4, -7},
    };
    slong i;
    int k;
    for (k = 0; k < 2; k++)
        for (i = 0; i < (slong)(sizeof bad / sizeof bad[0]); i++) {
            ae_space_t sp;
            ae_err_t err;
            char num[32];
            slong V = bad[i][0], T = bad[i][1], P = bad[i][2];
            slong badv = (V < 1 || V > AE_V_MAX) ? V : (T < 1 || T > AE_T_MAX) ? T : P;
            int rc;
            ae_err_init(err);
            rc = ae_space_init(sp, k ? AE_EOS : AE_FIXED, V, T, P, err);
            snprintf(num, sizeof num, "%ld", (long)badv);
            TEST_CHECK(rc == AE_E_USAGE && err->code == AE_E_USAGE,
                          "ae_space_init(%s, V=%ld, T=%ld, P=%ld) = %d, expected AE_E_USAGE",
                          k ? "E" : "F", (long)V, (long)T, (long)P, rc);
            TEST_CHECK(strstr(err->msg, num) != NULL,
                          "V=%ld T=%ld P=%ld: message does not name the value %s: %s", (long)V,
                          (long)T, (long)P, num, err->msg);
            ae_space_clear(sp); /* outputs are safe to clear after a failure */
        }
    /* the limits themselves are valid */
    {
        ae_space_t sp;
        space_init_ok(sp, AE_EOS, AE_V_MAX, 1, 1);
        ae_space_clear(sp);
        space_init_ok(sp, AE_FIXED, 1, AE_T_MAX, 1);
        ae_space_clear(sp);
    }
}
END_TEST

/* ------------------------------------------------------------------ ae_space_work / check_work */

START_TEST(test_check_work)
{
    small_space sps[NSMALL_MAX];
    slong n = small_spaces(sps), i;
    for (i = 0; i < n; i++) {
        ae_space_t sp;
        ae_err_t err;
        fmpz_t w, e;
        char *ws, *ys, name[64];
        resp_list L;
        slong st, pr, below[16];
        slong P = 1 + i % 4;
        int rc;

        rl_build(&L, sps[i].kind, sps[i].V, sps[i].T);
        rl_counts(&st, &pr, below, &L);
        fmpz_init(w);
        fmpz_init(e);
        space_init_ok(sp, sps[i].kind, sps[i].V, sps[i].T, P);
        /* one walk over every prompt visits states*A (state, action) slots and |Y| leaves */
        fmpz_set_si(e, P * (st * sp->A + L.n));
        ae_space_work(w, sp);
        TEST_CHECK(fmpz_equal(w, e), "%s(%ld,%ld) P=%ld: work != %ld", kname(sps[i].kind),
                      (long)sps[i].V, (long)sps[i].T, (long)P, (long)fmpz_get_si(e));

        ae_err_init(err);
        rc = ae_space_check_work(sp, e, err);
        TEST_CHECK(rc == 0 && err->code == 0, "%s(%ld,%ld): refused at max_work = work: %s",
                      kname(sps[i].kind), (long)sps[i].V, (long)sps[i].T, err->msg);
        fmpz_sub_ui(e, e, 1);
        rc = ae_space_check_work(sp, e, err);
        TEST_CHECK(rc == AE_E_SIZE && err->code == AE_E_SIZE,
                      "%s(%ld,%ld): accepted at max_work = work - 1", kname(sps[i].kind),
                      (long)sps[i].V, (long)sps[i].T);
        ws = fmpz_get_str(NULL, 10, w);
        ys = fmpz_get_str(NULL, 10, sp->responses);
        snprintf(name, sizeof name, "%s(%ld,%ld)", kname(sps[i].kind), (long)sps[i].V,
                 (long)sps[i].T);
        TEST_CHECK(strstr(err->msg, ws) && strstr(err->msg, ys) && strstr(err->msg, name),
                      "message lacks work %s, |Y| %s or name %s: %s", ws, ys, name, err->msg);
        flint_free(ws);
        flint_free(ys);
        fmpz_clear(w);
        fmpz_clear(e);
        ae_space_clear(sp);
        rl_clear(&L);
    }
}
END_TEST

/* ------------------------------------------------------------------ name / kind_parse */

START_TEST(test_name)
{
    ae_space_t sp;
    char buf[64];
    space_init_ok(sp, AE_FIXED, 8, 4, 1);
    ae_space_name(buf, sizeof buf, sp);
    ck_assert_str_eq(buf, "F(8,4)");
    ae_space_clear(sp);
    space_init_ok(sp, AE_EOS, 65536, 64, 2);
    ae_space_name(buf, sizeof buf, sp);
    ck_assert_str_eq(buf, "E(65536,64)");
    ae_space_clear(sp);
}
END_TEST

/* The row's space column names P when P > 1, and parses back to the same space; texts that
   are not exactly that form are refused. */
START_TEST(test_row_name)
{
    static const char *const bad[] = {"E(8,4)P=2", "E(8,4)  P=2", "E(8,4) P=", "E(8,4) P=2 ", "e(8,4)", "E(8, 4)",
                                      "E(+8,4)", "E(8,4", "E(8,4) Q=2", "G(8,4)", "E(,4)", "E(1234567890,4)", ""};
    ae_space_kind kinds[2] = {AE_FIXED, AE_EOS};
    slong P[3] = {1, 2, 65536}, V, T, Q, i, j;
    ae_space_kind k;
    char buf[64];
    for (i = 0; i < 2; i++)
        for (j = 0; j < 3; j++) {
            ae_space_t sp;
            space_init_ok(sp, kinds[i], 3, 5, P[j]);
            ae_space_row_name(buf, sizeof buf, sp);
            if (P[j] == 1) {
                char plain[64];
                ae_space_name(plain, sizeof plain, sp);
                ck_assert_str_eq(buf, plain);
            } else
                ck_assert_ptr_nonnull(strstr(buf, " P="));
            ck_assert_int_eq(ae_space_row_parse(&k, &V, &T, &Q, buf), 0);
            ck_assert_int_eq(k, kinds[i]);
            ck_assert_int_eq(V, 3);
            ck_assert_int_eq(T, 5);
            ck_assert_int_eq(Q, P[j]);
            ae_space_clear(sp);
        }
    ck_assert_int_eq(ae_space_row_parse(&k, &V, &T, &Q, "E(8,4) P=2"), 0);
    ck_assert(k == AE_EOS && V == 8 && T == 4 && Q == 2);
    for (i = 0; i < (slong)(sizeof bad / sizeof bad[0]); i++)
        ck_assert_msg(ae_space_row_parse(&k, &V, &T, &Q, bad[i]) != 0, "'%s' was accepted", bad[i]);
}
END_TEST

START_TEST(test_kind_parse)
{
    ae_space_kind k = AE_EOS;
    ck_assert_int_eq(ae_space_kind_parse(&k, "fixed"), 0);
    ck_assert_int_eq(k, AE_FIXED);
    ck_assert_int_eq(ae_space_kind_parse(&k, "eos"), 0);
    ck_assert_int_eq(k, AE_EOS);
    ck_assert_int_ne(ae_space_kind_parse(&k, "EOS!"), 0);
    ck_assert_int_ne(ae_space_kind_parse(&k, ""), 0);
    ck_assert_int_ne(ae_space_kind_parse(&k, "fixedx"), 0);
}
END_TEST

/* ------------------------------------------------------------------ indexing */

typedef struct {
    slong count, *seen;
} idx_ctx;

static void check_prefix(const ae_space_t sp, const slong *y, slong d, void *vctx)
{
    idx_ctx *c = vctx;
    slong s = ae_space_rank(sp, y, d), e = formula_index(sp->V, y, d), i;
    slong tok[AE_T_MAX + 1];
    TEST_CHECK(s == e, "%s(%ld,%ld): rank of a depth-%ld prefix = %ld, formula %ld",
                  kname(sp->kind), (long)sp->V, (long)sp->T, (long)d, (long)s, (long)e);
    TEST_CHECK(s >= 0 && s < sp->S, "rank %ld out of [0, %ld)", (long)s, (long)sp->S);
    c->seen[s]++;
    c->count++;
    TEST_CHECK(ae_space_depth(sp, s) == d, "%s(%ld,%ld): depth(%ld) = %ld, expected %ld",
                  kname(sp->kind), (long)sp->V, (long)sp->T, (long)s, (long)ae_space_depth(sp, s),
                  (long)d);
    TEST_CHECK(ae_space_unrank(tok, sp, s) == d, "%s(%ld,%ld): unrank(%ld) depth != %ld", kname(sp->kind),
               (long)sp->V, (long)sp->T, (long)s, (long)d);
    for (i = 0; i < d; i++)
        TEST_CHECK(tok[i] == y[i], "%s(%ld,%ld): unrank(%ld)[%ld] = %ld, expected %ld",
                      kname(sp->kind), (long)sp->V, (long)sp->T, (long)s, (long)i, (long)tok[i],
                      (long)y[i]);
}

START_TEST(test_rank)
{
    small_space sps[NSMALL_MAX];
    slong n = small_spaces(sps), i, s;
    for (i = 0; i < n; i++) {
        ae_space_t sp;
        idx_ctx c;
        slong y[AE_T_MAX + 1] = {0};
        space_init_ok(sp, sps[i].kind, sps[i].V, sps[i].T, 1);
        c.count = 0;
        c.seen = calloc((size_t)sp->S, sizeof(slong));
        for_each_prefix(sp, check_prefix, &c);
        ck_assert_int_eq(c.count, sp->S);
        for (s = 0; s < sp->S; s++) /* bijective onto 0..S-1 */
            TEST_CHECK(c.seen[s] == 1, "state %ld ranked %ld times", (long)s, (long)c.seen[s]);
        free(c.seen);
        /* invalid prefixes */
        ck_assert_int_eq(ae_space_rank(sp, y, sp->T), -1);
        ck_assert_int_eq(ae_space_rank(sp, y, -1), -1);
        if (sp->T >= 2) {
            y[0] = sp->V;
            ck_assert_int_eq(ae_space_rank(sp, y, 1), -1);
            y[0] = -1;
            ck_assert_int_eq(ae_space_rank(sp, y, 1), -1);
        }
        ae_space_clear(sp);
    }
}
END_TEST

/* Random indexable spaces up to V = 65536: rank against the formula, unrank round trip. */
START_TEST(test_rank_random)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0x2222), x = seed;
    slong it, iters = ae_test_iters(2000);
    for (it = 0; it < iters; it++) {
        ae_space_kind kind = (sm_next(&x) & 1) ? AE_EOS : AE_FIXED;
        slong V = (sm_next(&x) & 1) ? sm_range(&x, 1, 10) : sm_range(&x, 1, AE_V_MAX);
        slong T = sm_range(&x, 1, AE_T_MAX), d, i, s;
        slong y[AE_T_MAX], tok[AE_T_MAX];
        ae_space_t sp;
        space_init_ok(sp, kind, V, T, 1);
        while (!sp->indexable) {
            ae_space_clear(sp);
            T = 1 + T / 2;
            space_init_ok(sp, kind, V, T, 1);
        }
        d = sm_range(&x, 0, T - 1);
        for (i = 0; i < d; i++)
            y[i] = sm_range(&x, 0, V - 1);
        s = ae_space_rank(sp, y, d);
        TEST_CHECK(s == formula_index(V, y, d),
                      "seed %llu iter %ld: %s(%ld,%ld) depth %ld: rank %ld, formula %ld",
                      (unsigned long long)seed, (long)it, kname(kind), (long)V, (long)T, (long)d,
                      (long)s, (long)formula_index(V, y, d));
        TEST_CHECK(ae_space_depth(sp, s) == d && ae_space_unrank(tok, sp, s) == d,
                   "seed %llu iter %ld: depth/unrank of state %ld != %ld", (unsigned long long)seed,
                   (long)it, (long)s, (long)d);
        for (i = 0; i < d; i++)
            TEST_CHECK(tok[i] == y[i], "seed %llu iter %ld: unrank mismatch at %ld",
                          (unsigned long long)seed, (long)it, (long)i);
        /* and a random state index goes round the other way */
        s = sm_range(&x, 0, sp->S - 1);
        d = ae_space_unrank(tok, sp, s);
        TEST_CHECK(ae_space_rank(sp, tok, d) == s, "seed %llu iter %ld: %s(%ld,%ld) state %ld",
                      (unsigned long long)seed, (long)it, kname(kind), (long)V, (long)T, (long)s);
        ae_space_clear(sp);
    }
}
END_TEST

static void check_child(const ae_space_t sp, const slong *y, slong d, void *vctx)
{
    slong s = formula_index(sp->V, y, d), a, c, tok;
    slong z[AE_T_MAX + 1];
    (void)vctx;
    memcpy(z, y, (size_t)d * sizeof(slong));
    for (a = 0; a < sp->V; a++) {
        c = ae_space_child(sp, s, a);
        if (d == sp->T - 1) {
            if (sp->kind == AE_FIXED)
                TEST_CHECK(c == -1, "F(%ld,%ld): child(%ld, %ld) = %ld at the last depth",
                              (long)sp->V, (long)sp->T, (long)s, (long)a, (long)c);
            continue;
        }
        z[d] = a;
        TEST_CHECK(c == formula_index(sp->V, z, d + 1),
                      "%s(%ld,%ld): child(%ld, %ld) = %ld, expected %ld", kname(sp->kind),
                      (long)sp->V, (long)sp->T, (long)s, (long)a, (long)c,
                      (long)formula_index(sp->V, z, d + 1));
        TEST_CHECK(ae_space_depth(sp, c) == d + 1, "%s(%ld,%ld): depth(child %ld) != %ld", kname(sp->kind),
                   (long)sp->V, (long)sp->T, (long)c, (long)(d + 1));
        tok = -1;
        TEST_CHECK(ae_space_parent(&tok, sp, c) == s && tok == a,
                      "%s(%ld,%ld): parent(%ld) = %ld token %ld, expected %ld token %ld",
                      kname(sp->kind), (long)sp->V, (long)sp->T, (long)c,
                      (long)ae_space_parent(&tok, sp, c), (long)tok, (long)s, (long)a);
    }
}

START_TEST(test_child_parent)
{
    small_space sps[NSMALL_MAX];
    slong n = small_spaces(sps), i;
    for (i = 0; i < n; i++) {
        ae_space_t sp;
        space_init_ok(sp, sps[i].kind, sps[i].V, sps[i].T, 2);
        for_each_prefix(sp, check_child, NULL);
        ae_space_clear(sp);
    }
}
END_TEST

START_TEST(test_depth)
{
    small_space sps[NSMALL_MAX];
    slong n = small_spaces(sps), i, s;
    for (i = 0; i < n; i++) {
        ae_space_t sp;
        slong d = 0, width = 1, left = 1;
        space_init_ok(sp, sps[i].kind, sps[i].V, sps[i].T, 1);
        /* depth d holds V^d consecutive states */
        for (s = 0; s < sp->S; s++) {
            TEST_CHECK(ae_space_depth(sp, s) == d, "%s(%ld,%ld): depth(%ld) = %ld, expected %ld",
                          kname(sp->kind), (long)sp->V, (long)sp->T, (long)s,
                          (long)ae_space_depth(sp, s), (long)d);
            if (--left == 0) {
                d++;
                width *= sp->V;
                left = width;
            }
        }
        ck_assert_int_eq(d, sp->T);
        ae_space_clear(sp);
    }
}
END_TEST

START_TEST(test_allowed_ends)
{
    small_space sps[NSMALL_MAX];
    slong n = small_spaces(sps), i, d, a;
    for (i = 0; i < n; i++) {
        ae_space_t sp;
        slong V = sps[i].V, T = sps[i].T;
        space_init_ok(sp, sps[i].kind, V, T, 1);
        for (d = 0; d < T; d++)
            for (a = 0; a < sp->A; a++) {
                /* E: EOS (column V) always allowed and always ending; tokens allowed below T-1.
                   F: every token allowed; ends exactly at depth T-1. */
                int allowed = sp->kind == AE_EOS ? (a == V || d < T - 1) : 1;
                int ends = sp->kind == AE_EOS ? (a == V) : (d == T - 1);
                TEST_CHECK(!!ae_space_allowed(sp, d, a) == allowed &&
                                  !!ae_space_ends(sp, d, a) == ends,
                              "%s(%ld,%ld) d=%ld a=%ld: allowed %d ends %d, expected %d %d",
                              kname(sp->kind), (long)V, (long)T, (long)d, (long)a,
                              ae_space_allowed(sp, d, a), ae_space_ends(sp, d, a), allowed, ends);
            }
        ae_space_clear(sp);
    }
}
END_TEST

/* ------------------------------------------------------------------ ae_space_response_rank */

START_TEST(test_response_rank)
{
    small_space sps[NSMALL_MAX];
    slong n = small_spaces(sps), i, j;
    for (i = 0; i < n; i++) {
        ae_space_t sp;
        resp_list L;
        rl_build(&L, sps[i].kind, sps[i].V, sps[i].T); /* sorted by length, then token ids */
        space_init_ok(sp, sps[i].kind, sps[i].V, sps[i].T, 1);
        ck_assert(fmpz_equal_si(sp->responses, L.n));
        for (j = 0; j < L.n; j++) {
            const slong *row = L.y + j * (L.T + 1);
            slong len = row[0], a = row[len];
            slong s = formula_index(sp->V, row + 1, len - 1);
            slong r = ae_space_response_rank(sp, s, a);
            TEST_CHECK(r == j,
                          "%s(%ld,%ld): response of length %ld ending with %ld at state %ld has rank "
                          "%ld, expected %ld",
                          kname(sp->kind), (long)sp->V, (long)sp->T, (long)len, (long)a, (long)s,
                          (long)r, (long)j);
        }
        ae_space_clear(sp);
        rl_clear(&L);
    }
}
END_TEST

/* ------------------------------------------------------------------ regressions */

/* The refusal message of the largest spaces must still carry the exact |Y| (a 309-digit count). */
START_TEST(test_regress_big_message)
{
    ae_space_t sp;
    ae_err_t err;
    fmpz_t mw, y;
    char *ys;
    fmpz_init(mw);
    fmpz_init(y);
    fmpz_one(y);
    fmpz_mul_2exp(y, y, 1024);
    space_init_ok(sp, AE_FIXED, AE_V_MAX, AE_T_MAX, AE_V_MAX);
    fmpz_set_ui(mw, 1);
    ae_err_init(err);
    ck_assert_int_eq(ae_space_check_work(sp, mw, err), AE_E_SIZE);
    ys = fmpz_get_str(NULL, 10, y);
    TEST_CHECK(strstr(err->msg, ys) != NULL, "message lacks 2^1024: %s", err->msg);
    flint_free(ys);
    ae_space_clear(sp);
    fmpz_clear(mw);
    fmpz_clear(y);
}
END_TEST

static Suite *space_suite(void)
{
    Suite *s = suite_create("space");
    TCase *tc;

    tc = tcase_create("ae_space_init");
    tcase_add_test(tc, test_init_brute);
    tcase_add_loop_test(tc, test_init_hand, 0, (int)(sizeof hand / sizeof hand[0]));
    tcase_add_test(tc, test_init_big);
    tcase_add_test(tc, test_init_random);
    tcase_add_test(tc, test_init_usage);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_space_check_work");
    tcase_add_test(tc, test_check_work);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_space_name");
    tcase_add_test(tc, test_name);
    tcase_add_test(tc, test_row_name);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_space_kind_parse");
    tcase_add_test(tc, test_kind_parse);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_space_rank");
    tcase_add_test(tc, test_rank);
    tcase_add_test(tc, test_rank_random);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_space_child");
    tcase_add_test(tc, test_child_parent);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_space_depth");
    tcase_add_test(tc, test_depth);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_space_allowed");
    tcase_add_test(tc, test_allowed_ends);
    suite_add_tcase(s, tc);

    tc = tcase_create("ae_space_response_rank");
    tcase_add_test(tc, test_response_rank);
    suite_add_tcase(s, tc);

    tc = tcase_create("regressions");
    tcase_add_test(tc, test_regress_big_message);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ae_test_run(space_suite());
}
