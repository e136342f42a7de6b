/* armebm verify: run claims on the default grid, one space, or a user reward table, and write
   the result tables. */
#include "cli.h"
#include <errno.h>
#include <unistd.h>

static const char help[] =
    "Usage: armebm verify [C1..C6|distill...] [--out DIR] [--seeds LIST] [--prompts P]\n"
    "                     [--space fixed|eos --vocab V --horizon T] [--rewards FILE]\n"
    "                     [--logits FILE] [--data FILE] [--prec BITS] [--max-prec BITS]\n"
    "                     [--max-work N] [--max-memory BYTES] [--threads N] [--stream]\n"
    "                     [--quiet] [--json]\n"
    "Runs the claims (default all) and writes DIR/claims.{csv,jsonl,md,tex} for C1-C6 and\n"
    "DIR/distill.* and DIR/distill-summary.* for the distillation bounds (distill = C7-C11)\n"
    "(DIR defaults to armebm-out). With no space options: C1-C6 on the default grid F(8,4) F(4,8)\n"
    "E(8,4) E(2,12) E(3,8), seeds 1,2,3, two prompts (exact checks on integer potentials,\n"
    "certified checks on dyadic rewards); distill on E(3,4) F(4,4) E(2,8), seeds 1,2.\n"
    "C4, C5 (chain rules, gradients) run on the dyadic instances; C6 (Proposition 2) on the data\n"
    "distributions zipf(s=1), softmax-normal(t=0.1), uniform and random, or with --data FILE on\n"
    "the empirical distribution of a file of sequences (one per line: [PROMPT:] TOKENS [* COUNT]),\n"
    "or, when FILE ends in .npy or .csv, on a file of probabilities rho(x,y), one per response\n"
    "(armebm export writes them; shape (P, Y), or CSV prompt,response,value); they must be >= 0\n"
    "and sum to 1 within 1e-6, and are divided by their sum exactly.\n"
    "With --rewards FILE: certified C1, C2 and the distillation grid on that teacher table;\n"
    "with --logits FILE too: that student against that teacher (C7-C9 bounds). -inf at an\n"
    "allowed reward entry is a banned token (guide section 3.4): C1 refuses a state all of whose\n"
    "responses are banned (M loses the reward above it), and a student keeps the teacher's bans.\n"
    "With --stream (one space; C1-C4, default all four): table-free walks on dyadic\n"
    "instances, any size, memory O(T*A) per thread, on --threads threads (default: the core\n"
    "count); the output bytes do not depend on the thread count (nor on MPI ranks).\n"
    "Rows marked (consistency) share what they test: verdict 'consistent', counted apart.\n"
    "--json prints the summary as one JSON object (counts per claim, rows not verified,\n"
    "tables, passed, verdict) on stdout.\n"
    "Exit 0 when every row is verified (or consistent), 1 otherwise, 2 on bad usage or input.\n";

static int parse_claims(int *mask, char **args, int n)
{
    int i;
    *mask = 0;
    for (i = 0; i < n; i++) {
        if (strcmp(args[i], "C1") == 0 || strcmp(args[i], "c1") == 0)
            *mask |= AE_CLAIM_C1;
        else if (strcmp(args[i], "C2") == 0 || strcmp(args[i], "c2") == 0)
            *mask |= AE_CLAIM_C2;
        else if (strcmp(args[i], "C3") == 0 || strcmp(args[i], "c3") == 0)
            *mask |= AE_CLAIM_C3;
        else if (strcmp(args[i], "C4") == 0 || strcmp(args[i], "c4") == 0)
            *mask |= AE_CLAIM_C4;
        else if (strcmp(args[i], "C5") == 0 || strcmp(args[i], "c5") == 0)
            *mask |= AE_CLAIM_C5;
        else if (strcmp(args[i], "C6") == 0 || strcmp(args[i], "c6") == 0)
            *mask |= AE_CLAIM_C6;
        else if (strcmp(args[i], "distill") == 0 || strcmp(args[i], "C7") == 0 ||
                 strcmp(args[i], "C8") == 0 || strcmp(args[i], "C9") == 0 ||
                 strcmp(args[i], "C10") == 0 || strcmp(args[i], "C11") == 0)
            *mask |= AE_CLAIM_DISTILL;
        else {
            ae_cli_usage("verify", "unknown claim '%s' (this version checks C1-C6 and distill = C7-C11)", args[i]);
            return -1;
        }
    }
    if (*mask == 0)
        *mask = AE_CLAIM_ALL;
    return 0;
}

