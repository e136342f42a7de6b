/* Tests of the distillation checks (C7-C11): hand-computed KL, every bound verified on random
   students, a wrong bound caught with a certified counterexample, row-constant students,
   lookahead limits, the adversary's optimum, and the reference-measure identities. */
#include <config.h>
#include "testlib.h"
#include "ae-impl.h"
#include "claim/claim.h"
#include <string.h>

static const ae_row *find_row(const ae_rows_t rows, const char *check)
{
    slong i;
    for (i = 0; i < rows->n; i++)
        if (strcmp(rows->v[i].check, check) == 0)
            return rows->v + i;
    return NULL;
}

/* Teacher F(2,1) with r = (0, 0): p_R uniform on two responses. Student delta = (e, -e):
   p_q = (s, 1-s) with s = 1/(1+exp(-2e)); KL(p_q||U) = log 2 + s log s + (1-s) log(1-s),
   KL(U||p_q) = -log 2 - (log s + log(1-s))/2. Computed here with MPFR, not by the library. */
static void hand_kl(mpfr_t fwd, mpfr_t rev, double e)
{
    mpfr_t s, t, u, l2;
    mpfr_inits2(256, s, t, u, l2, (mpfr_ptr)0);
    mpfr_set_d(s, -2 * e, MPFR_RNDN);
    mpfr_exp(s, s, MPFR_RNDN);
    mpfr_add_ui(s, s, 1, MPFR_RNDN);
    mpfr_ui_div(s, 1, s, MPFR_RNDN);      /* s */
    mpfr_ui_sub(t, 1, s, MPFR_RNDN);      /* 1 - s */
    mpfr_const_log2(l2, MPFR_RNDN);
    mpfr_log(u, s, MPFR_RNDN);
    mpfr_mul(fwd, u, s, MPFR_RNDN);
    mpfr_set(rev, u, MPFR_RNDN);
    mpfr_log(u, t, MPFR_RNDN);
    mpfr_add(rev, rev, u, MPFR_RNDN);
    mpfr_div_si(rev, rev, -2, MPFR_RNDN);
    mpfr_sub(rev, rev, l2, MPFR_RNDN);
    mpfr_mul(u, u, t, MPFR_RNDN);
    mpfr_add(fwd, fwd, u, MPFR_RNDN);
    mpfr_add(fwd, fwd, l2, MPFR_RNDN);
    mpfr_clears(s, t, u, l2, (mpfr_ptr)0);
}

START_TEST(test_hand_two_actions)
{
    static const double eps[] = {1e-6, 1e-3, 0.5, 3.0};
    int i;
    for (i = 0; i < 4; i++) {
        ae_space_t sp;
        ae_err_t err;
        ae_table_t qs, dl;
        ae_distill_t m;
        mpfr_t fwd, rev;
        arb_t x;
        ae_err_init(err);
        ae_space_init(sp, AE_FIXED, 2, 1, 1, err);
        ae_table_init(qs, sp);
        ae_table_init(dl, sp);
        arb_set_d(ae_table_entry(dl, 0, 0, 0), eps[i]);
        arb_set_d(ae_table_entry(dl, 0, 0, 1), -eps[i]);
        ae_distill_init(m);
        ae_distill_measure(m, qs, dl, sp, 0, 128);
        mpfr_inits2(256, fwd, rev, (mpfr_ptr)0);
        hand_kl(fwd, rev, eps[i]);
        arb_init(x);
        arb_set_interval_mpfr(x, fwd, fwd, 256);
        ck_assert_msg(arb_overlaps(x, m->kl_qr), "eps %g: KL(q||R) %s", eps[i], arb_get_str(m->kl_qr, 20, 0));
        arb_set_interval_mpfr(x, rev, rev, 256);
        ck_assert_msg(arb_overlaps(x, m->kl_rq), "eps %g: KL(R||q) %s", eps[i], arb_get_str(m->kl_rq, 20, 0));
        ck_assert(arb_rel_accuracy_bits(m->kl_qr) > 60);
        /* Hoeffding is tight here: range 2 eps, KL <= eps^2/2, ratio -> 1 as eps -> 0 */
        arb_set_d(x, eps[i]);
        ck_assert(arb_equal(x, m->eps));
        ck_assert_int_eq(m->lemma1, AE_VERIFIED);
        ck_assert_int_eq(m->perpath, AE_VERIFIED);
        ck_assert_int_eq(m->responses, 2);
        arb_clear(x);
        mpfr_clears(fwd, rev, (mpfr_ptr)0);
        ae_distill_clear(m);
        ae_table_clear(qs);
        ae_table_clear(dl);
        ae_space_clear(sp);
    }
}
END_TEST

/* A wrong bound, T eps^2/64: two equally likely actions with delta = +-eps give KL ~ eps^2/2. */
static void b_wrong(arb_t b, const ae_distill_t m, const ae_space_t sp, slong prec)
{
    arb_sqr(b, m->eps, prec);
    arb_mul_si(b, b, sp->T, prec);
    arb_mul_2exp_si(b, b, -6);
}

static const ae_bound wrong_bounds[] = {{"C9", "KL(q||R) <= T eps^2/64 (wrong)", 0, b_wrong},
                                        {NULL, NULL, 0, NULL}};

