/* armebm export: the generated instance a results row names, written as a table, so that
   another tool can recompute the row. */
#include "cli.h"
#include <errno.h>
#include <math.h>

static const char help[] =
    "Usage: armebm export --space ROWSPACE --instance TEXT --out FILE [--digits D] [--prec BITS]\n"
    "       armebm export --space fixed|eos --vocab V --horizon T [--prompts P] --instance TEXT ...\n"
    "Writes the instance named by TEXT, the `instance` column of a row of results/claims.csv,\n"
    "results/distill.csv or results/stream.csv, in the layout map and verify read; ROWSPACE is the\n"
    "row's `space` column, e.g. 'E(3,4) P=2' (P prompts; none written for one):\n"
    "  dyadic:seed=N | potential:seed=N | summod3 | palindrome    the rewards r\n"
    "  TEACHER FAMILY eps=E    (FAMILY uniform|sign|sparse|rowconst|value|adv-fwd max|\n"
    "                           adv-rev max|adv-rev search|...)   the student's logits q\n"
    "  TEACHER lookahead k=K [eps=...]                             the lookahead student's logits\n"
    "  zipf(s=S):seed=N | softmax-normal(t=T):seed=N | uniform | random:seed=N\n"
    "      [(infimum: K zero-mass y)]     the C6 data distribution rho, one probability per response\n"
    "Students of a seeded family need a dyadic:seed=N teacher and an eps of the distillation grid\n"
    "(1.00e-06 1.00e-03 1.00e-01 1.00e+00 1.00e+01). Formats by extension: .npy (float64, each\n"
    "value the double nearest the computed ball; rho of shape (Y,) or (P, Y)) or .csv (D\n"
    "significant digits, default 17; rho as prompt,response,value with exact fractions N/D when\n"
    "rho is rational). For rho a line on stdout says whether the values are exact.\n";

/* Teachers by name prefix; the seeded ones take ":seed=N". */
typedef struct {
    const char *name;
    int seeded;
    ae_gen_kind gen;
    ae_reward_family family;
} teacher_kind;

static const teacher_kind teachers[] = {
    {"dyadic", 1, AE_GEN_DYADIC, AE_REWARD_SUMMOD},
    {"potential", 1, AE_GEN_POTENTIAL, AE_REWARD_SUMMOD},
    {"summod3", 0, AE_GEN_DYADIC, AE_REWARD_SUMMOD},
    {"palindrome", 0, AE_GEN_DYADIC, AE_REWARD_PALINDROME},
};
#define NTEACHERS ((slong)(sizeof teachers / sizeof teachers[0]))

typedef struct {
    const teacher_kind *teacher;
    uint64_t seed;
    int student; /* 0: the rewards themselves */
    ae_student_spec st;
    slong eps_index;
} instance_spec;

static int parse_u64(uint64_t *x, const char *s)
{
    char *end;
    unsigned long long v;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *x = (uint64_t)v;
    return 0;
}

/* Splits TEXT into at most max space-separated words (in buf); returns their count, -1 if more. */
static int split(char **words, int max, char *buf)
{
    int n = 0;
    char *w = strtok(buf, " ");
    while (w != NULL) {
        if (n == max)
            return -1;
        words[n++] = w;
        w = strtok(NULL, " ");
    }
    return n;
}

