/* Tables and figures of a training grid: train.* (one row per logged iterate), train-summary.*
   (final values per space, target and learning rate) and gnuplot figures. Every number is a
   certified bound rounded outward when printed; the bytes depend on nothing but the results. */
#include "ae-impl.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* ------------------------------------------------------------ a small table of strings */
#define MAXCOL 16
#define CELL 72

typedef struct {
    const char *const *cols;
    const int *numeric; /* JSON: print as a number when the text is one */
    int ncol;
    char (*cell)[CELL];
    slong n, alloc;
} stable;

static char *st_add(stable *t)
{
    if (t->n == t->alloc) {
        t->alloc = t->alloc ? 2 * t->alloc : 64;
        t->cell = ae_realloc(t->cell, (size_t)t->alloc * MAXCOL * CELL);
    }
    memset(t->cell[t->n * MAXCOL], 0, MAXCOL * CELL);
    return t->cell[t->n++ * MAXCOL];
}


/* a JSON number: -?digits[.digits][e[+-]digits], no leading zeros beyond one */
static int is_json_number(const char *s)
{
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        while (*s >= '0' && *s <= '9')
            s++;
    else
        return 0;
    if (*s == '.') {
        s++;
        if (!(*s >= '0' && *s <= '9'))
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

/* Columns the LaTeX tables leave out (the other formats keep them): the working precision,
   the same on every row, so that the rest fits a landscape page. */
static int tex_left_out(const char *col)
{
    return strcmp(col, "prec") == 0;
}

static void st_write(FILE *out, const stable *t, ae_format fmt)
{
    slong i;
    int j;
    if (fmt == AE_FMT_CSV) {
        for (j = 0; j < t->ncol; j++)
            fprintf(out, "%s%s", j ? "," : "", t->cols[j]);
        fputc('\n', out);
    } else if (fmt == AE_FMT_MD) {
        for (j = 0; j < t->ncol; j++)
            fprintf(out, "| %s ", t->cols[j]);
        fputs("|\n", out);
        for (j = 0; j < t->ncol; j++)
            fputs(t->numeric[j] ? "|---:" : "|---", out);
        fputs("|\n", out);
    } else if (fmt == AE_FMT_TEX) {
        const char *spec[MAXCOL], *names[MAXCOL];
        int k = 0;
        for (j = 0; j < t->ncol; j++)
            if (!tex_left_out(t->cols[j])) {
                spec[k] = t->numeric[j] ? "d" : strcmp(t->cols[j], "target") == 0 ? "p{6.4em}" : "l";
                names[k++] = t->cols[j];
            }
        ae_tex_begin(out, spec, names, k, 1);
    }
    for (i = 0; i < t->n; i++) {
        for (j = 0; j < t->ncol; j++) {
            const char *c = t->cell[i * MAXCOL + j];
            switch (fmt) {
            case AE_FMT_CSV:
                if (j)
                    fputc(',', out);
                ae_put_csv(out, c);
                break;
            case AE_FMT_JSONL:
                fputs(j ? "," : "{", out);
                ae_put_json(out, t->cols[j]);
                fputc(':', out);
                if (t->numeric[j] && is_json_number(c))
                    fputs(c, out);
                else
                    ae_put_json(out, c);
                break;
            case AE_FMT_MD:
                fputs("| ", out);
                for (; *c; c++)
                    if (*c == '|')
                        fputs("\\|", out);
                    else
                        fputc(*c, out);
                fputc(' ', out);
                break;
            case AE_FMT_TEX:
                if (!tex_left_out(t->cols[j]))
                    ae_tex_cell(out, t->numeric[j] ? "d" : strcmp(t->cols[j], "target") == 0 ? "p{6.4em}" : "l", c, j == 0);
                break;
            }
        }
        fputs(fmt == AE_FMT_JSONL ? "}\n" : fmt == AE_FMT_MD ? "|\n" : fmt == AE_FMT_TEX ? " \\\\\n" : "\n", out);
    }
    if (fmt == AE_FMT_TEX)
        ae_tex_end(out, 1);
}

/* ------------------------------------------------------------ formatting */
/* a certified upper bound x (a double already rounded up), 3 digits rounded up */
static void fmt_up(char *buf, const double x)
{
    arf_t a;
    arf_init(a);
    arf_set_d(a, x);
    ae_fmt_ubound(buf, CELL, a);
    arf_clear(a);
}

/* a certified lower bound x (a double already rounded down), 3 digits rounded down */
static void fmt_down(char *buf, const double x)
{
    mpfr_t m;
    if (x == 0) {
        snprintf(buf, CELL, "0");
        return;
    }
    mpfr_init2(m, 53);
    mpfr_set_d(m, x, MPFR_RNDN); /* exact */
    mpfr_snprintf(buf, CELL, "%.2RDe", m);
    mpfr_clear(m);
}

/* the order of the tables: space, target, lr, seed (grid positions) */
static int cmp_key(const void *a, const void *b)
{
    const ae_train_result *x = *(const ae_train_result *const *)a, *y = *(const ae_train_result *const *)b;
    int i;
    for (i = 0; i < 4; i++)
        if (x->key[i] != y->key[i])
            return x->key[i] < y->key[i] ? -1 : 1;
    return 0;
}

static const ae_train_result **sorted(const ae_train_results_t res)
{
    const ae_train_result **v = ae_malloc((size_t)(res->n > 0 ? res->n : 1) * sizeof *v);
    slong i;
    for (i = 0; i < res->n; i++)
        v[i] = res->v + i;
    qsort(v, (size_t)res->n, sizeof *v, cmp_key);
    return v;
}

static int same_group(const ae_train_result *a, const ae_train_result *b)
{
    return a->key[0] == b->key[0] && a->key[1] == b->key[1] && a->key[2] == b->key[2];
}

/* ------------------------------------------------------------ the tables */
static const char *const tcols[] = {"space", "target", "lr", "seed", "step", "lr_step", "gap_arm",
                                    "gap_ebm", "dist_before", "dist_after", "kl", "bound_2Teps",
                                    "bound_2Teps_c", "kl/bound_c", "verdict", "prec"};
static const int tnum[] = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1};
#define TNCOL 16

void ae_train_write_table(FILE *out, const ae_train_results_t res, ae_format fmt)
{
    stable t = {tcols, tnum, TNCOL, NULL, 0, 0};
    const ae_train_result **v = sorted(res);
    slong i, j;
    for (i = 0; i < res->n; i++)
        for (j = 0; j < v[i]->npts; j++) {
            const ae_train_point *p = v[i]->pts + j;
            char *c = st_add(&t);
            snprintf(c + 0 * CELL, CELL, "%s", v[i]->space);
            snprintf(c + 1 * CELL, CELL, "%s", v[i]->target);
            snprintf(c + 2 * CELL, CELL, "%g", v[i]->lr);
            snprintf(c + 3 * CELL, CELL, "%llu", (unsigned long long)v[i]->seed);
            snprintf(c + 4 * CELL, CELL, "%ld", (long)p->step);
            snprintf(c + 5 * CELL, CELL, "%.4g", p->lr);
            fmt_up(c + 6 * CELL, p->gap_arm);
            fmt_up(c + 7 * CELL, p->gap_ebm);
            fmt_up(c + 8 * CELL, p->dist_before);
            fmt_up(c + 9 * CELL, p->dist_after);
            fmt_up(c + 10 * CELL, p->kl);
            fmt_down(c + 11 * CELL, p->bound);
            fmt_down(c + 12 * CELL, p->bound_c);
            fmt_up(c + 13 * CELL, p->ratio);
            snprintf(c + 14 * CELL, CELL, "%s", ae_verdict_name(p->verdict));
            snprintf(c + 15 * CELL, CELL, "%ld", (long)v[i]->prec);
        }
    st_write(out, &t, fmt);
    free(t.cell);
    free(v);
}

static const char *const scols[] = {"space", "target", "lr", "seeds", "steps", "gap_arm", "gap_ebm",
                                    "area_ebm", "chosen", "dist_before", "dist_after", "final kl/bound_c",
                                    "max kl/bound_c (moved)", "verdict", "prec"};
static const int snum[] = {0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1};
#define SNCOL 15

/* The rate the paper's rule picks for group g's (space, target): the least area under the EBM
   training curve (mean over seeds); the first in grid order on a tie. chosen[i] is 1 for each
   result i of a group at that rate. */
static void choose_rates(int *chosen, const ae_train_result **v, slong n)
{
    slong i = 0, j;
    while (i < n) {
        slong end = i, best = -1;
        double best_area = 0;
        while (end < n && v[end]->key[0] == v[i]->key[0] && v[end]->key[1] == v[i]->key[1])
            end++;
        for (j = i; j < end;) { /* one rate: v[j..k) */
            slong k = j, m = 0;
            double a = 0;
            for (; k < end && v[k]->key[2] == v[j]->key[2]; k++, m++)
                a += v[k]->area_ebm;
            a /= (double)m;
            if (best < 0 || a < best_area) {
                best = v[j]->key[2];
                best_area = a;
            }
            j = k;
        }
        for (j = i; j < end; j++)
            chosen[j] = v[j]->key[2] == best;
        i = end;
    }
}

void ae_train_write_summary(FILE *out, const ae_train_results_t res, ae_format fmt)
{
    stable t = {scols, snum, SNCOL, NULL, 0, 0};
    const ae_train_result **v = sorted(res);
    int *chosen = ae_calloc((size_t)(res->n > 0 ? res->n : 1), sizeof(int));
    slong i = 0, j, k;
    choose_rates(chosen, v, res->n);
    while (i < res->n) {
        double ga = 0, ge = 0, db = 0, da = 0, area = 0, rfinal = 0, rmax = 0;
        ae_verdict vd = AE_VERIFIED;
        slong n = 0;
        char *c = st_add(&t);
        for (j = i; j < res->n && same_group(v[i], v[j]); j++) {
            const ae_train_result *r = v[j];
            if (r->npts > 0) {
                const ae_train_point *f = r->pts + r->npts - 1; /* the final iterate */
                ga = fmax(ga, f->gap_arm);
                ge = fmax(ge, f->gap_ebm);
                db = fmax(db, f->dist_before);
                da = fmax(da, f->dist_after);
                rfinal = fmax(rfinal, f->ratio);
            }
            /* the iterates before the first update with a positive rate are the initial one
               (steps 0 and 1: the warm-up starts at 0), the same for every rate: left out */
            for (k = 0; k < r->npts; k++) {
                if (r->pts[k].lr > 0)
                    rmax = fmax(rmax, r->pts[k].ratio);
                vd = ae_verdict_meet(vd, r->pts[k].verdict);
            }
            area += r->area_ebm;
            n++;
        }
        snprintf(c + 0 * CELL, CELL, "%s", v[i]->space);
        snprintf(c + 1 * CELL, CELL, "%s", v[i]->target);
        snprintf(c + 2 * CELL, CELL, "%g", v[i]->lr);
        snprintf(c + 3 * CELL, CELL, "%ld", (long)n);
        snprintf(c + 4 * CELL, CELL, "%ld", (long)v[i]->steps);
        fmt_up(c + 5 * CELL, ga);
        fmt_up(c + 6 * CELL, ge);
        snprintf(c + 7 * CELL, CELL, "%.3e", area / (double)n);
        snprintf(c + 8 * CELL, CELL, "%s", chosen[i] ? "yes" : "");
        fmt_up(c + 9 * CELL, db);
        fmt_up(c + 10 * CELL, da);
        fmt_up(c + 11 * CELL, rfinal);
        fmt_up(c + 12 * CELL, rmax);
        snprintf(c + 13 * CELL, CELL, "%s", ae_verdict_name(vd));
        snprintf(c + 14 * CELL, CELL, "%ld", (long)v[i]->prec);
        i = j;
    }
    st_write(out, &t, fmt);
    free(t.cell);
    free(chosen);
    free(v);
}

typedef struct {
    const ae_train_results_struct *res;
    int what;
    ae_format fmt;
} train_emit;

static int emit_train(FILE *out, const void *ctx)
{
    const train_emit *e = ctx;
    if (e->what == 0)
        ae_train_write_table(out, e->res, e->fmt);
    else
        ae_train_write_summary(out, e->res, e->fmt);
    return 0;
}

/* dir/name added to the set */
static int write_file(ae_outset_t set, const char *dir, const char *name, const train_emit *e, ae_err_t err)
{
    size_t n = strlen(dir) + strlen(name) + 32;
    char *path = ae_malloc(n);
    int rc;
    snprintf(path, n, "%s/%s", dir, name);
    rc = ae_outset_add(set, path, emit_train, e, err);
    free(path);
    return rc;
}

/* ------------------------------------------------------------ figures */
/* One panel per (space, target), at the rate the paper's rule picks (choose_rates): the gaps
   and distances over training, KL(p_R* || p_q_k) against the centred distance with its bound
   (the paper's Fig. 5), and the final gaps against the rate (Figs. 6-7). gnuplot reads 1/0 as
   "no point": log axes skip zero steps and zero values. */
#define NFIG 4
static const char *const figname[NFIG] = {"train-gaps", "train-dist", "train-kl", "train-lr"};

/* T of "F(V,T)" / "E(V,T)" */
static int horizon_of(const char *space)
{
    const char *c = strchr(space, ',');
    return c ? atoi(c + 1) : 1;
}

static int figures(ae_outset_t set, const char *dir, const ae_train_results_t res, ae_err_t err)
{
    const ae_train_result **v = sorted(res);
    int *chosen = ae_calloc((size_t)(res->n > 0 ? res->n : 1), sizeof(int));
    slong *pfirst = ae_malloc((size_t)(res->n + 1) * sizeof(slong)); /* first result of each panel */
    char fdir[1024];
    slong i, j, k, g, npanel = 0, ncol = 1, nrow;
    int f, rc = 0;

    snprintf(fdir, sizeof fdir, "%s/figures", dir);
    choose_rates(chosen, v, res->n);
    for (i = 0; i < res->n; i++) {
        if (i == 0 || v[i - 1]->key[0] != v[i]->key[0] || v[i - 1]->key[1] != v[i]->key[1])
            pfirst[npanel++] = i;
        if (v[i]->key[1] + 1 > ncol) /* distinct targets = columns of the layout */
            ncol = v[i]->key[1] + 1;
    }
    pfirst[npanel] = res->n;
    if (ncol > npanel)
        ncol = npanel > 0 ? npanel : 1;
    nrow = (npanel + ncol - 1) / ncol;

    for (f = 0; f < NFIG && rc == 0; f++) {
        char name[64];
        FILE *out;
        snprintf(name, sizeof name, "%s.dat", figname[f]);
        if ((out = ae_outset_open_staged(set, fdir, name, err)) == NULL) {
            rc = err->code;
            break;
        }
        if (f == 0)
            fputs("# armebm train, chosen rate: step  L_ARM - H  L_EBM - H (certified upper bounds, max over seeds)\n", out);
        else if (f == 1)
            fputs("# armebm train, chosen rate: step  ||c(sum_t q) - c(R*)||_inf  ||c_-1(q) - c_-1(M(r*))||_inf"
                  " (certified upper bounds, max over seeds)\n", out);
        else if (f == 2)
            fputs("# armebm train, chosen rate: step  ||c_-1(M(r*)) - c_-1(q_k)||_inf  KL(p_R* || p_q_k)"
                  " (certified upper bounds, max over seeds)\n", out);
        else
            fputs("# armebm train: lr  final L_ARM - H  final L_EBM - H (certified upper bounds, max over seeds)"
                  "  area_ebm (mean over seeds)  chosen (1: least area)\n", out);
        for (g = 0; g < npanel; g++) {
            const ae_train_result *r0 = NULL;
            fprintf(out, "%s# index %ld: %s %s\n", g ? "\n\n" : "", (long)g, v[pfirst[g]]->space, v[pfirst[g]]->target);
            if (f == 3) {
                for (i = pfirst[g]; i < pfirst[g + 1]; i = j) {
                    double ga = 0, ge = 0, area = 0;
                    for (j = i; j < pfirst[g + 1] && v[j]->key[2] == v[i]->key[2]; j++) {
                        const ae_train_point *p = v[j]->pts + (v[j]->npts > 0 ? v[j]->npts - 1 : 0);
                        ga = fmax(ga, p->gap_arm);
                        ge = fmax(ge, p->gap_ebm);
                        area += v[j]->area_ebm;
                    }
                    fprintf(out, "%.6e %.6e %.6e %.6e %d\n", v[i]->lr, ga, ge, area / (double)(j - i), chosen[i]);
                }
                continue;
            }
            for (i = pfirst[g]; i < pfirst[g + 1]; i++)
                if (chosen[i]) {
                    r0 = v[i];
                    break;
                }
            if (r0 == NULL)
                continue;
            fprintf(out, "# lr=%g\n", r0->lr);
            for (k = 0; k < r0->npts; k++) {
                double a = 0, b = 0;
                for (j = pfirst[g]; j < pfirst[g + 1]; j++) {
                    const ae_train_point *p;
                    if (!chosen[j])
                        continue;
                    p = v[j]->pts + (k < v[j]->npts ? k : v[j]->npts - 1);
                    a = fmax(a, f == 0 ? p->gap_arm : f == 1 ? p->dist_before : p->dist_after);
                    b = fmax(b, f == 0 ? p->gap_ebm : f == 1 ? p->dist_after : p->kl);
                }
                fprintf(out, "%ld %.6e %.6e\n", (long)r0->pts[k].step, a, b);
            }
        }
        if ((rc = ae_outset_close_staged(set, out, err)) != 0)
            break;

        snprintf(name, sizeof name, "%s.gp", figname[f]);
        if ((out = ae_outset_open_staged(set, fdir, name, err)) == NULL) {
            rc = err->code;
            break;
        }
        fprintf(out, "# gnuplot script (armebm train); data in %s.dat, one index per (space, target)\n", figname[f]);
        ae_gp_begin(out, figname[f], (int)nrow, (int)ncol);
        fprintf(out, "  set multiplot layout %ld,%ld\n  set logscale xy\n  set format x '10^{%%L}'\n  set format y '10^{%%L}'\n",
                (long)nrow, (long)ncol);
        if (f == 0)
            fputs("  set xlabel 'step k'\n  set ylabel 'L - H_ρ(Y|X)'\n  set key bottom left font ',7'\n", out);
        else if (f == 1)
            fputs("  set xlabel 'step k'\n  set ylabel 'distance to the optimum (‖·‖_∞)'\n  set key bottom left font ',7'\n", out);
        else if (f == 2)
            fputs("  set xlabel 'ε_c = ‖c(M(r*)) − c(q_k)‖_∞ (rows centred)'\n  set ylabel 'KL(p_{R*} ‖ p_{q_k})'\n"
                  "  set key top left font ',7'\n", out);
        else
            fputs("  set xlabel 'peak learning rate'\n  set ylabel 'final L - H_ρ(Y|X)'\n  set key top right font ',7'\n", out);
        for (g = 0; g < npanel; g++) {
            const ae_train_result *r0 = v[pfirst[g]];
            double lr = 0;
            for (i = pfirst[g]; i < pfirst[g + 1]; i++)
                if (chosen[i])
                    lr = v[i]->lr;
            if (f == 3) {
                fprintf(out, "  set key title '%s, %s'\n  plot '%s.dat' index %ld using 1:($2>0?$2:1/0) title 'ARM' with linespoints lc 1 lw 2 pt 7 ps 0.6, \\\n"
                             "    '' index %ld using 1:($3>0?$3:1/0) title 'EBM' with linespoints lc 2 lw 2 dt 2 pt 5 ps 0.6, \\\n"
                             "    '' index %ld using 1:($5 > 0 ? ($3>0?$3:1/0) : 1/0) title 'chosen (least EBM area)' with points lc rgb 'black' pt 6 ps 1.6\n",
                        r0->space, r0->target, figname[f], (long)g, (long)g, (long)g);
            } else if (f == 2) {
                fprintf(out, "  set key title '%s, %s, lr=%g'\n  plot '%s.dat' index %ld using ($2>0?$2:1/0):($3>0?$3:1/0) title 'KL over training' with linespoints lc 1 lw 2 pt 7 ps 0.5, \\\n"
                             "    2*%d*x title '2Tε_c (Prop. 3)' with lines lc 1 dt 2 lw 2\n",
                        r0->space, r0->target, lr, figname[f], (long)g, horizon_of(r0->space));
            } else {
                fprintf(out, "  set key title '%s, %s, lr=%g'\n  plot '%s.dat' index %ld using ($1>0?$1:1/0):($2>0?$2:1/0) title '%s' with linespoints lc 1 lw 2 pt 7 ps 0.5, \\\n"
                             "    '' index %ld using ($1>0?$1:1/0):($3>0?$3:1/0) title '%s' with linespoints lc 2 lw 2 dt 2 pt 5 ps 0.5\n",
                        r0->space, r0->target, lr, figname[f], (long)g, f == 0 ? "ARM" : "before mapping", (long)g,
                        f == 0 ? "EBM" : "after mapping (rows centred)");
            }
        }
        fputs("  unset multiplot\n", out);
        ae_gp_end(out);
        if ((rc = ae_outset_close_staged(set, out, err)) != 0)
            break;
    }
    /* render when gnuplot is there; figures are a convenience, never a failure */
    for (i = 0, k = 0; i < res->n; i++) /* log axes need a positive step */
        if (v[i]->npts > 0 && v[i]->pts[v[i]->npts - 1].step > 0)
            k = 1;
    for (f = 0; f < NFIG && rc == 0 && k; f++) {
        char name[64];
        int st;
        snprintf(name, sizeof name, "%s.gp", figname[f]);
        st = ae_outset_render(set, name, figname[f]);
        if (st == 127)
            break; /* no gnuplot: the data and scripts are the figures */
        if (st != 0) {
            char shown[1024]; /* the directory is the user's --out: no raw control bytes */
            ae_escape(shown, sizeof shown, fdir);
            fprintf(stderr, "armebm: gnuplot could not render %s/%s; its data file is kept\n", shown, name);
        }
    }
    free(pfirst);
    free(chosen);
    free(v);
    return rc;
}

int ae_train_add(ae_outset_t set, const char *dir, const ae_train_results_t res, ae_err_t err)
{
    static const char *const ext[4] = {"csv", "jsonl", "md", "tex"};
    static const ae_format fmt[4] = {AE_FMT_CSV, AE_FMT_JSONL, AE_FMT_MD, AE_FMT_TEX};
    train_emit e[8];
    char name[64];
    int i, rc = 0;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return ae_err_set(err, AE_E_IO, "%s: cannot create directory: %s", dir, strerror(errno));
    for (i = 0; i < 4 && rc == 0; i++) {
        e[2 * i].res = res;
        e[2 * i].what = 0;
        e[2 * i].fmt = fmt[i];
        e[2 * i + 1] = e[2 * i];
        e[2 * i + 1].what = 1;
        snprintf(name, sizeof name, "train.%s", ext[i]);
        rc = write_file(set, dir, name, e + 2 * i, err);
        snprintf(name, sizeof name, "train-summary.%s", ext[i]);
        if (rc == 0)
            rc = write_file(set, dir, name, e + 2 * i + 1, err);
    }
    if (rc == 0)
        rc = figures(set, dir, res, err);
    return rc;
}

int ae_train_write_all(const char *dir, const ae_train_results_t res, ae_err_t err)
{
    ae_outset_t set;
    int rc;
    ae_outset_init(set);
    rc = ae_train_add(set, dir, res, err);
    if (rc == 0)
        rc = ae_outset_commit(set, err);
    ae_outset_clear(set);
    return rc;
}
