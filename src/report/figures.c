/* Figures of the distillation tables: gnuplot data and scripts are always written (plain text,
   deterministic); SVG and PDF are rendered when gnuplot is installed. */
#include "ae-impl.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* "... eps=1.00e-03" -> 1e-3; -1 when absent */
static double eps_of(const char *instance)
{
    const char *e = strstr(instance, "eps=");
    return e ? atof(e + 4) : -1;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* no shell, so paths may hold any character */
int ae_gnuplot_run(const char *dir, const char *script)
{
    int status;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        if (chdir(dir) != 0)
            _exit(127);
        execlp("gnuplot", "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    ae_child_running(pid); /* a signal now also stops gnuplot before the cleanup */
    if (waitpid(pid, &status, 0) < 0) {
        ae_child_running(0);
        return -1;
    }
    ae_child_running(0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ae_gp_begin(FILE *f, const char *base, int rows, int cols)
{
    fprintf(f, "set encoding utf8\ndo for [fmt in \"svg pdf\"] {\n"
               "  if (fmt eq \"svg\") { set terminal svg size %d,%d dynamic font 'sans,11' } else { "
               "if (strstrt(GPVAL_TERMINALS, \"pdfcairo\") == 0) { break }; "
               "set terminal pdfcairo size %.1fin,%.1fin font 'sans,7' }\n"
               "  set output '%s.'.fmt\n",
            510 * cols, 375 * rows, 3.4 * cols, 2.5 * rows, base);
}

void ae_gp_end(FILE *f)
{
    fputs("  unset output\n}\n", f);
}

int ae_figures_distill(ae_outset_t set, const char *dir, const ae_rows_t rows, const char *space, ae_err_t err)
{
    static const char *const fams[] = {"uniform", "sign", "sparse", "value", "adv-fwd", "adv-rev"};
    const char *rewards[3] = {NULL, "summod3", "palindrome"};
    char teacher[256], shown[256], tkey[272], key[320], fdir[1024];
    FILE *f;
    slong i;
    int j, T = 0, rc = 0;

    /* the teacher of the figures: the first one of `space` with a uniform-family student (seed 1
       of the default grid, or the user's --rewards table) */
    for (i = 0; i < rows->n; i++) {
        const char *u = strstr(rows->v[i].instance, " uniform eps=");
        if (strcmp(rows->v[i].space, space) == 0 && u != NULL && u - rows->v[i].instance < (ptrdiff_t)sizeof teacher) {
            memcpy(teacher, rows->v[i].instance, (size_t)(u - rows->v[i].instance));
            teacher[u - rows->v[i].instance] = '\0';
            break;
        }
    }
    if (i == rows->n)
        return 0;
    /* the name as a gnuplot string and comment may show it: no quotes, no control bytes */
    for (j = 0; teacher[j] != '\0'; j++)
        shown[j] = (teacher[j] == '\'' || teacher[j] == '"' || teacher[j] == '\\' || (unsigned char)teacher[j] < 0x20 ||
                    teacher[j] == 0x7f) ? '?' : teacher[j];
    shown[j] = '\0';
    rewards[0] = shown;
    snprintf(tkey, sizeof tkey, "%s ", teacher);
    snprintf(fdir, sizeof fdir, "%s/figures", dir);
    {
        const char *c = strchr(space, ',');
        T = c ? atoi(c + 1) : 1;
    }

    /* KL(p_q || p_R) against eps, one block per family, seed 1 of `space` */
    if ((f = ae_outset_open_staged(set, fdir, "kl-vs-eps.dat", err)) == NULL)
        return err->code;
    fprintf(f, "# %s, teacher %s: eps  KL(p_q||p_R)  KL(p_R||p_q) (certified upper ends)\n", space, shown);
    for (j = 0; j < 6; j++) {
        fprintf(f, "\n\n# %s\n", fams[j]);
        snprintf(key, sizeof key, "%s%s ", tkey, fams[j]);
        for (i = 0; i < rows->n; i++) {
            const ae_row *r = rows->v + i, *r2;
            if (strcmp(r->space, space) != 0 || !starts(r->instance, key) ||
                strcmp(r->check, "KL(q||R) <= 2T eps") != 0 || i + 1 >= rows->n)
                continue;
            r2 = rows->v + i + 1; /* the reverse-direction row follows */
            fprintf(f, "%.6e %s %s\n", eps_of(r->instance), r->measured, r2->measured);
        }
    }
    if (ae_outset_close_staged(set, f, err) != 0)
        return err->code;
    if ((f = ae_outset_open_staged(set, fdir, "kl-vs-eps.gp", err)) == NULL)
        return err->code;
    fprintf(f, "# gnuplot script (armebm): measured KL against eps with each bound, students of one\n"
               "# teacher (%s) on %s\nT = %d\n", shown, space, T);
    ae_gp_begin(f, "kl-vs-eps", 1, 1);
    fputs("  set logscale xy\n  set format xy '10^{%L}'\n  set key right bottom font ',7' spacing 0.9\n"
          "  set xlabel 'ε = ‖q − M(r)‖_∞'\n"
          "  set ylabel 'KL(p_q ‖ p_R)'\n"
          "  plot [1e-7:20] 2*T*x title '2Tε (Prop. 3)' with lines lc rgb 'black' lw 2, \\\n"
          "    T*x**2/2 title 'Tε^2/2 (Hoeffding)' with lines lc rgb 'black' dt 2 lw 2", f);
    for (j = 0; j < 6; j++)
        fprintf(f, ", \\\n    'kl-vs-eps.dat' index %d using 1:2 title '%s' with linespoints lc %d pt %d ps 0.6", j, fams[j],
                j + 1, j + 4);
    fputs("\n", f);
    ae_gp_end(f);
    if (ae_outset_close_staged(set, f, err) != 0)
        return err->code;

    /* KL against lookahead depth k, per reward family */
    if ((f = ae_outset_open_staged(set, fdir, "kl-vs-k.dat", err)) == NULL)
        return err->code;
    fprintf(f, "# %s lookahead students: k  KL(p_q||p_R)  KL(p_R||p_q)  2T eps_k (KL: certified upper ends; bound: certified lower end)\n", space);
    for (j = 0; j < 3; j++) {
        fprintf(f, "\n\n# %s\n", rewards[j]);
        snprintf(key, sizeof key, "%s lookahead k=", j ? rewards[j] : teacher);
        for (i = 0; i + 1 < rows->n; i++) {
            const ae_row *r = rows->v + i;
            const char *k = strstr(r->instance, "lookahead k=");
            if (strcmp(r->space, space) != 0 || !starts(r->instance, key) || k == NULL ||
                strcmp(r->check, "KL(q||R) <= 2T eps") != 0)
                continue;
            fprintf(f, "%d %s %s %s\n", atoi(k + 12), r->measured, rows->v[i + 1].measured, r->predicted);
        }
    }
    if (ae_outset_close_staged(set, f, err) != 0)
        return err->code;
    if ((f = ae_outset_open_staged(set, fdir, "kl-vs-k.gp", err)) == NULL)
        return err->code;
    fprintf(f, "# gnuplot script (armebm): KL of lookahead-k students on %s (k = T-1 is M(r):\n"
               "# KL = 0, not drawn); each family's bound 2T eps_k in its colour, dashed\n", space);
    ae_gp_begin(f, "kl-vs-k", 1, 1);
    fputs("  set logscale y\n  set format y '10^{%L}'\n  set key right top font ',7'\n  set xtics 1\n"
          "  set xlabel 'lookahead depth k (0: myopic, q = r)'\n"
          "  set ylabel 'KL(p_q ‖ p_R)  and  2Tε_k'\n  plot ", f);
    for (j = 0; j < 3; j++)
        fprintf(f, "%s'kl-vs-k.dat' index %d using 1:($2 > 1e-30 ? $2 : 1/0) title '%s' with linespoints lc %d lw 2 pt 7 ps 0.6, \\\n"
                   "    '' index %d using 1:($4 > 0 ? $4 : 1/0) title '%s: 2Tε_k' with linespoints lc %d dt 2 lw 2 pt 6 ps 0.6",
                j ? ", \\\n    " : "", j, rewards[j], j + 1, j, rewards[j], j + 1);
    fputs("\n", f);
    ae_gp_end(f);
    if (ae_outset_close_staged(set, f, err) != 0)
        return err->code;

    /* render when gnuplot is there; figures are a convenience, never a failure (a figure
       that could not be rendered is not replaced) */
    for (j = 0; j < 2; j++) {
        const char *gp = j ? "kl-vs-k.gp" : "kl-vs-eps.gp", *base = j ? "kl-vs-k" : "kl-vs-eps";
        int st = ae_outset_render(set, gp, base);
        if (st == 127)
            break; /* no gnuplot: the data and scripts are the figures */
        if (st != 0) {
            char where[1024]; /* the directory is the user's --out: no raw control bytes */
            ae_escape(where, sizeof shown, fdir);
            fprintf(stderr, "armebm: gnuplot could not render %s/%s; its data file is kept\n", where, gp);
        }
    }
    return rc;
}
