/* Users' tables: the whole `armebm check` command against the numpy float64 check a user would
   write (bench/check_numpy.py: q* = M(r), worst |q - q*|, both KL divergences over every
   response), on the same tables, in the same run. For each space the tables are made here: a
   random reward table r (dyadic, seeded) and a faithful q = M(r) in float64 (ae_bellman_map_d),
   written as little-endian float64 .npy; also q with one root logit off by 0.5 and q with noise
   of 1e-10, whose verdicts are printed (expected: pass, fail, pass at --tol 1e-9).
   Each command is a forked child (fork/execv, wait4): seconds of wall clock from fork to exit,
   peak RSS of the child. numpy's seconds are its own best of 3 (load + check), as printed by the
   script (without the interpreter's start-up); its lines say "skipped" without numpy.
   Usage: b-user ARMEBM SRCDIR [big]   (big: also F(16,6) on 2 threads) */
#include <config.h>
#include "armebm.h"
#include <errno.h>
#include <stdio.h>
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

static double last_cpu; /* CPU seconds (user + system) of the last child */

/* Runs argv in a child with stdout into out (may be NULL: /dev/null); returns the exit status
   (-1 on failure), secs and peak RSS in MiB; last_cpu its CPU time. */
static int run(double *secs, double *rss, char **argv, const char *out)
{
    struct rusage ru;
    int status;
    double t0 = now();
    pid_t pid;
    fflush(stdout);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (freopen(out != NULL ? out : "/dev/null", "w", stdout) == NULL)
            _exit(126);
        execv(argv[0], argv);
        fprintf(stderr, "b-user: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *secs = now() - t0;
    *rss = ru.ru_maxrss / 1024.0;
    last_cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec +
               1e-6 * (double)ru.ru_stime.tv_usec;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static uint64_t sm(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int write_npy(const char *path, const double *x, const ae_space_t sp)
{
    char hdr[128];
    int n = snprintf(hdr, sizeof hdr, "{'descr': '<f8', 'fortran_order': False, 'shape': (%ld, %ld), }",
                     (long)sp->S, (long)sp->A);
    size_t total = (size_t)(sp->S * sp->A);
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
    FILE *f = fopen(path, "wb");
    int pad = (64 - (10 + n + 1) % 64) % 64;
    if (f == NULL)
        return -1;
    pre[8] = (unsigned char)((n + pad + 1) & 255);
    pre[9] = (unsigned char)((n + pad + 1) >> 8);
    fwrite(pre, 1, 10, f);
    fprintf(f, "%s%*s\n", hdr, pad, "");
    fwrite(x, sizeof(double), total, f); /* little-endian hosts (x86, arm64) */
    return fclose(f);
}

typedef struct {
    const char *kind;
    long V, T;
} space;

static const char *python(void)
{
    return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

static int have_numpy(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s -c 'import numpy' 2>/dev/null", python());
    return system(cmd) == 0;
}

static void bench_space(const char *armebm, const char *srcdir, const char *dir, space x, int only2, int numpy)
{
    ae_space_t sp;
    ae_err_t err;
    double *r, *q, t1 = -1, t2 = -1, tn = -1, rss1 = -1, rss2 = -1, secs, rss, in_mib, c1 = -1, c2 = -1, cn = -1;
    char rp[4096], qp[4096], q5p[4096], qnp[4096], outp[4096], vs[16], ts[16], name[64];
    char *av[16];
    slong k, n;
    uint64_t st = 12;
    int v_ok = 0, v_bad = 0, v_noise = 0;

    ae_err_init(err);
    if (ae_space_init(sp, strcmp(x.kind, "eos") == 0 ? AE_EOS : AE_FIXED, x.V, x.T, 1, err) != 0) {
        printf("%s\n", err->msg);
        return;
    }
    ae_space_name(name, sizeof name, sp);
    n = sp->S * sp->A;
    r = malloc((size_t)n * sizeof(double));
    q = malloc((size_t)n * sizeof(double));
    for (k = 0; k < n; k++)
        r[k] = (double)((int64_t)(sm(&st) % 1025) - 512) / 256.0;
    for (k = 0; k < n; k++) /* masked entries -inf */
        if (!ae_space_allowed(sp, (slong)(sp->T - 1), k % sp->A) && k / sp->A >= sp->first[sp->T - 1])
            r[k] = -HUGE_VAL;
    ae_bellman_map_d(q, r, sp);
    snprintf(rp, sizeof rp, "%s/r.npy", dir);
    snprintf(qp, sizeof qp, "%s/q.npy", dir);
    snprintf(q5p, sizeof q5p, "%s/q-root.npy", dir);
    snprintf(qnp, sizeof qnp, "%s/q-noise.npy", dir);
    snprintf(outp, sizeof outp, "%s/out.txt", dir);
    write_npy(rp, r, sp);
    write_npy(qp, q, sp);
    in_mib = 2.0 * (double)n * 8 / 1048576.0;
    snprintf(vs, sizeof vs, "%ld", x.V);
    snprintf(ts, sizeof ts, "%ld", x.T);
    av[0] = (char *)armebm, av[1] = "check", av[2] = "--space", av[3] = (char *)x.kind, av[4] = "--vocab", av[5] = vs;
    av[6] = "--horizon", av[7] = ts, av[8] = "--rewards", av[9] = rp, av[10] = "--logits", av[11] = qp;
    av[12] = "--threads", av[13] = "1", av[14] = NULL;
    if (!only2) {
        v_ok = run(&t1, &rss1, av, outp) == 0;
        c1 = last_cpu;
    }
    av[13] = "2";
    v_ok = run(&t2, &rss2, av, outp) == 0 && (only2 || v_ok);
    c2 = last_cpu;
    if (!only2) {
        /* verdicts: one root logit off by 0.5 fails; noise of 1e-10 passes at --tol 1e-9 */
        q[0] += 0.5;
        write_npy(q5p, q, sp);
        q[0] -= 0.5;
        for (k = 0; k < n; k++)
            if (isfinite(q[k]))
                q[k] += 1e-10 * ((double)(sm(&st) >> 11) * 0x1p-53 * 2 - 1);
        write_npy(qnp, q, sp);
        av[11] = q5p;
        v_bad = run(&secs, &rss, av, NULL) == 1;
        av[11] = qnp;
        av[14] = "--tol", av[15] = NULL;
        {
            char *avt[18];
            memcpy(avt, av, 14 * sizeof(char *));
            avt[14] = "--tol", avt[15] = "1e-9", avt[16] = NULL;
            v_noise = run(&secs, &rss, avt, NULL) == 0;
        }
        if (numpy) {
            char script[4096], line[256];
            char *pv[10];
            FILE *f;
            snprintf(script, sizeof script, "%s/bench/check_numpy.py", srcdir);
            pv[0] = (char *)python(), pv[1] = script, pv[2] = (char *)x.kind, pv[3] = vs, pv[4] = ts, pv[5] = rp,
            pv[6] = qp, pv[7] = NULL;
            if (access(pv[0], X_OK) == 0 && run(&secs, &rss, pv, outp) == 0 && (f = fopen(outp, "r")) != NULL) {
                if (fgets(line, sizeof line, f) != NULL)
                    sscanf(line, "seconds %lf cpu %lf", &tn, &cn);
                fclose(f);
            }
        }
        printf("%-8s %9.3f %9.3f %9.3f  ", name, t1, t2, tn);
        if (tn > 0)
            printf("%6.2f %6.2f  ", t1 / tn, t2 / tn);
        else
            printf("%6s %6s  ", "skipped", "");
        printf("%8.1f %8.1f %8.1f   %s %s %s", rss1, rss2, in_mib, v_ok ? "pass" : "FAIL?",
               v_bad ? "fails" : "PASSES?", v_noise ? "pass" : "FAIL?");
        if (cn > 0)
            printf("   cpu %.3f %.3f %.3f (%.2f)", c1, c2, cn, c1 / cn);
        printf("\n");
    } else {
        printf("%-8s %9s %9.3f %9s  %6s %6s  %8s %8.1f %8.1f   %s   cpu - %.3f -\n", name, "-", t2, "-", "", "", "-",
               rss2, in_mib, v_ok ? "pass" : "FAIL?", c2);
    }
    remove(rp), remove(qp), remove(q5p), remove(qnp), remove(outp);
    free(r);
    free(q);
    ae_space_clear(sp);
}

int main(int argc, char **argv)
{
    static const space spaces[] = {{"fixed", 8, 6}, {"fixed", 4, 10}, {"fixed", 16, 5}, {"eos", 2, 20}, {"eos", 6, 8}};
    char dir[] = "/tmp/b-user.XXXXXX";
    int numpy, big = argc > 3 && strcmp(argv[3], "big") == 0;
    size_t i;
    if (argc < 3) {
        fprintf(stderr, "usage: b-user ARMEBM SRCDIR [big]\n");
        return 2;
    }
    if (mkdtemp(dir) == NULL) {
        perror("b-user: mkdtemp");
        return 1;
    }
    numpy = have_numpy();
    printf("armebm check (whole command, fork to exit) against the numpy float64 check (load + check, best of 3)\n");
    printf("%-8s %9s %9s %9s  %6s %6s  %8s %8s %8s   %s\n", "space", "1 thr s", "2 thr s", "numpy s", "r(1)",
           "r(2)", "RSS1 MiB", "RSS2 MiB", "in MiB", "faithful / root+0.5 / 1e-10 noise   cpu s: 1 thr, 2 thr, numpy (ratio 1 thr)");
    for (i = 0; i < sizeof spaces / sizeof spaces[0]; i++)
        bench_space(argv[1], argv[2], dir, spaces[i], 0, numpy);
    if (big) {
        space f166 = {"fixed", 16, 6};
        bench_space(argv[1], argv[2], dir, f166, 1, numpy);
    }
    rmdir(dir);
    return 0;
}
