/* The one-page, per-claim summary of a verify run: for each claim, its statement, how many
   rows check it, how many of them each verdict got, and the worst measured/predicted ratio. */
#include "ae-impl.h"

static const char *const statements[11] = {
    "Prop. 1: M is a bijection between ARM logits and EBM rewards",
    "soft Bellman equation; log Z = max ELBO",
    "Prop. 4: sum_y p_q(y|x) = 1 when EOS is forced",
    "chain rules for entropy and KL",
    "gradients of A(x) and of V_M(r)(x)",
    "Prop. 2: ARM and EBM likelihoods share the minimum H_rho(Y|X)",
    "Lemma 1: softargmax stability",
    "Prop. 3: KL <= 2T eps",
    "sharper bounds (Hoeffding, per-state ranges)",
    "lookahead students",
    "reference measure (A.5)"};

static const char *const cols[8] = {"claim", "statement", "instances", "verified", "violated",
                                     "undecided", "consistent", "worst ratio"};

typedef struct {
    slong n[11], cnt[11][4]; /* rows; verified, violated, undecided, consistent */
    double worst[11];        /* largest numeric ratio, -1 when none */
    ae_format fmt;
} claim_summary;

static void count(claim_summary *cs, const ae_rows_t rows)
{
    slong i;
    for (i = 0; i < rows->n; i++) {
        const ae_row *x = rows->v + i;
        char *end;
        double v;
        int c = x->claim[0] == 'C' ? atoi(x->claim + 1) : 0;
        if (c < 1 || c > 11)
            continue;
        c--;
        cs->n[c]++;
        cs->cnt[c][x->verdict == AE_VERIFIED ? 0 : x->verdict == AE_VIOLATED ? 1 : x->verdict == AE_UNDECIDED ? 2 : 3]++;
        v = strtod(x->ratio, &end);
        if (end != x->ratio && *end == '\0' && v > cs->worst[c])
            cs->worst[c] = v;
    }
}

/* portrait: the statement wraps, the counts are integers, the ratio aligns on its point */
static const char *const tex_spec[8] = {"l", "p{8em}", "r", "r", "r", "r", "r", "d"};

static int emit(FILE *out, const void *ctx)
{
    const claim_summary *cs = ctx;
    int c, j;
    if (cs->fmt == AE_FMT_CSV)
        for (j = 0; j < 8; j++)
            fprintf(out, "%s%s", cols[j], j < 7 ? "," : "\n");
    else if (cs->fmt == AE_FMT_MD)
        fputs("| claim | statement | instances | verified | violated | undecided | consistent | worst ratio |\n"
              "|---|---|---:|---:|---:|---:|---:|---:|\n", out);
    else if (cs->fmt == AE_FMT_TEX)
        ae_tex_begin(out, tex_spec, cols, 8, 0);
    for (c = 0; c < 11; c++) {
        char cell[8][96];
        if (cs->n[c] == 0)
            continue;
        snprintf(cell[0], sizeof cell[0], "C%d", c + 1);
        snprintf(cell[1], sizeof cell[1], "%s", statements[c]);
        snprintf(cell[2], sizeof cell[2], "%ld", (long)cs->n[c]);
        for (j = 0; j < 4; j++)
            snprintf(cell[3 + j], sizeof cell[3 + j], "%ld", (long)cs->cnt[c][j]);
        if (cs->worst[c] >= 0)
            snprintf(cell[7], sizeof cell[7], "%.3e", cs->worst[c]);
        else
            cell[7][0] = '\0';
        for (j = 0; j < 8; j++)
            switch (cs->fmt) {
            case AE_FMT_CSV:
                if (j)
                    fputc(',', out);
                ae_put_csv(out, cell[j]);
                break;
            case AE_FMT_JSONL:
                fputs(j ? "," : "{", out);
                ae_put_json(out, cols[j]);
                fputc(':', out);
                if (j >= 2 && cell[j][0] != '\0')
                    fputs(cell[j], out);
                else if (j >= 2)
                    fputs("null", out);
                else
                    ae_put_json(out, cell[j]);
                break;
            case AE_FMT_MD: {
                const char *ch = cell[j];
                fputs("| ", out);
                for (; *ch; ch++) /* a '|' inside a cell would split it */
                    if (*ch == '|')
                        fputs("\\|", out);
                    else
                        fputc(*ch, out);
                fputc(' ', out);
                break;
            }
            case AE_FMT_TEX:
                ae_tex_cell(out, tex_spec[j], cell[j], j == 0);
                break;
            }
        fputs(cs->fmt == AE_FMT_JSONL ? "}\n" : cs->fmt == AE_FMT_MD ? "|\n" : cs->fmt == AE_FMT_TEX ? " \\\\\n" : "\n", out);
    }
    if (cs->fmt == AE_FMT_TEX)
        ae_tex_end(out, 0);
    return 0;
}

int ae_claim_summary_stage(ae_outset_t set, const char *dir, const ae_rows_struct *const *parts, int nparts,
                           ae_err_t err)
{
    static const char *const ext[4] = {"csv", "jsonl", "md", "tex"};
    static const ae_format fmt[4] = {AE_FMT_CSV, AE_FMT_JSONL, AE_FMT_MD, AE_FMT_TEX};
    claim_summary cs[4]; /* ae_outset_add writes at once: the contexts need not outlive it */
    size_t n = strlen(dir) + 32;
    char *path = ae_malloc(n);
    int i, c, rc = 0;
    memset(&cs[0], 0, sizeof cs[0]);
    for (c = 0; c < 11; c++)
        cs[0].worst[c] = -1;
    for (i = 0; i < nparts; i++)
        count(&cs[0], parts[i]);
    for (i = 0; i < 4 && rc == 0; i++) {
        cs[i] = cs[0];
        cs[i].fmt = fmt[i];
        snprintf(path, n, "%s/summary.%s", dir, ext[i]);
        rc = ae_outset_add(set, path, emit, cs + i, err);
    }
    free(path);
    return rc;
}
