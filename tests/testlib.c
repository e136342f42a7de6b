/* Shared test support (see testlib.h). */
#include <config.h>
#include "testlib.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t ae_test_seed(void)
{
    static int done = 0;
    static uint64_t seed = 0x5eed2026u;
    if (!done) {
        const char *e = getenv("AE_TEST_SEED");
        done = 1;
        if (e && strcmp(e, "random") == 0) {
            seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
            fprintf(stderr, "AE_TEST_SEED=%llu\n", (unsigned long long)seed);
        } else if (e && *e) {
            seed = strtoull(e, NULL, 10);
        }
    }
    return seed;
}

double ae_test_multiplier(void)
{
    static double m = -1;
    if (m < 0) {
        const char *e = getenv("AE_TEST_MULTIPLIER");
        m = 1;
        if (e && *e) {
            double x = strtod(e, NULL);
            if (x >= 0 && x <= 1000)
                m = x;
        }
    }
    return m;
}

slong ae_test_iters(slong n)
{
    slong k = (slong)(n * ae_test_multiplier());
    return k < 1 ? 1 : k;
}

int ae_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int nf;
    srunner_run_all(sr, CK_NORMAL);
    nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    flint_cleanup();
    mpfr_free_cache();
    return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

char *ae_test_tmpname(const char *name, const char *tag)
{
    const char *dir = getenv("top_builddir");
    size_t n = strlen(dir ? dir : ".") + strlen(name) + strlen(tag) + 64;
    char *p = malloc(n);
    snprintf(p, n, "%s/tests/%s.tmp.%ld.%s", dir ? dir : ".", name, (long)getpid(), tag);
    return p;
}

uint64_t ae_test_next(uint64_t *state)
{
    *state = ae_hash(*state, 77, 0, 0, 0);
    return *state;
}

void ae_test_random_space(ae_space_t sp, uint64_t *state)
{
    ae_err_t err;
    ae_space_kind kind = (ae_test_next(state) & 1) ? AE_EOS : AE_FIXED;
    slong V = 1 + (slong)(ae_test_next(state) % 3), T = 1 + (slong)(ae_test_next(state) % 4);
    slong P = 1 + (slong)(ae_test_next(state) % 2);
    ae_err_init(err);
    ck_assert_int_eq(ae_space_init(sp, kind, V, T, P, err), 0);
}

void ae_test_instance(ae_instance *in, const ae_space_t sp, ae_gen_kind kind, uint64_t seed, const char *name)
{
    in->sp = sp;
    in->r = NULL;
    in->gen.kind = kind;
    in->gen.seed = seed;
    in->gen.stream = 1;
    snprintf(in->name, sizeof in->name, "%s", name);
}

void ae_test_add(Suite *s, const char *name, const TTest *tf, double secs)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, secs * (ae_test_multiplier() > 1 ? ae_test_multiplier() : 1));
    tcase_add_test(tc, tf);
    suite_add_tcase(s, tc);
}

uint64_t sm_next(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

slong sm_range(uint64_t *x, slong lo, slong hi)
{
    return lo + (slong)(sm_next(x) % (uint64_t)(hi - lo + 1));
}
