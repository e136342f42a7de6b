/* Option parsing shared by the subcommands: every value is validated, with one-line errors. */
#include "cli.h"
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <unistd.h>

enum { O_SPACE = 256, O_VOCAB, O_HORIZON, O_PROMPTS, O_PREC, O_MAXPREC, O_MAXWORK, O_IN, O_OUT,
       O_DIGITS, O_REWARDS, O_LOGITS, O_TOL, O_SEEDS, O_QUIET, O_HELP, O_DATA,
       O_STEPS, O_LR, O_TARGETS, O_LOGEVERY, O_THREADS, O_STREAM, O_MAXMEM, O_ATOL, O_RTOL,
       O_CENTERED, O_JSON, O_MASKBELOW, O_SCORES, O_INSTANCE, O_EXAMPLE };

static const struct option longopts[] = {
    {"space", required_argument, NULL, O_SPACE},     {"vocab", required_argument, NULL, O_VOCAB},
    {"horizon", required_argument, NULL, O_HORIZON}, {"prompts", required_argument, NULL, O_PROMPTS},
    {"prec", required_argument, NULL, O_PREC},       {"max-prec", required_argument, NULL, O_MAXPREC},
    {"max-work", required_argument, NULL, O_MAXWORK}, {"in", required_argument, NULL, O_IN},
    {"max-memory", required_argument, NULL, O_MAXMEM},
    {"out", required_argument, NULL, O_OUT},         {"digits", required_argument, NULL, O_DIGITS},
    {"rewards", required_argument, NULL, O_REWARDS}, {"logits", required_argument, NULL, O_LOGITS},
    {"tol", required_argument, NULL, O_TOL},         {"seeds", required_argument, NULL, O_SEEDS},
    {"quiet", no_argument, NULL, O_QUIET},           {"help", no_argument, NULL, O_HELP},
    {"data", required_argument, NULL, O_DATA},       {"threads", required_argument, NULL, O_THREADS},
    {"stream", no_argument, NULL, O_STREAM},
    {"atol", required_argument, NULL, O_ATOL},       {"rtol", required_argument, NULL, O_RTOL},
    {"centered", no_argument, NULL, O_CENTERED},     {"json", no_argument, NULL, O_JSON},
    {"mask-below", required_argument, NULL, O_MASKBELOW},
    {"scores", required_argument, NULL, O_SCORES},   {"instance", required_argument, NULL, O_INSTANCE},
    {"example", required_argument, NULL, O_EXAMPLE},
    {"steps", required_argument, NULL, O_STEPS},     {"lr", required_argument, NULL, O_LR},
    {"targets", required_argument, NULL, O_TARGETS}, {"log-every", required_argument, NULL, O_LOGEVERY},
    {NULL, 0, NULL, 0}};

void ae_cli_error(const char *fmt, ...)
{
    char raw[2048], line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    ae_escape(line, sizeof line, raw);
    fprintf(stderr, "%s\n", line);
}

void ae_cli_usage(const char *cmd, const char *fmt, ...)
{
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ae_cli_error("armebm %s: %s (see 'armebm %s --help')", cmd, msg, cmd);
}

static int parse_int(slong *out, const char *cmd, const char *opt, const char *s, slong lo, slong hi)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
        ae_cli_usage(cmd, "--%s: '%s' is not an integer in [%ld, %ld]", opt, s,
                (long)lo, (long)hi);
        return -1;
    }
    *out = (slong)v;
    return 0;
}

/* A finite number (and >= 0 when nonneg). */
static int parse_real(double *out, const char *cmd, const char *opt, const char *s, int nonneg)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || (nonneg && !(v >= 0))) {
        ae_cli_usage(cmd, "--%s: '%s' is not a finite number%s", opt, s, nonneg ? " >= 0" : "");
        return -1;
    }
    *out = v;
    return 0;
}

