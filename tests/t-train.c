/* Tests of function-space training (Appendix C): Adam and the schedule against hand-computed
   values, the float64 gradients against a brute-force oracle over responses (itself checked by
   finite differences in Arb), the certified evaluation on a hand instance, convergence on a
   tiny space, the logged steps, and determinism. */
#include <config.h>
#include "testlib.h"
#include "ae-impl.h"
#include <string.h>

static uint64_t next_rand(uint64_t *s)
{
    *s = ae_hash(*s, 113, 0, 0, 0);
    return *s;
}

static double unif(uint64_t *s) /* in [0, 1) */
{
    return (double)(next_rand(s) >> 11) * 0x1p-53;
}

static void assert_close(double got, double want, double rel, const char *what)
{
    ck_assert_msg(fabs(got - want) <= rel * fmax(1, fabs(want)), "%s: got %.17g, want %.17g", what, got, want);
}

/* ------------------------------------------------------------------ Adam and the schedule */

/* f(x) = x^2/2 (g = x) from x = 1 with lr 0.1: three Adam steps computed by hand in exact
   decimal arithmetic (50 digits), e.g. step 1: m = 0.1, v = 0.001, m^ = 1, v^ = 1,
   x = 1 - 0.1/(1 + 1e-8) = 0.900000000999999990000... */
START_TEST(test_adam_quadratic)
{
    static const double want_x[3] = {0.90000000099999999000000009999999900, 0.80041222971233739110551167104975276,
                                     0.70158627450441421423488348213486182};
    static const double want_m[3] = {0.1, 0.180000000099999999, 0.242041223061233738210551176104975186};
    static const double want_v[3] = {0.001, 0.00180900000179999998300000016, 0.00244785073927127554255403946};
    double x = 1, m = 0, v = 0, g;
    ae_adam_t a;
    int t;
    ae_adam_init(a);
    ck_assert_int_eq(a->t, 0);
    for (t = 0; t < 3; t++) {
        char what[64];
        g = x;
        ae_adam_tick(a);
        ae_adam_update(&x, &m, &v, &g, 1, 0.1, a);
        snprintf(what, sizeof what, "Adam step %d: x", t + 1);
        assert_close(x, want_x[t], 1e-14, what);
        snprintf(what, sizeof what, "Adam step %d: m", t + 1);
        assert_close(m, want_m[t], 1e-14, what);
        snprintf(what, sizeof what, "Adam step %d: v", t + 1);
        assert_close(v * 1e3, want_v[t] * 1e3, 1e-13, what); /* compared at O(1) */
    }
    ck_assert_int_eq(a->t, 3);
    ck_assert(a->b1t == 0.9 * 0.9 * 0.9);
}
END_TEST

/* the SSE2 pairs and the scalar tail give the same bits: n = 5 against five n = 1 calls, with
   a masked (-inf, g = 0) parameter that must stay -inf */
START_TEST(test_adam_vector)
{
    uint64_t st = ae_test_seed();
    slong it, i, n = ae_test_iters(50);
    for (it = 0; it < n; it++) {
        double x[5], m[5], v[5], g[5], x1[5], m1[5], v1[5];
        double lr = 1e-3 + unif(&st);
        ae_adam_t a;
        ae_adam_init(a);
        for (i = 0; i < 5; i++) {
            x1[i] = x[i] = 4 * unif(&st) - 2;
            m1[i] = m[i] = unif(&st) - 0.5;
            v1[i] = v[i] = unif(&st);
            g[i] = 2 * unif(&st) - 1;
        }
        x[3] = x1[3] = -INFINITY;
        g[3] = m[3] = v[3] = m1[3] = v1[3] = 0;
        ae_adam_tick(a);
        ae_adam_tick(a);
        ae_adam_update(x, m, v, g, 5, lr, a);
        for (i = 0; i < 5; i++)
            ae_adam_update(x1 + i, m1 + i, v1 + i, g + i, 1, lr, a);
        ck_assert_msg(memcmp(x, x1, sizeof x) == 0 && memcmp(m, m1, sizeof m) == 0 && memcmp(v, v1, sizeof v) == 0,
                      "seed %llu iteration %ld: vector and scalar Adam differ", (unsigned long long)ae_test_seed(), (long)it);
        ck_assert(x[3] == -INFINITY);
    }
}
END_TEST