/* Parses an instance text; on error writes the reason into why and returns -1. */
static int parse_instance(instance_spec *in, const char *text, const ae_space_t sp, char *why, size_t nwhy)
{
    char buf[256], *w[5];
    int n, i, kind = -1, at = 1;
    slong t;
    memset(in, 0, sizeof *in);
    if (strlen(text) >= sizeof buf) {
        snprintf(why, nwhy, "longer than %d characters", (int)sizeof buf - 1);
        return -1;
    }
    strcpy(buf, text);
    n = split(w, 5, buf);
    if (n <= 0) {
        snprintf(why, nwhy, n == 0 ? "empty" : "too many words");
        return -1;
    }
    for (t = 0; t < NTEACHERS; t++) {
        size_t len = strlen(teachers[t].name);
        if (strncmp(w[0], teachers[t].name, len) != 0)
            continue;
        if (!teachers[t].seeded ? w[0][len] == '\0'
                                : strncmp(w[0] + len, ":seed=", 6) == 0 && parse_u64(&in->seed, w[0] + len + 6) == 0)
            in->teacher = teachers + t;
    }
    if (in->teacher == NULL) {
        snprintf(why, nwhy, "'%s' is not a teacher (dyadic:seed=N, potential:seed=N, summod3, palindrome)", w[0]);
        return -1;
    }
    if (n == 1)
        return 0;
    in->student = 1;
    for (i = AE_STUDENT_UNIFORM; i < AE_STUDENT_FILE; i++)
        if (strcmp(w[1], ae_student_name((ae_student_kind)i)) == 0)
            kind = i;
    if (kind < 0) {
        snprintf(why, nwhy, "'%s' is not a student family", w[1]);
        return -1;
    }
    in->st.kind = (ae_student_kind)kind;
    at = 2;
    if (kind == AE_STUDENT_LOOKAHEAD) {
        uint64_t k;
        if (at >= n || strncmp(w[at], "k=", 2) != 0 || parse_u64(&k, w[at] + 2) != 0 || k >= (uint64_t)sp->T) {
            snprintf(why, nwhy, "lookahead needs k=K with 0 <= K < T = %ld", (long)sp->T);
            return -1;
        }
        in->st.k = (slong)k;
        at++;
        /* the eps of a lookahead row is measured, not a parameter: accepted as it is */
        if (at < n && strncmp(w[at], "eps=", 4) == 0)
            at++;
    } else {
        if (kind == AE_STUDENT_ADV_FWD || kind == AE_STUDENT_ADV_REV) {
            if (at < n && (strcmp(w[at], "max") == 0 || strcmp(w[at], "search") == 0))
                at++;
            else {
                snprintf(why, nwhy, "%s must be followed by 'max' or 'search'", w[1]);
                return -1;
            }
        }
        if (in->teacher->gen != AE_GEN_DYADIC || !in->teacher->seeded) {
            snprintf(why, nwhy, "a %s student is generated for dyadic:seed=N teachers only", w[1]);
            return -1;
        }
        in->eps_index = -1;
        if (at < n && strncmp(w[at], "eps=", 4) == 0) {
            char e[32];
            for (t = 0; t < AE_DISTILL_NEPS; t++) {
                snprintf(e, sizeof e, "%.2e", ae_distill_eps_grid[t]);
                if (strcmp(w[at] + 4, e) == 0)
                    in->eps_index = t;
            }
        }
        if (in->eps_index < 0) {
            snprintf(why, nwhy, "%s needs eps=E with E one of the distillation grid (1.00e-06 ... 1.00e+01)", w[1]);
            return -1;
        }
        in->st.eps = ae_distill_eps_grid[in->eps_index];
        /* the seed the distillation grid gives this student (src/suite/distill_suite.c) */
        in->st.seed = ae_hash(in->seed, 0xd1, (uint64_t)in->eps_index, 0, 0);
        at++;
    }
    if (at < n) {
        snprintf(why, nwhy, "unexpected '%s'", w[at]);
        return -1;
    }
    return 0;
}

/* A data distribution rho of C6 as a row names it: zipf(s=S):seed=N,
   softmax-normal(t=T):seed=N, uniform or random:seed=N, optionally followed by the rows'
   note " (infimum: K zero-mass y)". Returns 1 and fills kind, param, seed and *zeros (-1
   without a note) when text names one; 0 when text is no data family at all (another kind of
   instance); -1 with why set when it starts like one but is malformed. */
