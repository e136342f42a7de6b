/* Benchmark of the streaming walks (table-free): the C1 walk certified at 64 and 128 bits on 1
   and 2 threads and in float64, the C2-C4 sums walk (ae_stream_elbo) certified at 64 bits on 1
   and 2 threads, and a vectorised numpy float64 implementation of the C1 computation
   (bench/baseline_numpy.py, when python3 with numpy is available). Each measurement is forked
   so its peak RSS is its own, and reports the best of up to 5 runs (a 3 ms walk is mostly
   noise in one run). Prints figures; asserts nothing.
   Usage: b-stream [SRCDIR]   (SRCDIR locates baseline_numpy.py; default ".") */
#include <config.h>
#include "armebm.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* best-of: repeat until MAX_RUNS runs or MAX_TOTAL seconds, at least one run */
#define MAX_RUNS 5
#define MAX_TOTAL 1.0

enum { MODE_CERT, MODE_DOUBLE, MODE_SUMS };

typedef struct {
    double secs; /* minimum wall time, -1 on failure */
    int runs;
} timing;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One walk; returns seconds. */
static double run(const ae_space_t sp, int mode, int threads, slong prec)
{
    ae_gen_t g, gq;
    double t0;
    slong n;
    g->kind = AE_GEN_DYADIC;
    g->seed = 1;
    g->stream = 1;
    /* q' for the sums, as in the table-based C2: its own seed, stream 4 */
    gq->kind = AE_GEN_DYADIC;
    gq->seed = 2;
    gq->stream = 4;
    t0 = now();
    if (mode == MODE_CERT) {
        ae_stream_t st;
        ae_stream_init(st);
        st->witness = 0; /* as verify runs it: witnesses only in a second pass after a failure */
        ae_stream_walk(st, g, sp, 0, threads, NULL, prec);
        ae_stream_clear(st);
    } else if (mode == MODE_DOUBLE) {
        (void)ae_stream_walk_d(&n, g, sp, 0, threads);
    } else {
        ae_stream_elbo_t es;
        ae_stream_elbo_init(es);
        ae_stream_elbo(es, g, gq, sp, 0, threads, prec);
        ae_stream_elbo_clear(es);
    }
    return now() - t0;
}

static timing best_of(const ae_space_t sp, int mode, int threads, slong prec)
{
    timing t = {-1, 0};
    double total = 0, s;
    do {
        s = run(sp, mode, threads, prec);
        if (t.runs == 0 || s < t.secs)
            t.secs = s;
        total += s;
        t.runs++;
    } while (t.runs < MAX_RUNS && total < MAX_TOTAL);
    return t;
}

static timing forked(const ae_space_t sp, int mode, int threads, slong prec, double *rss_mib)
{
    int fd[2], status;
    pid_t pid;
    timing t = {-1, 0};
    struct rusage ru;
    *rss_mib = -1;
    if (pipe(fd) != 0)
        return t;
    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return t;
    }
    if (pid == 0) {
        timing c = best_of(sp, mode, threads, prec);
        if (write(fd[1], &c, sizeof c) != (ssize_t)sizeof c)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    if (read(fd[0], &t, sizeof t) != (ssize_t)sizeof t)
        t.secs = -1;
    close(fd[0]);
    if (wait4(pid, &status, 0, &ru) == pid)
        *rss_mib = ru.ru_maxrss / 1024.0;
    return t;
}

static double numpy_seconds(const char *srcdir, slong V, slong T)
{
    char cmd[1024], line[256];
    FILE *p;
    double s = -1;
    /* Debian's python3-numpy lives with /usr/bin/python3, which a PATH python may shadow */
    snprintf(cmd, sizeof cmd, "{ test -x /usr/bin/python3 && /usr/bin/python3 -c 'import numpy' 2>/dev/null && "
             "/usr/bin/python3 '%s/bench/baseline_numpy.py' %ld %ld %d || python3 '%s/bench/baseline_numpy.py' %ld %ld %d; } 2>/dev/null",
             srcdir, (long)V, (long)T, MAX_RUNS, srcdir, (long)V, (long)T, MAX_RUNS);
    p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    while (fgets(line, sizeof line, p))
        if (strncmp(line, "seconds ", 8) == 0)
            s = atof(line + 8);
    pclose(p);
    return s;
}

