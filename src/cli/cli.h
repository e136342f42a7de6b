/* Command-line front end: shared options and the subcommands. */
#ifndef AE_CLI_H
#define AE_CLI_H
#include "ae-impl.h"

enum { AE_EXIT_OK = 0, AE_EXIT_FAIL = 1, AE_EXIT_USAGE = 2 };
/* Output directory of verify and train without --out: not results/, the tracked baseline that
   only `make results` (and setup.sh run) write, so that trying the commands changes no file of
   the source tree. */
#define AE_CLI_OUT_DEFAULT "armebm-out"

typedef struct {
    int have_space, have_vocab, have_horizon;
    ae_space_kind kind;
    slong V, T, P;
    int have_prompts;
    const char *row_space; /* --space given as a row's space column, "E(8,4) P=2" (sets V, T, P) */
    slong prec, max_prec, digits;
    int prec_given;   /* --prec was on the command line */
    fmpz_t max_work;
    ulong max_memory; /* --max-memory BYTES, default ae_mem_default_limit() */
    const char *in, *out, *rewards, *logits, *data;
    const char *instance; /* export --instance TEXT: an instance column of results/ */
    const char *scores; /* map --scores: one score per response (an EBM) instead of --in */
    const char *example; /* map --example FILE: write an example reward table there */
    double tol;
    double atol, rtol;   /* check: < 0 when not given */
    int centered, json;  /* check: --centered, --json */
    double mask_below;   /* --mask-below X, -inf when not given */
    uint64_t seeds[64];
    slong nseeds;
    int have_seeds;
    int quiet;
    slong threads; /* --threads, default the core count */
    int stream;    /* --stream: C1 by the table-free walk */
    slong steps, log_every; /* train: --steps N (have_steps), --log-every N (0 = none) */
    int have_steps;
    double lrs[16];         /* train: --lr LIST (nlr = 0 when absent) */
    slong nlr;
    const char *targets;    /* train: --targets LIST, parsed by the command */
    char **args; /* positional arguments after the options */
    int nargs;
} ae_cli_opts;

/* Parses argv (after the command name) into o; on error prints one line and returns 2. */
int ae_cli_parse(ae_cli_opts *o, const char *cmd, int argc, char **argv);
void ae_cli_opts_clear(ae_cli_opts *o);
/* Builds the space from --space/--vocab/--horizon/--prompts; requires all three. */
int ae_cli_space(ae_space_t sp, const ae_cli_opts *o, const char *cmd);
/* Prints one formatted line on stderr, its non-printable bytes escaped as \xNN (messages
   echo arguments). */
void ae_cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* A usage error of command cmd: "armebm CMD: message (see 'armebm CMD --help')". */
void ae_cli_usage(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Prints "armebm CMD: msg" on stderr and returns the exit code for err. */
int ae_cli_fail(const char *cmd, const ae_err_t err);

int ae_cmd_count(int argc, char **argv);
int ae_cmd_map(int argc, char **argv, int inverse);
int ae_cmd_check(int argc, char **argv);
int ae_cmd_verify(int argc, char **argv);
int ae_cmd_train(int argc, char **argv);
int ae_cmd_export(int argc, char **argv);
#endif
