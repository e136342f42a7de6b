/* armebm count: exact sizes of a space. */
#include "cli.h"
#include <time.h>

static const char help[] =
    "Usage: armebm count --space fixed|eos --vocab V --horizon T [--prompts P] [--max-work N]\n"
    "                    [--prec BITS] [--threads N] [--max-memory BYTES]\n"
    "Prints the exact numbers of responses, states, unmasked state-action pairs and prefix-tree\n"
    "nodes per prompt, the work of one walk over all prompts, whether --max-work allows it, the\n"
    "memory each command would need (the estimate compared with --max-memory), and\n"
    "estimates of the time of `verify C1 --stream` and `verify C2 C3 C4 --stream` on it, from\n"
    "short calibration walks.\n";

static void put(const char *label, const fmpz_t x)
{
    char *s = fmpz_get_str(NULL, 10, x);
    printf("%-10s %s\n", label, s);
    flint_free(s);
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Time the streaming walks on a small space of the same kind and vocabulary (about 2^15
   nodes), then scale by the node count: walks cost the same per node at a given precision. */
static void estimate(const ae_space_t sp, const ae_cli_opts *o)
{
    ae_space_t small;
    ae_err_t err;
    ae_gen_t g, gq;
    ae_stream_t st;
    ae_stream_elbo_t es;
    slong T = 1;
    int i;
    double t0, secs, per_node, nodes;
    ae_err_init(err);
    while (T < sp->T) { /* the largest T' <= T with at most ~2^15 nodes */
        fmpz_t n;
        ae_space_t s2;
        int big;
        ae_space_init(s2, sp->kind, sp->V, T + 1, 1, err);
        fmpz_init(n);
        fmpz_set(n, s2->nodes);
        big = !s2->indexable || fmpz_cmp_ui(n, UWORD(1) << 15) > 0;
        fmpz_clear(n);
        ae_space_clear(s2);
        if (big)
            break;
        T++;
    }
    if (ae_space_init(small, sp->kind, sp->V, T, 1, err) != 0 || !small->indexable) {
        ae_space_clear(small);
        return;
    }
    g->kind = AE_GEN_DYADIC;
    g->seed = 1;
    g->stream = 1;
    ae_stream_init(st);
    st->witness = 0; /* as verify runs it */
    for (i = 0, secs = HUGE_VAL; i < 3; i++) { /* best of 3: a walk of milliseconds is noisy */
        t0 = seconds_now();
        ae_stream_walk(st, g, small, 0, 1, NULL, o->prec);
        secs = fmin(secs, seconds_now() - t0);
    }
    ae_stream_clear(st);
    per_node = secs / fmpz_get_d(small->nodes);
    nodes = fmpz_get_d(sp->nodes) * (double)sp->P;
    printf("%-10s ~%.3g s for verify C1 --stream per seed at --prec %ld on 1 thread (calibrated on %ld nodes)\n",
           "estimate", per_node * nodes, (long)o->prec, (long)fmpz_get_si(small->nodes));
    gq->kind = AE_GEN_DYADIC;
    gq->seed = 2;
    gq->stream = 4;
    ae_stream_elbo_init(es);
    for (i = 0, secs = HUGE_VAL; i < 3; i++) {
        t0 = seconds_now();
        ae_stream_elbo(es, g, gq, small, 0, 1, o->prec);
        secs = fmin(secs, seconds_now() - t0);
    }
    ae_stream_elbo_clear(es);
    per_node = secs / fmpz_get_d(small->nodes);
    printf("%-10s ~%.3g s for verify C2 C3 C4 --stream per seed at --prec %ld on 1 thread\n", "estimate",
           per_node * nodes, (long)o->prec);
    ae_space_clear(small);
}

/* The estimates the commands compare with --max-memory before they allocate anything. */
static void memory(const ae_space_t sp, const ae_cli_opts *o)
{
    static const ae_mem_job jobs[] = {AE_MEM_MAP, AE_MEM_CHECK, AE_MEM_VERIFY, AE_MEM_DISTILL, AE_MEM_TRAIN,
                                      AE_MEM_STREAM};
    static const char *const names[] = {"map/unmap", "check", "verify C1-C6", "verify distill", "train",
                                        "verify --stream"};
    fmpz_t b;
    int j;
    fmpz_init(b);
    for (j = 0; j < 6; j++) {
        static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v;
        int u = 0;
        ae_mem_estimate(b, jobs[j], sp, o->prec, o->threads);
        for (v = fmpz_get_d(b) / 1024; v >= 1024 && u < 5; u++)
            v /= 1024;
        if (v < 1000)
            printf("%-10s ~%.3g %s", "memory", v, unit[u]);
        else /* 1000 to 1023 units: not in %g's exponent form */
            printf("%-10s ~%.0f %s", "memory", v, unit[u]);
        printf(" for %s at --prec %ld", names[j], (long)o->prec);
        if (jobs[j] == AE_MEM_STREAM)
            printf(" on %ld thread(s)", (long)o->threads);
        printf("%s\n", fmpz_cmp_ui(b, o->max_memory) > 0 ? " (above --max-memory)" : "");
    }
    fmpz_clear(b);
}

int ae_cmd_count(int argc, char **argv)
{
    ae_cli_opts o;
    ae_space_t sp;
    ae_err_t err;
    fmpz_t w;
    char name[64];
    int rc = ae_cli_parse(&o, "count", argc, argv);

    if (rc < 0) {
        fputs(help, stdout);
        ae_cli_opts_clear(&o);
        return AE_EXIT_OK;
    }
    if (rc == 0 && o.nargs > 0) {
        ae_cli_usage("count", "unexpected argument '%s'", o.args[0]);
        rc = AE_EXIT_USAGE;
    }
    if (rc != 0) {
        ae_cli_opts_clear(&o);
        return rc;
    }
    rc = ae_cli_space(sp, &o, "count");
    if (rc == 0) {
        fmpz_init(w);
        ae_space_name(name, sizeof name, sp);
        printf("%-10s %s\n", "space", name);
        printf("%-10s %ld\n", "prompts", (long)sp->P);
        put("responses", sp->responses);
        put("states", sp->states);
        put("pairs", sp->pairs);
        put("nodes", sp->nodes);
        ae_space_work(w, sp);
        put("work", w);
        ae_err_init(err);
        printf("%-10s %s\n", "allowed", ae_space_check_work(sp, o.max_work, err) == 0 ? "yes" : "no (above --max-work)");
        memory(sp, &o);
        estimate(sp, &o);
        fmpz_clear(w);
    }
    ae_space_clear(sp);
    ae_cli_opts_clear(&o);
    return rc;
}