START_TEST(test_schedule)
{
    const double lr = 1e-3;
    /* 1000 steps: 0 at 0, half-way up at 50, peak at 100 and mid-run, half-way down at
       last-50 = 950, 0 at the end; update 999 (the last one) uses lr/100 */
    ck_assert(ae_train_lr(0, 1000, lr, 100, 100) == 0);
    ck_assert(ae_train_lr(50, 1000, lr, 100, 100) == 0.5e-3);
    ck_assert(ae_train_lr(100, 1000, lr, 100, 100) == 1e-3);
    ck_assert(ae_train_lr(500, 1000, lr, 100, 100) == 1e-3);
    ck_assert(ae_train_lr(900, 1000, lr, 100, 100) == 1e-3);
    ck_assert(ae_train_lr(950, 1000, lr, 100, 100) == 0.5e-3);
    ck_assert(ae_train_lr(1000, 1000, lr, 100, 100) == 0);
    assert_close(ae_train_lr(999, 1000, lr, 100, 100), 1e-5, 1e-15, "lr(999 of 1000)");
    assert_close(ae_train_lr(1, 1000, lr, 100, 100), 1e-5, 1e-15, "lr(1 of 1000)");
    /* 5000 steps (the default) */
    ck_assert(ae_train_lr(2500, 5000, 3e-3, 100, 100) == 3e-3);
    ck_assert(ae_train_lr(4950, 5000, 3e-3, 100, 100) == 1.5e-3);
    /* a run shorter than warm-up + decay is a triangle */
    ck_assert(ae_train_lr(75, 150, 1, 100, 100) == 0.75);
    ck_assert(ae_train_lr(100, 150, 1, 100, 100) == 0.5);
    /* no warm-up, no decay */
    ck_assert(ae_train_lr(0, 10, 2, 0, 0) == 2);
    ck_assert(ae_train_lr(9, 10, 2, 0, 0) == 2);
}
END_TEST

START_TEST(test_log_steps)
{
    static const slong want5000[] = {0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};
    static const slong want1000e[] = {0, 1, 2, 5, 10, 20, 50, 100, 200, 300, 500, 600, 900, 1000};
    slong log[64], n, i;
    n = ae_train_log_steps(log, 5000, 0);
    ck_assert_int_eq(n, 13);
    for (i = 0; i < n; i++)
        ck_assert_int_eq(log[i], want5000[i]);
    n = ae_train_log_steps(log, 1000, 300);
    ck_assert_int_eq(n, 14);
    for (i = 0; i < n; i++)
        ck_assert_int_eq(log[i], want1000e[i]);
    ck_assert_int_eq(ae_train_log_steps(NULL, 0, 0), 1);
    n = ae_train_log_steps(log, 3, 1);
    ck_assert_int_eq(n, 4); /* 0 1 2 3 */
    ck_assert_int_eq(log[3], 3);
}
END_TEST

/* ------------------------------------------------------------------ gradients */

/* Responses of one prompt by brute force: tokens and the states along the path (ae_space_rank
   only names states), independent of the prefix masses the library uses. */
typedef struct {
    slong n;         /* actions, EOS included */
    slong s[70], a[70];
} path;

static void response_path(path *pa, const ae_space_t sp, slong y)
{
    slong tok[70], len, i;
    if (sp->kind == AE_FIXED) {
        slong r = y;
        len = sp->T;
        for (i = len - 1; i >= 0; i--) {
            tok[i] = r % sp->V;
            r /= sp->V;
        }
    } else { /* E: rank y is the state index of the prefix, followed by EOS */
        len = ae_space_unrank(tok, sp, y);
        tok[len++] = sp->V;
    }
    pa->n = len;
    for (i = 0; i < len; i++) {
        pa->s[i] = ae_space_rank(sp, tok, i);
        pa->a[i] = tok[i];
    }
}

