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
            _ae_claim_c1_certified_map(rows, &in, 9, 128, 512, map_drop_value, ae_bellman_unmap);
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

/* A pair of maps sharing one bug, as M and M^{-1} shared one pass with a sign flag: both add
   (resp. subtract) the child's value plus 1/64. Each is the other's inverse, so round trips
   through the pair alone cannot see the bug; the checker's own inverse must. */
static void shift_nonending(ae_table_t t, const ae_space_t sp, double c, slong prec)
{
    slong p, s, a;
    for (p = 0; p < sp->P; p++)
        for (s = 0; s < sp->S; s++)
            for (a = 0; a < sp->A; a++) {
                slong d = ae_space_depth(sp, s);
                arb_ptr x = ae_table_entry(t, p, s, a);
                if (ae_space_allowed(sp, d, a) && !ae_space_ends(sp, d, a)) {
                    arb_t b;
                    arb_init(b);
                    arb_set_d(b, c);
                    arb_add(x, x, b, prec);
                    arb_clear(b);
                }
            }
}

static void map_biased(ae_table_t q, const ae_table_t r, const ae_space_t sp, slong prec)
{
    ae_table_t t;
    ae_table_init(t, sp);
    ae_table_set(t, r);
    shift_nonending(t, sp, 1.0 / 64, prec);
    ae_bellman_map(q, t, sp, prec);
    ae_table_clear(t);
}

static void unmap_biased(ae_table_t r, const ae_table_t q, const ae_space_t sp, slong prec)
{
    ae_bellman_unmap(r, q, sp, prec);
    shift_nonending(r, sp, -1.0 / 64, prec);
}

START_TEST(test_mutant_shared_bug)
{
    ae_space_t sp;
    ae_err_t err;
    ae_instance in;
    ae_rows_t rows;
    ae_err_init(err);
    ae_space_init(sp, AE_EOS, 3, 3, 2, err);
    ae_test_instance(&in, sp, AE_GEN_DYADIC, 5, "shared");
    ae_rows_init(rows);
    _ae_claim_c1_certified_map(rows, &in, 9, 128, 512, map_biased, unmap_biased);
    ck_assert_int_eq(find_row(rows, "unmap(map(r)) = r")->verdict, AE_VIOLATED);
    ck_assert_int_eq(find_row(rows, "map(unmap(q0)) = q0")->verdict, AE_VIOLATED);
    ae_rows_clear(rows);
    /* M right, M^{-1} wrong: the shift row, which checks M^{-1} against the rewards, sees it */
    _ae_claim_c1_certified_map(rows, &in, 9, 128, 512, ae_bellman_map, unmap_biased);
    ck_assert_int_eq(find_row(rows, "unmap(map(r)) = r")->verdict, AE_VERIFIED);
    ck_assert_int_eq(find_row(rows, "unmap(q+c(s)) row+c edge-c")->verdict, AE_VIOLATED);
    ae_rows_clear(rows);
    ae_space_clear(sp);
}
END_TEST

