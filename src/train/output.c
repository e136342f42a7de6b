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
        char align[MAXCOL + 1];
        for (j = 0; j < t->ncol; j++)
            align[j] = t->numeric[j] ? 'r' : 'l';
        align[t->ncol] = '\0';
        ae_tex_begin(out, align, t->cols, t->ncol);
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
                fputs(j ? " & " : "", out);
                ae_put_tex(out, c);
                break;
            }
        }
        fputs(fmt == AE_FMT_JSONL ? "}\n" : fmt == AE_FMT_MD ? "|\n" : fmt == AE_FMT_TEX ? " \\\\\n" : "\n", out);
    }
    if (fmt == AE_FMT_TEX)
        ae_tex_end(out);
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
                                    "kl/bound", "verdict", "prec"};
static const int tnum[] = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1};
#define TNCOL 15

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
            snprintf(c + 12 * CELL, CELL, "%.3e", p->ratio);
            snprintf(c + 13 * CELL, CELL, "%s", ae_verdict_name(p->verdict));
            snprintf(c + 14 * CELL, CELL, "%ld", (long)v[i]->prec);
        }
    st_write(out, &t, fmt);
    free(t.cell);
    free(v);
}

static const char *const scols[] = {"space", "target", "lr", "seeds", "steps", "gap_arm",
                                    "gap_ebm", "dist_before", "dist_after", "max kl/bound",
                                    "verdict", "prec"};
static const int snum[] = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1};
#define SNCOL 12

void ae_train_write_summary(FILE *out, const ae_train_results_t res, ae_format fmt)
{
    stable t = {scols, snum, SNCOL, NULL, 0, 0};
    const ae_train_result **v = sorted(res);
    slong i = 0, j, k;
    while (i < res->n) {
        double ga = 0, ge = 0, db = 0, da = 0, ratio = 0;
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
            }
            for (k = 0; k < r->npts; k++) {
                ratio = fmax(ratio, r->pts[k].ratio);
                vd = ae_verdict_meet(vd, r->pts[k].verdict);
            }
            n++;
        }
        snprintf(c + 0 * CELL, CELL, "%s", v[i]->space);
        snprintf(c + 1 * CELL, CELL, "%s", v[i]->target);
        snprintf(c + 2 * CELL, CELL, "%g", v[i]->lr);
        snprintf(c + 3 * CELL, CELL, "%ld", (long)n);
        snprintf(c + 4 * CELL, CELL, "%ld", (long)v[i]->steps);
        fmt_up(c + 5 * CELL, ga);
        fmt_up(c + 6 * CELL, ge);
        fmt_up(c + 7 * CELL, db);
        fmt_up(c + 8 * CELL, da);
        snprintf(c + 9 * CELL, CELL, "%.3e", ratio);
        snprintf(c + 10 * CELL, CELL, "%s", ae_verdict_name(vd));
        snprintf(c + 11 * CELL, CELL, "%ld", (long)v[i]->prec);
        i = j;
    }
    st_write(out, &t, fmt);
    free(t.cell);
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
/* gnuplot reads 1/0 as "no point": log axes skip zero steps and zero values */
static const char *const figname[3] = {"train-gaps", "train-dist", "train-kl"};
static const char *const figtitle[3] = {
    "Optimality gaps L - H_{rho}(Y|X), certified upper bounds, max over seeds (solid ARM, dashed EBM)",
    "Distances to the optimum: before mapping ||c(sum_t q) - c(R*)|| (solid), after mapping ||c_{-1}(q) - c_{-1}(M(r*))|| (dashed)",
    "KL(p_{R*} || p_q) (solid, certified upper bound) and 2T ||M(r*) - q||_{inf} (dashed, certified lower bound)"};
static const char *const figy[3] = {"L - H", "distance (sup norm)", "KL and bound"};
static const char *const figcol[3][2] = {{"ARM", "EBM"}, {"before", "after"}, {"KL", "2T eps"}};

