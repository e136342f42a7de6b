/* Tests of the claim checkers C1-C3: every check verifies on random instances, broken maps are
   caught as violated (mutation tests), precision escalation, and the row writers. */
#include <config.h>
#include "testlib.h"
#include "ae-impl.h"
#include "claim/claim.h"
#include <stdlib.h>
#include <string.h>

/* |Y| per prompt computed here, not by the library */
static slong responses(ae_space_kind kind, slong V, slong T)
{
    slong n = 0, p = 1, d;
    for (d = 0; d < T; d++) {
        n += p;
        p *= V;
    }
    return kind == AE_FIXED ? p : n;
}

static void assert_all_verified(const ae_rows_t rows, const char *what, uint64_t seed, const ae_space_t sp)
{
    slong i;
    char name[64];
    ae_space_name(name, sizeof name, sp);
    ck_assert_msg(rows->n > 0, "%s: no rows", what);
    for (i = 0; i < rows->n; i++)
        ck_assert_msg(rows->v[i].verdict == AE_VERIFIED, "%s on %s P=%ld seed %llu: row '%s' is %s (%s)",
                      what, name, (long)sp->P, (unsigned long long)seed, rows->v[i].check,
                      ae_verdict_name(rows->v[i].verdict), rows->v[i].measured);
}

static const ae_row *find_row(const ae_rows_t rows, const char *check)
{
    slong i;
    for (i = 0; i < rows->n; i++)
        if (strcmp(rows->v[i].check, check) == 0)
            return rows->v + i;
    return NULL;
}

START_TEST(test_c1_exact)
{
    uint64_t st = ae_test_seed();
    slong it, n = ae_test_iters(30);
    for (it = 0; it < n; it++) {
        ae_space_t sp;
        ae_instance in;
        ae_rows_t rows;
        const ae_row *r;
        char want[32];
        ae_test_random_space(sp, &st);
        ae_test_instance(&in, sp, AE_GEN_POTENTIAL, ae_test_next(&st), "t");
        ae_rows_init(rows);
        ae_claim_c1_exact(rows, &in, ae_test_next(&st));
        assert_all_verified(rows, "C1 exact", st, sp);
        r = find_row(rows, "p_R(y) = p_M(r)(y) all y");
        ck_assert_ptr_nonnull(r);
        snprintf(want, sizeof want, "%ld", (long)(sp->P * responses(sp->kind, sp->V, sp->T)));
        ck_assert_str_eq(r->items, want);
        ck_assert_str_eq(r->arith, "exact");
        ae_rows_clear(rows);
        ae_space_clear(sp);
    }
}
END_TEST

START_TEST(test_c1_certified)
{
    uint64_t st = ae_test_seed() + 1;
    slong it, n = ae_test_iters(20);
    for (it = 0; it < n; it++) {
        ae_space_t sp;
        ae_instance in;
        ae_rows_t rows;
        slong i;
        ae_test_random_space(sp, &st);
        ae_test_instance(&in, sp, (it & 1) ? AE_GEN_POTENTIAL : AE_GEN_DYADIC, ae_test_next(&st), "t");
        ae_rows_init(rows);
        ae_claim_c1_certified(rows, &in, ae_test_next(&st), 64, 1024);
        assert_all_verified(rows, "C1 certified", st, sp);
        for (i = 0; i < rows->n; i++)
            ck_assert_int_eq(rows->v[i].prec, 64); /* small instances decide at once */
        ae_rows_clear(rows);
        ae_space_clear(sp);
    }
}
END_TEST

/* Mutants of M: each must make the checks that depend on it fail, and only those. */
static slong mutant_depth;

static void map_drop_value(ae_table_t q, const ae_table_t r, const ae_space_t sp, slong prec)
{
    slong p, s, a, d = mutant_depth;
    ae_bellman_map(q, r, sp, prec);
    for (p = 0; p < sp->P; p++)
        for (s = sp->first[d]; s < sp->first[d + 1]; s++)
            for (a = 0; a < sp->A; a++)
                if (ae_space_allowed(sp, d, a) && !ae_space_ends(sp, d, a))
                    arb_set(ae_table_entry(q, p, s, a), ae_table_entry(r, p, s, a)); /* drops V_q(s.a) */
}

