/* armebm check: regression-check another implementation's logits against certified M(R). */
#include "cli.h"
#ifdef _OPENMP
#include <omp.h>
#endif

static const char help[] =
    "Usage: armebm check --space fixed|eos --vocab V --horizon T [--prompts P]\n"
    "                    --rewards R --logits Q [--tol X] [--atol X] [--rtol X] [--centered]\n"
    "                    [--mask-below X] [--json] [--prec BITS] [--max-prec BITS]\n"
    "                    [--max-work N] [--max-memory BYTES]\n"
    "Compares the logit table Q (e.g. from PyTorch/JAX/numpy) with the certified q* = M(R):\n"
    "worst absolute error |q - q*|, worst relative error |q - q*| / max(1, |q*|) (a mixed\n"
    "measure: entries with q* near 0 do not dominate), worst centered error (after removing from\n"
    "each row the midrange c(s) = (max + min)/2 of its differences q - q*, the constant that\n"
    "best aligns it in the max-norm), where each occurs, and KL(p_R||p_Q), KL(p_Q||p_R)\n"
    "certified (chain rule over states, with p_R = p_M(R) by Proposition 1).\n"
    "Passes (exit 0) when every criterion asked for is certified, fails (exit 1) otherwise:\n"
    "  --tol X       both KL per prompt <= X (default 1e-9; always checked). KL grows like\n"
    "                eps^2 in a logit error eps: 1e-9 catches errors of about 1e-4 and up;\n"
    "                use --atol for smaller ones (float32 tables are at about 1e-7).\n"
    "  --atol X      worst absolute error <= X;  --rtol X: worst relative error <= X;\n"
    "  --centered    --atol and --rtol apply to the centered errors instead.\n"
    "  --mask-below X  values <= X at masked entries are read as -inf (e.g. -1e8 for -1e9 masks).\n"
    "  --json        one JSON object on stdout (criteria, values, locations, KL per prompt,\n"
    "                passed, verdict) instead of the text report.\n"
    "-inf at an allowed entry (a banned token) is accepted in both tables: two -inf agree, one is an\n"
    "infinite error, and KL is summed over responses of positive probability: it is inf when Q puts\n"
    "mass on a response R bans (or bans one R does not), which the result line says with the entry.\n"
    "Refused (exit 2): R banning every response, Q's row all -inf at a state Q reaches.\n"
    "Tables with banned entries are checked in Arb only.\n"
    "Two .npy tables are checked in place (memory-mapped), first in double-precision balls\n"
    "with proven error bounds (\"precision 53 bits\"; bounds certified, about 1e-14 wide);\n"
    "Arb at --prec bits and up decides what they cannot. --prec BITS: Arb at once.\n"
    "--threads N splits the walk; the output is the same at any N.\n";

static const char *yes_no(int v)
{
    return v == AE_VERIFIED ? "yes (verified)" : v == AE_VIOLATED ? "NO (certified)" : "undecided";
}

static void put_num(double x)
{
    if (isfinite(x))
        printf("%.17g", x);
    else
        fputs("null", stdout); /* an unknown bound (JSON has no infinity) */
}

static void put_where(long p, long s, long a, const char *where)
{
    printf("{\"prompt\": %ld, \"state\": %ld, \"action\": %ld, \"entry\": ", p, s, a);
    ae_put_json(stdout, where);
    fputs("}", stdout);
}

static void put_criterion(const char *name, int centered, double limit, double value, long p, long s, long a,
                          const char *where, int verdict, int first)
{
    printf("%s\n    {\"name\": \"%s\", ", first ? "" : ",", name);
    if (centered >= 0)
        printf("\"centered\": %s, ", centered ? "true" : "false");
    fputs("\"limit\": ", stdout);
    put_num(limit);
    fputs(", \"value_upper\": ", stdout);
    put_num(value);
    if (where != NULL) {
        fputs(", \"location\": ", stdout);
        put_where(p, s, a, where);
    }
    printf(", \"verdict\": \"%s\"}", ae_verdict_name((ae_verdict)verdict));
}

static void put_measure(const char *name, double value, long p, long s, long a, const char *where)
{
    printf(",\n  \"%s\": {\"upper\": ", name);
    put_num(value);
    fputs(", \"location\": ", stdout);
    put_where(p, s, a, where);
    fputs("}", stdout);
}