static int figures(ae_outset_t set, const char *dir, const ae_train_results_t res, ae_err_t err)
{
    const ae_train_result **v = sorted(res);
    char fdir[1024];
    slong i, j, k, g, npanel = 0, ncol = 0, ngroup = 0;
    int f, rc = 0;
    slong *gfirst = ae_malloc((size_t)(res->n + 1) * sizeof(slong)); /* first result of each group */

    snprintf(fdir, sizeof fdir, "%s/figures", dir);
    for (i = 0; i < res->n; i++) {
        if (i == 0 || !same_group(v[i - 1], v[i]))
            gfirst[ngroup++] = i;
        if (i == 0 || v[i - 1]->key[0] != v[i]->key[0] || v[i - 1]->key[1] != v[i]->key[1])
            npanel++;
    }
    gfirst[ngroup] = res->n;
    for (i = 0; i < res->n; i++) /* distinct targets = columns of the layout */
        if (v[i]->key[1] + 1 > ncol)
            ncol = v[i]->key[1] + 1;
    if (ncol < 1)
        ncol = 1;
    if (ncol > npanel)
        ncol = npanel > 0 ? npanel : 1;

    for (f = 0; f < 3 && rc == 0; f++) {
        char name[64];
        FILE *out;
        snprintf(name, sizeof name, "%s.dat", figname[f]);
        if ((out = ae_outset_open_staged(set, fdir, name, err)) == NULL) {
            rc = err->code;
            break;
        }
        fprintf(out, "# armebm train: step  %s  %s (max over seeds of certified %s bounds)\n",
                figcol[f][0], figcol[f][1], f == 2 ? "upper (KL) and lower (bound)" : "upper");
        for (g = 0; g < ngroup; g++) {
            const ae_train_result *r0 = v[gfirst[g]];
            fprintf(out, "%s# index %ld: %s %s lr=%g\n", g ? "\n\n" : "", (long)g, r0->space, r0->target, r0->lr);
            for (k = 0; k < r0->npts; k++) {
                double a = 0, b = f == 2 ? HUGE_VAL : 0;
                for (j = gfirst[g]; j < gfirst[g + 1]; j++) {
                    const ae_train_point *p = v[j]->pts + (k < v[j]->npts ? k : v[j]->npts - 1);
                    if (f == 0) {
                        a = fmax(a, p->gap_arm);
                        b = fmax(b, p->gap_ebm);
                    } else if (f == 1) {
                        a = fmax(a, p->dist_before);
                        b = fmax(b, p->dist_after);
                    } else {
                        a = fmax(a, p->kl);
                        b = fmin(b, p->bound);
                    }
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
        fprintf(out, "# gnuplot script (armebm train); data in %s.dat, one index per (space, target, lr)\n"
                     "set terminal svg size %ld,%ld dynamic font 'sans,10'\nset output '%s.svg'\n"
                     "set multiplot layout %ld,%ld title \"%s\" font 'sans,11'\n"
                     "set logscale xy\nset format x '10^{%%L}'\nset format y '10^{%%L}'\n"
                     "set xlabel 'step'\nset ylabel '%s'\nset key bottom left font 'sans,8'\n",
                figname[f], (long)(520 * ncol), (long)(420 * ((npanel + ncol - 1) / ncol)), figname[f],
                (npanel + ncol - 1) / ncol, (long)ncol, figtitle[f], figy[f]);
        for (g = 0; g < ngroup; g++) {
            const ae_train_result *r0 = v[gfirst[g]];
            int first = g == 0 || v[gfirst[g - 1]]->key[0] != r0->key[0] || v[gfirst[g - 1]]->key[1] != r0->key[1];
            int last = g + 1 == ngroup || v[gfirst[g + 1]]->key[0] != r0->key[0] ||
                       v[gfirst[g + 1]]->key[1] != r0->key[1];
            slong lc = r0->key[2] + 1;
            if (first)
                fprintf(out, "set title '%s, %s'\nplot ", r0->space, r0->target);
            else
                fputs(", \\\n     ", out);
            fprintf(out, "'%s.dat' index %ld using ($1>0?$1:1/0):($2>0?$2:1/0) title '%s lr=%g' with linespoints lc %ld lw 2 pt 7 ps 0.5, \\\n"
                         "     '' index %ld using ($1>0?$1:1/0):($3>0?$3:1/0) title '%s lr=%g' with linespoints lc %ld lw 2 dt 2 pt 6 ps 0.5",
                    figname[f], (long)g, figcol[f][0], r0->lr, (long)lc, (long)g, figcol[f][1], r0->lr, (long)lc);
            if (last)
                fputc('\n', out);
        }
        fputs("unset multiplot\n", out);
        if ((rc = ae_outset_close_staged(set, out, err)) != 0)
            break;
    }
    /* render when gnuplot is there; figures are a convenience, never a failure */
    for (i = 0, k = 0; i < res->n; i++) /* log axes need a positive step */
        if (v[i]->npts > 0 && v[i]->pts[v[i]->npts - 1].step > 0)
            k = 1;
    for (f = 0; f < 3 && rc == 0 && k; f++) {
        char name[64];
        int st;
        char svg[64];
        snprintf(name, sizeof name, "%s.gp", figname[f]);
        snprintf(svg, sizeof svg, "%s.svg", figname[f]);
        st = ae_outset_render(set, name, svg);
        if (st == 127)
            break; /* no gnuplot: the data and scripts are the figures */
        if (st != 0) {
            char shown[1024]; /* the directory is the user's --out: no raw control bytes */
            ae_escape(shown, sizeof shown, fdir);
            fprintf(stderr, "armebm: gnuplot could not render %s/%s; its data file is kept\n", shown, name);
        }
    }
    free(gfirst);
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
