/* Tests of supervised learning (C4-C6) and data distributions: exact Zipf/uniform/random
   masses, file parsing and its errors, every C4/C5/C6 row verified on random small spaces,
   zero-mass data reported as an infimum, and a hand-computed entropy. */
#include <config.h>
#include "testlib.h"
#include "ae-impl.h"
#include <string.h>
#include <unistd.h>

START_TEST(test_zipf_exact)
{
    /* F(2,2), one prompt: masses are 1/k / H_4 for k = 1..4 in some order, H_4 = 25/12 */
    ae_space_t sp;
    ae_err_t err;
    ae_data_t d;
    fmpq_t sum, want;
    int seen[5] = {0}, y, k;
    ae_err_init(err);
    ae_space_init(sp, AE_FIXED, 2, 2, 1, err);
    ae_data_init(d, sp);
    ae_data_generate(d, AE_DATA_ZIPF, 1.0, 7, sp, 128);
    ck_assert_int_eq(d->exact, 1);
    fmpq_init(sum);
    fmpq_init(want);
    for (y = 0; y < 4; y++) {
        fmpq_add(sum, sum, d->q + y);
        for (k = 1; k <= 4; k++) {
            fmpq_set_si(want, 12, 25 * k);
            if (fmpq_equal(want, d->q + y))
                seen[k]++;
        }
    }
    ck_assert(fmpq_is_one(sum));
    for (k = 1; k <= 4; k++)
        ck_assert_int_eq(seen[k], 1);
    /* a non-integer exponent is certified only, still a distribution */
    ae_data_generate(d, AE_DATA_ZIPF, 1.5, 7, sp, 128);
    ck_assert_int_eq(d->exact, 0);
    {
        arb_t s;
        arb_init(s);
        for (y = 0; y < 4; y++)
            arb_add(s, s, d->b + y, 128);
        ck_assert(arb_contains_si(s, 1));
        arb_clear(s);
    }
    fmpq_clear(sum);
    fmpq_clear(want);
    ae_data_clear(d);
    ae_space_clear(sp);
}
END_TEST

START_TEST(test_prefix_masses)
{
    /* random data: prefix mass of the root is the prompt weight 1/P, exactly; every state's
       mass is the sum of its children's and ending actions' */
    uint64_t st = ae_test_seed();
    slong it, n = ae_test_iters(20);
    for (it = 0; it < n; it++) {
        ae_space_t sp;
        ae_data_t d;
        fmpq *m;
        fmpq_t w;
        slong p;
        ae_test_random_space(sp, &st);
        ae_data_init(d, sp);
        ae_data_generate(d, AE_DATA_RANDOM, 0, ae_test_next(&st), sp, 128);
        m = _fmpq_vec_init(sp->P * sp->S);
        ae_data_prefix_exact(m, d, sp);
        fmpq_init(w);
        for (p = 0; p < sp->P; p++) {
            fmpq_set_si(w, 1, sp->P);
            ck_assert(fmpq_equal(w, m + p * sp->S));
        }
        fmpq_clear(w);
        _fmpq_vec_clear(m, sp->P * sp->S);
        ae_data_clear(d);
        ae_space_clear(sp);
    }
}
END_TEST

static int read_text(ae_data_t d, const ae_space_t sp, const char *text, ae_err_t err)
{
    char *path = ae_test_tmpname("t-supervised", "txt");
    FILE *f = fopen(path, "w");
    int rc;
    fputs(text, f);
    fclose(f);
    ae_err_init(err);
    rc = ae_data_read(d, sp, path, err);
    unlink(path);
    free(path);
    return rc;
}

