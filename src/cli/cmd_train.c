/* armebm train: the paper's Appendix C in function space (tabular ARM logits and EBM scores
   trained by Adam on the exact risks), every reported number certified. */
#include "cli.h"
#include <errno.h>
#include <unistd.h>

static const char help[] =
    "Usage: armebm train [--out DIR] [--steps N] [--lr LIST] [--targets LIST] [--seeds LIST]\n"
    "                    [--log-every N] [--space fixed|eos --vocab V --horizon T] [--prompts P]\n"
    "                    [--prec BITS] [--max-work N] [--max-memory BYTES] [--quiet]\n"
    "Trains, in function space, tabular ARM logits q (one per state and action) and tabular\n"
    "EBM scores R (one per response), both initialised to 0, with Adam (beta1 0.9, beta2 0.999,\n"
    "eps 1e-8) on the exact risks L_ARM(q) = E_rho[-log p_q(y|x)] and L_EBM(R) = E_rho[A(x) -\n"
    "R(x,y)] (full expectation over rho, float64), on the trapezoidal schedule (100 linear\n"
    "warm-up steps from 0, constant, 100 linear decay steps to 0).\n"
    "Defaults: spaces F(8,4) and F(4,8) (--space/--vocab/--horizon give one space instead),\n"
    "--targets zipf,softmax-normal (zipf:S sets the exponent, default 1; softmax-normal:T the\n"
    "temperature, default 0.1), --lr LIST (added to the paper's grid 1e-5, 3e-5, ..., 3e-2, 1e-1),\n"
    "--steps 5000,\n"
    "--seeds 1,2 (seeds of the target distribution), --prec 128, --out armebm-out.\n"
    "Logged steps: 0, 1, 2, 5, 10, 20, 50, ..., the last step, and multiples of --log-every N.\n"
    "At each one, evaluated certified (Arb balls) on the float64 iterates: both optimality gaps\n"
    "L - H_rho(Y|X) (upper bounds), the distances to the optimum before mapping\n"
    "||c(sum_t q(s_t,y_t)) - c(R*)||_inf and after mapping ||c_-1(q) - c_-1(M(r*))||_inf (upper\n"
    "bounds; R* = log rho(y|x)), and KL(p_R* || p_q) (upper bound) against 2T ||M(r*) - q||_inf\n"
    "(lower bound) and against the equally valid 2T ||c(M(r*)) - c(q)||_inf (rows centred; softmax\n"
    "ignores a shift per state), with a verdict and the certified ratio KL/bound_c.\n"
    "Per (space, target) the rate with the least area under the EBM training curve (the paper's\n"
    "rule) is marked 'chosen'; the figures show it for both models.\n"
    "Writes DIR/train.{csv,jsonl,md,tex} (one row per space, target, lr, seed and logged step),\n"
    "DIR/train-summary.{csv,jsonl,md,tex} (final values, max over seeds; final and largest\n"
    "KL/bound_c over steps >= 1; one row per rate: the learning-rate table) and\n"
    "DIR/figures/train-{gaps,dist,kl,lr}.{dat,gp} (and .svg, .pdf when gnuplot is installed).\n"
    "Exit 0 when every KL <= bound verdict is verified, 1 otherwise, 2 on bad usage.\n";

typedef struct {
    ae_data_kind kind;
    double param;
    char name[64];
} target;

static int parse_targets(target *t, slong *n, const char *list)
{
    const char *s = list;
    *n = 0;
    for (;;) {
        const char *e = strchr(s, ','), *colon;
        size_t len = e ? (size_t)(e - s) : strlen(s);
        char item[64];
        if (len == 0 || len >= sizeof item || *n == 8)
            goto bad;
        memcpy(item, s, len);
        item[len] = '\0';
        colon = strchr(item, ':');
        if (colon != NULL)
            item[colon - item] = '\0';
        if (strcmp(item, "zipf") == 0) {
            t[*n].kind = AE_DATA_ZIPF;
            t[*n].param = 1;
        } else if (strcmp(item, "softmax-normal") == 0) {
            t[*n].kind = AE_DATA_SOFTMAX_NORMAL;
            t[*n].param = 0.1;
        } else
            goto bad;
        if (colon != NULL) {
            char *end;
            const char *ps = item + (colon - item) + 1;
            errno = 0;
            t[*n].param = strtod(ps, &end);
            if (errno != 0 || end == ps || *end != '\0' || !(t[*n].param > 0) || t[*n].param > 1e6)
                goto bad;
        }
        snprintf(t[*n].name, sizeof t[*n].name, t[*n].kind == AE_DATA_ZIPF ? "zipf(s=%g)" : "softmax-normal(t=%g)",
                 t[*n].param);
        (*n)++;
        if (e == NULL)
            return 0;
        s = e + 1;
    }
bad:
    ae_cli_usage("train", "--targets: '%s' is not a comma-separated list of at most 8 of zipf[:S], "
                    "softmax-normal[:T] (S, T positive numbers)", list);
    return -1;
}