static int parse_rho(ae_data_kind *kind, double *param, uint64_t *seed, slong *zeros, const char *text, char *why,
                     size_t nwhy)
{
    static const struct {
        const char *prefix, *pname;
        ae_data_kind kind;
    } fam[] = {{"zipf(s=", "s", AE_DATA_ZIPF}, {"softmax-normal(t=", "t", AE_DATA_SOFTMAX_NORMAL},
               {"random:seed=", NULL, AE_DATA_RANDOM}, {"uniform", NULL, AE_DATA_UNIFORM}};
    char buf[256], *note, *end;
    size_t k, len;
    for (k = 0; k < sizeof fam / sizeof fam[0]; k++)
        if (strncmp(text, fam[k].prefix, strlen(fam[k].prefix)) == 0)
            break;
    if (k == sizeof fam / sizeof fam[0] || strlen(text) >= sizeof buf)
        return 0;
    if (fam[k].kind == AE_DATA_UNIFORM && text[7] != '\0' && text[7] != ' ')
        return 0;
    strcpy(buf, text);
    *kind = fam[k].kind;
    *param = fam[k].kind == AE_DATA_ZIPF ? 1 : fam[k].kind == AE_DATA_SOFTMAX_NORMAL ? 0.1 : 0;
    *seed = 0;
    *zeros = -1;
    note = strstr(buf, " (infimum: ");
    if (note != NULL) {
        unsigned long long z;
        int used = 0;
        if (sscanf(note, " (infimum: %llu zero-mass y)%n", &z, &used) != 1 || note[used] != '\0') {
            snprintf(why, nwhy, "the note must read ' (infimum: K zero-mass y)'");
            return -1;
        }
        *zeros = (slong)z;
        *note = '\0';
    }
    len = strlen(fam[k].prefix);
    if (fam[k].pname != NULL) { /* "S):seed=N" with S as the rows print it (%g) */
        char again[64];
        errno = 0;
        *param = strtod(buf + len, &end);
        snprintf(again, sizeof again, "%g", *param);
        if (errno != 0 || end == buf + len || strncmp(end, "):seed=", 7) != 0 || !(*param > 0) ||
            !isfinite(*param) || strncmp(buf + len, again, strlen(again)) != 0 || buf + len + strlen(again) != end) {
            snprintf(why, nwhy, "expected %s%s=NUMBER):seed=N, the number as the rows print it (e.g. 1 or 0.1)",
                     fam[k].prefix, fam[k].pname);
            return -1;
        }
        len = (size_t)(end - buf) + 7;
    }
    if (fam[k].kind == AE_DATA_UNIFORM) {
        if (buf[len] != '\0') {
            snprintf(why, nwhy, "unexpected '%s' after 'uniform'", buf + len);
            return -1;
        }
        return 1;
    }
    if (parse_u64(seed, buf + len) != 0) {
        snprintf(why, nwhy, "expected a seed (digits) after 'seed=' in '%s'", buf);
        return -1;
    }
    return 1;
}

/* Fills out with the instance: the teacher's rewards, or the student's logits q* + delta. */
static void build_instance(ae_table_t out, const instance_spec *in, const ae_space_t sp, slong prec)
{
    ae_table_t r, qs, dl;
    slong i;
    ae_table_init(r, sp);
    if (in->teacher->seeded) {
        ae_gen_struct g;
        memset(&g, 0, sizeof g);
        g.kind = in->teacher->gen;
        g.seed = in->seed;
        g.stream = 1; /* as the verify and distill suites generate it */
        ae_gen_table(r, &g, sp, prec);
    } else
        ae_reward_family_table(r, in->teacher->family, 3, sp);
    if (!in->student) {
        ae_table_set(out, r);
        ae_table_clear(r);
        return;
    }
    ae_table_init(qs, sp);
    ae_table_init(dl, sp);
    ae_bellman_map(qs, r, sp, prec);
    {
        ae_student_spec st = in->st;
        if (st.kind == AE_STUDENT_ADV_FWD || st.kind == AE_STUDENT_ADV_REV) {
            ae_table_t q128;
            /* the adversary's float64 target is M(r) at 128 bits in the suite */
            ae_table_init(q128, sp);
            ae_bellman_map(q128, r, sp, 128);
            ae_student_adversarial(dl, q128, st.kind == AE_STUDENT_ADV_REV, st.eps, st.seed,
                                   AE_DISTILL_ADV_RESTARTS, sp);
            ae_table_clear(q128);
            st.delta = dl;
        }
        {
            ae_table_t delta;
            ae_table_init(delta, sp);
            ae_student_build(delta, &st, r, qs, sp, prec);
            for (i = 0; i < sp->P * sp->S * sp->A; i++)
                arb_add(out->v + i, qs->v + i, delta->v + i, prec);
            ae_table_clear(delta);
        }
    }
    ae_table_clear(dl);
    ae_table_clear(qs);
    ae_table_clear(r);
}