START_TEST(test_mutant_c5)
{
    /* a map that drops V at one depth: the adjoint sweep through it is a wrong derivative, and
       the marginal summed over responses from r alone must disagree (an adjoint compared with
       products of the same wrong policies would not) */
    ae_space_t sp;
    ae_err_t err;
    ae_instance in;
    ae_rows_t rows;
    ae_err_init(err);
    ae_space_init(sp, AE_FIXED, 2, 3, 1, err);
    ae_test_instance(&in, sp, AE_GEN_DYADIC, 5, "mutant");
    for (mutant_depth = 0; mutant_depth < 2; mutant_depth++) {
        ae_rows_init(rows);
        _ae_claim_c5_certified_map(rows, &in, 9, 128, 512, map_drop_value);
        ck_assert_int_eq(find_row(rows, "dV/dr(s,a) = prefix marginal (rev-mode)")->verdict, AE_VIOLATED);
        ae_rows_clear(rows);
    }
    ae_rows_init(rows);
    _ae_claim_c5_certified_map(rows, &in, 9, 128, 512, ae_bellman_map);
    ck_assert_int_eq(ae_rows_verdict(rows), AE_VERIFIED);
    ae_rows_clear(rows);
    ae_space_clear(sp);
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
    _ae_claim_c1_certified_map(rows, &in, 9, 128, 512, ae_bellman_map, ae_bellman_unmap);
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

/* a violated row first, then one decided at decide_at */
static void fake_check_violated(ae_rows_t rows, const void *arg, slong prec)
{
    ae_row *r = ae_rows_add(rows);
    r->prec = prec;
    r->verdict = AE_VIOLATED;
    fake_check(rows, arg, prec);
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
    /* a violated row does not stop the escalation while another row is undecided */
    decide_at = 256;
    ae_escalate(rows, fake_check_violated, NULL, 64, 4096);
    ck_assert_int_eq(rows->n, 4);
    ck_assert_int_eq(rows->v[2].verdict, AE_VIOLATED);
    ck_assert_int_eq(rows->v[3].prec, 256);
    ck_assert_int_eq(rows->v[3].verdict, AE_VERIFIED);
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


/* ------------------------------------------------------------ printed digits on the safe side */

/* Parses a decimal "[-]d.ddde[+-]XX" (or an integer) exactly into x; 0 when it is not one. */
static int parse_decimal(fmpq_t x, const char *str)
{
    fmpz_t m, t;
    slong e = 0, frac = 0;
    int neg = 0, digits = 0, seen_dot = 0;
    const char *c = str;
    fmpz_init(m);
    fmpz_init(t);
    if (*c == '-') {
        neg = 1;
        c++;
    }
    for (; *c; c++) {
        if (*c >= '0' && *c <= '9') {
            fmpz_mul_ui(m, m, 10);
            fmpz_add_ui(m, m, (ulong)(*c - '0'));
            frac += seen_dot;
            digits++;
        } else if (*c == '.' && !seen_dot)
            seen_dot = 1;
        else
            break;
    }
    if (*c == 'e') {
        char *end;
        e = strtol(c + 1, &end, 10);
        c = end;
    }
    if (*c != '\0' || digits == 0) {
        fmpz_clear(m);
        fmpz_clear(t);
        return 0;
    }
    e -= frac;
    fmpz_set_ui(t, 10);
    fmpz_pow_ui(t, t, (ulong)(e >= 0 ? e : -e));
    if (e >= 0) {
        fmpz_mul(m, m, t);
        fmpz_one(t);
    }
    fmpq_set_fmpz_frac(x, m, t);
    if (neg)
        fmpq_neg(x, x);
    fmpz_clear(m);
    fmpz_clear(t);
    return 1;
}

/* cmp(printed, y) for the decimal string printed and the arf y, exactly */
static int cmp_printed(const char *printed, const arf_t y)
{
    fmpq_t a, b;
    fmpz_t mm, ee;
    int c;
    fmpq_init(a);
    fmpq_init(b);
    fmpz_init(mm);
    fmpz_init(ee);
    ck_assert_msg(parse_decimal(a, printed), "'%s' is not a number", printed);
    arf_get_fmpz_2exp(mm, ee, y); /* y = mm 2^ee */
    {
        slong e = fmpz_get_si(ee);
        fmpz_one(ee);
        if (e >= 0)
            fmpz_mul_2exp(mm, mm, (ulong)e);
        else
            fmpz_mul_2exp(ee, ee, (ulong)-e);
        fmpq_set_fmpz_frac(b, mm, ee);
    }
    c = fmpq_cmp(a, b);
    fmpq_clear(a);
    fmpq_clear(b);
    fmpz_clear(mm);
    fmpz_clear(ee);
    return c;
}

/* field k (0-based) of one CSV line, unquoted, into buf */
static void csv_field(char *buf, size_t n, const char *line, int k)
{
    size_t o = 0;
    int f = 0, q = 0;
    for (; *line && *line != '\n'; line++) {
        if (q) {
            if (*line == '"' && line[1] == '"')
                line++;
            else if (*line == '"') {
                q = 0;
                continue;
            }
        } else if (*line == '"') {
            q = 1;
            continue;
        } else if (*line == ',') {
            f++;
            continue;
        }
        if (f == k && o + 1 < n)
            buf[o++] = *line;
    }
    buf[o] = '\0';
}

/* ae_fmt_ubound / ae_fmt_lbound on random dyadics: printed upper >= x >= printed lower, each
   within one unit of the third digit */
START_TEST(test_fmt_bounds)
{
    uint64_t st = ae_test_seed() + 7;
    slong it, n = ae_test_iters(2000);
    arf_t x, y;
    char up[48], lo[48];
    arf_init(x);
    arf_init(y);
    for (it = 0; it < n; it++) {
        arf_set_si_2exp_si(x, sm_range(&st, -(WORD(1) << 40), WORD(1) << 40), sm_range(&st, -200, 100));
        ae_fmt_ubound(up, sizeof up, x);
        ae_fmt_lbound(lo, sizeof lo, x);
        TEST_CHECK(cmp_printed(up, x) >= 0, "ubound %s below x", up);
        TEST_CHECK(cmp_printed(lo, x) <= 0, "lbound %s above x", lo);
        /* tight: x times (1 +- 1/50) is beyond the printed ends */
        arf_mul_si(y, x, arf_sgn(x) > 0 ? 51 : 49, 128, ARF_RND_NEAR);
        arf_div_si(y, y, 50, 128, ARF_RND_NEAR);
        TEST_CHECK(arf_is_zero(x) || cmp_printed(up, y) <= 0, "ubound %s loose", up);
    }
    arf_clear(x);
    arf_clear(y);
}
END_TEST

/* Rows through the CSV writer: the measured column of an equality row is at least the upper end
   of |lhs - rhs|; a distillation row prints KL's upper end and the bound's lower end; a long
   rational (C3) prints an enclosure. Balls are computed here and compared with the parsed text. */
START_TEST(test_printed_safe_side)
{
    ae_rows_t rows;
    ae_instance in;
    ae_space_t sp;
    ae_err_t err;
    ae_table_t r;
    ae_student_spec stu;
    ae_distill_t m;
    ae_table_t qs, dl;
    arb_t a, b, t;
    arf_t u;
    char *buf = NULL, field[300];
    size_t len = 0;
    FILE *f;
    const char *line;
    slong i;
    int checked = 0;

    ae_err_init(err);
    ae_space_init(sp, AE_EOS, 2, 3, 1, err);
    ae_test_instance(&in, sp, AE_GEN_DYADIC, 3, "t");
    arb_init(a);
    arb_init(b);
    arb_init(t);
    arf_init(u);
    ae_rows_init(rows);
    /* an equality row: a = 1/3 +- 2^-100, b = 1/3 */
    arb_set_si(a, 1);
    arb_div_si(a, a, 3, 128);
    arb_set(b, a);
    arb_add_error_2exp_si(a, -100);
    ae_eq_row(rows, "C2", "eq", &in, 128, a, b, 1, 1);
    /* a distillation row set: one sign student, P = 1 */
    ae_table_init(r, sp);
    ae_table_init(qs, sp);
    ae_table_init(dl, sp);
    memset(&stu, 0, sizeof stu);
    stu.kind = AE_STUDENT_SIGN;
    stu.eps = 0.37;
    stu.seed = 5;
    snprintf(stu.label, sizeof stu.label, "sign");
    ae_claim_distill(rows, &in, &stu, ae_bounds_kl, 128, 128);
    f = open_memstream(&buf, &len);
    ae_rows_write(f, rows, AE_FMT_CSV);
    fclose(f);
    line = strchr(buf, '\n') + 1; /* past the header */
    /* the equality row */
    arb_sub(t, a, b, 128);
    arb_get_abs_ubound_arf(u, t, 128);
    csv_field(field, sizeof field, line, 7);
    ck_assert_msg(cmp_printed(field, u) >= 0, "eq measured %s below the deviation", field);
    line = strchr(line, '\n') + 1;
    /* the distillation rows: recompute the balls */
    ae_gen_table(r, &in.gen, sp, 128);
    ae_bellman_map(qs, r, sp, 128);
    ae_student_build(dl, &stu, r, qs, sp, 128);
    ae_distill_init(m);
    ae_distill_measure(m, qs, dl, sp, 0, 128);
    for (i = 0; ae_bounds_kl[i].name != NULL; i++, line = strchr(line, '\n') + 1) {
        csv_field(field, sizeof field, line, 1);
        ck_assert_str_eq(field, ae_bounds_kl[i].name);
        ae_bounds_kl[i].eval(t, m, sp, 128);
        arb_get_lbound_arf(u, t, 128);
        csv_field(field, sizeof field, line, 8);
        ck_assert_msg(cmp_printed(field, u) <= 0, "%s: printed bound %s above its lower end", ae_bounds_kl[i].name, field);
        arb_get_ubound_arf(u, ae_bounds_kl[i].reverse ? m->kl_rq : m->kl_qr, 128);
        csv_field(field, sizeof field, line, 7);
        ck_assert_msg(cmp_printed(field, u) >= 0, "%s: printed KL %s below its upper end", ae_bounds_kl[i].name, field);
        checked++;
    }
    /* Pinsker: TV's upper end and sqrt(KL/2)'s lower end */
    for (; *line; line = strchr(line, '\n') + 1) {
        csv_field(field, sizeof field, line, 1);
        if (strstr(field, "Pinsker") == NULL)
            continue;
        arb_mul_2exp_si(t, m->kl_qr, -1);
        arb_sqrtpos(t, t, 128);
        arb_get_lbound_arf(u, t, 128);
        csv_field(field, sizeof field, line, 8);
        ck_assert_msg(cmp_printed(field, u) <= 0, "Pinsker: printed bound %s above its lower end", field);
        arb_get_ubound_arf(u, m->tv, 128);
        csv_field(field, sizeof field, line, 7);
        ck_assert_msg(cmp_printed(field, u) >= 0, "Pinsker: printed TV %s below its upper end", field);
        checked++;
    }
    ck_assert_int_eq(checked, 9);
    ae_distill_clear(m);
    free(buf);
    /* a rational too long for the field prints as an enclosure */
    {
        fmpq_t x, lo, hi;
        char s[80], *comma;
        fmpq_init(x);
        fmpq_init(lo);
        fmpq_init(hi);
        fmpz_set_ui(fmpq_numref(x), 1);
        fmpz_mul_2exp(fmpq_denref(x), fmpq_denref(x), 400);
        fmpz_add_ui(fmpq_denref(x), fmpq_denref(x), 3); /* 1/(2^400 + 3): 121 digits */
        ae_fmt_fmpq(s, sizeof s, x);
        ck_assert_msg(s[0] == '[' && (comma = strchr(s, ',')) != NULL, "not an enclosure: %s", s);
        *comma = '\0';
        *strchr(comma + 1, ']') = '\0';
        ck_assert(parse_decimal(lo, s + 1) && parse_decimal(hi, comma + 2));
        ck_assert(fmpq_cmp(lo, x) <= 0 && fmpq_cmp(x, hi) <= 0);
        fmpq_clear(x);
        fmpq_clear(lo);
        fmpq_clear(hi);
    }
    ae_rows_clear(rows);
    ae_table_clear(r);
    ae_table_clear(qs);
    ae_table_clear(dl);
    arb_clear(a);
    arb_clear(b);
    arb_clear(t);
    arf_clear(u);
    ae_space_clear(sp);
}
END_TEST

static Suite *claims_suite(void)
{
    Suite *s = suite_create("claims");
    ae_test_add(s, "ae_claim_c1_exact", test_c1_exact, 20);
    ae_test_add(s, "ae_claim_c1_certified", test_c1_certified, 20);
    ae_test_add(s, "mutation", test_mutant_drop_value, 20);
    ae_test_add(s, "mutant_shared_bug", test_mutant_shared_bug, 60);
    ae_test_add(s, "mutant_c5", test_mutant_c5, 30);
    ae_test_add(s, "mutation_sanity", test_mutant_sanity, 20);
    ae_test_add(s, "ae_claim_c2_certified", test_c2_certified, 20);
    ae_test_add(s, "ae_claim_c3_exact", test_c3_exact, 20);
    ae_test_add(s, "hand", test_hand_e12, 20);
    ae_test_add(s, "paths_nonzero_below_tol", test_paths_nonzero_below_tol, 20);
    ae_test_add(s, "ae_escalate", test_escalate, 20);
    ae_test_add(s, "ae_rows_write", test_writers, 20);
    ae_test_add(s, "ae_fmt_bounds", test_fmt_bounds, 20);
    ae_test_add(s, "printed_safe_side", test_printed_safe_side, 20);
    return s;
}

int main(void)
{
    return ae_test_run(claims_suite());
}