static void print_json(const ae_check_result *res, const ae_check_detail *det, const ae_space_t sp,
                       const ae_cli_opts *o, const ae_check_opts *co)
{
    char name[64];
    slong p;
    ae_space_name(name, sizeof name, sp);
    printf("{\n  \"command\": \"check\",\n  \"space\": \"%s\",\n  \"kind\": \"%s\",\n  \"vocab\": %ld,\n"
           "  \"horizon\": %ld,\n  \"prompts\": %ld,\n  \"precision\": %ld,\n  \"rewards\": ",
           name, sp->kind == AE_EOS ? "eos" : "fixed", (long)sp->V, (long)sp->T, (long)sp->P, res->prec);
    ae_put_json(stdout, o->rewards);
    fputs(",\n  \"logits\": ", stdout);
    ae_put_json(stdout, o->logits);
    fputs(",\n  \"mask_below\": ", stdout);
    put_num(co->mask_below);
    fputs(",\n  \"criteria\": [", stdout);
    put_criterion("kl", -1, co->tol, res->kl_fwd_upper > res->kl_rev_upper ? res->kl_fwd_upper : res->kl_rev_upper,
                  0, 0, 0, NULL, det->kl_verdict, 1);
    if (co->atol >= 0)
        put_criterion("atol", co->centered, co->atol, co->centered ? res->centered_err_upper : res->abs_err_upper,
                      co->centered ? det->centered_prompt : res->abs_prompt,
                      co->centered ? det->centered_state : res->abs_state,
                      co->centered ? det->centered_action : res->abs_action,
                      co->centered ? det->centered_where : det->abs_where, det->atol_verdict, 0);
    if (co->rtol >= 0)
        put_criterion("rtol", co->centered, co->rtol,
                      co->centered ? det->centered_rel_err_upper : res->rel_err_upper,
                      co->centered ? det->centered_rel_prompt : det->rel_prompt,
                      co->centered ? det->centered_rel_state : det->rel_state,
                      co->centered ? det->centered_rel_action : det->rel_action,
                      co->centered ? det->centered_rel_where : det->rel_where, det->rtol_verdict, 0);
    fputs("\n  ]", stdout);
    put_measure("abs_error", res->abs_err_upper, res->abs_prompt, res->abs_state, res->abs_action, det->abs_where);
    put_measure("rel_error", res->rel_err_upper, det->rel_prompt, det->rel_state, det->rel_action, det->rel_where);
    put_measure("centered_abs_error", res->centered_err_upper, det->centered_prompt, det->centered_state,
                det->centered_action, det->centered_where);
    put_measure("centered_rel_error", det->centered_rel_err_upper, det->centered_rel_prompt, det->centered_rel_state,
                det->centered_rel_action, det->centered_rel_where);
    fputs(",\n  \"kl\": [", stdout);
    for (p = 0; p < sp->P; p++) {
        printf("%s\n    {\"prompt\": %ld, \"kl_r_q_upper\": ", p ? "," : "", (long)p);
        put_num(det->kl_fwd[p]);
        fputs(", \"kl_q_r_upper\": ", stdout);
        put_num(det->kl_rev[p]);
        fputs("}", stdout);
    }
    printf("\n  ],\n  \"passed\": %s,\n  \"verdict\": \"%s\",\n  \"message\": ", res->passed ? "true" : "false",
           ae_verdict_name((ae_verdict)res->verdict));
    ae_put_json(stdout, res->message);
    fputs("\n}\n", stdout);
}

static void print_bound(const char *label, double x, const char *where, const char *note)
{
    char buf[64];
    arf_t u;
    arf_init(u);
    if (isfinite(x))
        arf_set_d(u, x);
    else
        arf_pos_inf(u);
    ae_fmt_ubound(buf, sizeof buf, u);
    arf_clear(u);
    printf("%-16s %s  at %s%s\n", label, buf, where, note);
}

