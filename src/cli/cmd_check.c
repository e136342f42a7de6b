/* armebm check: regression-check another implementation's logits against certified M(R). */
#include "cli.h"
#include "claim/claim.h"

static const char help[] =
    "Usage: armebm check --space fixed|eos --vocab V --horizon T [--prompts P]\n"
    "                    --rewards R --logits Q [--tol X] [--prec BITS] [--max-prec BITS]\n"
    "                    [--max-work N] [--max-memory BYTES]\n"
    "Compares the logit table Q (e.g. from PyTorch/JAX/numpy) with the certified q* = M(R):\n"
    "worst absolute and relative error and where it occurs, and KL(p_R||p_Q), KL(p_Q||p_R)\n"
    "certified (chain rule over states, with p_R = p_M(R) by Proposition 1). Exit 0 when both\n"
    "KL upper bounds are <= --tol (default 1e-9), 1 when either lower bound is above it.\n";

typedef struct {
    arf_t abs, rel;
    slong where_abs, where_rel;
    arb_ptr kl_rq, kl_qr; /* per prompt */
} check_result;

static void measure(check_result *res, const ae_table_t r, const ae_table_t q, const ae_space_t sp,
                    slong prec)
{
    ae_table_t qs;
    ae_paths_t ps;
    arb_t d;
    arf_t b, m;
    slong p, s, a, dep;

    ae_table_init(qs, sp);
    ae_paths_init(ps);
    arb_init(d);
    arf_init(b);
    arf_init(m);
    ae_bellman_map(qs, r, sp, prec);
    arf_zero(res->abs);
    arf_zero(res->rel);
    res->where_abs = res->where_rel = -1;
    for (p = 0; p < sp->P; p++)
        for (dep = 0; dep < sp->T; dep++)
            for (s = sp->first[dep]; s < sp->first[dep + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    slong k = (p * sp->S + s) * sp->A + a;
                    if (!ae_space_allowed(sp, dep, a))
                        continue;
                    arb_sub(d, q->v + k, qs->v + k, prec);
                    arb_get_abs_ubound_arf(b, d, prec);
                    if (arf_is_nan(b)) /* NaN compares as nothing: would drop out of the max */
                        arf_pos_inf(b);
                    if (res->where_abs < 0 || arf_cmp(b, res->abs) > 0) {
                        arf_set(res->abs, b);
                        res->where_abs = k;
                    }
                    arb_get_abs_lbound_arf(m, qs->v + k, prec);
                    if (arf_is_zero(b))
                        ; /* no error: relative error 0 even where q* = 0 */
                    else if (arf_is_zero(m))
                        arf_pos_inf(b);
                    else
                        arf_div(b, b, m, prec, ARF_RND_UP);
                    if (arf_is_nan(b))
                        arf_pos_inf(b);
                    if (res->where_rel < 0 || arf_cmp(b, res->rel) > 0) {
                        arf_set(res->rel, b);
                        res->where_rel = k;
                    }
                }
    for (p = 0; p < sp->P; p++) {
        ae_paths_walk(ps, r, qs, q, sp, p, prec); /* weights p_q* = p_R: KL(p_R || p_Q) */
        arb_set(res->kl_rq + p, ps->klchain);
        ae_paths_walk(ps, r, q, qs, sp, p, prec); /* weights p_Q: KL(p_Q || p_R) */
        arb_set(res->kl_qr + p, ps->klchain);
    }
    arf_clear(b);
    arf_clear(m);
    arb_clear(d);
    ae_paths_clear(ps);
    ae_table_clear(qs);
}

/* -1: some KL certainly above tol; 1: all certainly <= tol; 0: undecided (ae_cert_le) */
static int decide(const check_result *res, slong P, const arb_t tol)
{
    ae_verdict v = AE_VERIFIED;
    slong p;
    for (p = 0; p < P; p++)
        v = ae_verdict_meet(v, ae_verdict_meet(ae_cert_le(res->kl_rq + p, tol), ae_cert_le(res->kl_qr + p, tol)));
    return v == AE_VERIFIED ? 1 : v == AE_VIOLATED ? -1 : 0;
}

int ae_cmd_check(int argc, char **argv)
{
    ae_cli_opts o;
    ae_space_t sp;
    ae_table_t r, q;
    ae_err_t err;
    check_result res;
    arb_t tol;
    slong prec, p;
    int rc = ae_cli_parse(&o, "check", argc, argv), verdict = 0, have = 0;
    char buf[128], name[64];

    if (rc < 0) {
        fputs(help, stdout);
        ae_cli_opts_clear(&o);
        return AE_EXIT_OK;
    }
    if (rc == 0 && o.nargs > 0) {
        ae_cli_error("armebm check: unexpected argument '%s'", o.args[0]);
        rc = AE_EXIT_USAGE;
    }
    if (rc == 0 && (o.rewards == NULL || o.logits == NULL)) {
        ae_cli_error("armebm check: --rewards FILE and --logits FILE are required");
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
    if (rc == 0 && (ae_table_probe(sp, o.rewards, err) != 0 || ae_table_probe(sp, o.logits, err) != 0 ||
                    ae_mem_need(AE_MEM_CHECK, sp, o.prec, 1, o.max_memory, "check", err) != 0))
        rc = ae_cli_fail("check", err);
    if (rc == 0) {
        have = 1;
        ae_table_init(r, sp);
        ae_table_init(q, sp);
        arf_init(res.abs);
        arf_init(res.rel);
        res.kl_rq = _arb_vec_init(sp->P);
        res.kl_qr = _arb_vec_init(sp->P);
        arb_init(tol);
        arb_set_d(tol, o.tol);
        for (prec = o.prec;; prec *= 2) {
            if (ae_table_read(r, sp, o.rewards, prec, err) != 0 ||
                ae_table_read(q, sp, o.logits, prec, err) != 0) {
                rc = ae_cli_fail("check", err);
                break;
            }
            measure(&res, r, q, sp, prec);
            verdict = decide(&res, sp->P, tol);
            if (verdict != 0 || 2 * prec > o.max_prec)
                break;
            if (ae_mem_need(AE_MEM_CHECK, sp, 2 * prec, 1, o.max_memory, "check", err) != 0) {
                /* the verdict at this precision is reported (undecided), with the reason */
                ae_cli_error("armebm check: precision not raised above %ld bits: %s", (long)prec, err->msg);
                break;
            }
        }
        if (rc == 0) {
            ae_space_name(name, sizeof name, sp);
            printf("space            %s, %ld prompt(s), precision %ld bits\n", name, (long)sp->P, (long)prec);
            ae_fmt_ubound(buf, sizeof buf, res.abs);
            printf("worst abs error  %s", buf);
            ae_entry_name(buf, sizeof buf, sp, res.where_abs);
            printf("  at %s\n", buf);
            ae_fmt_ubound(buf, sizeof buf, res.rel);
            printf("worst rel error  %s", buf);
            ae_entry_name(buf, sizeof buf, sp, res.where_rel);
            printf("  at %s\n", buf);
            for (p = 0; p < sp->P; p++) {
                arf_t u;
                arf_init(u);
                arb_get_ubound_arf(u, res.kl_rq + p, prec);
                ae_fmt_ubound(buf, sizeof buf, u);
                printf("prompt %ld  KL(p_R||p_Q) <= %s", (long)p, buf);
                arb_get_ubound_arf(u, res.kl_qr + p, prec);
                ae_fmt_ubound(buf, sizeof buf, u);
                printf("   KL(p_Q||p_R) <= %s\n", buf);
                arf_clear(u);
            }
            printf("same distribution within tol %g: %s\n", o.tol,
                   verdict > 0 ? "yes (verified)" : verdict < 0 ? "NO (certified)" : "undecided");
            rc = verdict > 0 ? AE_EXIT_OK : AE_EXIT_FAIL;
        }
    }
    if (have) {
        arb_clear(tol);
        _arb_vec_clear(res.kl_rq, sp->P);
        _arb_vec_clear(res.kl_qr, sp->P);
        arf_clear(res.abs);
        arf_clear(res.rel);
        ae_table_clear(r);
        ae_table_clear(q);
    }
    ae_space_clear(sp);
    ae_cli_opts_clear(&o);
    return rc;
}
