/* Tests of the streaming C1 walk: its Z and beta against the exact table-based values (and, for
   dyadic instances, against one exp per response), every
   response counted, results identical for 1, 2 and 16 threads, and a broken map caught. */
#include <config.h>
#include "testlib.h"
#include "ae-impl.h"
#include "claim/claim.h"
#include <string.h>

static slong drop_depth;

/* a broken M: drops beta(child) (i.e. V of the child) at one depth */
static void phi_drop(arb_t phi, const arb_t psi, const arb_t beta_child, slong depth, slong prec)
{
    if (depth == drop_depth)
        arb_set(phi, psi);
    else
        arb_mul(phi, psi, beta_child, prec);
}

START_TEST(test_against_exact)
{
    /* potentials: Z and beta must contain the exact rational Z of the multiplicative map */
    uint64_t st = ae_test_seed();
    slong it, n = ae_test_iters(30);
    for (it = 0; it < n; it++) {
        ae_space_t sp;
        ae_err_t err;
        ae_gen_t g;
        ae_qtable_t psi, phi;
        ae_stream_t s;
        fmpq_t z;
        slong a;
        st = ae_hash(st, 5, 0, 0, 0);
        ae_err_init(err);
        ae_space_init(sp, (st & 1) ? AE_EOS : AE_FIXED, 1 + (slong)(st >> 8) % 4, 1 + (slong)(st >> 16) % 5, 1, err);
        g->kind = AE_GEN_POTENTIAL;
        g->seed = st;
        g->stream = 1;
        ae_qtable_init(psi, sp);
        ae_qtable_init(phi, sp);
        ae_gen_qtable(psi, g, sp);
        ae_bellman_map_exact(phi, psi, sp);
        fmpq_init(z);
        for (a = 0; a < sp->A; a++)
            fmpq_add(z, z, ae_qtable_entry(phi, 0, 0, a));
        ae_stream_init(s);
        ae_stream_walk(s, g, sp, 0, 2, NULL, 128);
        ck_assert(arb_contains_fmpq(s->z, z));
        ck_assert(arb_contains_fmpq(s->beta, z));
        ck_assert_int_eq(s->responses, fmpz_get_si(sp->responses));
        ae_stream_clear(s);
        fmpq_clear(z);
        ae_qtable_clear(psi);
        ae_qtable_clear(phi);
        ae_space_clear(sp);
    }
}
END_TEST

/* Z = sum_y exp(R(y)) by one arb_exp per response, at every leaf of a recursive walk */
static void z_brute(arb_t z, const ae_gen_struct *g, const ae_space_t sp, slong s, slong d, slong K, slong prec)
{
    slong a;
    for (a = 0; a < sp->A; a++) {
        slong k;
        if (!ae_space_allowed(sp, d, a))
            continue;
        k = ae_gen_int(g, 0, s, a);
        if (ae_space_ends(sp, d, a)) {
            arb_t e;
            arb_init(e);
            arb_set_si(e, K + k);
            arb_mul_2exp_si(e, e, -AE_DYADIC_BITS);
            arb_exp(e, e, prec);
            arb_add(z, z, e, prec);
            arb_clear(e);
        } else {
            z_brute(z, g, sp, sp->first[d + 1] + (s - sp->first[d]) * sp->V + a, d + 1, K + k, prec);
        }
    }
}

START_TEST(test_dyadic_z)
{
    /* dyadic: Z from the exact histogram of path sums against one exp per response, on spaces
       deep enough that leaves sit both above and below the split depth */
    static const struct { ae_space_kind kind; slong V, T; } cases[] = {
        {AE_EOS, 2, 11}, {AE_FIXED, 3, 6}, {AE_EOS, 3, 7}, {AE_FIXED, 2, 10}, {AE_EOS, 17, 2}, {AE_FIXED, 1, 5}};
    uint64_t st = ae_test_seed();
    int c, w;
    for (c = 0; c < 6; c++) {
        ae_space_t sp;
        ae_err_t err;
        ae_gen_t g;
        arb_t z;
        ae_err_init(err);
        ae_space_init(sp, cases[c].kind, cases[c].V, cases[c].T, 1, err);
        g->kind = AE_GEN_DYADIC;
        g->seed = ae_test_next(&st);
        g->stream = 1;
        arb_init(z);
        z_brute(z, g, sp, 0, 0, 0, 128);
        for (w = 0; w < 2; w++) {
            ae_stream_t s;
            ae_stream_init(s);
            s->witness = w;
            ae_stream_walk(s, g, sp, 0, 1 + w, NULL, 96);
            ck_assert_msg(arb_overlaps(s->z, z), "case %d", c);
            ck_assert_msg(arb_rel_accuracy_bits(s->z) > 80, "case %d: %ld bits", c, (long)arb_rel_accuracy_bits(s->z));
            ck_assert(arb_overlaps(s->beta, z)); /* A(x) = V_q(x) */
            ck_assert_int_eq(s->responses, fmpz_get_si(sp->responses));
            ae_stream_clear(s);
        }
        arb_clear(z);
        ae_space_clear(sp);
    }
}
END_TEST