START_TEST(test_data_file)
{
    ae_space_t sp;
    ae_err_t err;
    ae_data_t d;
    fmpq_t w;
    static const struct { const char *text, *where; } bad[] = {
        {"0 1\n0 7\n", "line 2:field token 2"},
        {"0 1 1\n", "line 1: a response of 3 tokens"},
        {"0 1 * 0\n", "line 1:field count"},
        {"0 1 * x\n", "line 1:field count"},
        {"3: 0 1\n", "line 1:field prompt"},
        {"0 x\n", "line 1:field token 2"},
        {"# nothing\n\n", "no responses"},
        {"1: 0\n", "prompt 0 has no responses"},
        {"- 1\n", "line 1:field token 2: '-'"},
        {"1 -\n", "line 1:field token 2: '-'"},
    };
    int i;
    ae_err_init(err);
    ae_space_init(sp, AE_EOS, 2, 3, 2, err);
    ae_data_init(d, sp);
    ck_assert_int_eq(read_text(d, sp, "# comment\n0 1 * 3\n-\n1: 1\n\n1: 1 0 * 2\n", err), 0);
    fmpq_init(w);
    fmpq_set_si(w, 3, 7); /* (0 1) x3 of 7 */
    ck_assert(fmpq_equal(w, d->q + ae_space_response_rank_tokens(sp, (slong[]){0, 1}, 2)));
    fmpq_set_si(w, 1, 7); /* the empty response */
    ck_assert(fmpq_equal(w, d->q + 0));
    fmpq_set_si(w, 2, 7);
    ck_assert(fmpq_equal(w, d->q + d->Y + ae_space_response_rank_tokens(sp, (slong[]){1, 0}, 2)));
    ck_assert_int_eq(d->zeros, 2 * 7 - 4);
    for (i = 0; i < 10; i++) {
        ck_assert_int_eq(read_text(d, sp, bad[i].text, err), AE_E_INPUT);
        ck_assert_msg(strstr(err->msg, bad[i].where) != NULL && strstr(err->msg, "t-supervised") != NULL,
                      "case %d: %s", i, err->msg);
    }
    fmpq_clear(w);
    ae_data_clear(d);
    ae_space_clear(sp);
}
END_TEST

START_TEST(test_claims_random)
{
    static const ae_data_kind kinds[] = {AE_DATA_ZIPF, AE_DATA_SOFTMAX_NORMAL, AE_DATA_UNIFORM, AE_DATA_RANDOM};
    static const double params[] = {1.0, 0.1, 0, 0};
    uint64_t st = ae_test_seed() + 1;
    slong it, n = ae_test_iters(16), exact_rows = 0, infimum_rows = 0;
    for (it = 0; it < n; it++) {
        ae_space_t sp;
        ae_instance in;
        ae_data_t d;
        ae_rows_t rows;
        slong i;
        ae_test_random_space(sp, &st);
        ae_test_instance(&in, sp, AE_GEN_DYADIC, ae_test_next(&st), "t");
        ae_rows_init(rows);
        ae_claim_c4_certified(rows, &in, ae_test_next(&st), 128, 1024);
        ae_claim_c5_certified(rows, &in, ae_test_next(&st), 128, 1024);
        ae_data_init(d, sp);
        ae_data_generate(d, kinds[it % 4], params[it % 4], ae_test_next(&st), sp, 256);
        ae_claim_c6(rows, &in, d, ae_test_next(&st), 128, 1024);
        for (i = 0; i < rows->n; i++) {
            ck_assert_msg(rows->v[i].verdict == AE_VERIFIED, "it %ld %c(%ld,%ld) P=%ld %s: %s is %s (%s)", (long)it,
                          sp->kind == AE_EOS ? 'E' : 'F', (long)sp->V, (long)sp->T, (long)sp->P, d->name,
                          rows->v[i].check, ae_verdict_name(rows->v[i].verdict), rows->v[i].measured);
            exact_rows += strcmp(rows->v[i].arith, "exact") == 0;
            infimum_rows += strstr(rows->v[i].instance, "infimum") != NULL;
        }
        ae_data_clear(d);
        ae_rows_clear(rows);
        ae_space_clear(sp);
    }
    if (n >= 8) /* not vacuous: exact rows ran (uniform data is always exact) */
        ck_assert_int_gt(exact_rows, 0);
    (void)infimum_rows; /* zero-mass data may or may not be drawn here: test_zero_mass is sure */
}
END_TEST