/* log p_q(y) at prec from the q table alone */
static void logp_arb(arb_t lp, const double *q, const path *pa, const ae_space_t sp, slong p, slong prec)
{
    arb_t t, z;
    slong i, a;
    arb_init(t);
    arb_init(z);
    arb_zero(lp);
    for (i = 0; i < pa->n; i++) {
        const double *row = q + (p * sp->S + pa->s[i]) * sp->A;
        arb_zero(z);
        for (a = 0; a < sp->A; a++)
            if (row[a] != -INFINITY) {
                arb_set_d(t, row[a]);
                arb_exp(t, t, prec);
                arb_add(z, z, t, prec);
            }
        arb_log(z, z, prec);
        arb_set_d(t, row[pa->a[i]]);
        arb_add(lp, lp, t, prec);
        arb_sub(lp, lp, z, prec);
    }
    arb_clear(t);
    arb_clear(z);
}

/* L_ARM(q) = -sum rho(x,y) log p_q(y|x), as a double (nearest) from a 256-bit ball */
static double arm_loss_ref(const double *q, const double *rho, const ae_space_t sp, slong Y)
{
    arb_t l, lp, t;
    slong p, y;
    path pa;
    double r;
    arb_init(l);
    arb_init(lp);
    arb_init(t);
    for (p = 0; p < sp->P; p++)
        for (y = 0; y < Y; y++) {
            response_path(&pa, sp, y);
            logp_arb(lp, q, &pa, sp, p, 256);
            arb_set_d(t, rho[p * Y + y]);
            arb_submul(l, t, lp, 256);
        }
    r = arf_get_d(arb_midref(l), ARF_RND_NEAR);
    arb_clear(l);
    arb_clear(lp);
    arb_clear(t);
    return r;
}

static double ebm_loss_ref(const double *R, const double *rho, const double *xm, slong P, slong Y)
{
    arb_t l, z, t;
    slong p, y;
    double r;
    arb_init(l);
    arb_init(z);
    arb_init(t);
    for (p = 0; p < P; p++) {
        arb_zero(z);
        for (y = 0; y < Y; y++) {
            arb_set_d(t, R[p * Y + y]);
            arb_exp(t, t, 256);
            arb_add(z, z, t, 256);
        }
        arb_log(z, z, 256);
        arb_set_d(t, xm[p]);
        arb_addmul(l, t, z, 256);
        for (y = 0; y < Y; y++) {
            arb_set_d(t, R[p * Y + y]);
            arb_set_d(z, rho[p * Y + y]);
            arb_submul(l, z, t, 256);
        }
    }
    r = arf_get_d(arb_midref(l), ARF_RND_NEAR);
    arb_clear(l);
    arb_clear(z);
    arb_clear(t);
    return r;
}

/* On F(2,2) and E(2,3) with two prompts of unequal mass and random logits/scores: the float64
   gradients equal the brute-force sums over responses,
   dL_ARM/dq(s,a) = sum_y rho(x,y) sum_t [s_t = s] (pi_q(a|s) - [y_t = a]),
   dL_EBM/dR(x,y) = rho(x) p_R(y|x) - rho(x,y), and the risks equal the definitions; the oracle
   is checked by central differences (h = 2^-20) of the 256-bit risks. */
