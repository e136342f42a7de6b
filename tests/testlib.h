/* Shared test support: seeded randomness, iteration multiplier, temporary files, small random
   spaces and instances. The brute-force oracles live beside what they check (the maps' in
   t-bellman.c, the check's in t-check.c), so that no library code is shared with them. */
#ifndef AE_TESTLIB_H
#define AE_TESTLIB_H
#include "armebm.h"
#include <check.h>

/* Seed from AE_TEST_SEED (integer, or "random" for a printed time seed); default fixed. */
uint64_t ae_test_seed(void);
/* AE_TEST_MULTIPLIER in [0, 1000], default 1; scales loop counts. */
double ae_test_multiplier(void);
/* Number of iterations n scaled by the multiplier, at least 1. */
slong ae_test_iters(slong n);
/* Runs the suite; returns the process exit status (0 when every test passed). */
int ae_test_run(Suite *s);
/* A path for a temporary file named after the test: "tests/<name>.tmp.<pid>.<tag>" in the
   build tree; the caller frees it. */
char *ae_test_tmpname(const char *name, const char *tag);
/* An assertion for hot loops: unlike ck_assert_msg it reports nothing to the runner when it
   holds, which keeps loops over thousands of entries fast. */
#define TEST_CHECK(cond, ...)          \
    do {                               \
        if (!(cond))                   \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)

/* A splitmix64 stream for test inputs, independent of the library's own hash (so oracles never
   share code with what they check), and a uniform integer in [lo, hi] from it. */
uint64_t sm_next(uint64_t *x);
slong sm_range(uint64_t *x, slong lo, slong hi);

/* Adds test tf to s in a case of its own named `name`, with a timeout of `secs` seconds
   scaled up by AE_TEST_MULTIPLIER when above 1. */
void ae_test_add(Suite *s, const char *name, const TTest *tf, double secs);
/* Next value of a counter-based test stream (splitmix of the state). */
uint64_t ae_test_next(uint64_t *state);
/* A random small space: V in [1,3], T in [1,4], P in [1,2], either kind. */
void ae_test_random_space(ae_space_t sp, uint64_t *state);
/* A generated instance of sp: generator `kind` with `seed`, stream 1, no table. */
void ae_test_instance(ae_instance *in, const ae_space_t sp, ae_gen_kind kind, uint64_t seed, const char *name);
#endif
