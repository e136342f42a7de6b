/* armebm count: exact sizes of a space. */
#include "cli.h"

static const char help[] =
    "Usage: armebm count --space fixed|eos --vocab V --horizon T [--prompts P] [--max-work N]\n"
    "Prints the exact numbers of responses, states, unmasked state-action pairs and prefix-tree\n"
    "nodes per prompt, the work of one walk over all prompts, and whether --max-work allows it.\n";

static void put(const char *label, const fmpz_t x)
{
    char *s = fmpz_get_str(NULL, 10, x);
    printf("%-10s %s\n", label, s);
    flint_free(s);
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
        fprintf(stderr, "armebm count: unexpected argument '%s'\n", o.args[0]);
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
        fmpz_clear(w);
    }
    ae_space_clear(sp);
    ae_cli_opts_clear(&o);
    return rc;
}