START_TEST(test_wrong_bound_violated)
{
    ae_space_t sp;
    ae_err_t err;
    ae_instance in;
    ae_rows_t rows;
    ae_table_t r, dl;
    ae_student_spec st;
    const ae_row *row;
    ae_err_init(err);
    ae_space_init(sp, AE_FIXED, 2, 1, 1, err);
    ae_table_init(r, sp); /* r = 0: the two actions equally likely */
    ae_table_init(dl, sp);
    arb_set_d(ae_table_entry(dl, 0, 0, 0), 0.01);
    arb_set_d(ae_table_entry(dl, 0, 0, 1), -0.01);
    in.sp = sp;
    in.r = r;
    snprintf(in.name, sizeof in.name, "two-actions");
    memset(&st, 0, sizeof st);
    st.kind = AE_STUDENT_ADV_FWD; /* a given delta */
    st.delta = dl;
    snprintf(st.label, sizeof st.label, "pm-eps");
    ae_rows_init(rows);
    ae_claim_distill(rows, &in, &st, wrong_bounds, 128, 1024);
    row = find_row(rows, "KL(q||R) <= T eps^2/64 (wrong)");
    ck_assert_ptr_nonnull(row);
    ck_assert_msg(row->verdict == AE_VIOLATED, "wrong bound says %s", ae_verdict_name(row->verdict));
    ck_assert_int_eq(row->prec, 128); /* certified at once, no escalation needed */
    ck_assert_double_gt(atof(row->ratio), 30.0); /* about (eps^2/2)/(eps^2/64) = 32 */
    /* the right bounds on the same student hold */
    ae_rows_clear(rows);
    ae_rows_init(rows);
    ae_claim_distill(rows, &in, &st, ae_bounds_kl, 128, 1024);
    ck_assert_int_eq(ae_rows_verdict(rows), AE_VERIFIED);
    row = find_row(rows, "KL(q||R) <= E_q|y| eps^2/2");
    ck_assert_double_gt(atof(row->ratio), 0.99); /* Hoeffding is tight for small eps */
    ae_rows_clear(rows);
    ae_table_clear(r);
    ae_table_clear(dl);
    ae_space_clear(sp);
}
END_TEST

START_TEST(test_random_students)
{
    static const ae_student_kind kinds[] = {AE_STUDENT_UNIFORM, AE_STUDENT_SIGN, AE_STUDENT_SPARSE,
                                            AE_STUDENT_ROWCONST, AE_STUDENT_VALUE};
    uint64_t stt = ae_test_seed();
    slong it, n = ae_test_iters(12);
    for (it = 0; it < n; it++) {
        ae_space_t sp;
        ae_err_t err;
        ae_instance in;
        ae_rows_t rows;
        ae_student_spec st;
        slong i;
        ae_space_kind kind = (ae_test_next(&stt) & 1) ? AE_EOS : AE_FIXED;
        slong V = 1 + (slong)(ae_test_next(&stt) % 3), T = 1 + (slong)(ae_test_next(&stt) % 4);
        ae_err_init(err);
        ae_space_init(sp, kind, V, T, 1 + (slong)(ae_test_next(&stt) % 2), err);
        ae_test_instance(&in, sp, AE_GEN_DYADIC, ae_test_next(&stt), "t");
        memset(&st, 0, sizeof st);
        st.kind = kinds[it % 5];
        st.eps = ldexp(1.0, (int)(ae_test_next(&stt) % 30) - 20);
        st.seed = ae_test_next(&stt);
        snprintf(st.label, sizeof st.label, "%s", ae_student_name(st.kind));
        ae_rows_init(rows);
        ae_claim_distill(rows, &in, &st, ae_bounds_kl, 128, 2048);
        for (i = 0; i < rows->n; i++)
            ck_assert_msg(rows->v[i].verdict == AE_VERIFIED, "%s V=%ld T=%ld %s eps=%g: %s is %s", kind == AE_EOS ? "E" : "F",
                          (long)V, (long)T, st.label, st.eps, rows->v[i].check, ae_verdict_name(rows->v[i].verdict));
        if (st.kind == AE_STUDENT_ROWCONST)
            ck_assert_ptr_nonnull(find_row(rows, "row-constant delta: KL = 0 both ways"));
        ae_rows_clear(rows);
        ae_space_clear(sp);
    }
}
END_TEST