START_TEST(test_mutant_drop_value)
{
    static const struct { ae_space_kind kind; slong V, T; } cases[] = {
        {AE_FIXED, 2, 3}, {AE_EOS, 3, 3}, {AE_FIXED, 8, 4}, {AE_EOS, 2, 5}};
    int c;
    for (c = 0; c < 4; c++)
        for (mutant_depth = 0; mutant_depth < cases[c].T - 1; mutant_depth++) {
            ae_space_t sp;
            ae_err_t err;
            ae_instance in;
            ae_rows_t rows;
            const ae_row *r;
            ae_err_init(err);
            ae_space_init(sp, cases[c].kind, cases[c].V, cases[c].T, 2, err);
            ae_test_instance(&in, sp, AE_GEN_DYADIC, 5, "mutant");
            ae_rows_init(rows);
            _ae_claim_c1_certified_map(rows, &in, 9, 128, 512, map_drop_value);
            r = find_row(rows, "p_R(y) = p_M(r)(y) all y");
            ck_assert_msg(r->verdict == AE_VIOLATED, "case %d depth %ld: distribution check says %s", c,
                          (long)mutant_depth, ae_verdict_name(r->verdict));
            ck_assert_msg(strstr(r->measured, "differs at prompt") != NULL, "counterexample named: %s", r->measured);
            r = find_row(rows, "unmap(map(r)) = r");
            ck_assert_int_eq(r->verdict, AE_VIOLATED);
            r = find_row(rows, "A(x) = V_q(x)");
            ck_assert_int_eq(r->verdict, mutant_depth == 0 ? AE_VIOLATED : AE_VERIFIED);
            ck_assert_int_eq(ae_rows_verdict(rows), AE_VIOLATED);
            ae_rows_clear(rows);
            ae_space_clear(sp);
        }
}
END_TEST

START_TEST(test_mutant_sanity)
{
    /* the unmutated map through the same hook verifies: the mutation test is not vacuous */
    ae_space_t sp;
    ae_err_t err;
    ae_instance in;
    ae_rows_t rows;
    ae_err_init(err);
    ae_space_init(sp, AE_EOS, 3, 3, 2, err);
    ae_test_instance(&in, sp, AE_GEN_DYADIC, 5, "plain");
    ae_rows_init(rows);
    _ae_claim_c1_certified_map(rows, &in, 9, 128, 512, ae_bellman_map);
    assert_all_verified(rows, "hooked plain map", 5, sp);
    ae_rows_clear(rows);
    ae_space_clear(sp);
}
END_TEST

START_TEST(test_c2_certified)
{
    uint64_t st = ae_test_seed() + 2;
    slong it, n = ae_test_iters(20);
    for (it = 0; it < n; it++) {
        ae_space_t sp;
        ae_instance in;
        ae_rows_t rows;
        ae_test_random_space(sp, &st);
        ae_test_instance(&in, sp, AE_GEN_DYADIC, ae_test_next(&st), "t");
        ae_rows_init(rows);
        ae_claim_c2_certified(rows, &in, ae_test_next(&st), 128, 1024);
        assert_all_verified(rows, "C2", st, sp);
        /* F(1,T) and E(V,1) have one response: KL = 0 for every q, the maximum is an equality */
        if ((sp->V == 1 && sp->kind == AE_FIXED) || (sp->kind == AE_EOS && sp->T == 1))
            ck_assert_ptr_nonnull(find_row(rows, "ELBO = log Z (one response)"));
        else
            ck_assert_ptr_nonnull(find_row(rows, "ELBO < log Z (random q)"));
        ae_rows_clear(rows);
        ae_space_clear(sp);
    }
}
END_TEST

START_TEST(test_c3_exact)
{
    uint64_t st = ae_test_seed() + 3;
    slong it, n = ae_test_iters(30);
    for (it = 0; it < n; it++) {
        ae_space_t sp;
        ae_instance in;
        ae_rows_t rows;
        const ae_row *r;
        ae_test_random_space(sp, &st);
        ae_test_instance(&in, sp, AE_GEN_POTENTIAL, ae_test_next(&st), "t");
        ae_rows_init(rows);
        ae_claim_c3_exact(rows, &in, ae_test_next(&st));
        assert_all_verified(rows, "C3", st, sp);
        r = find_row(rows, sp->kind == AE_EOS ? "sum_y p_q(y) = 1, EOS forced" : "sum_y p_q(y) = 1, fixed length");
        ck_assert_ptr_nonnull(r);
        ck_assert_str_eq(r->measured, "1");
        r = find_row(rows, "unforced EOS: sum = 1 - lost");
        if (sp->kind == AE_EOS) {
            fmpq_t m;
            ck_assert_ptr_nonnull(r);
            fmpq_init(m);
            ck_assert_int_eq(fmpq_set_str(m, r->measured, 10), 0);
            ck_assert_msg(fmpq_sgn(m) > 0 && fmpq_cmp_ui(m, 1) < 0, "unforced mass %s not in (0,1)", r->measured);
            fmpq_clear(m);
        } else {
            ck_assert_ptr_null(r);
        }
        ae_rows_clear(rows);
        ae_space_clear(sp);
    }
}
END_TEST