static const char *const claims[] = {"C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9", "C10", "C11"};

/* Verdict counts of one claim's rows; returns the largest float64 error shown, -1 when none. */
static double tally(slong *nv, slong *nx, slong *nu, slong *nc, const ae_rows_t rows, const char *claim)
{
    double worst = -1;
    slong i;
    *nv = *nx = *nu = *nc = 0;
    for (i = 0; i < rows->n; i++) {
        const ae_row *r = rows->v + i;
        if (strcmp(r->claim, claim) != 0)
            continue;
        *nv += r->verdict == AE_VERIFIED;
        *nx += r->verdict == AE_VIOLATED;
        *nu += r->verdict == AE_UNDECIDED;
        *nc += r->verdict == AE_CONSISTENT;
        if (r->double_err[0])
            worst = fmax(worst, atof(r->double_err));
    }
    return worst;
}

static void summary(FILE *f, const ae_rows_t rows, const char *dir)
{
    int c;
    slong i;
    for (c = 0; c < 11; c++) {
        slong nv, nx, nu, nc;
        double worst = tally(&nv, &nx, &nu, &nc, rows, claims[c]);
        if (nv + nx + nu + nc == 0)
            continue;
        fprintf(f, "%s: %ld verified, %ld violated, %ld undecided", claims[c], (long)nv, (long)nx, (long)nu);
        if (nc > 0) /* agreeing consistency checks are not verification: counted apart */
            fprintf(f, ", %ld consistent (consistency checks, not counted as verified)", (long)nc);
        if (worst >= 0)
            fprintf(f, "; float64 max |log p_q - log p_R| = %.3e", worst);
        fputc('\n', f);
    }
    for (i = 0; i < rows->n; i++)
        if (rows->v[i].verdict != AE_VERIFIED && rows->v[i].verdict != AE_CONSISTENT)
            fprintf(f, "  %s %s %s %s: %s (%s)\n", rows->v[i].claim, rows->v[i].check, rows->v[i].space,
                    rows->v[i].instance, ae_verdict_name(rows->v[i].verdict), rows->v[i].measured);
    (void)dir;
}