START_TEST(test_gradients)
{
    static const struct { ae_space_kind kind; slong V, T; } spaces[] = {{AE_FIXED, 2, 2}, {AE_EOS, 2, 3}, {AE_FIXED, 3, 2}};
    uint64_t st = ae_test_seed();
    slong it, n = ae_test_iters(4), k;
    for (k = 0; k < 3; k++)
        for (it = 0; it < n; it++) {
            ae_space_t sp;
            ae_err_t err;
            slong P = 2, S, A, Y, p, y, s, a, i, nq;
            double *q, *g, *oracle, *rho, *mass, *rho_sa, *R, *gR, xm[2], risk, tot = 0;
            char name[64];
            path pa;
            ae_err_init(err);
            ck_assert_int_eq(ae_space_init(sp, spaces[k].kind, spaces[k].V, spaces[k].T, P, err), 0);
            ae_space_name(name, sizeof name, sp);
            S = sp->S;
            A = sp->A;
            Y = fmpz_get_si(sp->responses);
            nq = P * S * A;
            q = ae_calloc((size_t)nq, sizeof(double));
            g = ae_calloc((size_t)nq, sizeof(double));
            oracle = ae_calloc((size_t)nq, sizeof(double));
            mass = ae_calloc((size_t)(P * S), sizeof(double));
            rho_sa = ae_calloc((size_t)nq, sizeof(double));
            rho = ae_calloc((size_t)(P * Y), sizeof(double));
            R = ae_calloc((size_t)(P * Y), sizeof(double));
            gR = ae_calloc((size_t)(P * Y), sizeof(double));
            /* rho: random positive weights, prompt masses 0.3 and 0.7 */
            for (p = 0; p < P; p++) {
                double z = 0;
                for (y = 0; y < Y; y++)
                    z += rho[p * Y + y] = 0.05 + unif(&st);
                xm[p] = p == 0 ? 0.3 : 0.7;
                for (y = 0; y < Y; y++)
                    rho[p * Y + y] *= xm[p] / z;
            }
            for (i = 0; i < nq; i++)
                q[i] = 6 * unif(&st) - 3;
            for (i = 0; i < P * Y; i++)
                R[i] = 6 * unif(&st) - 3;
            if (sp->kind == AE_EOS)
                for (p = 0; p < P; p++)
                    for (s = sp->first[sp->T - 1]; s < S; s++)
                        for (a = 0; a < sp->V; a++)
                            q[(p * S + s) * A + a] = -INFINITY;
            /* prefix masses and rho(s.a) by summing over responses (not the library's) */
            for (p = 0; p < P; p++)
                for (y = 0; y < Y; y++) {
                    response_path(&pa, sp, y);
                    for (i = 0; i < pa.n; i++) {
                        mass[p * S + pa.s[i]] += rho[p * Y + y];
                        rho_sa[(p * S + pa.s[i]) * A + pa.a[i]] += rho[p * Y + y];
                    }
                }
            /* the oracle */
            for (p = 0; p < P; p++)
                for (y = 0; y < Y; y++) {
                    response_path(&pa, sp, y);
                    for (i = 0; i < pa.n; i++) {
                        const double *row = q + (p * S + pa.s[i]) * A;
                        long double z = 0;
                        for (a = 0; a < A; a++)
                            if (row[a] != -INFINITY)
                                z += expl((long double)row[a]);
                        for (a = 0; a < A; a++)
                            if (row[a] != -INFINITY)
                                oracle[(p * S + pa.s[i]) * A + a] +=
                                    (double)((long double)rho[p * Y + y] * (expl((long double)row[a]) / z - (a == pa.a[i])));
                    }
                }
            ae_train_arm_grad_d(g, &risk, q, mass, rho_sa, sp);
            for (i = 0; i < nq; i++)
                ck_assert_msg(fabs(g[i] - oracle[i]) <= 1e-14 && (q[i] != -INFINITY || g[i] == 0),
                              "%s seed %llu it %ld: ARM gradient entry %ld = %.17g, brute force %.17g",
                              name, (unsigned long long)ae_test_seed(), (long)it, (long)i, g[i], oracle[i]);
            assert_close(risk, arm_loss_ref(q, rho, sp, Y), 1e-13, "L_ARM");
            /* central differences of the 256-bit risk, on a few entries */
            for (i = 0; i < nq; i += 1 + nq / 5) {
                const double h = 0x1p-20, q0 = q[i];
                double lp, lm;
                if (q0 == -INFINITY)
                    continue;
                q[i] = q0 + h;
                lp = arm_loss_ref(q, rho, sp, Y);
                q[i] = q0 - h;
                lm = arm_loss_ref(q, rho, sp, Y);
                q[i] = q0;
                ck_assert_msg(fabs((lp - lm) / (2 * h) - oracle[i]) <= 1e-8, "%s it %ld: finite difference %.12g vs oracle %.12g at %ld",
                              name, (long)it, (lp - lm) / (2 * h), oracle[i], (long)i);
            }
            /* EBM */
            ae_train_ebm_grad_d(gR, &risk, R, xm, rho, sp);
            for (p = 0; p < P; p++) {
                long double z = 0;
                for (y = 0; y < Y; y++)
                    z += expl((long double)R[p * Y + y]);
                for (y = 0; y < Y; y++) {
                    double want = (double)((long double)xm[p] * expl((long double)R[p * Y + y]) / z - rho[p * Y + y]);
                    ck_assert_msg(fabs(gR[p * Y + y] - want) <= 1e-14, "%s it %ld: EBM gradient (%ld,%ld) = %.17g, want %.17g",
                                  name, (long)it, (long)p, (long)y, gR[p * Y + y], want);
                    tot += gR[p * Y + y];
                }
            }
            ck_assert_msg(fabs(tot) <= 1e-14, "EBM gradient sums to %g, not 0", tot);
            assert_close(risk, ebm_loss_ref(R, rho, xm, P, Y), 1e-13, "L_EBM");
            for (i = 0; i < P * Y; i += 1 + Y / 3) {
                const double h = 0x1p-20, r0 = R[i];
                double lp, lm, want;
                R[i] = r0 + h;
                lp = ebm_loss_ref(R, rho, xm, P, Y);
                R[i] = r0 - h;
                lm = ebm_loss_ref(R, rho, xm, P, Y);
                R[i] = r0;
                want = gR[i];
                ck_assert_msg(fabs((lp - lm) / (2 * h) - want) <= 1e-8, "%s it %ld: EBM finite difference %.12g vs %.12g",
                              name, (long)it, (lp - lm) / (2 * h), want);
            }
            free(q);
            free(g);
            free(oracle);
            free(mass);
            free(rho_sa);
            free(rho);
            free(R);
            free(gR);
            ae_space_clear(sp);
        }
}
END_TEST