/* A hand-solved instance: E(1,2) has responses (EOS) and (0, EOS). With psi(root,0) = a,
   psi(root,EOS) = b, psi((0),EOS) = c: Z = b + a c, p(EOS) = b / Z. The checker's own numbers are
   not exposed, so test the multiplicative map against this by hand. */
START_TEST(test_hand_e12)
{
    ae_space_t sp;
    ae_err_t err;
    ae_qtable_t psi, phi;
    fmpq_t z;
    ae_err_init(err);
    ae_space_init(sp, AE_EOS, 1, 2, 1, err);
    ae_qtable_init(psi, sp);
    ae_qtable_init(phi, sp);
    fmpq_set_si(ae_qtable_entry(psi, 0, 0, 0), 3, 1); /* a */
    fmpq_set_si(ae_qtable_entry(psi, 0, 0, 1), 2, 1); /* b */
    fmpq_set_si(ae_qtable_entry(psi, 0, 1, 1), 5, 1); /* c */
    ae_bellman_map_exact(phi, psi, sp);
    fmpq_init(z);
    fmpq_add(z, ae_qtable_entry(phi, 0, 0, 0), ae_qtable_entry(phi, 0, 0, 1));
    ck_assert(fmpq_equal_si(z, 17));                           /* Z = 2 + 3*5 */
    ck_assert(fmpq_equal_si(ae_qtable_entry(phi, 0, 0, 0), 15)); /* a * beta((0)) = 3*5 */
    fmpq_clear(z);
    ae_qtable_clear(psi);
    ae_qtable_clear(phi);
    ae_space_clear(sp);
}
END_TEST

static slong decide_at;

static void fake_check(ae_rows_t rows, const void *arg, slong prec)
{
    ae_row *r = ae_rows_add(rows);
    (void)arg;
    r->prec = prec;
    r->verdict = prec >= decide_at ? AE_VERIFIED : AE_UNDECIDED;
}

START_TEST(test_escalate)
{
    ae_rows_t rows;
    ae_rows_init(rows);
    decide_at = 512;
    ae_escalate(rows, fake_check, NULL, 64, 4096);
    ck_assert_int_eq(rows->n, 1);
    ck_assert_int_eq(rows->v[0].prec, 512);
    ck_assert_int_eq(rows->v[0].verdict, AE_VERIFIED);
    decide_at = 1 << 20;
    ae_escalate(rows, fake_check, NULL, 64, 1000);
    ck_assert_int_eq(rows->n, 2);
    ck_assert_int_eq(rows->v[1].prec, 512); /* 64,128,256,512; 1024 > max_prec */
    ck_assert_int_eq(rows->v[1].verdict, AE_UNDECIDED);
    ae_rows_clear(rows);
}
END_TEST

START_TEST(test_writers)
{
    ae_rows_t rows;
    ae_row *r;
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    ae_rows_init(rows);
    r = ae_rows_add(rows);
    strcpy(r->claim, "C1");
    strcpy(r->check, "a,b \"q\"");
    strcpy(r->measured, "x_1 & 50%");
    r->verdict = AE_VERIFIED;
    r->prec = 128;
    f = open_memstream(&buf, &len);
    ae_rows_write(f, rows, AE_FMT_CSV);
    fclose(f);
    ck_assert_str_eq(buf, "claim,check,space,prompt,instance,arith,items,measured,predicted,tol,ratio,verdict,prec,double_err\n"
                          "C1,\"a,b \"\"q\"\"\",,,,,,x_1 & 50%,,,,verified,128,\n");
    free(buf);
    f = open_memstream(&buf, &len);
    ae_rows_write(f, rows, AE_FMT_JSONL);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "\"check\":\"a,b \\\"q\\\"\""));
    ck_assert_ptr_nonnull(strstr(buf, "\"prec\":128,"));
    free(buf);
    f = open_memstream(&buf, &len);
    ae_rows_write(f, rows, AE_FMT_TEX);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "x\\_1 \\& 50\\%"));
    ck_assert_ptr_nonnull(strstr(buf, "\\bottomrule"));
    free(buf);
    ae_rows_clear(rows);
}
END_TEST