/* The same summary as one JSON object: counts per claim, the rows not verified, the tables. */
static void summary_json(const ae_rows_t rows, const char *dir, slong nclaims, slong nstream, slong ndistill)
{
    ae_verdict v = ae_rows_verdict(rows);
    int c, first = 1;
    slong i;
    fputs("{\n  \"command\": \"verify\",\n  \"out\": ", stdout);
    ae_put_json(stdout, dir);
    fputs(",\n  \"claims\": [", stdout);
    for (c = 0; c < 11; c++) {
        slong nv, nx, nu, nc;
        double worst = tally(&nv, &nx, &nu, &nc, rows, claims[c]);
        if (nv + nx + nu + nc == 0)
            continue;
        printf("%s\n    {\"claim\": \"%s\", \"verified\": %ld, \"violated\": %ld, \"undecided\": %ld, "
               "\"consistent\": %ld", first ? "" : ",", claims[c], (long)nv, (long)nx, (long)nu, (long)nc);
        if (worst >= 0)
            printf(", \"float64_max_log_error\": %.3e", worst);
        fputs("}", stdout);
        first = 0;
    }
    fputs("\n  ],\n  \"not_verified\": [", stdout);
    first = 1;
    for (i = 0; i < rows->n; i++) {
        const ae_row *r = rows->v + i;
        if (r->verdict == AE_VERIFIED || r->verdict == AE_CONSISTENT)
            continue;
        printf("%s\n    {\"claim\": ", first ? "" : ",");
        ae_put_json(stdout, r->claim);
        fputs(", \"check\": ", stdout);
        ae_put_json(stdout, r->check);
        fputs(", \"space\": ", stdout);
        ae_put_json(stdout, r->space);
        fputs(", \"instance\": ", stdout);
        ae_put_json(stdout, r->instance);
        printf(", \"verdict\": \"%s\", \"measured\": ", ae_verdict_name(r->verdict));
        ae_put_json(stdout, r->measured);
        fputs("}", stdout);
        first = 0;
    }
    fputs("\n  ],\n  \"tables\": [", stdout);
    first = 1;
    {
        static const char *const bases[] = {"claims", "stream", "distill", "distill-summary"};
        slong counts[4];
        int b;
        counts[0] = nclaims, counts[1] = nstream, counts[2] = counts[3] = ndistill;
        for (b = 0; b < 4; b++)
            if (counts[b] > 0) {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s.csv", dir, bases[b]);
                fputs(first ? "" : ", ", stdout);
                ae_put_json(stdout, path);
                first = 0;
            }
    }
    printf("],\n  \"passed\": %s,\n  \"verdict\": \"%s\"\n}\n", v == AE_VERIFIED ? "true" : "false",
           ae_verdict_name(v));
}

/* Refuses, before any work, a job whose space is too large (--max-work) or whose estimated
   memory is above --max-memory; extra: the --rewards (and --logits) tables are read too. */
static int mem_ok(ae_mem_job job, const char *what, ae_space_kind kind, slong V, slong T, slong P,
                  const ae_cli_opts *o, int extra, ae_err_t err)
{
    ae_space_t sp;
    fmpz_t need, more;
    int rc = ae_space_init(sp, kind, V, T, P, err);
    fmpz_init(need);
    fmpz_init(more);
    if (rc == 0)
        rc = ae_space_check_work(sp, o->max_work, err);
    if (rc == 0) {
        ae_mem_estimate(need, job, sp, o->prec, o->threads);
        if (extra) { /* CSV tables are read at --max-prec: their balls carry long mantissas */
            fmpz_t base;
            fmpz_init(base);
            ae_mem_estimate(more, AE_MEM_MAP, sp, o->max_prec, 1); /* two tables */
            ae_mem_estimate(base, AE_MEM_MAP, sp, o->prec, 1);
            fmpz_sub(more, more, base);
            fmpz_mul_si(more, more, (ae_table_format(o->rewards) == AE_TABLE_CSV) + (o->logits != NULL && ae_table_format(o->logits) == AE_TABLE_CSV));
            fmpz_fdiv_q_2exp(more, more, 1);
            fmpz_add(need, need, more);
            fmpz_clear(base);
        }
        rc = ae_mem_check(need, o->max_memory, what, sp, o->prec, err);
    }
    fmpz_clear(need);
    fmpz_clear(more);
    ae_space_clear(sp);
    return rc;
}

