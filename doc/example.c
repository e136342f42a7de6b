/* Example of the armebm C API (doc/api.md). Build against an installed armebm with
       cc example.c $(pkg-config --cflags --libs armebm) -o example
   1. the flat float64 functions: q = M(r) correctly rounded, r = M^-1(q), and the check of a
      float32-rounded copy of q (passes the KL test, fails --atol 1e-12);
   2. the ball API: the same check on tables of Arb balls (ae_table_t), which calls Arb directly.
   Exits 0 when every step behaves as documented. */
#include <armebm.h>
#include <math.h>
#include <stdio.h>

/* F(2,2): states (), (0), (1) by depth then lexicographically; actions 0, 1. */
enum { KIND = AE_FIXED, V = 2, T = 2, P = 1, S = 3, A = 2 };

int main(void)
{
    const double r[S * A] = {0.1, -0.7, 0.2, 0.3, -1.1, 0.4};
    double q[S * A], r2[S * A], q32[S * A];
    char err[256];
    ae_check_opts o;
    ae_check_result res;
    ae_space_t sp;
    ae_table_t rt, qt;
    ae_err_t e;
    int k, ok = 1;

    if (ae_map_d(KIND, V, T, P, r, q, err, sizeof err) != 0 || ae_unmap_d(KIND, V, T, P, q, r2, err, sizeof err) != 0) {
        fprintf(stderr, "example: %s\n", err);
        return 2;
    }
    printf("q(root) = %.17g %.17g\n", q[0], q[1]);
    for (k = 0; k < S * A; k++) {
        ok &= fabs(r2[k] - r[k]) <= 1e-15;
        q32[k] = (double)(float)q[k]; /* what a float32 implementation gives */
    }

    ae_check_opts_init(&o); /* KL both ways within 1e-9 */
    if (ae_check_d(&res, KIND, V, T, P, r, q32, &o, err, sizeof err) != 0) {
        fprintf(stderr, "example: %s\n", err);
        return 2;
    }
    printf("float32 q, KL only:    %s\n", res.message);
    ok &= res.passed;
    o.atol = 1e-12; /* and every logit within 1e-12 */
    if (ae_check_d(&res, KIND, V, T, P, r, q32, &o, err, sizeof err) != 0) {
        fprintf(stderr, "example: %s\n", err);
        return 2;
    }
    printf("float32 q, atol 1e-12: %s\n", res.message);
    ok &= !res.passed && res.verdict == AE_VIOLATED;

    /* The same on ball tables: the exact q gives a zero-width error bound. */
    ae_err_init(e);
    if (ae_space_init(sp, AE_FIXED, V, T, P, e) != 0) {
        fprintf(stderr, "example: %s\n", e->msg);
        return 2;
    }
    ae_table_init(rt, sp);
    ae_table_init(qt, sp);
    for (k = 0; k < S * A; k++)
        arb_set_d(rt->v + k, r[k]);
    ae_bellman_map(qt, rt, sp, 128);
    if (ae_check(&res, NULL, rt, qt, sp, &o, 0, e) != 0) {
        fprintf(stderr, "example: %s\n", e->msg);
        return 2;
    }
    printf("ball q = M(r):         %s\n", res.message);
    ok &= res.passed;
    ae_table_clear(rt);
    ae_table_clear(qt);
    ae_space_clear(sp);
    return ok ? 0 : 1;
}
