/* armebm map / unmap: q = M(r) and r = M^{-1}(q) on table files. */
#include "cli.h"

static const char help[] =
    "Usage: armebm map|unmap --space fixed|eos --vocab V --horizon T [--prompts P]\n"
    "                        --in FILE --out FILE [--digits D] [--prec BITS] [--max-prec BITS]\n"
    "                        [--max-work N] [--max-memory BYTES]\n"
    "       armebm map ... --scores FILE --out FILE ...\n"
    "       armebm map --space fixed|eos --vocab V --horizon T [--prompts P] --example FILE\n"
    "map reads rewards r and writes logits q = M(r) (soft Bellman backward pass); unmap reads\n"
    "logits q and writes r = M^-1(q). map --scores reads an EBM instead, one score R(y) per\n"
    "response in response order (.npy of shape (Y,) or (P, Y)), and writes M of the rewards\n"
    "with R(y) on the action that ends y and 0 elsewhere: the ARM of p(y) ~ exp R(y). Formats by extension: .npy (float64 output, each value the\n"
    "double nearest the certified value) or .csv (D significant digits, default 17, each correct\n"
    "to one unit in the last digit). The precision is raised until every output value is that\n"
    "accurate, up to --max-prec.\n"
    "map --example FILE writes an example reward table to FILE instead (the generated rewards k/256,\n"
    "k uniform in [-512, 512], of verify's seed 1, or of the first of --seeds; masked entries -inf),\n"
    "an input for map, check and verify --rewards to start from.\n"
    "Masked entries are -inf. A -inf reward at an allowed entry is a banned token: its subtree has\n"
    "probability 0 and q* = -inf there (and above a state all of whose responses are banned); map\n"
    "refuses a table where every response is banned, unmap a row of logits that is all -inf (the\n"
    "reward above it is lost by M). See the guide, section 3.4.\n";

/* Accuracy each output value needs (ae_table_accurate). */
static slong needed_bits(const char *path, slong digits)
{
    if (ae_table_format(path) == AE_TABLE_NPY)
        return AE_ACC_FLOAT64; /* the double nearest the value */
    return (slong)(digits * 3.33) + 8;
}

typedef struct {
    const ae_cli_opts *o;
    const ae_space_struct *sp;
    const char *cmd;
} map_input;

static int read_input(ae_table_t t, slong prec, void *ctx, ae_err_t err)
{
    const map_input *m = ctx;
    if (m->o->scores != NULL)
        return ae_table_read_scores(t, m->sp, m->o->scores, err);
    if (ae_table_read(t, m->sp, m->o->in, prec, err) != 0)
        return err->code;
    /* -inf at allowed entries (banned tokens): refused only where the map is not defined */
    return ae_bellman_domain(t, m->sp, strcmp(m->cmd, "unmap") == 0 ? AE_DOMAIN_UNMAP : AE_DOMAIN_MAP,
                             m->o->in, err);
}

static int read_input_exact(ae_qtable_t x, void *ctx, ae_err_t err)
{
    const map_input *m = ctx;
    if (m->o->scores != NULL) { /* float values: their balls are exact */
        ae_table_t t;
        slong i;
        int rc;
        ae_table_init(t, m->sp);
        rc = ae_table_read_scores(t, m->sp, m->o->scores, err);
        for (i = 0; rc == 0 && i < t->P * t->S * t->A; i++)
            if (arb_is_finite(t->v + i))
                arf_get_fmpq(x->v + i, arb_midref(t->v + i));
        ae_table_clear(t);
        return rc;
    }
    return ae_table_read_exact(x, m->sp, m->o->in, err);
}

static int raise_prec(slong prec, void *ctx, ae_err_t err)
{
    const map_input *m = ctx;
    return ae_mem_need(AE_MEM_MAP, m->sp, prec, 1, m->o->max_memory, m->cmd, err);
}

/* map --example: rewards that are exact dyadic numbers, so every format writes them exactly and
   every reader gets the same table. */