START_TEST(test_lookahead_limits)
{
    ae_space_t sp;
    ae_err_t err;
    ae_table_t r, q, qs;
    ae_gen_t g;
    slong i, k;
    arf_t dev, tol;
    ae_err_init(err);
    ae_space_init(sp, AE_EOS, 2, 4, 2, err);
    ae_table_init(r, sp);
    ae_table_init(q, sp);
    ae_table_init(qs, sp);
    arf_init(dev);
    arf_init(tol);
    g->kind = AE_GEN_DYADIC;
    g->seed = 3;
    g->stream = 1;
    ae_gen_table(r, g, sp, 128);
    ae_bellman_map(qs, r, sp, 128);
    ae_student_lookahead(q, r, 0, sp, 128); /* myopic: q = r exactly */
    for (i = 0; i < q->P * q->S * q->A; i++)
        ck_assert(arb_equal(q->v + i, r->v + i));
    for (k = sp->T - 1; k <= sp->T + 1; k++) { /* full lookahead is M(r) */
        ae_student_lookahead(q, r, k, sp, 128);
        ck_assert_int_eq(ae_table_compare(dev, tol, NULL, q, qs, sp, 128), AE_VERIFIED);
    }
    /* k = T-2 is not enough on a random instance: q differs from M(r) somewhere */
    ae_student_lookahead(q, r, sp->T - 2, sp, 128);
    ck_assert_int_eq(ae_table_compare(dev, tol, NULL, q, qs, sp, 128), AE_VIOLATED);
    arf_clear(dev);
    arf_clear(tol);
    ae_table_clear(r);
    ae_table_clear(q);
    ae_table_clear(qs);
    ae_space_clear(sp);
}
END_TEST

START_TEST(test_adversary_optimum)
{
    /* F(2,1), uniform teacher: the KL-maximising student in the box is delta = +-(e, -e),
       KL = log 2 + s log s + (1-s) log(1-s), s = 1/(1+exp(-2e)) */
    static const double eps[] = {0.01, 0.5, 2.0};
    int i, rev;
    for (i = 0; i < 3; i++)
        for (rev = 0; rev < 2; rev++) {
            ae_space_t sp;
            ae_err_t err;
            ae_table_t qs, dl;
            ae_distill_t m;
            mpfr_t fwd, bwd;
            ae_err_init(err);
            ae_space_init(sp, AE_FIXED, 2, 1, 1, err);
            ae_table_init(qs, sp);
            ae_table_init(dl, sp);
            ae_student_adversarial(dl, qs, rev, eps[i], 5, 3, sp);
            ae_distill_init(m);
            ae_distill_measure(m, qs, dl, sp, 0, 128);
            mpfr_inits2(256, fwd, bwd, (mpfr_ptr)0);
            hand_kl(fwd, bwd, eps[i]);
            ck_assert_msg(fabs(arf_get_d(arb_midref(rev ? m->kl_rq : m->kl_qr), ARF_RND_NEAR) -
                               mpfr_get_d(rev ? bwd : fwd, MPFR_RNDN)) <= 1e-12 * mpfr_get_d(rev ? bwd : fwd, MPFR_RNDN),
                          "eps %g dir %d: adversary KL %s", eps[i], rev, arb_get_str(rev ? m->kl_rq : m->kl_qr, 15, 0));
            mpfr_clears(fwd, bwd, (mpfr_ptr)0);
            ae_distill_clear(m);
            ae_table_clear(qs);
            ae_table_clear(dl);
            ae_space_clear(sp);
        }
}
END_TEST

START_TEST(test_value_student_eps)
{
    ae_space_t sp;
    ae_err_t err;
    ae_table_t r, qs, dl;
    ae_student_spec st;
    ae_distill_t m;
    arb_t e;
    slong p;
    ae_err_init(err);
    ae_space_init(sp, AE_FIXED, 3, 3, 2, err);
    ae_table_init(r, sp);
    ae_table_init(qs, sp);
    ae_table_init(dl, sp);
    arb_init(e);
    {
        ae_gen_t g;
        g->kind = AE_GEN_DYADIC;
        g->seed = 8;
        g->stream = 1;
        ae_gen_table(r, g, sp, 128);
    }
    ae_bellman_map(qs, r, sp, 128);
    memset(&st, 0, sizeof st);
    st.kind = AE_STUDENT_VALUE;
    st.eps = 0.25;
    st.seed = 4;
    ae_student_build(dl, &st, r, qs, sp, 128);
    {
        /* delta = q - M(r) is eta itself, exactly, where q is built from M(r)'s values by its
           own route: a certified equality against that q, and every entry exact (so an eta of
           0 is an exact 0, decided exactly rather than within a tolerance) */
        ae_table_t q, d2;
        slong k;
        ae_table_init(q, sp);
        ae_table_init(d2, sp);
        ae_student_value_noise(q, r, qs, st.eps, st.seed, sp, 128);
        for (k = 0; k < sp->P * sp->S * sp->A; k++) {
            arf_t dev, tol;
            arf_init(dev);
            arf_init(tol);
            arb_sub(d2->v + k, q->v + k, qs->v + k, 128);
            TEST_CHECK(arb_is_exact(dl->v + k), "delta entry %ld is not exact", (long)k);
            TEST_CHECK(ae_cert_eq(dev, tol, dl->v + k, d2->v + k, 128) == AE_VERIFIED, "delta entry %ld", (long)k);
            arf_clear(dev);
            arf_clear(tol);
        }
        ae_table_clear(q);
        ae_table_clear(d2);
    }
    ae_distill_init(m);
    for (p = 0; p < sp->P; p++) {
        ae_distill_measure(m, qs, dl, sp, p, 128);
        arb_set_d(e, 0.25);
        ck_assert(arb_le(m->eps, e));
        arb_mul_2exp_si(e, e, -1);
        ck_assert(arb_gt(m->eps, e)); /* the noise is not vacuous */
    }
    ae_distill_clear(m);
    arb_clear(e);
    ae_table_clear(r);
    ae_table_clear(qs);
    ae_table_clear(dl);
    ae_space_clear(sp);
}
END_TEST