/* The one equality rule (ae_cert_eq) on the per-response row: a difference certified nonzero
   is a violation even when it is far below the tolerance. q = M(r) with one leaf logit raised
   by 2^-100 (tol is 2^-(128-AE_TOL_SLACK) = 2^-96 here): log p_q(y) - log p_R(y) is about
   2^-101 for that y, with balls of radius about 2^-120 around it. */
START_TEST(test_paths_nonzero_below_tol)
{
    ae_space_t sp;
    ae_err_t err;
    ae_table_t r, q;
    ae_instance in;
    ae_paths_t ps;
    ae_rows_t rows;
    slong s, a, prec = 128;
    ae_err_init(err);
    ck_assert_int_eq(ae_space_init(sp, AE_FIXED, 2, 2, 1, err), 0);
    ae_table_init(r, sp);
    ae_table_init(q, sp);
    for (s = 0; s < sp->S; s++)
        for (a = 0; a < sp->A; a++) /* exact dyadic rewards (s + 2a - 1)/4 */
            arb_set_d(ae_table_entry(r, 0, s, a), (double)(s + 2 * a - 1) / 4);
    ae_bellman_map(q, r, sp, prec);
    arb_ptr x = ae_table_entry(q, 0, sp->first[1], 1);
    arb_t t;
    arb_init(t);
    arb_one(t);
    arb_mul_2exp_si(t, t, -100);
    arb_add(x, x, t, prec);
    arb_clear(t);
    ae_test_instance(&in, sp, AE_GEN_DYADIC, 1, "t");
    ae_paths_init(ps);
    ae_paths_walk(ps, r, q, NULL, sp, 0, prec);
    ae_rows_init(rows);
    ae_paths_row(rows, "C1", "p", &in, r, q, ps, prec);
    ck_assert_int_eq(rows->n, 1);
    ck_assert_msg(rows->v[0].verdict == AE_VIOLATED, "certified nonzero below tol is %s (%s, tol %s)",
                  ae_verdict_name(rows->v[0].verdict), rows->v[0].measured, rows->v[0].tol);
    /* the raised logit lowers pi_q(0 | (0)): (0, 0), rank 0, is the first response that differs */
    ck_assert_str_eq(rows->v[0].measured, "differs at prompt 0 y#0");
    /* and without the perturbation the same row verifies */
    ae_bellman_map(q, r, sp, prec);
    ae_paths_walk(ps, r, q, NULL, sp, 0, prec);
    ae_paths_row(rows, "C1", "p", &in, r, q, ps, prec);
    ck_assert_int_eq(rows->v[1].verdict, AE_VERIFIED);
    ae_rows_clear(rows);
    ae_paths_clear(ps);
    ae_table_clear(r);
    ae_table_clear(q);
    ae_space_clear(sp);
}
END_TEST

static Suite *claims_suite(void)
{
    Suite *s = suite_create("claims");
    ae_test_add(s, "ae_claim_c1_exact", test_c1_exact, 20);
    ae_test_add(s, "ae_claim_c1_certified", test_c1_certified, 20);
    ae_test_add(s, "mutation", test_mutant_drop_value, 20);
    ae_test_add(s, "mutation_sanity", test_mutant_sanity, 20);
    ae_test_add(s, "ae_claim_c2_certified", test_c2_certified, 20);
    ae_test_add(s, "ae_claim_c3_exact", test_c3_exact, 20);
    ae_test_add(s, "hand", test_hand_e12, 20);
    ae_test_add(s, "paths_nonzero_below_tol", test_paths_nonzero_below_tol, 20);
    ae_test_add(s, "ae_escalate", test_escalate, 20);
    ae_test_add(s, "ae_rows_write", test_writers, 20);
    return s;
}

int main(void)
{
    return ae_test_run(claims_suite());
}