int ae_cli_parse(ae_cli_opts *o, const char *cmd, int argc, char **argv)
{
    int c, have_max_prec = 0;
    slong rs_V = 0, rs_T = 0, rs_P = 0; /* from --space 'E(V,T) P=N' */
    memset(o, 0, sizeof *o);
    o->kind = AE_FIXED;
    o->P = 1;
    o->prec = 128;
    o->prec_given = 0;
    o->max_prec = 4096;
    o->digits = 17;
    o->tol = 1e-9;
    o->atol = o->rtol = -1;
    o->mask_below = -HUGE_VAL;
    fmpz_init(o->max_work);
    fmpz_set_ui(o->max_work, UWORD(1000000000));
    o->max_memory = ae_mem_default_limit();
    {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        o->threads = n > 0 ? n : 1;
    }
    o->seeds[0] = 1;
    o->seeds[1] = 2;
    o->seeds[2] = 3;
    o->nseeds = 3;
    /* 0, not 1: glibc then also forgets where an earlier scan stopped inside an argument */
    optind = 0;
    opterr = 0;
    /* the leading ':' makes a missing value ':' rather than '?' (an unknown option) */
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_SPACE:
            if (ae_space_kind_parse(&o->kind, optarg) == 0)
                o->row_space = NULL;
            else if (ae_space_row_parse(&o->kind, &rs_V, &rs_T, &rs_P, optarg) == 0)
                o->row_space = optarg;
            else {
                ae_cli_usage(cmd, "--space: '%s' is not 'fixed', 'eos' or a results row's space "
                             "such as 'E(8,4) P=2'", optarg);
                bad = 1;
            }
            o->have_space = 1;
            break;
        case O_VOCAB: bad = parse_int(&o->V, cmd, "vocab", optarg, 1, AE_V_MAX); o->have_vocab = 1; break;
        case O_HORIZON: bad = parse_int(&o->T, cmd, "horizon", optarg, 1, AE_T_MAX); o->have_horizon = 1; break;
        case O_PROMPTS: bad = parse_int(&o->P, cmd, "prompts", optarg, 1, AE_V_MAX); o->have_prompts = 1; break;
        case O_PREC: bad = parse_int(&o->prec, cmd, "prec", optarg, 32, WORD(1) << 24); o->prec_given = 1; break;
        case O_MAXPREC: bad = parse_int(&o->max_prec, cmd, "max-prec", optarg, 32, WORD(1) << 24); have_max_prec = 1; break;
        case O_DIGITS: bad = parse_int(&o->digits, cmd, "digits", optarg, 1, 1000); break;
        case O_MAXWORK:
            if (fmpz_set_str(o->max_work, optarg, 10) != 0 || fmpz_sgn(o->max_work) <= 0) {
                ae_cli_usage(cmd, "--max-work: '%s' is not a positive integer", optarg);
                bad = 1;
            }
            break;
        case O_MAXMEM:
            if (ae_mem_parse(&o->max_memory, optarg) != 0) {
                ae_cli_usage(cmd, "--max-memory: '%s' is not a positive number of bytes "
                             "(an integer, optionally followed by K, M, G or T)", optarg);
                bad = 1;
            }
            break;
        case O_IN: o->in = optarg; break;
        case O_SCORES: o->scores = optarg; break;
        case O_INSTANCE: o->instance = optarg; break;
        case O_EXAMPLE: o->example = optarg; break;
        case O_OUT: o->out = optarg; break;
        case O_REWARDS: o->rewards = optarg; break;
        case O_LOGITS: o->logits = optarg; break;
        case O_DATA: o->data = optarg; break;
        case O_THREADS: bad = parse_int(&o->threads, cmd, "threads", optarg, 1, 1024); break;
        case O_STREAM: o->stream = 1; break;
        case O_TOL: bad = parse_real(&o->tol, cmd, "tol", optarg, 1); break;
        case O_ATOL: bad = parse_real(&o->atol, cmd, "atol", optarg, 1); break;
        case O_RTOL: bad = parse_real(&o->rtol, cmd, "rtol", optarg, 1); break;
        case O_MASKBELOW: bad = parse_real(&o->mask_below, cmd, "mask-below", optarg, 0); break;
        case O_CENTERED: o->centered = 1; break;
        case O_JSON: o->json = 1; break;
        case O_SEEDS: {
            const char *s = optarg;
            o->nseeds = 0;
            o->have_seeds = 1;
            while (!bad) {
                char *end;
                unsigned long long v;
                errno = 0;
                v = strtoull(s, &end, 10);
                if (errno != 0 || end == s || (*end != ',' && *end != '\0') || *s == '-' ||
                    o->nseeds == 64) {
                    ae_cli_usage(cmd, "--seeds: '%s' is not a comma-separated list of at most 64 non-negative integers", optarg);
                    bad = 1;
                    break;
                }
                o->seeds[o->nseeds++] = v;
                if (*end == '\0')
                    break;
                s = end + 1;
            }
            break;
        }
        case O_QUIET: o->quiet = 1; break;
        case O_STEPS: bad = parse_int(&o->steps, cmd, "steps", optarg, 0, WORD(100000000)); o->have_steps = 1; break;
        case O_LOGEVERY: bad = parse_int(&o->log_every, cmd, "log-every", optarg, 1, WORD(100000000)); break;
        case O_TARGETS: o->targets = optarg; break;
        case O_LR: {
            const char *s = optarg;
            o->nlr = 0;
            while (!bad) {
                char *end;
                double v;
                errno = 0;
                v = strtod(s, &end);
                if (errno != 0 || end == s || (*end != ',' && *end != '\0') || !(v > 0) || v == HUGE_VAL ||
                    o->nlr == 16) {
                    ae_cli_usage(cmd, "--lr: '%s' is not a comma-separated list of at most 16 positive finite numbers", optarg);
                    bad = 1;
                    break;
                }
                o->lrs[o->nlr++] = v;
                if (*end == '\0')
                    break;
                s = end + 1;
            }
            break;
        }
        case 'h': /* -h is --help */
        case O_HELP: return -1;
        case ':': {
            /* optopt is the option's code; name it in full even when it was abbreviated */
            const struct option *l = longopts;
            while (l->name != NULL && l->val != optopt)
                l++;
            ae_cli_usage(cmd, "option '--%s' needs a value", l->name ? l->name : "?");
            bad = 1;
            break;
        }
        default:
            /* an unknown short option leaves optind on its argument, so name it by optopt */
            if (optopt > 0 && optopt < 256)
                ae_cli_usage(cmd, "unknown option '-%c'", optopt);
            else
                ae_cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
            bad = 1;
        }
        if (bad)
            return AE_EXIT_USAGE;
    }
    if (o->row_space != NULL) { /* a row's space sets V, T and P: other values must agree */
        const char *clash = o->have_vocab && o->V != rs_V ? "--vocab"
                            : o->have_horizon && o->T != rs_T ? "--horizon"
                            : o->have_prompts && o->P != rs_P ? "--prompts" : NULL;
        if (clash != NULL) {
            ae_cli_usage(cmd, "%s disagrees with --space '%s'", clash, o->row_space);
            return AE_EXIT_USAGE;
        }
        if (rs_V < 1 || rs_V > AE_V_MAX || rs_T < 1 || rs_T > AE_T_MAX || rs_P < 1 || rs_P > AE_V_MAX) {
            ae_cli_usage(cmd, "--space '%s': V must be in [1, %ld], T in [1, %ld], P in [1, %ld]",
                         o->row_space, (long)AE_V_MAX, (long)AE_T_MAX, (long)AE_V_MAX);
            return AE_EXIT_USAGE;
        }
        o->V = rs_V;
        o->T = rs_T;
        o->P = rs_P;
        o->have_vocab = o->have_horizon = o->have_prompts = 1;
    }
    if (o->max_prec < o->prec) {
        if (have_max_prec) {
            ae_cli_usage(cmd, "--max-prec %ld is below --prec %ld", (long)o->max_prec, (long)o->prec);
            return AE_EXIT_USAGE;
        }
        o->max_prec = o->prec;
    }
    o->args = argv + optind;
    o->nargs = argc - optind;
    return 0;
}

void ae_cli_opts_clear(ae_cli_opts *o)
{
    fmpz_clear(o->max_work);
}

int ae_cli_space(ae_space_t sp, const ae_cli_opts *o, const char *cmd)
{
    ae_err_t err;
    ae_err_init(err);
    if (!o->have_vocab || !o->have_horizon) {
        ae_cli_usage(cmd, "--vocab and --horizon are required");
        ae_space_init(sp, AE_FIXED, 1, 1, 1, err);
        return AE_EXIT_USAGE;
    }
    if (ae_space_init(sp, o->kind, o->V, o->T, o->P, err) != 0)
        return ae_cli_fail(cmd, err);
    return 0;
}

int ae_cli_fail(const char *cmd, const ae_err_t err)
{
    ae_cli_error("armebm %s: %s", cmd, err->msg);
    return err->code == AE_E_USAGE || err->code == AE_E_INPUT || err->code == AE_E_SIZE ||
                   err->code == AE_E_IO || err->code == AE_E_NOMEM
               ? AE_EXIT_USAGE
               : AE_EXIT_FAIL;
}