int ae_cmd_export(int argc, char **argv)
{
    ae_cli_opts o;
    ae_space_t sp;
    ae_table_t out;
    ae_err_t err;
    instance_spec in;
    char why[256];
    ae_data_kind dkind = AE_DATA_UNIFORM;
    double dparam = 0;
    uint64_t dseed = 0;
    slong dzeros = -1;
    int is_rho = 0;
    int rc = ae_cli_parse(&o, "export", argc, argv);

    if (rc < 0) {
        fputs(help, stdout);
        ae_cli_opts_clear(&o);
        return AE_EXIT_OK;
    }
    if (rc == 0 && o.nargs > 0) {
        ae_cli_error("armebm export: unexpected argument '%s'", o.args[0]);
        rc = AE_EXIT_USAGE;
    }
    if (rc == 0 && (o.instance == NULL || o.out == NULL)) {
        ae_cli_error("armebm export: --instance TEXT and --out FILE are required");
        rc = AE_EXIT_USAGE;
    }
    if (rc != 0) {
        ae_cli_opts_clear(&o);
        return rc;
    }
    ae_err_init(err);
    rc = ae_cli_space(sp, &o, "export");
    if (rc == 0 && ae_space_check_work(sp, o.max_work, err) != 0)
        rc = ae_cli_fail("export", err);
    if (rc == 0 && ae_mem_need(AE_MEM_MAP, sp, o.prec, 1, o.max_memory, "export", err) != 0)
        rc = ae_cli_fail("export", err);
    if (rc == 0 && (is_rho = parse_rho(&dkind, &dparam, &dseed, &dzeros, o.instance, why, sizeof why)) < 0) {
        ae_cli_error("armebm export: --instance '%s': %s", o.instance, why);
        rc = AE_EXIT_USAGE;
    }
    if (rc == 0 && is_rho) {
        ae_data_t rho;
        ae_data_init(rho, sp);
        /* at twice --prec, as the verify suite generates it */
        ae_data_generate(rho, dkind, dparam, dseed, sp, 2 * o.prec);
        if (dzeros >= 0 && dzeros != rho->zeros) {
            char name[64];
            ae_space_row_name(name, sizeof name, sp);
            ae_cli_error("armebm export: --instance '%s': the note counts %ld zero-mass responses, but %s on %s has "
                         "%ld (is the space that of the row?)", o.instance, (long)dzeros, rho->name, name,
                         (long)rho->zeros);
            rc = AE_EXIT_USAGE;
        } else if (ae_data_write(o.out, rho, sp, o.digits, err) != 0)
            rc = ae_cli_fail("export", err);
        else
            printf("%s: %ld probabilities rho(x,y) of %s (P x Y = %ld x %ld), %s\n", o.out, (long)(rho->P * rho->Y),
                   rho->name, (long)rho->P, (long)rho->Y,
                   ae_table_format(o.out) == AE_TABLE_NPY
                       ? (rho->exact ? "each the float64 nearest the exact rational (not exact: .csv keeps it exact)"
                                     : "each the float64 nearest its certified value (rho is not rational)")
                       : (rho->exact ? "exact rationals N/D" : "each rounded to --digits significant digits (rho is "
                                                               "not rational)"));
        ae_data_clear(rho);
    }
    if (rc == 0 && !is_rho && parse_instance(&in, o.instance, sp, why, sizeof why) != 0) {
        ae_cli_error("armebm export: --instance '%s': %s", o.instance, why);
        rc = AE_EXIT_USAGE;
    }
    if (rc == 0 && !is_rho) {
        ae_table_init(out, sp);
        build_instance(out, &in, sp, o.prec < 256 ? 256 : o.prec);
        if (ae_table_write(o.out, out, sp, o.digits, err) != 0)
            rc = ae_cli_fail("export", err);
        ae_table_clear(out);
    }
    ae_space_clear(sp);
    ae_cli_opts_clear(&o);
    return rc;
}
