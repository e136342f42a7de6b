/* Benchmark of the streaming C1 walk (table-free): certified at 64 and 128 bits on 1 and 2
   threads, the float64 walk, and a vectorised numpy float64 implementation of the same
   computation (bench/baseline_numpy.py, when python3 with numpy is available). Each run is
   forked so its peak RSS is its own. Prints figures; asserts nothing.
   Usage: b-stream [SRCDIR]   (SRCDIR locates baseline_numpy.py; default ".") */
#include <config.h>
#include "armebm.h"
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

/* mode: 0 certified, 1 double; returns seconds */
static double run(const ae_space_t sp, int mode, int threads, slong prec)
{
    ae_gen_t g;
    double t0;
    slong n;
    g->kind = AE_GEN_DYADIC;
    g->seed = 1;
    g->stream = 1;
    t0 = now();
    if (mode == 0) {
        ae_stream_t st;
        ae_stream_init(st);
        ae_stream_walk(st, g, sp, 0, threads, NULL, prec);
        ae_stream_clear(st);
    } else {
        (void)ae_stream_walk_d(&n, g, sp, 0, threads);
    }
    return now() - t0;
}

static double forked(const ae_space_t sp, int mode, int threads, slong prec, double *rss_mib)
{
    int fd[2], status;
    pid_t pid;
    double secs = -1;
    struct rusage ru;
    if (pipe(fd) != 0)
        return -1;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        double s = run(sp, mode, threads, prec);
        if (write(fd[1], &s, sizeof s) != (ssize_t)sizeof s)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    if (read(fd[0], &secs, sizeof secs) != (ssize_t)sizeof secs)
        secs = -1;
    close(fd[0]);
    wait4(pid, &status, 0, &ru);
    *rss_mib = ru.ru_maxrss / 1024.0;
    return secs;
}

static double numpy_seconds(const char *srcdir, slong V, slong T)
{
    char cmd[1024], line[256];
    FILE *p;
    double s = -1;
    /* Debian's python3-numpy lives with /usr/bin/python3, which a PATH python may shadow */
    snprintf(cmd, sizeof cmd, "{ test -x /usr/bin/python3 && /usr/bin/python3 -c 'import numpy' 2>/dev/null && "
             "/usr/bin/python3 '%s/bench/baseline_numpy.py' %ld %ld || python3 '%s/bench/baseline_numpy.py' %ld %ld; } 2>/dev/null",
             srcdir, (long)V, (long)T, srcdir, (long)V, (long)T);
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
    const char *srcdir = argc > 1 ? argv[1] : ".";
    int i;
    printf("streaming C1 walk (dyadic instance, seed 1, one prompt); %ld online cores\n", sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-9s %10s %-14s %7s %14s %9s %9s\n", "space", "responses", "mode", "threads", "responses/s", "seconds",
           "RSS MiB");
    for (i = 0; i < 4; i++) {
        ae_space_t sp;
        ae_err_t err;
        char name[64];
        double y, rss = 0, cert1 = -1, dbl = -1, np = -1, s;
        int m;
        static const struct { int mode, threads; slong prec; const char *label; } modes[] = {
            {0, 1, 64, "certified-64"}, {0, 2, 64, "certified-64"}, {0, 2, 128, "certified-128"}, {1, 1, 0, "double"}};
        ae_err_init(err);
        ae_space_init(sp, spaces[i].kind, spaces[i].V, spaces[i].T, 1, err);
        ae_space_name(name, sizeof name, sp);
        y = fmpz_get_d(sp->responses);
        for (m = 0; m < 4; m++) {
            s = forked(sp, modes[m].mode, modes[m].threads, modes[m].prec, &rss);
            printf("%-9s %10.0f %-14s %7d %14.0f %9.3f %9.1f\n", name, y, modes[m].label, modes[m].threads, y / s, s, rss);
            if (m == 0)
                cert1 = s;
            if (m == 3)
                dbl = s;
        }
        if (spaces[i].kind == AE_FIXED && spaces[i].V * spaces[i].T <= 48) {
            np = numpy_seconds(srcdir, spaces[i].V, spaces[i].T);
            if (np > 0)
                printf("%-9s %10.0f %-14s %7d %14.0f %9.3f %9s\n", name, y, "numpy-float64", 1, y / np, np, "-");
            else
                printf("%-9s %10.0f %-14s (python3 with numpy not available: skipped)\n", name, y, "numpy-float64");
        }
        printf("%-9s ratios: certified-64/double (1 thread) = %.2f", name, cert1 / dbl);
        if (np > 0)
            printf(", numpy/double = %.2f", np / dbl);
        printf("\n");
        ae_space_clear(sp);
    }
    flint_cleanup();
    return 0;
}
