/* Benchmark of the C1 per-response check (p_R(y) = p_M(r)(y) for every y, with Z by direct
   summation): responses per second in exact, certified and double arithmetic, and the peak
   resident memory of each run (measured in a forked child so runs do not share a peak).
   Usage: b-c1 [PREC]   (default 128). Prints figures; asserts nothing. */
#include <config.h>
#include "armebm.h"
#include "claim/claim.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Runs one mode; returns elapsed seconds (the map plus the walk). */
static double run(const ae_space_t sp, const char *mode, slong prec)
{
    ae_gen_t g;
    double t0 = now(), t1;
    g->seed = 1;
    g->stream = 1;
    if (strcmp(mode, "exact") == 0) {
        ae_qtable_t psi, phi;
        ae_qpaths_t ps;
        g->kind = AE_GEN_POTENTIAL;
        ae_qtable_init(psi, sp);
        ae_qtable_init(phi, sp);
        ae_qpaths_init(ps);
        ae_gen_qtable(psi, g, sp);
        t0 = now();
        ae_bellman_map_exact(phi, psi, sp);
        ae_qpaths_walk(ps, psi, phi, sp, 0);
        t1 = now();
        if (!ae_qpaths_same_distribution(ps))
            fprintf(stderr, "b-c1: exact check failed!\n");
        ae_qpaths_clear(ps);
        ae_qtable_clear(psi);
        ae_qtable_clear(phi);
    } else {
        ae_table_t r, q;
        g->kind = AE_GEN_DYADIC;
        ae_table_init(r, sp);
        ae_gen_table(r, g, sp, prec);
        if (strcmp(mode, "certified") == 0) {
            ae_paths_t ps;
            ae_table_init(q, sp);
            ae_paths_init(ps);
            t0 = now();
            ae_bellman_map(q, r, sp, prec);
            ae_paths_walk(ps, r, q, NULL, sp, 0, prec);
            t1 = now();
            ae_paths_clear(ps);
            ae_table_clear(q);
        } else {
            t0 = now();
            (void)ae_paths_double_error(r, sp);
            t1 = now();
        }
        ae_table_clear(r);
    }
    return t1 - t0;
}

int main(int argc, char **argv)
{
    static const struct { ae_space_kind kind; slong V, T; } spaces[] = {
        {AE_FIXED, 4, 8}, {AE_EOS, 2, 16}, {AE_FIXED, 8, 6}};
    static const char *const modes[] = {"exact", "certified", "double"};
    slong prec = argc > 1 ? atol(argv[1]) : 128;
    int i, m;

    printf("C1 per-response check, one prompt, one core; prec %ld bits for certified\n", (long)prec);
    printf("%-8s %10s %-10s %10s %14s %12s\n", "space", "responses", "mode", "seconds", "responses/s",
           "peak RSS MiB");
    for (i = 0; i < 3; i++)
        for (m = 0; m < 3; m++) {
            int fd[2];
            pid_t pid;
            double secs = -1;
            struct rusage ru;
            int status;
            ae_space_t sp;
            ae_err_t err;
            char name[64];

            ae_err_init(err);
            ae_space_init(sp, spaces[i].kind, spaces[i].V, spaces[i].T, 1, err);
            ae_space_name(name, sizeof name, sp);
            if (pipe(fd) != 0)
                return 1;
            fflush(stdout);
            pid = fork();
            if (pid == 0) {
                double s = run(sp, modes[m], prec);
                if (write(fd[1], &s, sizeof s) != (ssize_t)sizeof s)
                    _exit(1);
                _exit(0);
            }
            close(fd[1]);
            if (read(fd[0], &secs, sizeof secs) != (ssize_t)sizeof secs)
                secs = -1;
            close(fd[0]);
            wait4(pid, &status, 0, &ru);
            printf("%-8s %10ld %-10s %10.3f %14.0f %12.1f\n", name, (long)fmpz_get_si(sp->responses),
                   modes[m], secs, (double)fmpz_get_si(sp->responses) / secs, ru.ru_maxrss / 1024.0);
            ae_space_clear(sp);
        }
    flint_cleanup();
    return 0;
}