static int write_example(const ae_cli_opts *o, const char *cmd)
{
    ae_space_t sp;
    ae_table_t t;
    ae_gen_t g;
    ae_err_t err;
    int rc;
    ae_err_init(err);
    rc = ae_cli_space(sp, o, cmd);
    if (rc == 0 && ae_space_check_work(sp, o->max_work, err) != 0)
        rc = ae_cli_fail(cmd, err);
    if (rc == 0 && ae_mem_need(AE_MEM_MAP, sp, o->prec, 1, o->max_memory, cmd, err) != 0)
        rc = ae_cli_fail(cmd, err);
    if (rc == 0) {
        g->kind = AE_GEN_DYADIC;
        g->seed = o->seeds[0];
        g->stream = 0;
        ae_table_init(t, sp);
        ae_gen_table(t, g, sp, o->prec);
        if (ae_table_write(o->example, t, sp, o->digits, err) != 0)
            rc = ae_cli_fail(cmd, err);
        ae_table_clear(t);
    }
    ae_space_clear(sp);
    return rc;
}

int ae_cmd_map(int argc, char **argv, int inverse)
{
    const char *cmd = inverse ? "unmap" : "map";
    ae_cli_opts o;
    ae_space_t sp;
    ae_table_t in, out;
    ae_err_t err;
    int rc = ae_cli_parse(&o, cmd, argc, argv), have_tables = 0;

    if (rc < 0) {
        fputs(help, stdout);
        ae_cli_opts_clear(&o);
        return AE_EXIT_OK;
    }
    if (rc == 0 && o.nargs > 0) {
        ae_cli_usage(cmd, "unexpected argument '%s'", o.args[0]);
        rc = AE_EXIT_USAGE;
    }
    if (rc == 0 && o.example != NULL) {
        if (inverse || o.in != NULL || o.scores != NULL || o.out != NULL) {
            ae_cli_usage(cmd, "%s", inverse ? "--example is an option of map only"
                                             : "--example FILE writes a table; it takes no --in, --scores or --out");
            rc = AE_EXIT_USAGE;
        } else
            rc = write_example(&o, cmd);
        ae_cli_opts_clear(&o);
        return rc;
    }
    if (rc == 0 && o.scores != NULL && (inverse || o.in != NULL)) {
        ae_cli_usage(cmd, "%s", inverse ? "--scores is an input of map only" : "--in and --scores are two inputs; give one");
        rc = AE_EXIT_USAGE;
    }
    if (rc == 0 && ((o.in == NULL && o.scores == NULL) || o.out == NULL)) {
        ae_cli_usage(cmd, "%s", inverse ? "--in FILE and --out FILE are required"
                                         : "--in FILE (or --scores FILE) and --out FILE are required");
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
    if (rc == 0 && ((o.in != NULL && ae_table_probe(sp, o.in, err) != 0) ||
                    ae_mem_need(AE_MEM_MAP, sp, o.prec, 1, o.max_memory, cmd, err) != 0))
        rc = ae_cli_fail(cmd, err);
    if (rc == 0) {
        map_input mi;
        ae_map_source src;
        slong used;
        mi.o = &o;
        mi.sp = sp;
        mi.cmd = cmd;
        src.read = read_input;
        src.read_exact = read_input_exact;
        src.raise = raise_prec;
        src.ctx = &mi;
        ae_table_init(in, sp);
        ae_table_init(out, sp);
        have_tables = 1;
        rc = ae_bellman_map_accurate(&used, out, in, &src, sp, inverse, needed_bits(o.out, o.digits),
                                     o.prec, o.max_prec, err);
        if (rc == 1) {
            ae_cli_error("armebm %s: %s: cannot reach the output accuracy within --max-prec %ld",
                         cmd, o.out, (long)o.max_prec);
            rc = AE_EXIT_FAIL;
        } else if (rc != 0)
            rc = ae_cli_fail(cmd, err);
        if (rc == 0 && ae_table_write(o.out, out, sp, o.digits, err) != 0)
            rc = ae_cli_fail(cmd, err);
    }
    if (have_tables) {
        ae_table_clear(in);
        ae_table_clear(out);
    }
    ae_space_clear(sp);
    ae_cli_opts_clear(&o);
    return rc;
}