/* ------------------------------------------------------------------ certified evaluation */

/* F(2,1), Zipf s = 1: rho = (2/3, 1/3) in some order; at q = 0, R = 0 both gaps and the KL
   equal KL(rho || uniform) = (5/3) log 2 - log 3, both distances are log(2)/2 and the bound
   is 2T max|log rho(y)| = 2 log 3; with rows centred, the bound is 2T log(2)/2 = log 2 and the
   certified ratio KL/bound_c is ((5/3) log 2 - log 3) / log 2. Values computed here with MPFR. */
START_TEST(test_eval_hand)
{
    ae_space_t sp;
    ae_err_t err;
    ae_data_t rho;
    ae_train_problem_t pb;
    ae_train_point pt;
    double q[2] = {0, 0}, R[2] = {0, 0};
    mpfr_t gap, half, bnd, t;
    double lo, hi;
    ae_err_init(err);
    ck_assert_int_eq(ae_space_init(sp, AE_FIXED, 2, 1, 1, err), 0);
    ae_data_init(rho, sp);
    ae_data_generate(rho, AE_DATA_ZIPF, 1, 7, sp, 128);
    ae_train_problem_init(pb, rho, sp, 128);
    ae_train_eval(&pt, q, R, pb);
    mpfr_inits2(256, gap, half, bnd, t, (mpfr_ptr)0);
    mpfr_const_log2(half, MPFR_RNDN);
    mpfr_mul_ui(gap, half, 5, MPFR_RNDN);
    mpfr_div_ui(gap, gap, 3, MPFR_RNDN);
    mpfr_set_ui(t, 3, MPFR_RNDN);
    mpfr_log(bnd, t, MPFR_RNDN);
    mpfr_sub(gap, gap, bnd, MPFR_RNDN);     /* (5/3) log 2 - log 3 */
    mpfr_mul_ui(bnd, bnd, 2, MPFR_RNDN);    /* 2 log 3 */
    mpfr_div_ui(half, half, 2, MPFR_RNDN);  /* log(2)/2 */
#define UPPER(field, exact)                                                                   \
    lo = mpfr_get_d(exact, MPFR_RNDD);                                                        \
    hi = mpfr_get_d(exact, MPFR_RNDU);                                                        \
    ck_assert_msg(pt.field >= hi && pt.field <= lo * (1 + 1e-14), #field " = %.17g is not a tight upper bound of %.17g", \
                  pt.field, lo)
    UPPER(gap_arm, gap);
    UPPER(gap_ebm, gap);
    UPPER(kl, gap);
    UPPER(dist_before, half);
    UPPER(dist_after, half);
#undef UPPER
    lo = mpfr_get_d(bnd, MPFR_RNDD);
    ck_assert_msg(pt.bound <= lo && pt.bound >= lo * (1 - 1e-14), "bound = %.17g is not a tight lower bound of %.17g", pt.bound, lo);
    mpfr_mul_ui(t, half, 2, MPFR_RNDN); /* 2T log(2)/2, T = 1 */
    lo = mpfr_get_d(t, MPFR_RNDD);
    ck_assert_msg(pt.bound_c <= lo && pt.bound_c >= lo * (1 - 1e-14), "bound_c = %.17g is not a tight lower bound of %.17g",
                  pt.bound_c, lo);
    mpfr_div(t, gap, t, MPFR_RNDU);
    hi = mpfr_get_d(t, MPFR_RNDU);
    ck_assert_msg(pt.ratio >= hi && pt.ratio <= hi * (1 + 1e-14), "ratio = %.17g is not a tight upper bound of %.17g",
                  pt.ratio, hi);
    ck_assert_int_eq(pt.verdict, AE_VERIFIED);
    mpfr_clears(gap, half, bnd, t, (mpfr_ptr)0);
    ae_train_problem_clear(pb);
    ae_data_clear(rho);
    ae_space_clear(sp);
}
END_TEST

