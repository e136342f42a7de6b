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
