/* armebm map / unmap: q = M(r) and r = M^{-1}(q) on table files. */
#include "cli.h"

static const char help[] =
    "Usage: armebm map|unmap --space fixed|eos --vocab V --horizon T [--prompts P]\n"
    "                        --in FILE --out FILE [--digits D] [--prec BITS] [--max-prec BITS]\n"
    "                        [--max-work N] [--max-memory BYTES]\n"
    "map reads rewards r and writes logits q = M(r) (soft Bellman backward pass); unmap reads\n"
    "logits q and writes r = M^-1(q). Formats by extension: .npy (float64 output, each value the\n"
    "double nearest the certified value) or .csv (D significant digits, default 17, each correct\n"
    "to one unit in the last digit). The precision is raised until every output value is that\n"
    "accurate, up to --max-prec.\n";

/* Bits of relative accuracy each output value needs. */
static slong needed_bits(const char *path, slong digits)
{
    if (ae_table_format(path) == AE_TABLE_NPY)
        return 60; /* 53-bit double nearest the value, with margin */
    return (slong)(digits * 3.33) + 8;
}

static int accurate(const ae_table_t t, slong bits)
{
    slong i;
    for (i = 0; i < t->P * t->S * t->A; i++) {
        arb_srcptr x = t->v + i;
        if (arf_is_inf(arb_midref(x)) || arb_is_exact(x))
            continue;
        if (arb_rel_accuracy_bits(x) < bits)
            return 0;
    }
    return 1;
}

int ae_cmd_map(int argc, char **argv, int inverse)
{
    const char *cmd = inverse ? "unmap" : "map";
    ae_cli_opts o;
    ae_space_t sp;
    ae_table_t in, out;
    ae_qtable_t exact;
    ae_err_t err;
    slong prec;
    int rc = ae_cli_parse(&o, cmd, argc, argv), have_tables = 0;
    int exact_state = 0; /* exact input values: 0 not read yet, 1 read, -1 unavailable */

    if (rc < 0) {
        fputs(help, stdout);
        ae_cli_opts_clear(&o);
        return AE_EXIT_OK;
    }
    if (rc == 0 && o.nargs > 0) {
        ae_cli_error("armebm %s: unexpected argument '%s'", cmd, o.args[0]);
        rc = AE_EXIT_USAGE;
    }
    if (rc == 0 && (o.in == NULL || o.out == NULL)) {
        ae_cli_error("armebm %s: --in FILE and --out FILE are required", cmd);
        rc = AE_EXIT_USAGE;
    }
    if (rc != 0) {
        ae_cli_opts_clear(&o);
        return rc;
    }
    ae_err_init(err);
    rc = ae_cli_space(sp, &o, cmd);
    if (rc == 0 && ae_space_check_work(sp, o.max_work, err) != 0)
        rc = ae_cli_fail(cmd, err);
    /* a bad input file is reported as such, and a run too large refused, before the tables
       are allocated */
    if (rc == 0 && (ae_table_probe(sp, o.in, err) != 0 ||
                    ae_mem_need(AE_MEM_MAP, sp, o.prec, 1, o.max_memory, cmd, err) != 0))
        rc = ae_cli_fail(cmd, err);
    if (rc == 0) {
        ae_table_init(in, sp);
        ae_table_init(out, sp);
        have_tables = 1;
        for (prec = o.prec;; prec *= 2) {
            if (ae_table_read(in, sp, o.in, prec, err) != 0) {
                rc = ae_cli_fail(cmd, err);
                break;
            }
            if (inverse)
                ae_bellman_unmap(out, in, sp, prec);
            else
                ae_bellman_map(out, in, sp, prec);
            if (!accurate(out, needed_bits(o.out, o.digits))) {
                /* a value that is exactly 0 (0.1 - 0.1) never gets a relative accuracy: decide
                   such balls on the exact input values, read once */
                if (exact_state == 0) {
                    ae_err_t xerr;
                    ae_err_init(xerr);
                    ae_qtable_init(exact, sp);
                    exact_state = ae_table_read_exact(exact, sp, o.in, xerr) == 0 ? 1 : -1;
                }
                if (exact_state > 0)
                    ae_bellman_exact_zeros(out, exact, sp, inverse);
            }
            if (accurate(out, needed_bits(o.out, o.digits)))
                break;
            if (2 * prec > o.max_prec) {
                ae_cli_error("armebm %s: %s: cannot reach the output accuracy within --max-prec %ld",
                        cmd, o.out, (long)o.max_prec);
                rc = AE_EXIT_FAIL;
                break;
            }
            if (ae_mem_need(AE_MEM_MAP, sp, 2 * prec, 1, o.max_memory, cmd, err) != 0) {
                rc = ae_cli_fail(cmd, err);
                break;
            }
        }
        if (rc == 0 && ae_table_write(o.out, out, sp, o.digits, err) != 0)
            rc = ae_cli_fail(cmd, err);
    }
    if (exact_state != 0)
        ae_qtable_clear(exact);
    if (have_tables) {
        ae_table_clear(in);
        ae_table_clear(out);
    }
    ae_space_clear(sp);
    ae_cli_opts_clear(&o);
    return rc;
}