START_TEST(test_zero_mass)
{
    /* E(2,3) with data on two responses only: the minimum is an infimum, reported as such,
       and every row still verifies */
    ae_space_t sp;
    ae_err_t err;
    ae_data_t d;
    ae_instance in;
    ae_rows_t rows;
    slong i, noted = 0;
    ae_err_init(err);
    ae_space_init(sp, AE_EOS, 2, 3, 1, err);
    ae_data_init(d, sp);
    ck_assert_int_eq(read_text(d, sp, "0 1 * 2\n1\n", err), 0);
    ck_assert_int_eq(d->zeros, 5);
    ae_test_instance(&in, sp, AE_GEN_DYADIC, 4, "zeros");
    ae_rows_init(rows);
    ae_claim_c6(rows, &in, d, 5, 128, 1024);
    for (i = 0; i < rows->n; i++) {
        ck_assert_msg(rows->v[i].verdict == AE_VERIFIED, "%s: %s", rows->v[i].check, ae_verdict_name(rows->v[i].verdict));
        noted += strstr(rows->v[i].instance, "(infimum: 5 zero-mass y)") != NULL;
    }
    ck_assert_int_eq(noted, 2); /* the two rows about the minimum */
    ae_rows_clear(rows);
    ae_data_clear(d);
    ae_space_clear(sp);
}
END_TEST

START_TEST(test_hand_entropy)
{
    /* F(2,1), rho = (1/4, 3/4) from a file: H = -(1/4 log 1/4 + 3/4 log 3/4); the row shows it */
    ae_space_t sp;
    ae_err_t err;
    ae_data_t d;
    ae_instance in;
    ae_rows_t rows;
    mpfr_t h, t;
    arb_t x, shown;
    char *s;
    ae_err_init(err);
    ae_space_init(sp, AE_FIXED, 2, 1, 1, err);
    ae_data_init(d, sp);
    ck_assert_int_eq(read_text(d, sp, "0\n1 * 3\n", err), 0);
    ae_test_instance(&in, sp, AE_GEN_DYADIC, 1, "hand");
    ae_rows_init(rows);
    ae_claim_c6(rows, &in, d, 3, 128, 1024);
    ck_assert_int_eq(ae_rows_verdict(rows), AE_VERIFIED);
    mpfr_inits2(200, h, t, (mpfr_ptr)0);
    mpfr_set_d(t, 0.25, MPFR_RNDN);
    mpfr_log(t, t, MPFR_RNDN);
    mpfr_mul_d(h, t, -0.25, MPFR_RNDN);
    mpfr_set_d(t, 0.75, MPFR_RNDN);
    mpfr_log(t, t, MPFR_RNDN);
    mpfr_mul_d(t, t, -0.75, MPFR_RNDN);
    mpfr_add(h, h, t, MPFR_RNDN);
    arb_init(x);
    arb_init(shown);
    arb_set_interval_mpfr(x, h, h, 200);
    s = strstr(rows->v[2].predicted, "H = ");
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(arb_set_str(shown, s + 4, 128), 0);
    ck_assert_msg(arb_overlaps(shown, x), "H shown %s", s);
    arb_clear(x);
    arb_clear(shown);
    mpfr_clears(h, t, (mpfr_ptr)0);
    ae_rows_clear(rows);
    ae_data_clear(d);
    ae_space_clear(sp);
}
END_TEST

/* The row of check `check`, or fail. */
static const ae_row *find_row(const ae_rows_t rows, const char *check)
{
    slong i;
    for (i = 0; i < rows->n; i++)
        if (strcmp(rows->v[i].check, check) == 0)
            return rows->v + i;
    ck_abort_msg("no row '%s'", check);
    return NULL;
}

/* KL((1/4,3/4) || (w0,w1)/(w0+w1)) in double, for the oracle below */
static double kl_hand(double w0, double w1)
{
    double p0 = w0 / (w0 + w1), p1 = w1 / (w0 + w1);
    return 0.25 * log(0.25 / p0) + 0.75 * log(0.75 / p1);
}