/* ------------------------------------------------------------------ training runs */

static void run(ae_train_result *r, const ae_space_t sp, ae_data_kind kind, double param, uint64_t seed,
                double lr, slong steps)
{
    ae_data_t rho;
    ae_train_problem_t pb;
    ae_train_opts o;
    slong nlog = ae_train_log_steps(NULL, steps, 0);
    slong *log = ae_malloc((size_t)nlog * sizeof(slong));
    ae_train_log_steps(log, steps, 0);
    ck_assert_int_eq(nlog, r->npts);
    ae_data_init(rho, sp);
    ae_data_generate(rho, kind, param, seed, sp, 128);
    ae_train_problem_init(pb, rho, sp, 128);
    o.steps = steps;
    o.warmup = AE_TRAIN_WARMUP;
    o.decay = AE_TRAIN_DECAY;
    o.lr = lr;
    o.log = log;
    o.nlog = nlog;
    o.progress = NULL;
    o.progress_ctx = NULL;
    o.area_ebm = &r->area_ebm;
    ae_space_name(r->space, sizeof r->space, sp);
    snprintf(r->target, sizeof r->target, "%s", ae_data_kind_name(kind));
    r->lr = lr;
    r->seed = seed;
    r->steps = steps;
    r->prec = 128;
    ae_train_run(r->pts, pb, &o);
    ae_train_problem_clear(pb);
    ae_data_clear(rho);
    free(log);
}

/* F(2,3), Zipf: 3000 steps at lr 3e-2 drive both certified gaps below 1e-6 (in fact to the
   float64 floor), every KL <= 2T eps verdict is verified, and the distance after mapping
   vanishes while the one before mapping does not (raw logits are not scores). Same on E(2,3). */
START_TEST(test_converges)
{
    static const ae_space_kind kinds[2] = {AE_FIXED, AE_EOS};
    int k;
    for (k = 0; k < 2; k++) {
        ae_space_t sp;
        ae_err_t err;
        ae_train_results_t res;
        ae_train_result *r;
        const ae_train_point *f;
        slong j;
        ae_err_init(err);
        ck_assert_int_eq(ae_space_init(sp, kinds[k], 2, 3, 1, err), 0);
        ae_train_results_init(res);
        r = ae_train_results_add(res, ae_train_log_steps(NULL, 3000, 0));
        run(r, sp, AE_DATA_ZIPF, 1, 1, 3e-2, 3000);
        f = r->pts + r->npts - 1;
        ck_assert_int_eq(f->step, 3000);
        ck_assert_msg(f->gap_arm < 1e-6 && f->gap_ebm < 1e-6, "%s: final gaps %g (ARM), %g (EBM)", r->space,
                      f->gap_arm, f->gap_ebm);
        ck_assert_msg(f->dist_after < 1e-6, "%s: distance after mapping %g", r->space, f->dist_after);
        ck_assert_msg(f->dist_before > 0.1, "%s: distance before mapping %g", r->space, f->dist_before);
        ck_assert_msg(r->pts[0].gap_arm > 1e-3 && r->pts[0].gap_ebm > 1e-3, "initial gaps too small");
        for (j = 0; j < r->npts; j++) {
            ck_assert_msg(r->pts[j].verdict == AE_VERIFIED, "%s step %ld: KL %g <= bound %g is %s", r->space,
                          (long)r->pts[j].step, r->pts[j].kl, r->pts[j].bound, ae_verdict_name(r->pts[j].verdict));
            ck_assert(r->pts[j].gap_arm >= 0 && r->pts[j].gap_ebm >= 0 && r->pts[j].kl <= r->pts[j].bound);
        }
        ck_assert_int_eq(ae_train_results_verdict(res), AE_VERIFIED);
        ae_train_results_clear(res);
        ae_space_clear(sp);
    }
}
END_TEST