typedef struct {
    FILE *f;
    slong base, total;  /* updates done before this run, in the whole grid */
    int shown;          /* last percentage drawn */
    double t0, drawn;   /* start, and time of the last drawing */
    char label[160];
} progress;

/* redrawn when the percentage changes or a second has passed, so elapsed and ETA stay current */
static void progress_draw(void *ctx, slong done)
{
    progress *pr = ctx;
    slong total = pr->total > 0 ? pr->total : 1, at = pr->base + done;
    int pct = (int)(at * 100 / total);
    double now = ae_wall_seconds();
    if (pct == pr->shown && now < pr->drawn + 1.0)
        return;
    pr->shown = pct;
    pr->drawn = now;
    /* the final newline is the caller's, after the last run */
    ae_progress_draw(pr->f, at < total ? at : total - 1, total, now - pr->t0, pr->label);
}

int ae_cmd_train(int argc, char **argv)
{
    static const double default_lr[9] = {1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1};
    static const uint64_t default_seeds[2] = {1, 2};
    static const ae_suite_space default_spaces[2] = {{AE_FIXED, 8, 4}, {AE_FIXED, 4, 8}};
    ae_cli_opts o;
    ae_suite_space spaces[2];
    target targets[8];
    const double *lrs;
    double lr_all[9 + 16];
    const uint64_t *seeds;
    slong nspaces, ntargets = 2, nlr, nseeds, steps, nlog, i, j, k, l;
    slong *log = NULL;
    ae_train_results_t res;
    ae_err_t err;
    progress pr;
    const char *dir;
    int rc = ae_cli_parse(&o, "train", argc, argv), lock = -1;

    if (rc < 0) {
        fputs(help, stdout);
        ae_cli_opts_clear(&o);
        return AE_EXIT_OK;
    }
    if (rc == 0 && o.nargs > 0) {
        ae_cli_usage("train", "unexpected argument '%s'", o.args[0]);
        rc = AE_EXIT_USAGE;
    }
    if (rc == 0 && (o.have_vocab || o.have_horizon || o.have_space) && !(o.have_vocab && o.have_horizon)) {
        ae_cli_usage("train", "a single space needs both --vocab and --horizon");
        rc = AE_EXIT_USAGE;
    }
    if (rc == 0) {
        targets[0].kind = AE_DATA_ZIPF;
        targets[0].param = 1;
        snprintf(targets[0].name, sizeof targets[0].name, "zipf(s=1)");
        targets[1].kind = AE_DATA_SOFTMAX_NORMAL;
        targets[1].param = 0.1;
        snprintf(targets[1].name, sizeof targets[1].name, "softmax-normal(t=0.1)");
        if (o.targets != NULL && parse_targets(targets, &ntargets, o.targets) != 0)
            rc = AE_EXIT_USAGE;
    }
    if (rc != 0) {
        ae_cli_opts_clear(&o);
        return rc;
    }
    if (o.have_vocab) {
        spaces[0].kind = o.kind;
        spaces[0].V = o.V;
        spaces[0].T = o.T;
        nspaces = 1;
    } else {
        spaces[0] = default_spaces[0];
        spaces[1] = default_spaces[1];
        nspaces = 2;
    }
    /* the paper's grid, then the user's rates not already in it */
    {
        slong u, g;
        for (nlr = 0; nlr < 9; nlr++)
            lr_all[nlr] = default_lr[nlr];
        for (u = 0; u < o.nlr; u++) {
            for (g = 0; g < nlr && lr_all[g] != o.lrs[u]; g++)
                ;
            if (g == nlr)
                lr_all[nlr++] = o.lrs[u];
        }
        lrs = lr_all;
    }
    seeds = o.have_seeds ? o.seeds : default_seeds;
    nseeds = o.have_seeds ? o.nseeds : 2;
    steps = o.have_steps ? o.steps : 5000;
    dir = o.out ? o.out : AE_CLI_OUT_DEFAULT;
    nlog = ae_train_log_steps(NULL, steps, o.log_every);
    if (nlog > 10000) {
        ae_cli_usage("train", "--log-every %ld gives %ld logged steps, each evaluated certified; at most 10000",
                (long)o.log_every, (long)nlog);
        ae_cli_opts_clear(&o);
        return AE_EXIT_USAGE;
    }
    log = ae_malloc((size_t)nlog * sizeof(slong));
    ae_train_log_steps(log, steps, o.log_every);

    ae_err_init(err);
    ae_train_results_init(res);
    /* refuse every oversized space before any work */
    for (i = 0; i < nspaces && rc == 0; i++) {
        ae_space_t sp;
        if (ae_space_init(sp, spaces[i].kind, spaces[i].V, spaces[i].T, o.P, err) != 0 ||
            ae_space_check_work(sp, o.max_work, err) != 0 ||
            ae_mem_need(AE_MEM_TRAIN, sp, o.prec, 1, o.max_memory, "train", err) != 0)
            rc = ae_cli_fail("train", err);
        ae_space_clear(sp);
    }
    if (rc == 0 && ae_dir_lock(&lock, dir, err) != 0)
        rc = ae_cli_fail("train", err);
    pr.f = (!o.quiet && isatty(fileno(stderr))) ? stderr : NULL;
    pr.base = 0;
    pr.total = nspaces * ntargets * nseeds * nlr * steps;
    pr.shown = -1;
    pr.t0 = pr.drawn = ae_wall_seconds();
    for (i = 0; i < nspaces && rc == 0; i++) {
        ae_space_t sp;
        char spname[24];
        ae_space_init(sp, spaces[i].kind, spaces[i].V, spaces[i].T, o.P, err);
        ae_space_row_name(spname, sizeof spname, sp);
        for (j = 0; j < ntargets; j++)
            for (k = 0; k < nseeds; k++) {
                ae_data_t rho;
                ae_train_problem_t pb;
                ae_data_init(rho, sp);
                ae_data_generate(rho, targets[j].kind, targets[j].param, seeds[k], sp, o.prec);
                ae_train_problem_init(pb, rho, sp, o.prec);
                for (l = 0; l < nlr; l++) {
                    ae_train_opts to;
                    ae_train_result *r = ae_train_results_add(res, nlog);
                    snprintf(r->space, sizeof r->space, "%s", spname);
                    snprintf(r->target, sizeof r->target, "%s", targets[j].name);
                    r->lr = lrs[l];
                    r->seed = seeds[k];
                    r->steps = steps;
                    r->prec = o.prec;
                    r->key[0] = i;
                    r->key[1] = j;
                    r->key[2] = l;
                    r->key[3] = k;
                    to.steps = steps;
                    to.warmup = AE_TRAIN_WARMUP;
                    to.decay = AE_TRAIN_DECAY;
                    to.lr = lrs[l];
                    to.log = log;
                    to.nlog = nlog;
                    to.progress = pr.f ? progress_draw : NULL;
                    to.progress_ctx = &pr;
                    to.area_ebm = &r->area_ebm;
                    snprintf(pr.label, sizeof pr.label, "%s %s lr=%g seed=%llu", spname, targets[j].name, lrs[l],
                             (unsigned long long)seeds[k]);
                    ae_train_run(r->pts, pb, &to);
                    pr.base += steps;
                }
                ae_train_problem_clear(pb);
                ae_data_clear(rho);
            }
        ae_space_clear(sp);
    }
    if (pr.f != NULL && rc == 0)
        ae_progress_draw(pr.f, 1, 1, ae_wall_seconds() - pr.t0, "done");
    if (rc == 0 && ae_train_write_all(dir, res, err) != 0)
        rc = ae_cli_fail("train", err);
    if (rc == 0) {
        if (!o.quiet) {
            ae_train_write_summary(stdout, res, AE_FMT_MD);
            printf("tables: %s/train.{csv,jsonl,md,tex}, %s/train-summary.{csv,jsonl,md,tex}; figures: %s/figures/train-*\n",
                   dir, dir, dir);
        }
        rc = ae_train_results_verdict(res) == AE_VERIFIED ? AE_EXIT_OK : AE_EXIT_FAIL;
    }
    ae_dir_unlock(lock);
    free(log);
    ae_train_results_clear(res);
    ae_cli_opts_clear(&o);
    return rc;
}