/* the printed ball, widened by double rounding of the oracle, contains x */
static int printed_encloses(arb_t shown, double x)
{
    arb_t t;
    int ok;
    arb_init(t);
    arb_set_d(t, x);
    arb_add_error_2exp_si(t, -40);
    ok = arb_overlaps(shown, t) && x > 0;
    arb_clear(t);
    return ok;
}

START_TEST(test_minimality)
{
    /* F(2,1), rho = (1/4, 3/4): the minimality rows certify L - H > 0 on random q and R, and the
       smallest gap they print is the smallest KL(rho || p) over the same tables, recomputed
       here in double from the definitions (softmax of the logits, psi normalised) */
    ae_space_t sp;
    ae_err_t err;
    ae_data_t d;
    ae_instance in;
    ae_rows_t rows;
    ae_table_t q;
    ae_gen_t g;
    const ae_row *row;
    arb_t shown;
    double kq = INFINITY, kr = INFINITY;
    uint64_t aux = 3;
    slong j;
    ae_err_init(err);
    ae_space_init(sp, AE_FIXED, 2, 1, 1, err);
    ae_data_init(d, sp);
    ck_assert_int_eq(read_text(d, sp, "0\n1 * 3\n", err), 0);
    ae_test_instance(&in, sp, AE_GEN_DYADIC, 1, "hand");
    ae_rows_init(rows);
    ae_claim_c6(rows, &in, d, aux, 128, 1024);
    ck_assert_int_eq(ae_rows_verdict(rows), AE_VERIFIED);
    ae_table_init(q, sp);
    for (j = 0; j < 4; j++) {
        double w[2];
        slong y;
        g->kind = AE_GEN_DYADIC;
        g->seed = aux;
        g->stream = 51 + 1000 * (uint64_t)j;
        ae_gen_table(q, g, sp, 64);
        kq = fmin(kq, kl_hand(exp(arf_get_d(arb_midref(q->v + 0), ARF_RND_NEAR)),
                              exp(arf_get_d(arb_midref(q->v + 1), ARF_RND_NEAR))));
        for (y = 0; y < 2; y++)
            w[y] = (double)(1 + ae_hash(aux, 53 + 1000 * (uint64_t)j, 0, (uint64_t)y, 0) % 16);
        kr = fmin(kr, kl_hand(w[0], w[1]));
    }
    arb_init(shown);
    row = find_row(rows, "L_ARM(q) > H(Y|X), random q");
    ck_assert_str_eq(row->items, "4");
    ck_assert_int_eq(row->verdict, AE_VERIFIED);
    ck_assert_int_eq(arb_set_str(shown, strchr(row->measured, '=') + 2, 128), 0);
    ck_assert_msg(printed_encloses(shown, kq), "%s vs %.17g", row->measured, kq);
    row = find_row(rows, "L_EBM(R) > H(Y|X), random R");
    ck_assert_int_eq(row->verdict, AE_VERIFIED);
    ck_assert_int_eq(arb_set_str(shown, strchr(row->measured, '=') + 2, 128), 0);
    ck_assert_msg(printed_encloses(shown, kr), "%s vs %.17g", row->measured, kr);
    /* the decompositions, the stationary point and the two minimisers are each one row */
    ck_assert_int_eq(find_row(rows, "L_ARM(q) - H = sum_s rho(s) KL(pi*||pi_q)")->verdict, AE_VERIFIED);
    ck_assert_int_eq(find_row(rows, "L_EBM(R) - H = KL(rho||p_R), random R")->verdict, AE_VERIFIED);
    ck_assert_str_eq(find_row(rows, "grad L_ARM(M(r*)) = 0")->items, "2");
    ck_assert_int_eq(find_row(rows, "L_ARM(M(r*)) = L_EBM(R*)")->verdict, AE_VERIFIED);
    arb_clear(shown);
    ae_table_clear(q);
    ae_rows_clear(rows);
    ae_data_clear(d);
    ae_space_clear(sp);
}
END_TEST