START_TEST(test_elbo_against_tables)
{
    /* every sum of the streaming C2/C3 walk against the table-based paths walk (response by
       response over stored tables), on spaces with and without leaves above the split depth */
    static const struct { ae_space_kind kind; slong V, T, P; } cases[] = {
        {AE_EOS, 2, 11, 1}, {AE_FIXED, 2, 10, 1}, {AE_EOS, 3, 4, 2}, {AE_FIXED, 3, 3, 2}, {AE_EOS, 17, 2, 1},
        {AE_FIXED, 1, 4, 1}, {AE_EOS, 1, 3, 1}};
    uint64_t st = ae_test_seed();
    int c;
    for (c = 0; c < 7; c++) {
        ae_space_t sp;
        ae_err_t err;
        ae_gen_t g, gq;
        ae_table_t r, q, qr, zero;
        ae_paths_t ps, pstar, ph;
        ae_stream_elbo_t es;
        slong p, prec = 96;
        ae_err_init(err);
        ae_space_init(sp, cases[c].kind, cases[c].V, cases[c].T, cases[c].P, err);
        g->kind = gq->kind = AE_GEN_DYADIC;
        g->seed = ae_test_next(&st);
        g->stream = 1;
        gq->seed = ae_test_next(&st);
        gq->stream = 4;
        ae_table_init(r, sp);
        ae_table_init(q, sp);
        ae_table_init(qr, sp);
        ae_table_init(zero, sp); /* rewards 0 */
        ae_gen_table(r, g, sp, prec);
        ae_gen_table(qr, gq, sp, prec);
        ae_bellman_map(q, r, sp, prec);
        ae_paths_init(ps);
        ae_paths_init(pstar);
        ae_paths_init(ph);
        ae_stream_elbo_init(es);
        for (p = 0; p < sp->P; p++) {
            ae_paths_walk(ps, r, qr, q, sp, p, prec);
            ae_paths_walk(pstar, r, q, NULL, sp, p, prec);
            ae_stream_elbo(es, g, gq, sp, p, 1 + (int)(p % 2), prec);
            ck_assert_msg(arb_overlaps(es->logz, ps->logz), "case %d logz", c);
            ck_assert_msg(arb_overlaps(es->logbeta, ps->logz), "case %d logbeta", c);
            /* E_pR[R - log p_R] from the leaf counts alone is log Z, to working precision */
            ck_assert_msg(arb_overlaps(es->pent, ps->logz) && mag_cmp_2exp_si(arb_radref(es->pent), -40) < 0,
                          "case %d pent %s", c, arb_get_str(es->pent, 20, 0));
            ck_assert_msg(arb_overlaps(es->rmass, ps->mass) && arb_contains_si(es->rmass, 1), "case %d rmass", c);
            ck_assert_msg(arb_overlaps(es->relbo, ps->elbo), "case %d relbo", c);
            ck_assert_msg(arb_overlaps(es->rkl, ps->klchain), "case %d rkl", c);
            ck_assert_msg(arb_overlaps(es->mass, pstar->mass) && arb_contains_si(es->mass, 1), "case %d mass", c);
            ck_assert_msg(arb_overlaps(es->elbo, pstar->elbo), "case %d elbo", c);
            ck_assert_int_eq(es->responses, ps->responses);
            /* entropy: response level, state level, and the table walk's ELBO with R = 0 */
            ae_paths_walk(ph, zero, qr, NULL, sp, p, prec);
            ck_assert_msg(arb_overlaps(es->rent, ph->elbo) && arb_overlaps(es->sent, ph->elbo), "case %d entropy", c);
            ck_assert_msg(mag_cmp_2exp_si(arb_radref(es->rent), -60) < 0, "case %d rent radius", c);
            /* and they are sharp, not merely overlapping */
            ck_assert_msg(mag_cmp_2exp_si(arb_radref(es->relbo), -60) < 0, "case %d relbo radius", c);
            ck_assert_msg(mag_cmp_2exp_si(arb_radref(es->rkl), -60) < 0, "case %d rkl radius", c);
            ck_assert_msg(mag_cmp_2exp_si(arb_radref(es->elbo), -60) < 0, "case %d elbo radius", c);
        }
        ae_stream_elbo_clear(es);
        ae_paths_clear(ps);
        ae_paths_clear(pstar);
        ae_paths_clear(ph);
        ae_table_clear(zero);
        ae_table_clear(r);
        ae_table_clear(q);
        ae_table_clear(qr);
        ae_space_clear(sp);
    }
}
END_TEST