static void print_text(const ae_check_result *res, const ae_check_detail *det, const ae_space_t sp,
                       const ae_check_opts *co)
{
    char name[64], buf[64];
    slong p;
    arf_t u;

    arf_init(u);
    ae_space_name(name, sizeof name, sp);
    printf("space            %s, %ld prompt(s), precision %ld bits\n", name, (long)sp->P, res->prec);
    print_bound("worst abs error", res->abs_err_upper, det->abs_where, "");
    print_bound("worst rel error", res->rel_err_upper, det->rel_where, "  (|q - q*| / max(1, |q*|))");
    print_bound("centered error", res->centered_err_upper, det->centered_where,
                "  (|q - q* - c(s)|, c(s) the midrange of row s)");
    for (p = 0; p < sp->P; p++) {
        arf_set_d(u, det->kl_fwd[p]);
        if (!isfinite(det->kl_fwd[p]))
            arf_pos_inf(u);
        ae_fmt_ubound(buf, sizeof buf, u);
        printf("prompt %ld  KL(p_R||p_Q) <= %s", (long)p, buf);
        arf_set_d(u, det->kl_rev[p]);
        if (!isfinite(det->kl_rev[p]))
            arf_pos_inf(u);
        ae_fmt_ubound(buf, sizeof buf, u);
        printf("   KL(p_Q||p_R) <= %s\n", buf);
    }
    printf("same distribution within tol %g: %s\n", co->tol, yes_no(det->kl_verdict));
    if (co->atol >= 0)
        printf("%s within atol %g: %s\n", co->centered ? "centered abs error" : "abs error", co->atol,
               yes_no(det->atol_verdict));
    if (co->rtol >= 0)
        printf("%s within rtol %g: %s\n", co->centered ? "centered rel error" : "rel error", co->rtol,
               yes_no(det->rtol_verdict));
    printf("result           %s\n", res->message);
    arf_clear(u);
}

int ae_cmd_check(int argc, char **argv)
{
    ae_cli_opts o;
    ae_space_t sp;
    ae_err_t err;
    ae_check_opts co;
    ae_check_result res;
    ae_check_detail det;
    int rc = ae_cli_parse(&o, "check", argc, argv);

    if (rc < 0) {
        fputs(help, stdout);
        ae_cli_opts_clear(&o);
        return AE_EXIT_OK;
    }
    if (rc == 0 && o.nargs > 0) {
        ae_cli_usage("check", "unexpected argument '%s'", o.args[0]);
        rc = AE_EXIT_USAGE;
    }
    if (rc == 0 && (o.rewards == NULL || o.logits == NULL)) {
        ae_cli_usage("check", "--rewards FILE and --logits FILE are required");
        rc = AE_EXIT_USAGE;
    }
    if (rc != 0) {
        ae_cli_opts_clear(&o);
        return rc;
    }
    ae_err_init(err);
    rc = ae_cli_space(sp, &o, "check");
    if (rc == 0 && ae_space_check_work(sp, o.max_work, err) != 0)
        rc = ae_cli_fail("check", err);
    /* two .npy tables are checked in place (memory-mapped) first; the tables of balls, which
       need memory, only when the fast arithmetic cannot decide (ae_check_files checks then) or
       when --prec asks for Arb at once */
    if (rc == 0 && (ae_table_probe(sp, o.rewards, err) != 0 || ae_table_probe(sp, o.logits, err) != 0 ||
                    ((ae_table_format(o.rewards) != AE_TABLE_NPY || ae_table_format(o.logits) != AE_TABLE_NPY ||
                      o.prec_given) &&
                     ae_mem_need(AE_MEM_CHECK, sp, o.prec, 1, o.max_memory, "check", err) != 0)))
        rc = ae_cli_fail("check", err);
#ifdef _OPENMP
    if (rc == 0)
        omp_set_num_threads((int)o.threads);
#endif
    if (rc == 0) {
        ae_check_opts_init(&co);
        co.tol = o.tol;
        co.atol = o.atol;
        co.rtol = o.rtol;
        co.centered = o.centered;
        co.mask_below = o.mask_below;
        co.prec = o.prec_given ? (long)o.prec : 0; /* --prec: Arb at that precision, no fast path */
        co.max_prec = (long)o.max_prec;
        memset(&det, 0, sizeof det);
        det.kl_fwd = ae_malloc((size_t)sp->P * sizeof(double));
        det.kl_rev = ae_malloc((size_t)sp->P * sizeof(double));
        if (ae_check_files(&res, &det, sp, o.rewards, o.logits, &co, o.max_memory, err) != 0)
            rc = ae_cli_fail("check", err);
        else {
            if (det.note[0] != '\0') /* the verdict at this precision is reported, with the reason */
                ae_cli_error("armebm check: %s", det.note);
            if (o.json)
                print_json(&res, &det, sp, &o, &co);
            else
                print_text(&res, &det, sp, &co);
            rc = res.passed ? AE_EXIT_OK : AE_EXIT_FAIL;
        }
        free(det.kl_fwd);
        free(det.kl_rev);
    }
    ae_space_clear(sp);
    ae_cli_opts_clear(&o);
    return rc;
}