/* v = the double nearest x, as a rational (m: a 53-bit scratch) */
static void nearest_double(fmpq_t v, mpfr_t m, const fmpq_t x)
{
    arf_t a;
    arf_init(a);
    fmpq_get_mpfr(m, x, MPFR_RNDN);
    arf_set_d(a, mpfr_get_d(m, MPFR_RNDN));
    arf_get_fmpq(v, a);
    arf_clear(a);
}

/* A distribution written by ae_data_write and read back by ae_data_read: the exact families
   through .csv (fractions N/D) give the same rationals; through .npy each value is the double
   nearest the rational, independently rounded here by MPFR, then divided by their sum. */
START_TEST(test_probs_file)
{
    static const ae_data_kind kinds[] = {AE_DATA_ZIPF, AE_DATA_UNIFORM, AE_DATA_RANDOM};
    ae_space_kind sk[2] = {AE_EOS, AE_FIXED};
    int k, i, f;
    for (i = 0; i < 2; i++)
        for (k = 0; k < 3; k++)
            for (f = 0; f < 2; f++) {
                ae_space_t sp;
                ae_data_t d, e;
                ae_err_t err;
                fmpq_t sum, v;
                mpfr_t m;
                slong y;
                char *path = ae_test_tmpname("t-supervised", f ? "npy" : "csv");
                char *name = ae_malloc(strlen(path) + 5);
                ae_err_init(err);
                ck_assert_int_eq(ae_space_init(sp, sk[i], 3, 3, 2, err), 0);
                ae_data_init(d, sp);
                ae_data_init(e, sp);
                ae_data_generate(d, kinds[k], 1.0, 7, sp, 256);
                ck_assert(d->exact);
                ck_assert_int_eq(ae_data_write(path, d, sp, 17, err), 0);
                ck_assert_int_eq(ae_data_read(e, sp, path, err), 0);
                ck_assert(e->exact && e->kind == AE_DATA_FILE);
                sprintf(name, "file:%s", path);
                ck_assert_str_eq(e->name, name);
                fmpq_init(sum);
                fmpq_init(v);
                mpfr_init2(m, 53);
                for (y = 0; y < d->P * d->Y; y++) { /* the sum of the nearest doubles */
                    nearest_double(v, m, d->q + y);
                    fmpq_add(sum, sum, f ? v : d->q + y);
                }
                for (y = 0; y < d->P * d->Y; y++) {
                    if (f) {
                        nearest_double(v, m, d->q + y);
                        fmpq_div(v, v, sum);
                    } else
                        fmpq_set(v, d->q + y);
                    ck_assert_msg(fmpq_equal(e->q + y, v), "%s kind %d: value %ld differs", path, k, (long)y);
                }
                ck_assert_int_eq(e->zeros, d->zeros);
                if (!f)
                    ck_assert(e->sum_dev == 0);
                mpfr_clear(m);
                fmpq_clear(sum);
                fmpq_clear(v);
                unlink(path);
                free(path);
                free(name);
                ae_data_clear(d);
                ae_data_clear(e);
                ae_space_clear(sp);
            }
}
END_TEST

static Suite *supervised_suite(void)
{
    Suite *s = suite_create("supervised");
    ae_test_add(s, "ae_data_generate", test_zipf_exact, 30);
    ae_test_add(s, "ae_data_prefix_exact", test_prefix_masses, 30);
    ae_test_add(s, "ae_data_read", test_data_file, 30);
    ae_test_add(s, "ae_data_write", test_probs_file, 30);
    ae_test_add(s, "claims_c4_c5_c6", test_claims_random, 30);
    ae_test_add(s, "hand", test_hand_entropy, 30);
    ae_test_add(s, "zero_mass", test_zero_mass, 30);
    ae_test_add(s, "minimality", test_minimality, 30);
    return s;
}

int main(void)
{
    return ae_test_run(supervised_suite());
}
