/* Figures of the distillation tables: gnuplot data and scripts are always written (plain text,
   deterministic); SVGs are rendered when gnuplot is installed. */
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

int ae_figures_distill(ae_outset_t set, const char *dir, const ae_rows_t rows, const char *space, ae_err_t err)
{
    static const char *const fams[] = {"uniform", "sign", "sparse", "value", "adv-fwd", "adv-rev"};
    static const char *const rewards[] = {"dyadic:seed=1", "summod3", "palindrome"};
    char fdir[1024], key[96];
    FILE *f;
    slong i;
    int j, T = 0, rc = 0;

    /* figures show the generated grid: nothing to draw for a user's teacher or student */
    for (i = 0; i < rows->n; i++)
        if (strcmp(rows->v[i].space, space) == 0 && starts(rows->v[i].instance, "dyadic:seed=1 "))
            break;
    if (i == rows->n)
        return 0;
    snprintf(fdir, sizeof fdir, "%s/figures", dir);
    {
        const char *c = strchr(space, ',');
        T = c ? atoi(c + 1) : 1;
    }

    /* KL(p_q || p_R) against eps, one block per family, seed 1 of `space` */
    if ((f = ae_outset_open_staged(set, fdir, "kl-vs-eps.dat", err)) == NULL)
        return err->code;
    fprintf(f, "# %s, teacher dyadic:seed=1: eps  KL(p_q||p_R)  KL(p_R||p_q) (certified upper ends)\n", space);
    for (j = 0; j < 6; j++) {
        fprintf(f, "\n\n# %s\n", fams[j]);
        snprintf(key, sizeof key, "dyadic:seed=1 %s ", fams[j]);
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
    fprintf(f, "# gnuplot script (armebm): measured KL against eps with each bound\n"
               "set terminal svg size 800,560 dynamic font 'sans,11'\nset output 'kl-vs-eps.svg'\n"
               "set logscale xy\nset format xy '10^{%%L}'\nset key left top\n"
               "set xlabel 'eps = max |q - M(r)|'\nset ylabel 'KL(p_q || p_R)'\n"
               "set title 'Students of one teacher on %s: measured KL vs predicted bounds'\nT = %d\n"
               "plot [1e-7:20] 2*T*x title '2T eps (Prop. 3)' with lines lw 2, \\\n"
               "  T*x**2/2 title 'T eps^2/2 (Hoeffding)' with lines dt 2 lw 2", space, T);
    for (j = 0; j < 6; j++)
        fprintf(f, ", \\\n  'kl-vs-eps.dat' index %d using 1:2 title '%s' with linespoints", j, fams[j]);
    fprintf(f, "\n");
    if (ae_outset_close_staged(set, f, err) != 0)
        return err->code;

    /* KL against lookahead depth k, per reward family */
    if ((f = ae_outset_open_staged(set, fdir, "kl-vs-k.dat", err)) == NULL)
        return err->code;
    fprintf(f, "# %s lookahead students: k  KL(p_q||p_R)  KL(p_R||p_q)  2T eps_k (KL: certified upper ends; bound: certified lower end)\n", space);
    for (j = 0; j < 3; j++) {
        fprintf(f, "\n\n# %s\n", rewards[j]);
        snprintf(key, sizeof key, "%s lookahead k=", rewards[j]);
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
    fprintf(f, "# gnuplot script (armebm): KL of lookahead-k students\n"
               "set terminal svg size 800,560 dynamic font 'sans,11'\nset output 'kl-vs-k.svg'\n"
               "set logscale y\nset format y '10^{%%L}'\nset key right top\nset xtics 1\n"
               "set xlabel 'lookahead depth k (0 = myopic q = r)'\nset ylabel 'KL(p_q || p_R)'\n"
               "set title 'Lookahead students on %s (k = T-1 is M(r): KL = 0, not drawn)'\n"
               "plot ", space);
    for (j = 0; j < 3; j++)
        fprintf(f, "%s'kl-vs-k.dat' index %d using 1:($2 > 1e-30 ? $2 : 1/0) title '%s' with linespoints lw 2, "
                   "'' index %d using 1:($4 > 0 ? $4 : 1/0) title '%s: 2T eps_k' with lines dt 2",
                j ? ", \\\n  " : "", j, rewards[j], j, rewards[j]);
    fprintf(f, "\n");
    if (ae_outset_close_staged(set, f, err) != 0)
        return err->code;

    /* render when gnuplot is there; figures are a convenience, never a failure (a figure
       that could not be rendered is not replaced) */
    for (j = 0; j < 2; j++) {
        const char *gp = j ? "kl-vs-k.gp" : "kl-vs-eps.gp", *svg = j ? "kl-vs-k.svg" : "kl-vs-eps.svg";
        int st = ae_outset_render(set, gp, svg);
        if (st == 127)
            break; /* no gnuplot: the data and scripts are the figures */
        if (st != 0) {
            char shown[1024]; /* the directory is the user's --out: no raw control bytes */
            ae_escape(shown, sizeof shown, fdir);
            fprintf(stderr, "armebm: gnuplot could not render %s/%s; its data file is kept\n", shown, gp);
        }
    }
    return rc;
}
