/* Whole-command scaling of the streaming verifier: `ARMEBM verify C1 --stream` on E(2,24)
   (16777215 responses, 64 bits) on 1 and 2 threads, and, given an MPI build and mpirun on the
   PATH, on 1 and 2 MPI ranks of one thread each. Each command is a forked child (fork/execvp,
   wait4), so the time includes start-up and writing the outputs, and the peak RSS is the
   child's; under mpirun it is the largest single process among mpirun and the ranks it waited
   for (Linux takes the maximum over waited-for descendants, not the sum). Then checks that
   every run wrote the same claims.csv bytes as the first. Prints figures; asserts nothing.
   Usage: b-scale ARMEBM [MPI_ARMEBM] */
#include <config.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define RESPONSES 16777215.0 /* the responses of E(2,24) */
#define MAX_RUNS 4

typedef struct {
    char label[32];
    char dir[4096];
    double secs, rss_mib;
    int status, ok; /* wait status; ok: exited with status 0 */
} result;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Runs argv[0] (searched on PATH unless it has a slash) in a child; fills secs, rss, ok. */
static void run(result *r, char **argv)
{
    struct rusage ru;
    double t0;
    pid_t pid;
    r->ok = 0;
    r->status = -1;
    r->secs = r->rss_mib = -1;
    fflush(stdout);
    fflush(stderr);
    t0 = now();
    pid = fork();
    if (pid < 0) {
        perror("b-scale: fork");
        return;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "b-scale: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (wait4(pid, &r->status, 0, &ru) != pid)
        return;
    r->secs = now() - t0;
    r->rss_mib = ru.ru_maxrss / 1024.0;
    r->ok = WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

static int on_path(const char *prog)
{
    const char *path = getenv("PATH");
    char buf[4096];
    while (path != NULL && *path != '\0') {
        const char *end = strchr(path, ':');
        size_t len = end != NULL ? (size_t)(end - path) : strlen(path);
        /* an empty PATH entry means the current directory */
        if (snprintf(buf, sizeof buf, "%.*s/%s", (int)len, len > 0 ? path : ".", prog) < (int)sizeof buf &&
            access(buf, X_OK) == 0)
            return 1;
        path = end != NULL ? end + 1 : NULL;
    }
    return 0;
}

/* The whole file in a malloc'd buffer (NULL when unreadable); *len its size. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *nb;
    size_t cap = 0, n;
    *len = 0;
    if (f == NULL)
        return NULL;
    do {
        if (*len == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        n = fread(buf + *len, 1, cap - *len, f);
        *len += n;
    } while (n > 0);
    if (ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    if (remove(path) != 0)
        fprintf(stderr, "b-scale: cannot remove %s: %s\n", path, strerror(errno));
    return 0;
}

int main(int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR"), *mpi = argc > 2 ? argv[2] : NULL;
    /* argv of a run: [mpirun args] armebm verify args --threads N --out DIR NULL */
    static const char *const verify[] = {"verify", "C1", "--stream", "--space", "eos", "--vocab", "2", "--horizon",
                                         "24", "--seeds", "1", "--prec", "64", "--quiet"};
    const int nverify = (int)(sizeof verify / sizeof verify[0]);
    result res[MAX_RUNS];
    char *first = NULL;
    size_t first_len = 0;
    int nres = 0, i, ndiff = 0, mpirun = 0;
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: b-scale ARMEBM [MPI_ARMEBM]\n");
        return 2;
    }
    if (tmp == NULL || *tmp == '\0')
        tmp = "/tmp";
    if (mpi != NULL && *mpi == '\0')
        mpi = NULL;
    if (mpi != NULL)
        mpirun = on_path("mpirun");
    printf("whole-command scaling: verify C1 --stream on E(2,24), 16777215 responses, 64 bits; %ld online cores\n",
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-22s %9s %14s %14s\n", "configuration", "seconds", "responses/s", "peak RSS MiB");
    for (i = 0; i < MAX_RUNS; i++) {
        const char *args[32];
        char nbuf[16];
        int k = 0, j, n = i % 2 + 1, use_mpi = i >= 2;
        result *r = res + nres;
        if (use_mpi && (mpi == NULL || !mpirun))
            break;
        if (snprintf(r->dir, sizeof r->dir, "%s/b-scale.XXXXXX", tmp) >= (int)sizeof r->dir ||
            mkdtemp(r->dir) == NULL) {
            fprintf(stderr, "b-scale: cannot create a directory under %s\n", tmp);
            break;
        }
        snprintf(nbuf, sizeof nbuf, "%d", n);
        if (use_mpi) {
            /* as root Open MPI needs --allow-run-as-root; 2 ranks on 2 cores may need --oversubscribe */
            args[k++] = "mpirun";
            args[k++] = "--allow-run-as-root";
            args[k++] = "--oversubscribe";
            args[k++] = "-np";
            args[k++] = nbuf;
            args[k++] = mpi;
            snprintf(r->label, sizeof r->label, "mpi %d rank%s x 1 thread", n, n > 1 ? "s" : "");
        } else {
            args[k++] = argv[1];
            snprintf(r->label, sizeof r->label, "%d thread%s", n, n > 1 ? "s" : "");
        }
        for (j = 0; j < nverify; j++)
            args[k++] = verify[j];
        args[k++] = "--threads";
        args[k++] = use_mpi ? "1" : nbuf;
        args[k++] = "--out";
        args[k++] = r->dir;
        args[k] = NULL;
        /* execvp's argv is char *const[], the strings are not written */
        run(r, (char **)args);
        nres++;
        if (r->ok)
            printf("%-22s %9.3f %14.0f %14.1f\n", r->label, r->secs, RESPONSES / r->secs, r->rss_mib);
        else if (r->status != -1 && WIFSIGNALED(r->status))
            printf("%-22s (failed: signal %d)\n", r->label, WTERMSIG(r->status));
        else
            printf("%-22s (failed: exit status %d)\n", r->label, r->status == -1 ? -1 : WEXITSTATUS(r->status));
    }
    if (mpi == NULL)
        printf("(no MPI_ARMEBM given: MPI runs skipped; tests/mpi-test.sh builds one in _mpi/)\n");
    else if (!mpirun)
        printf("(mpirun not on the PATH: MPI runs skipped)\n");
    /* cmp of every claims.csv against the first run's */
    for (i = 0; i < nres; i++) {
        char path[4200];
        size_t len;
        char *buf;
        snprintf(path, sizeof path, "%s/claims.csv", res[i].dir);
        buf = slurp(path, &len);
        if (i == 0) {
            first = buf;
            first_len = len;
            if (first == NULL) {
                printf("claims.csv: %s wrote none, nothing to compare\n", res[0].label);
                ndiff = -1;
            }
        } else if (first != NULL && buf == NULL) {
            printf("claims.csv: %s wrote none, unlike %s\n", res[i].label, res[0].label);
            ndiff++;
        } else if (first != NULL && (len != first_len || memcmp(buf, first, len) != 0)) {
            /* the first differing line, as cmp reports it, to tell a column from a verdict */
            size_t k, line = 1;
            for (k = 0; k < len && k < first_len && buf[k] == first[k]; k++)
                line += buf[k] == '\n';
            printf("claims.csv: %s differs from %s from line %zu\n", res[i].label, res[0].label, line);
            ndiff++;
        }
        if (i > 0)
            free(buf);
    }
    if (ndiff == 0)
        printf("claims.csv: all %d outputs byte-identical\n", nres);
    free(first);
    for (i = 0; i < nres; i++)
        nftw(res[i].dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