START_TEST(test_c11)
{
    uint64_t stt = ae_test_seed() + 5;
    slong it, n = ae_test_iters(10);
    for (it = 0; it < n; it++) {
        ae_space_t sp;
        ae_err_t err;
        ae_instance in;
        ae_rows_t rows;
        slong i;
        ae_err_init(err);
        ae_space_init(sp, (it & 1) ? AE_EOS : AE_FIXED, 1 + (slong)(ae_test_next(&stt) % 3),
                      1 + (slong)(ae_test_next(&stt) % 4), 2, err);
        ae_test_instance(&in, sp, AE_GEN_DYADIC, ae_test_next(&stt), "t");
        ae_rows_init(rows);
        ae_claim_c11_certified(rows, &in, ae_test_next(&stt), 128, 1024);
        ck_assert_int_eq(rows->n, 2);
        for (i = 0; i < rows->n; i++)
            ck_assert_msg(rows->v[i].verdict == AE_VERIFIED, "C11 %s: %s", rows->v[i].check,
                          ae_verdict_name(rows->v[i].verdict));
        ae_rows_clear(rows);
        ae_space_clear(sp);
    }
}
END_TEST

START_TEST(test_reward_families)
{
    /* F(2,2): responses 00 01 10 11; sum mod 2 == 0 for 00 and 11; palindromes 00 and 11 */
    ae_space_t sp;
    ae_err_t err;
    ae_table_t r;
    ae_err_init(err);
    ae_space_init(sp, AE_FIXED, 2, 2, 1, err);
    ae_table_init(r, sp);
    ae_reward_family_table(r, AE_REWARD_SUMMOD, 2, sp);
    ck_assert(arb_is_zero(ae_table_entry(r, 0, 0, 0)));     /* root: no signal yet */
    ck_assert(arb_is_one(ae_table_entry(r, 0, 1, 0)));      /* 0 0 */
    ck_assert(arb_is_zero(ae_table_entry(r, 0, 1, 1)));     /* 0 1 */
    ck_assert(arb_is_one(ae_table_entry(r, 0, 2, 1)));      /* 1 1 */
    ae_reward_family_table(r, AE_REWARD_PALINDROME, 1, sp);
    ck_assert(arb_is_zero(ae_table_entry(r, 0, 2, 0)));     /* 1 0 */
    ck_assert(arb_is_one(ae_table_entry(r, 0, 2, 1)));      /* 1 1 */
    ae_table_clear(r);
    ae_space_clear(sp);
}
END_TEST


/* The one inequality rule: measured <= bound only when upper(measured) <= lower(bound). A
   student whose delta is 0 +- 2^-110 (not exactly 0) has per-state and per-path quantities that
   are balls around 0 on both sides: nothing certifies them, so they are undecided (they used to
   be called verified as "0 = 0 within 2^-(p-32)"). */
START_TEST(test_no_zero_fallback)
{
    ae_space_t sp;
    ae_err_t err;
    ae_table_t r, qs, dl;
    ae_distill_t m;
    slong k;
    ae_err_init(err);
    ae_space_init(sp, AE_FIXED, 2, 2, 1, err);
    ae_table_init(r, sp);
    ae_table_init(qs, sp);
    ae_table_init(dl, sp);
    for (k = 0; k < sp->S * sp->A; k++) {
        arb_set_si(r->v + k, k % 3);
        arb_zero(dl->v + k);
        mag_set_ui_2exp_si(arb_radref(dl->v + k), 1, -110);
    }
    ae_bellman_map(qs, r, sp, 128);
    ae_distill_init(m);
    ae_distill_measure(m, qs, dl, sp, 0, 128);
    ck_assert_msg(m->perpath == AE_UNDECIDED, "per-path is %s", ae_verdict_name(m->perpath));
    ck_assert_msg(m->lemma1 == AE_UNDECIDED, "Lemma 1 is %s", ae_verdict_name(m->lemma1));
    ae_distill_clear(m);
    ae_table_clear(r);
    ae_table_clear(qs);
    ae_table_clear(dl);
    ae_space_clear(sp);
}
END_TEST

/* Students equal to the teacher exactly, decided exactly: every row verified with tol "exact",
   KL and the bounds printed as 0 (they were "strict" rows with KL 9e-37 above a 7e-37 bound).
   - E(3,4) dyadic:seed=1, lookahead k = 3 = T-1: q_k = M(r) (Proposition C10.1);
   - F(4,4) palindrome, k = 1: delta is row-constant (C10.md, remark), proven in polynomials of e:
     the policies equal the teacher's, so both KLs, TV and the state-weighted bounds are 0. */