/* Every space the run will visit, checked before the first is started. */
static int plan_ok(const ae_cli_opts *o, int mask, slong prompts, ae_err_t err)
{
    const int streamable = AE_CLAIM_C1 | AE_CLAIM_C2 | AE_CLAIM_C3 | AE_CLAIM_C4;
    slong i, P1 = o->have_prompts ? o->P : 1;
    int rc = 0;
    if (o->stream)
        return mem_ok(AE_MEM_STREAM, "--stream", o->kind, o->V, o->T, P1, o, 0, err);
    if (o->data != NULL)
        return mem_ok(AE_MEM_DATA, "C6 --data", o->kind, o->V, o->T, P1, o, 0, err);
    if (o->rewards != NULL) {
        if (o->logits == NULL && (mask & (AE_CLAIM_C1 | AE_CLAIM_C2)))
            rc = mem_ok(AE_MEM_VERIFY_TABLE, "C1 C2", o->kind, o->V, o->T, P1, o, 1, err);
        if (rc == 0 && (mask & AE_CLAIM_DISTILL || o->logits != NULL))
            rc = mem_ok(AE_MEM_DISTILL, "distill", o->kind, o->V, o->T, P1, o, 1, err);
        return rc;
    }
    if (o->have_vocab) {
        if (mask & ~AE_CLAIM_DISTILL)
            rc = mem_ok(AE_MEM_VERIFY, "C1-C6", o->kind, o->V, o->T, prompts, o, 0, err);
        if (rc == 0 && (mask & AE_CLAIM_DISTILL))
            rc = mem_ok(AE_MEM_DISTILL, "distill", o->kind, o->V, o->T, prompts, o, 0, err);
        return rc;
    }
    for (i = 0; i < ae_suite_default_nspaces && rc == 0 && (mask & ~AE_CLAIM_DISTILL); i++) {
        const ae_suite_space *s = ae_suite_default_spaces + i;
        rc = mem_ok(AE_MEM_VERIFY, "C1-C6", s->kind, s->V, s->T, prompts, o, 0, err);
    }
    for (i = 0; i < ae_stream_default_nspaces && rc == 0 && (mask & streamable); i++) {
        const ae_suite_space *s = ae_stream_default_spaces + i;
        rc = mem_ok(AE_MEM_STREAM, "--stream", s->kind, s->V, s->T, P1, o, 0, err);
    }
    for (i = 0; i < ae_distill_default_nspaces && rc == 0 && (mask & AE_CLAIM_DISTILL); i++) {
        const ae_suite_space *s = ae_distill_default_spaces + i;
        rc = mem_ok(AE_MEM_DISTILL, "distill", s->kind, s->V, s->T, prompts, o, 0, err);
    }
    return rc;
}

/* Before any work: the memory plan, then the output directory's lock (held to the end). */
static int start(int *lock, const ae_cli_opts *o, int mask, slong prompts, const char *dir, ae_err_t err)
{
    int rank, size;
    if (plan_ok(o, mask, prompts, err) != 0)
        return ae_cli_fail("verify", err);
    ae_stream_mpi_rank(&rank, &size);
    if (rank == 0 && ae_dir_lock(lock, dir, err) != 0) /* rank 0 alone writes */
        return ae_cli_fail("verify", err);
    return 0;
}

