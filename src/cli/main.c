/* armebm: options and dispatch only. */
#include "cli.h"

static const char usage[] =
    "Usage: armebm [-h|--help|help [COMMAND]] [--version|version] COMMAND [OPTIONS]\n"
    "Certified verification of the ARM <-> EBM bijection (soft Bellman map).\n"
    "\n"
    "Commands:\n"
    "  verify [CLAIM...]  run claims C1-C6 and distill (C7-C11), default all on the default grids,\n"
    "                     and write\n"
    "                     result tables (CSV, JSON Lines, Markdown, LaTeX) into --out DIR\n"
    "  map                read a reward table (--in), write logits q = M(r) (--out)\n"
    "  unmap              read a logit table (--in), write rewards r = M^-1(q) (--out)\n"
    "  check              compare logits from another implementation (--logits) with the\n"
    "                     certified M(--rewards); exit 1 if their distributions differ\n"
    "  count              print exact sizes of a space and the work of one walk\n"
    "  train              Appendix C in function space: train tabular ARM logits and EBM scores\n"
    "                     with Adam on the exact risk; certified gaps, distances, KL vs bound\n"
    "  export             write the instance a results row names (--instance TEXT: rewards or\n"
    "                     student logits) as a table (--out FILE.npy|.csv)\n"
    "\n"
    "Options (per command, see armebm COMMAND --help and man armebm):\n"
    "  --space fixed|eos  --vocab V  --horizon T  --prompts P  --prec BITS  --max-prec BITS\n"
    "  --max-work N  --in FILE  --out FILE|DIR  --digits D  --rewards FILE  --logits FILE\n"
    "  --tol X  --seeds LIST  --quiet  --max-memory BYTES  --instance TEXT\n"
    "--max-memory BYTES (K, M, G or T suffix; default half the physical memory): a run whose\n"
    "estimated memory is larger is refused (exit 2) before anything is allocated.\n"
    "\n"
    "Exit status: 0 success, 1 a claim violated/undecided or check failed, 2 usage or input error.\n";

#ifdef AE_HAVE_MPI
#include <mpi.h>
/* Under mpirun only `verify --stream` is distributed; on the other ranks every other command
   does nothing, so rank 0 alone runs it as a plain process would. */
static int distributed(int argc, char **argv)
{
    int i, stream = 0;
    for (i = 2; i < argc; i++)
        stream |= strcmp(argv[i], "--stream") == 0;
    return argc > 1 && strcmp(argv[1], "verify") == 0 && stream;
}
#endif

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
    int rc;
#ifdef AE_HAVE_MPI
    int rank = 0, provided = MPI_THREAD_SINGLE;
    /* the walks run OpenMP teams but call MPI from the main thread only, outside them */
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (provided < MPI_THREAD_FUNNELED) {
        ae_cli_error("armebm: this MPI library does not support threads (MPI_THREAD_FUNNELED)");
        MPI_Abort(MPI_COMM_WORLD, AE_EXIT_USAGE);
    }
    if (distributed(argc, argv))
        ae_stream_use_mpi(1);
    else if (rank != 0) {
        MPI_Finalize();
        return 0;
    }
    if (rank != 0 && freopen("/dev/null", "w", stdout) == NULL)
        (void)0; /* keep writing to the original stdout */
#endif
    rc = run(argc, argv);
#ifdef AE_HAVE_MPI
    MPI_Finalize();
#endif
    return rc;
}

static int run(int argc, char **argv)
{
    int rc;
    const char *cmd;
    ae_install_interrupt_cleanup(); /* Ctrl-C leaves no temporary file behind */
    if (argc < 2) {
        fputs(usage, stderr);
        return AE_EXIT_USAGE;
    }
    cmd = argv[1];
    /* `armebm help CMD` is `armebm CMD --help` */
    if (strcmp(cmd, "help") == 0 && argc > 2) {
        static char help_opt[] = "--help";
        char *sub[3];
        sub[0] = argv[0];
        sub[1] = argv[2];
        sub[2] = help_opt;
        return run(3, sub);
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return AE_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("armebm %s\n", PACKAGE_VERSION);
        return AE_EXIT_OK;
    }
    if (strcmp(cmd, "count") == 0)
        rc = ae_cmd_count(argc - 1, argv + 1);
    else if (strcmp(cmd, "map") == 0)
        rc = ae_cmd_map(argc - 1, argv + 1, 0);
    else if (strcmp(cmd, "unmap") == 0)
        rc = ae_cmd_map(argc - 1, argv + 1, 1);
    else if (strcmp(cmd, "check") == 0)
        rc = ae_cmd_check(argc - 1, argv + 1);
    else if (strcmp(cmd, "verify") == 0)
        rc = ae_cmd_verify(argc - 1, argv + 1);
    else if (strcmp(cmd, "train") == 0)
        rc = ae_cmd_train(argc - 1, argv + 1);
    else if (strcmp(cmd, "export") == 0)
        rc = ae_cmd_export(argc - 1, argv + 1);
    else {
        ae_cli_error("armebm: unknown command '%s' (try armebm --help)", cmd);
        rc = AE_EXIT_USAGE;
    }
    flint_cleanup();
    mpfr_free_cache();
    return rc;
}