START_TEST(test_exact_students)
{
    int which;
    for (which = 0; which < 2; which++) {
        ae_space_t sp;
        ae_err_t err;
        ae_instance in;
        ae_table_t r;
        ae_rows_t rows;
        ae_student_spec st;
        slong i, nexact = 0;
        ae_err_init(err);
        ae_space_init(sp, which ? AE_FIXED : AE_EOS, which ? 4 : 3, 4, 1, err);
        ae_table_init(r, sp);
        if (which) {
            ae_reward_family_table(r, AE_REWARD_PALINDROME, 3, sp);
            in.r = r;
        } else {
            ae_test_instance(&in, sp, AE_GEN_DYADIC, 1, "dyadic");
            in.r = NULL;
        }
        in.sp = sp;
        snprintf(in.name, sizeof in.name, "t");
        memset(&st, 0, sizeof st);
        st.kind = AE_STUDENT_LOOKAHEAD;
        st.k = which ? 1 : 3;
        snprintf(st.label, sizeof st.label, "lookahead");
        ae_rows_init(rows);
        ae_claim_distill(rows, &in, &st, ae_bounds_kl, 128, 128);
        for (i = 0; i < rows->n; i++) {
            const ae_row *w = rows->v + i;
            int sw = strstr(w->check, "min(rng") != NULL || strstr(w->check, "Pinsker") != NULL;
            ck_assert_msg(w->verdict == AE_VERIFIED, "%d: %s is %s", which, w->check, ae_verdict_name(w->verdict));
            if (which == 0 || sw) {
                ck_assert_msg(strcmp(w->tol, "exact") == 0, "%d: %s decided by '%s'", which, w->check, w->tol);
                if (strstr(w->check, "<=") && strncmp(w->measured, "max", 3) != 0)
                    ck_assert_msg(strcmp(w->measured, "0") == 0 &&
                                      (strcmp(w->predicted, "0") == 0 || strchr(w->predicted, '|') != NULL),
                                  "%d: %s measured %s bound %s", which, w->check, w->measured, w->predicted);
                nexact++;
            }
        }
        ck_assert_int_ge(nexact, which ? 3 : 11);
        ae_rows_clear(rows);
        ae_table_clear(r);
        ae_space_clear(sp);
    }
}
END_TEST

/* Independent brute force for the adversary: KL between q = q* + delta and q* summed over the
   responses (path log-probabilities from row log-softmaxes, no state recursion), in double. */
typedef struct {
    const ae_space_struct *sp;
    const double *q, *qs;
    double fwd, rev;
} brute;

static double log_softmax(const double *row, const ae_space_struct *sp, slong d, slong a)
{
    double m = -HUGE_VAL, z = 0;
    slong b;
    for (b = 0; b < sp->A; b++)
        if (ae_space_allowed(sp, d, b) && row[b] > m)
            m = row[b];
    for (b = 0; b < sp->A; b++)
        if (ae_space_allowed(sp, d, b))
            z += exp(row[b] - m);
    return row[a] - m - log(z);
}

static void brute_walk(brute *b, slong s, slong d, double lq, double ls)
{
    const ae_space_struct *sp = b->sp;
    slong a;
    for (a = 0; a < sp->A; a++) {
        double xq, xs;
        if (!ae_space_allowed(sp, d, a))
            continue;
        xq = lq + log_softmax(b->q + s * sp->A, sp, d, a);
        xs = ls + log_softmax(b->qs + s * sp->A, sp, d, a);
        if (ae_space_ends(sp, d, a)) {
            b->fwd += exp(xq) * (xq - xs);
            b->rev += exp(xs) * (xs - xq);
        } else {
            brute_walk(b, ae_space_child(sp, s, a), d + 1, xq, xs);
        }
    }
}

static void brute_kl(double *fwd, double *rev, const ae_space_struct *sp, const double *q, const double *qs)
{
    brute b;
    b.sp = sp;
    b.q = q;
    b.qs = qs;
    b.fwd = b.rev = 0;
    brute_walk(&b, 0, 0, 0, 0);
    *fwd = b.fwd;
    *rev = b.rev;
}