START_TEST(test_threads_identical)
{
    static const struct { ae_space_kind kind; slong V, T; } cases[] = {{AE_EOS, 2, 11}, {AE_FIXED, 4, 6}, {AE_EOS, 17, 3}};
    int c, t;
    for (c = 0; c < 3; c++) {
        ae_space_t sp;
        ae_err_t err;
        ae_instance in;
        char *first = NULL;
        ae_err_init(err);
        ae_space_init(sp, cases[c].kind, cases[c].V, cases[c].T, 2, err);
        ae_test_instance(&in, sp, AE_GEN_DYADIC, 3, "t");
        for (t = 0; t < 3; t++) {
            static const int threads[] = {1, 2, 16};
            ae_rows_t rows;
            char *buf = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&buf, &len);
            ae_rows_init(rows);
            ae_claim_c1_stream(rows, &in, threads[t], NULL, 64, 512);
            ck_assert_int_eq(ae_rows_verdict(rows), AE_VERIFIED);
            ae_rows_write(f, rows, AE_FMT_CSV);
            fclose(f);
            if (first == NULL)
                first = buf;
            else {
                ck_assert_msg(strcmp(first, buf) == 0, "case %d: %d threads differ:\n%s\n%s", c, threads[t], first, buf);
                free(buf);
            }
            ae_rows_clear(rows);
        }
        free(first);
        ae_space_clear(sp);
    }
}
END_TEST

START_TEST(test_consistency_rows)
{
    /* rows whose sides share what they test are marked and kept out of the verified count:
       the streaming hull (which telescopes to beta(x) = Z) and the nested mass of p_M(r) */
    ae_space_t sp;
    ae_err_t err;
    ae_instance in;
    ae_rows_t rows;
    slong i, nc = 0;
    ae_err_init(err);
    ae_space_init(sp, AE_EOS, 2, 6, 1, err);
    ae_test_instance(&in, sp, AE_GEN_DYADIC, 3, "t");
    ae_rows_init(rows);
    ae_claim_c1_stream(rows, &in, 1, NULL, 64, 512);
    ae_claim_stream_sums(rows, &in, 7, AE_CLAIM_C2 | AE_CLAIM_C3 | AE_CLAIM_C4, 1, 64, 512);
    for (i = 0; i < rows->n; i++) {
        int marked = strstr(rows->v[i].check, "(consistency)") != NULL;
        ck_assert_int_eq(rows->v[i].verdict, marked ? AE_CONSISTENT : AE_VERIFIED);
        nc += marked;
    }
    ck_assert_int_eq(nc, 2);
    ck_assert_str_eq(rows->v[0].check, "p_R(y) = p_M(r)(y) all y (stream) (consistency)");
    ck_assert_str_eq(ae_verdict_name(rows->v[0].verdict), "consistent");
    ck_assert_int_eq(ae_rows_verdict(rows), AE_VERIFIED); /* they do not fail a run either */
    ck_assert_int_eq(ae_verdict_meet(AE_CONSISTENT, AE_UNDECIDED), AE_UNDECIDED);
    ck_assert_int_eq(ae_verdict_meet(AE_CONSISTENT, AE_CONSISTENT), AE_CONSISTENT);
    ae_rows_clear(rows);
    ae_space_clear(sp);
}
END_TEST

START_TEST(test_mutant_caught)
{
    ae_space_t sp;
    ae_err_t err;
    ae_instance in;
    ae_err_init(err);
    ae_space_init(sp, AE_EOS, 3, 5, 1, err);
    ae_test_instance(&in, sp, AE_GEN_DYADIC, 4, "mutant");
    for (drop_depth = 0; drop_depth < sp->T - 1; drop_depth++) {
        ae_rows_t rows;
        ae_rows_init(rows);
        ae_claim_c1_stream(rows, &in, 2, phi_drop, 64, 512);
        ck_assert_msg(rows->v[0].verdict == AE_VIOLATED, "depth %ld: %s", (long)drop_depth,
                      ae_verdict_name(rows->v[0].verdict));
        ck_assert_ptr_nonnull(strstr(rows->v[0].measured, "differs at prompt 0 y#"));
        ae_rows_clear(rows);
    }
    ae_space_clear(sp);
}
END_TEST

START_TEST(test_double_error_small)
{
    ae_space_t sp;
    ae_err_t err;
    ae_gen_t g;
    slong n;
    double e;
    ae_err_init(err);
    ae_space_init(sp, AE_FIXED, 3, 4, 1, err);
    g->kind = AE_GEN_DYADIC;
    g->seed = 9;
    g->stream = 1;
    e = ae_stream_walk_d(&n, g, sp, 0, 1);
    ck_assert_int_eq(n, 81);
    ck_assert(e >= 0 && e < 1e-12);
    ae_space_clear(sp);
}
END_TEST

static Suite *stream_suite(void)
{
    Suite *s = suite_create("stream");
    ae_test_add(s, "ae_stream_walk", test_against_exact, 30);
    ae_test_add(s, "dyadic Z", test_dyadic_z, 30);
    ae_test_add(s, "ae_stream_elbo", test_elbo_against_tables, 60);
    ae_test_add(s, "threads", test_threads_identical, 30);
    ae_test_add(s, "mutation", test_mutant_caught, 30);
    ae_test_add(s, "consistency", test_consistency_rows, 30);
    ae_test_add(s, "ae_stream_walk_d", test_double_error_small, 30);
    return s;
}

int main(void)
{
    return ae_test_run(stream_suite());
}