int ae_cmd_verify(int argc, char **argv)
{
    ae_cli_opts o;
    ae_rows_t rows, drows, srows;
    ae_err_t err;
    ae_suite_opts so;
    const char *dir;
    char cexdir[4096];
    const int streamable = AE_CLAIM_C1 | AE_CLAIM_C2 | AE_CLAIM_C3 | AE_CLAIM_C4;
    int rc = ae_cli_parse(&o, "verify", argc, argv), mask = 0, lock = -1;
    slong i;

    if (rc < 0) {
        fputs(help, stdout);
        ae_cli_opts_clear(&o);
        return AE_EXIT_OK;
    }
    if (rc == 0 && parse_claims(&mask, o.args, o.nargs) != 0)
        rc = AE_EXIT_USAGE;
    if (rc == 0 && (o.have_vocab || o.have_horizon || o.have_space || o.rewards) &&
        !(o.have_vocab && o.have_horizon)) {
        ae_cli_usage("verify", "a single space needs both --vocab and --horizon");
        rc = AE_EXIT_USAGE;
    }
    if (rc != 0) {
        ae_cli_opts_clear(&o);
        return rc;
    }
    dir = o.out ? o.out : AE_CLI_OUT_DEFAULT;
    ae_rows_init(rows);
    ae_rows_init(drows);
    ae_rows_init(srows); /* the default suite's streaming grid, written as DIR/stream.* */
    ae_err_init(err);
    so.claims = mask;
    so.seeds = o.seeds;
    so.nseeds = o.nseeds;
    so.prompts = o.have_prompts ? o.P : 2;
    so.prec = o.prec;
    so.max_prec = o.max_prec;
    so.max_work = o.max_work;
    so.progress = (!o.quiet && isatty(fileno(stderr))) ? stderr : NULL;
    snprintf(cexdir, sizeof cexdir, "%s/counterexamples", dir);
    so.cex_dir = cexdir;
    so.threads = (int)o.threads;
    if (!o.quiet && isatty(fileno(stderr)))
        ae_stream_set_progress(stderr);

    if (o.stream) {
        if (mask == AE_CLAIM_ALL)
            mask = streamable;
        if (!o.have_vocab || (mask & ~streamable) || o.rewards || o.data) {
            ae_cli_usage("verify", "--stream checks C1-C4 on one generated space: give some of C1 C2 C3 C4, --vocab and --horizon only");
            rc = AE_EXIT_USAGE;
        } else {
            so.claims = mask;
            so.prompts = o.have_prompts ? o.P : 1;
            rc = start(&lock, &o, mask, so.prompts, dir, err);
            if (rc == 0 && ae_suite_run_stream(rows, &so, o.kind, o.V, o.T, err) != 0)
                rc = ae_cli_fail("verify", err);
        }
    } else if (o.data != NULL && (mask != AE_CLAIM_C6 && mask != AE_CLAIM_ALL)) {
        ae_cli_usage("verify", "--data FILE is a data distribution for C6 only");
        rc = AE_EXIT_USAGE;
    } else if (o.data != NULL && (o.rewards || o.logits)) {
        ae_cli_usage("verify", "--data does not combine with --rewards or --logits");
        rc = AE_EXIT_USAGE;
    } else if (o.data != NULL) {
        ae_space_t sp;
        ae_data_t rho;
        ae_instance in;
        o.P = o.have_prompts ? o.P : 1;
        rc = ae_cli_space(sp, &o, "verify");
        if (rc == 0 && ae_space_check_work(sp, o.max_work, err) != 0)
            rc = ae_cli_fail("verify", err);
        if (rc == 0) { /* an unreadable file is reported before the distribution is allocated */
            FILE *f = fopen(o.data, "r");
            if (f == NULL) {
                ae_err_set(err, AE_E_IO, "%s: cannot open: %s", o.data, strerror(errno));
                rc = ae_cli_fail("verify", err);
            } else
                fclose(f);
        }
        if (rc == 0)
            rc = start(&lock, &o, mask, o.P, dir, err);
        if (rc == 0) {
            ae_data_init(rho, sp);
            if (ae_data_read(rho, sp, o.data, err) != 0)
                rc = ae_cli_fail("verify", err);
            else {
                if (rho->sum_dev != 0 && !o.quiet) /* said once: the rows are about rho/total */
                    fprintf(stderr, "armebm verify: %s: the probabilities sum to 1 %c %.3g, not exactly 1; "
                            "each was divided by that sum (exactly) before the checks\n", o.data,
                            rho->sum_dev < 0 ? '-' : '+', fabs(rho->sum_dev));
                in.sp = sp;
                in.r = NULL;
                in.gen.kind = AE_GEN_DYADIC;
                in.gen.seed = o.seeds[0];
                in.gen.stream = 1;
                snprintf(in.name, sizeof in.name, "%s", rho->name);
                ae_claim_c6(rows, &in, rho, ae_gen_aux_seed(o.seeds[0]), o.prec, o.max_prec);
            }
            ae_data_clear(rho);
        }
        ae_space_clear(sp);
    } else if (o.logits != NULL && (mask & ~AE_CLAIM_DISTILL) && mask != AE_CLAIM_ALL) {
        ae_cli_usage("verify", "--logits (a student) is for the distillation checks: use 'distill'");
        rc = AE_EXIT_USAGE;
    } else if (o.logits != NULL && o.rewards == NULL) {
        ae_cli_usage("verify", "--logits (a student) needs --rewards (its teacher)");
        rc = AE_EXIT_USAGE;
    } else if (o.rewards != NULL) {
        ae_space_t sp;
        ae_table_t r, q;
        o.P = so.prompts = o.have_prompts ? o.P : 1;
        if (!(mask & (AE_CLAIM_C1 | AE_CLAIM_C2 | AE_CLAIM_DISTILL))) {
            ae_cli_usage("verify", "C3 is checked on generated instances only; with --rewards choose C1, C2 or distill");
            rc = AE_EXIT_USAGE;
        }
        if (rc == 0)
            rc = ae_cli_space(sp, &o, "verify");
        else
            ae_space_init(sp, AE_FIXED, 1, 1, 1, err);
        if (rc == 0 && ae_space_check_work(sp, o.max_work, err) != 0)
            rc = ae_cli_fail("verify", err);
        /* bad files are reported before the tables are allocated */
        if (rc == 0 && (ae_table_probe(sp, o.rewards, err) != 0 ||
                        (o.logits != NULL && ae_table_probe(sp, o.logits, err) != 0)))
            rc = ae_cli_fail("verify", err);
        if (rc == 0)
            rc = start(&lock, &o, mask, o.P, dir, err);
        if (rc == 0) {
            ae_table_init(r, sp);
            ae_table_init(q, sp);
            /* read at a generous precision: csv decimals become tight balls */
            if (ae_table_read(r, sp, o.rewards, o.max_prec, err) != 0 ||
                (o.logits != NULL && ae_table_read(q, sp, o.logits, o.max_prec, err) != 0))
                rc = ae_cli_fail("verify", err);
            /* -inf at allowed entries (banned tokens): p_R must be defined, and C1's round trip
               needs M to be injective (no state of value -inf; proofs/C1.md) */
            else if (ae_bellman_domain(r, sp, o.logits == NULL && (mask & AE_CLAIM_C1) ? AE_DOMAIN_INJECTIVE
                                                                                      : AE_DOMAIN_MAP,
                                       o.rewards, err) != 0 ||
                     (o.logits != NULL && ae_bellman_same_support(q, r, sp, o.logits, err) != 0))
                rc = ae_cli_fail("verify", err);
            else {
                if (o.logits == NULL)
                    ae_suite_run_table(rows, &so, sp, r, o.rewards);
                if (mask & AE_CLAIM_DISTILL || o.logits != NULL)
                    ae_suite_run_distill_table(drows, &so, sp, r, o.rewards, o.logits ? q : NULL, o.logits);
            }
            ae_table_clear(r);
            ae_table_clear(q);
        }
        ae_space_clear(sp);
    } else if (o.have_vocab) {
        rc = start(&lock, &o, mask, so.prompts, dir, err);
        if (rc == 0 && (mask & ~AE_CLAIM_DISTILL))
            if (ae_suite_run_space(rows, &so, o.kind, o.V, o.T, err) != 0)
                rc = ae_cli_fail("verify", err);
        if (rc == 0 && (mask & AE_CLAIM_DISTILL))
            if (ae_suite_run_distill(drows, &so, o.kind, o.V, o.T, err) != 0)
                rc = ae_cli_fail("verify", err);
    } else {
        rc = start(&lock, &o, mask, so.prompts, dir, err);
        for (i = 0; i < ae_suite_default_nspaces && rc == 0 && (mask & ~AE_CLAIM_DISTILL); i++) {
            const ae_suite_space *s = ae_suite_default_spaces + i;
            if (ae_suite_run_space(rows, &so, s->kind, s->V, s->T, err) != 0)
                rc = ae_cli_fail("verify", err);
        }
        if (mask & streamable) { /* the streaming grid, one prompt per instance */
            slong prompts = so.prompts;
            so.prompts = o.have_prompts ? o.P : 1;
            for (i = 0; i < ae_stream_default_nspaces && rc == 0; i++) {
                const ae_suite_space *s = ae_stream_default_spaces + i;
                if (ae_suite_run_stream(srows, &so, s->kind, s->V, s->T, err) != 0)
                    rc = ae_cli_fail("verify", err);
            }
            so.prompts = prompts;
        }
        if (mask & AE_CLAIM_DISTILL) {
            so.nseeds = o.have_seeds ? o.nseeds : 2;
            for (i = 0; i < ae_distill_default_nspaces && rc == 0; i++) {
                const ae_suite_space *s = ae_distill_default_spaces + i;
                if (ae_suite_run_distill(drows, &so, s->kind, s->V, s->T, err) != 0)
                    rc = ae_cli_fail("verify", err);
            }
        }
    }
    {
        int rank, size;
        ae_stream_mpi_rank(&rank, &size);
        if (rank != 0) { /* other MPI ranks computed the same rows: rank 0 alone writes them */
            rc = rc != 0 ? rc : ae_rows_verdict(rows) == AE_VERIFIED ? AE_EXIT_OK : AE_EXIT_FAIL;
            ae_rows_clear(rows);
            ae_rows_clear(srows);
            ae_rows_clear(drows);
            ae_cli_opts_clear(&o);
            ae_dir_unlock(lock);
            return rc;
        }
    }
    { /* every table of the run replaced together, or none */
        ae_outset_t set;
        ae_rows_t sum;
        ae_outset_init(set);
        ae_rows_init(sum);
        if (rc == 0 && rows->n > 0 && ae_rows_stage(set, dir, "claims", rows, err) != 0)
            rc = ae_cli_fail("verify", err);
        if (rc == 0 && srows->n > 0 && ae_rows_stage(set, dir, "stream", srows, err) != 0)
            rc = ae_cli_fail("verify", err);
        if (rc == 0 && drows->n > 0) {
            ae_distill_summary(sum, drows);
            if (ae_rows_stage(set, dir, "distill", drows, err) != 0 ||
                ae_rows_stage(set, dir, "distill-summary", sum, err) != 0 ||
                ae_figures_distill(set, dir, drows, drows->v[0].space, err) != 0)
                rc = ae_cli_fail("verify", err);
        }
        if (rc == 0 && rows->n + srows->n + drows->n > 0) {
            const ae_rows_struct *const parts[3] = {rows, srows, drows};
            if (ae_claim_summary_stage(set, dir, parts, 3, err) != 0)
                rc = ae_cli_fail("verify", err);
        }
        if (rc == 0 && ae_outset_commit(set, err) != 0)
            rc = ae_cli_fail("verify", err);
        ae_outset_clear(set);
        ae_rows_clear(sum);
    }
    ae_dir_unlock(lock);
    if (rc == 0) {
        slong nclaims = rows->n;
        ae_rows_append(rows, srows);
        ae_rows_append(rows, drows);
        if (o.json)
            summary_json(rows, dir, nclaims, srows->n, drows->n);
        else if (!o.quiet) {
            summary(stdout, rows, dir);
            if (nclaims > 0)
                printf("tables: %s/claims.{csv,jsonl,md,tex}\n", dir);
            if (srows->n > 0)
                printf("tables: %s/stream.{csv,jsonl,md,tex}\n", dir);
            if (drows->n > 0)
                printf("tables: %s/distill.{csv,jsonl,md,tex}, %s/distill-summary.{csv,jsonl,md,tex}\n", dir, dir);
            printf("per-claim summary: %s/summary.{csv,jsonl,md,tex}\n", dir);
        }
        rc = ae_rows_verdict(rows) == AE_VERIFIED ? AE_EXIT_OK : AE_EXIT_FAIL;
    }
    ae_rows_clear(srows);
    ae_rows_clear(drows);
    ae_rows_clear(rows);
    ae_cli_opts_clear(&o);
    return rc;
}