START_TEST(test_adversary_brute_force)
{
    /* On every tiny space, seeds 1-3, every eps of the distillation grid, both directions: the
       adversary's certified KL is the maximum over the box. The maximum is taken here over all
       2^n vertices of the box (n allowed entries, one prompt) and, to check that no interior point
       does better (KL(p_q||p_R) is not convex in delta), over 2000 random points and on F(2,2) a
       grid of 5^6 points. The target is 0.95 of the maximum; an exact maximum reaches 1
       up to the float64 brute force's own error (1e-3 relative at eps = 1e-6). */
    static const struct { ae_space_kind kind; slong V, T; } spaces[] = {
        {AE_FIXED, 2, 2}, {AE_EOS, 2, 3}, {AE_FIXED, 3, 2}, {AE_EOS, 3, 2}};
    static const double eps[] = {1e-6, 1e-3, 1e-1, 1.0, 10.0};
    const char *verbose = getenv("AE_ADV_RATIOS");
    int isp, seed, j, rev;
    double worst = HUGE_VAL;
    for (isp = 0; isp < 4; isp++)
        for (seed = 1; seed <= 3; seed++) {
            ae_space_t sp;
            ae_err_t err;
            ae_table_t r, qs, dl;
            ae_gen_t g;
            slong n = 0, i, *idx, S, A;
            double *qd, *q;
            ae_err_init(err);
            ae_space_init(sp, spaces[isp].kind, spaces[isp].V, spaces[isp].T, 1, err);
            S = sp->S;
            A = sp->A;
            ae_table_init(r, sp);
            ae_table_init(qs, sp);
            ae_table_init(dl, sp);
            g->kind = AE_GEN_DYADIC;
            g->seed = (uint64_t)seed;
            g->stream = 1;
            ae_gen_table(r, g, sp, 128);
            ae_bellman_map(qs, r, sp, 128);
            qd = ae_calloc((size_t)(S * A), sizeof(double));
            q = ae_calloc((size_t)(S * A), sizeof(double));
            idx = ae_calloc((size_t)(S * A), sizeof(slong));
            for (i = 0; i < S * A; i++) {
                slong s = i / A, a = i % A;
                if (ae_space_allowed(sp, ae_space_depth(sp, s), a)) {
                    qd[i] = arf_get_d(arb_midref(ae_table_entry(qs, 0, s, a)), ARF_RND_NEAR);
                    idx[n++] = i;
                }
            }
            ck_assert(n <= 16);
            for (j = 0; j < 5; j++) {
                double vmax[2] = {0, 0}, other[2] = {0, 0}, f, b;
                ulong mask, u;
                /* all vertices */
                for (mask = 0; mask < (UWORD(1) << n); mask++) {
                    memcpy(q, qd, (size_t)(S * A) * sizeof(double));
                    for (i = 0; i < n; i++)
                        q[idx[i]] += (mask >> i) & 1 ? eps[j] : -eps[j];
                    brute_kl(&f, &b, sp, q, qd);
                    vmax[0] = f > vmax[0] ? f : vmax[0];
                    vmax[1] = b > vmax[1] ? b : vmax[1];
                }
                /* random interior points, and the 5^6 grid on F(2,2) */
                for (u = 0; u < 2000 + (isp == 0 ? 15625 : 0); u++) {
                    ulong c = u - 2000;
                    memcpy(q, qd, (size_t)(S * A) * sizeof(double));
                    for (i = 0; i < n; i++) {
                        double t = u < 2000 ? (double)(ae_hash(99, (uint64_t)u, (uint64_t)i, 0, 0) % 2049) / 1024.0 - 1.0
                                            : (double)(c % 5) / 2.0 - 1.0;
                        if (u >= 2000)
                            c /= 5;
                        q[idx[i]] += t * eps[j];
                    }
                    brute_kl(&f, &b, sp, q, qd);
                    other[0] = f > other[0] ? f : other[0];
                    other[1] = b > other[1] ? b : other[1];
                }
                for (rev = 0; rev < 2; rev++) {
                    ae_distill_t m;
                    double got, ratio;
                    ck_assert_int_eq(ae_student_adversarial(dl, qs, rev, eps[j], 5, 3, sp), 1);
                    ae_distill_init(m);
                    ae_distill_measure(m, qs, dl, sp, 0, 128);
                    got = arf_get_d(arb_midref(rev ? m->kl_rq : m->kl_qr), ARF_RND_NEAR);
                    ratio = got / vmax[rev];
                    worst = ratio < worst ? ratio : worst;
                    if (verbose)
                        fprintf(stderr, "%s%ld,%ld seed %d eps %g %s: reported %.6e max %.6e ratio %.4f\n",
                                spaces[isp].kind == AE_FIXED ? "F" : "E", (long)spaces[isp].V,
                                (long)spaces[isp].T, seed, eps[j], rev ? "rev" : "fwd", got, vmax[rev], ratio);
                    ck_assert_msg(other[rev] <= vmax[rev] * (1 + 1e-3),
                                  "eps %g dir %d: an interior point beats every vertex", eps[j], rev);
                    ck_assert_msg(ratio >= 0.999, "space %d seed %d eps %g dir %d: adversary KL %.6e, maximum %.6e",
                                  isp, seed, eps[j], rev, got, vmax[rev]);
                    ae_distill_clear(m);
                }
            }
            free(qd);
            free(q);
            free(idx);
            ae_table_clear(r);
            ae_table_clear(qs);
            ae_table_clear(dl);
            ae_space_clear(sp);
        }
    if (verbose)
        fprintf(stderr, "worst ratio %.4f\n", worst);
}
END_TEST