static char *table_text(const ae_train_results_t res, ae_format fmt, int summary)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (summary)
        ae_train_write_summary(f, res, fmt);
    else
        ae_train_write_table(f, res, fmt);
    fclose(f);
    return buf;
}

/* two runs give the same rows, byte for byte; the summary takes the max over seeds and the
   rows come out sorted by (space, target, lr, seed) whatever the order of the runs */
START_TEST(test_determinism)
{
    ae_space_t sp;
    ae_err_t err;
    ae_train_results_t a, b;
    ae_train_result *r;
    char *ta, *tb;
    int i;
    ae_err_init(err);
    ck_assert_int_eq(ae_space_init(sp, AE_FIXED, 3, 3, 2, err), 0);
    ae_train_results_init(a);
    ae_train_results_init(b);
    for (i = 0; i < 2; i++) {
        r = ae_train_results_add(a, ae_train_log_steps(NULL, 300, 0));
        run(r, sp, AE_DATA_SOFTMAX_NORMAL, 0.5, (uint64_t)(i + 1), 1e-2, 300);
        r->key[3] = i;
    }
    for (i = 1; i >= 0; i--) { /* the other order */
        r = ae_train_results_add(b, ae_train_log_steps(NULL, 300, 0));
        run(r, sp, AE_DATA_SOFTMAX_NORMAL, 0.5, (uint64_t)(i + 1), 1e-2, 300);
        r->key[3] = i;
    }
    for (i = 0; i < 4; i++) {
        ta = table_text(a, (ae_format)i, 0);
        tb = table_text(b, (ae_format)i, 0);
        ck_assert_str_eq(ta, tb);
        free(ta);
        free(tb);
        ta = table_text(a, (ae_format)i, 1);
        tb = table_text(b, (ae_format)i, 1);
        ck_assert_str_eq(ta, tb);
        free(ta);
        free(tb);
    }
    ck_assert(memcmp(a->v[0].pts, b->v[1].pts, (size_t)a->v[0].npts * sizeof(ae_train_point)) == 0);
    ta = table_text(a, AE_FMT_CSV, 1);
    ck_assert_ptr_nonnull(strstr(ta, "space,target,lr,seeds,steps,gap_arm,gap_ebm,area_ebm,chosen,dist_before,dist_after,final kl/bound_c,max kl/bound_c (moved)"));
    ck_assert_ptr_nonnull(strstr(ta, "\"F(3,3)\",softmax-normal,0.01,2,300,"));
    free(ta);
    ta = table_text(a, AE_FMT_JSONL, 0);
    ck_assert_ptr_nonnull(strstr(ta, "{\"space\":\"F(3,3)\",\"target\":\"softmax-normal\",\"lr\":0.01,\"seed\":1,\"step\":0,"));
    free(ta);
    ae_train_results_clear(a);
    ae_train_results_clear(b);
    ae_space_clear(sp);
}
END_TEST

static Suite *train_suite(void)
{
    Suite *s = suite_create("train");
    ae_test_add(s, "ae_adam_update", test_adam_quadratic, 20);
    ae_test_add(s, "ae_adam_update_vector", test_adam_vector, 20);
    ae_test_add(s, "ae_train_lr", test_schedule, 20);
    ae_test_add(s, "ae_train_log_steps", test_log_steps, 20);
    ae_test_add(s, "ae_train_grad_d", test_gradients, 20);
    ae_test_add(s, "ae_train_eval", test_eval_hand, 20);
    ae_test_add(s, "ae_train_run", test_converges, 20);
    ae_test_add(s, "determinism", test_determinism, 20);
    return s;
}

int main(void)
{
    return ae_test_run(train_suite());
}