int main(int argc, char **argv)
{
    static const struct { ae_space_kind kind; slong V, T; } spaces[] = {
        {AE_FIXED, 8, 6}, {AE_FIXED, 4, 10}, {AE_EOS, 2, 24}, {AE_FIXED, 16, 6}};
    static const struct { int mode, threads; slong prec; const char *label; } modes[] = {
        {MODE_CERT, 1, 64, "certified-64"}, {MODE_CERT, 2, 64, "certified-64"},
        {MODE_CERT, 2, 128, "certified-128"}, {MODE_DOUBLE, 1, 0, "double"},
        {MODE_SUMS, 1, 64, "sums-64"}, {MODE_SUMS, 2, 64, "sums-64"}};
    const slong nmodes = sizeof modes / sizeof modes[0];
    const char *srcdir = argc > 1 ? argv[1] : ".";
    int i;
    printf("streaming C1 walk and C2-C4 sums (dyadic instance, seed 1, one prompt; sums: q' seed 2, stream 4);\n"
           "best of up to %d runs within %.1f s; %ld online cores\n", MAX_RUNS, MAX_TOTAL,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-9s %10s %-14s %7s %14s %9s %4s %9s\n", "space", "responses", "mode", "threads", "responses/s", "seconds",
           "runs", "RSS MiB");
    for (i = 0; i < 4; i++) {
        ae_space_t sp;
        ae_err_t err;
        char name[64];
        double y, rss = 0, cert1 = -1, dbl = -1, sums1 = -1, np = -1;
        timing t;
        slong m;
        ae_err_init(err);
        ae_space_init(sp, spaces[i].kind, spaces[i].V, spaces[i].T, 1, err);
        ae_space_name(name, sizeof name, sp);
        y = fmpz_get_d(sp->responses);
        for (m = 0; m < nmodes; m++) {
            t = forked(sp, modes[m].mode, modes[m].threads, modes[m].prec, &rss);
            if (t.secs <= 0) {
                printf("%-9s %10.0f %-14s %7d (failed)\n", name, y, modes[m].label, modes[m].threads);
                continue;
            }
            printf("%-9s %10.0f %-14s %7d %14.0f %9.3f %4d %9.1f\n", name, y, modes[m].label, modes[m].threads,
                   y / t.secs, t.secs, t.runs, rss);
            if (modes[m].threads == 1 && modes[m].mode == MODE_CERT)
                cert1 = t.secs;
            if (modes[m].mode == MODE_DOUBLE)
                dbl = t.secs;
            if (modes[m].threads == 1 && modes[m].mode == MODE_SUMS)
                sums1 = t.secs;
        }
        if (spaces[i].kind == AE_FIXED && spaces[i].V * spaces[i].T <= 48) {
            np = numpy_seconds(srcdir, spaces[i].V, spaces[i].T);
            if (np > 0)
                printf("%-9s %10.0f %-14s %7d %14.0f %9.3f %4d %9s\n", name, y, "numpy-float64", 1, y / np, np,
                       MAX_RUNS, "-");
            else
                printf("%-9s %10.0f %-14s (python3 with numpy not available: skipped)\n", name, y, "numpy-float64");
        }
        printf("%-9s ratios:", name);
        if (cert1 > 0 && dbl > 0)
            printf(" certified-64/double (1 thread) = %.2f", cert1 / dbl);
        if (np > 0 && dbl > 0)
            printf(", numpy/double = %.2f", np / dbl);
        if (sums1 > 0 && cert1 > 0)
            printf(", sums-64/certified-64 (1 thread) = %.2f", sums1 / cert1);
        printf("\n");
        ae_space_clear(sp);
    }
    flint_cleanup();
    return 0;
}