START_TEST(test_adversary_search_long_row)
{
    /* F(17,1): one row of 17 actions, beyond the enumeration: the adversary says it searched
       (returns 0) and still reaches 0.99 of the maximum over all 2^17 vertices, found here by
       brute force on the single row (a vertex is the maximum: proofs/C9.md, fact 2). With
       the earlier starts (two sign patterns, 16 random vertices) it reached 0.957 at eps = 10, forward. */
    static const double eps[] = {1e-3, 0.1, 1.0, 10.0};
    const slong V = 17;
    ae_space_t sp;
    ae_err_t err;
    ae_table_t r, qs, dl;
    ae_gen_t g;
    double qd[17], ps[17], zs = 0, m = -HUGE_VAL;
    slong a;
    int j, rev;
    ae_err_init(err);
    ae_space_init(sp, AE_FIXED, V, 1, 1, err);
    ae_table_init(r, sp);
    ae_table_init(qs, sp);
    ae_table_init(dl, sp);
    g->kind = AE_GEN_DYADIC;
    g->seed = 4;
    g->stream = 1;
    ae_gen_table(r, g, sp, 128);
    ae_bellman_map(qs, r, sp, 128);
    for (a = 0; a < V; a++) {
        qd[a] = arf_get_d(arb_midref(ae_table_entry(qs, 0, 0, a)), ARF_RND_NEAR);
        m = qd[a] > m ? qd[a] : m;
    }
    for (a = 0; a < V; a++)
        zs += ps[a] = exp(qd[a] - m);
    for (a = 0; a < V; a++)
        ps[a] /= zs;
    for (j = 0; j < 4; j++) {
        double vmax[2] = {0, 0};
        ulong mask;
        for (mask = 0; mask < (UWORD(1) << V); mask++) {
            double z = 0, L, f = 0, b = 0;
            for (a = 0; a < V; a++)
                z += ps[a] * exp((mask >> a) & 1 ? eps[j] : -eps[j]);
            L = log(z);
            for (a = 0; a < V; a++) {
                double l = ((mask >> a) & 1 ? eps[j] : -eps[j]) - L; /* log pi_q/pi* */
                f += ps[a] * exp(l) * l;
                b -= ps[a] * l;
            }
            vmax[0] = f > vmax[0] ? f : vmax[0];
            vmax[1] = b > vmax[1] ? b : vmax[1];
        }
        for (rev = 0; rev < 2; rev++) {
            ae_distill_t dm;
            double got;
            ck_assert_int_eq(ae_student_adversarial(dl, qs, rev, eps[j], 5, 16, sp), 0);
            ae_distill_init(dm);
            ae_distill_measure(dm, qs, dl, sp, 0, 128);
            got = arf_get_d(arb_midref(rev ? dm->kl_rq : dm->kl_qr), ARF_RND_NEAR);
            ck_assert_msg(got >= 0.99 * vmax[rev], "eps %g dir %d: search KL %.6e, maximum %.6e", eps[j], rev,
                          got, vmax[rev]);
            if (getenv("AE_ADV_RATIOS"))
                fprintf(stderr, "F(17,1) eps %g %s: ratio %.4f\n", eps[j], rev ? "rev" : "fwd", got / vmax[rev]);
            ae_distill_clear(dm);
        }
    }
    ae_table_clear(r);
    ae_table_clear(qs);
    ae_table_clear(dl);
    ae_space_clear(sp);
}
END_TEST

/* Brute force over responses with banned entries (qs = -inf, and the student q too): the
   responses through a banned pair have probability 0 under both and are left out. */
static void banned_walk(brute *b, slong s, slong d, double lq, double ls)
{
    const ae_space_struct *sp = b->sp;
    slong a;
    for (a = 0; a < sp->A; a++) {
        double xq, xs;
        if (!ae_space_allowed(sp, d, a) || b->qs[s * sp->A + a] == -HUGE_VAL)
            continue;
        xq = lq + log_softmax(b->q + s * sp->A, sp, d, a);
        xs = ls + log_softmax(b->qs + s * sp->A, sp, d, a);
        if (ae_space_ends(sp, d, a)) {
            b->fwd += exp(xq) * (xq - xs);
            b->rev += exp(xs) * (xs - xq);
        } else {
            banned_walk(b, ae_space_child(sp, s, a), d + 1, xq, xs);
        }
    }
}

/* A teacher with banned tokens (-inf at about a quarter of its allowed rewards, whole rows
   included, the root kept live): every student keeps the bans (delta = 0 there), the certified
   KL both ways matches a float64 brute force over the responses of positive probability, and
   every bound row is verified. */
START_TEST(test_banned_teacher)
{
    static const ae_student_kind kinds[] = {AE_STUDENT_UNIFORM, AE_STUDENT_SIGN, AE_STUDENT_SPARSE,
                                            AE_STUDENT_ROWCONST, AE_STUDENT_VALUE, AE_STUDENT_LOOKAHEAD};
    uint64_t stt = ae_test_seed() ^ 0xba22;
    slong it, n = ae_test_iters(12), compared = 0, above_dead = 0;
    for (it = 0; it < n; it++) {
        ae_space_t sp;
        ae_err_t err;
        ae_instance in;
        ae_rows_t rows;
        ae_student_spec st;
        ae_table_t r, qs, dl;
        ae_gen_t g;
        ae_distill_t m;
        double *q, *qsd, f, b;
        slong i, k, p, N;
        ae_space_kind kind = (ae_test_next(&stt) & 1) ? AE_EOS : AE_FIXED;
        slong V = 2 + (slong)(ae_test_next(&stt) % 2), T = 2 + (slong)(ae_test_next(&stt) % 2);
        ae_err_init(err);
        ae_space_init(sp, kind, V, T, 1 + (slong)(ae_test_next(&stt) % 2), err);
        N = sp->P * sp->S * sp->A;
        ae_table_init(r, sp);
        ae_table_init(qs, sp);
        ae_table_init(dl, sp);
        g->kind = AE_GEN_DYADIC;
        g->seed = ae_test_next(&stt);
        g->stream = 1;
        do { /* ban entries until the table has some, with every root live */
            ae_gen_table(r, g, sp, 128);
            for (k = 0; k < N; k++)
                if (!arf_is_neg_inf(arb_midref(r->v + k)) && ae_test_next(&stt) % 4 == 0)
                    arb_neg_inf(r->v + k);
            ae_err_init(err);
            g->seed++;
        } while (ae_bellman_domain(r, sp, AE_DOMAIN_MAP, "r", err) != 0);
        ae_bellman_map(qs, r, sp, 128);
        in.sp = sp;
        in.r = r;
        in.gen.kind = AE_GEN_DYADIC;
        in.gen.seed = 0;
        in.gen.stream = 0;
        snprintf(in.name, sizeof in.name, "banned");
        memset(&st, 0, sizeof st);
        st.kind = kinds[it % 6];
        st.eps = it % 2 ? 0.5 : 0.125;
        st.k = 1;
        st.seed = ae_test_next(&stt);
        snprintf(st.label, sizeof st.label, "%s", ae_student_name(st.kind));
        ae_student_build(dl, &st, r, qs, sp, 128);
        q = malloc((size_t)N * sizeof(double));
        qsd = malloc((size_t)N * sizeof(double));
        for (k = 0; k < N; k++) {
            int ban = arf_is_neg_inf(arb_midref(qs->v + k));
            above_dead += ban && !arf_is_neg_inf(arb_midref(r->v + k)); /* q* = -inf from a dead child */
            ck_assert_msg(!ban || arb_is_zero(dl->v + k), "%s: delta at a banned entry %ld", st.label, (long)k);
            qsd[k] = ban ? -HUGE_VAL : arf_get_d(arb_midref(qs->v + k), ARF_RND_NEAR);
            q[k] = ban ? -HUGE_VAL : qsd[k] + arf_get_d(arb_midref(dl->v + k), ARF_RND_NEAR);
        }
        for (p = 0; p < sp->P; p++) {
            ae_distill_init(m);
            ae_distill_measure(m, qs, dl, sp, p, 128);
            {
                brute bb;
                bb.sp = sp;
                bb.q = q + p * sp->S * sp->A;
                bb.qs = qsd + p * sp->S * sp->A;
                bb.fwd = bb.rev = 0;
                banned_walk(&bb, 0, 0, 0, 0);
                f = bb.fwd;
                b = bb.rev;
            }
            ck_assert_msg(arb_is_finite(m->kl_qr) && arb_is_finite(m->kl_rq), "%s: KL not finite", st.label);
            ck_assert_msg(fabs(arf_get_d(arb_midref(m->kl_qr), ARF_RND_NEAR) - f) <= 1e-9 * f + 1e-15 &&
                              fabs(arf_get_d(arb_midref(m->kl_rq), ARF_RND_NEAR) - b) <= 1e-9 * b + 1e-15,
                          "%s V=%ld T=%ld prompt %ld: KL %.17g, %.17g; brute force %.17g, %.17g", st.label, (long)V,
                          (long)T, (long)p, arf_get_d(arb_midref(m->kl_qr), ARF_RND_NEAR),
                          arf_get_d(arb_midref(m->kl_rq), ARF_RND_NEAR), f, b);
            ae_distill_clear(m);
            compared++;
        }
        ae_rows_init(rows);
        ae_claim_distill(rows, &in, &st, ae_bounds_kl, 128, 2048);
        for (i = 0; i < rows->n; i++)
            ck_assert_msg(rows->v[i].verdict == AE_VERIFIED, "%s V=%ld T=%ld: %s is %s", st.label, (long)V, (long)T,
                          rows->v[i].check, ae_verdict_name(rows->v[i].verdict));
        ae_rows_clear(rows);
        free(q);
        free(qsd);
        ae_table_clear(r);
        ae_table_clear(qs);
        ae_table_clear(dl);
        ae_space_clear(sp);
    }
    TEST_CHECK(compared >= n && above_dead > 0, "compared %ld prompts, %ld entries above a dead state",
               (long)compared, (long)above_dead);
}
END_TEST

static Suite *distill_suite(void)
{
    Suite *s = suite_create("distill");
    ae_test_add(s, "ae_distill_measure", test_hand_two_actions, 30);
    ae_test_add(s, "wrong_bound", test_wrong_bound_violated, 30);
    ae_test_add(s, "ae_claim_distill", test_random_students, 30);
    ae_test_add(s, "ae_student_lookahead", test_lookahead_limits, 30);
    ae_test_add(s, "ae_student_adversarial", test_adversary_optimum, 30);
    ae_test_add(s, "adversary_brute_force", test_adversary_brute_force, 120);
    ae_test_add(s, "adversary_search", test_adversary_search_long_row, 60);
    ae_test_add(s, "ae_student_value_noise", test_value_student_eps, 30);
    ae_test_add(s, "ae_claim_c11_certified", test_c11, 30);
    ae_test_add(s, "ae_reward_family_table", test_reward_families, 30);
    ae_test_add(s, "no_zero_fallback", test_no_zero_fallback, 30);
    ae_test_add(s, "banned_teacher", test_banned_teacher, 60);
    ae_test_add(s, "exact_students", test_exact_students, 30);
    return s;
}

int main(void)
{
    return ae_test_run(distill_suite());
}
