/* C7-C9: a student's certified KL against every predicted bound (Lemma 1, Proposition 3 and
   our sharper bounds), with the measured/bound ratio and a verdict per bound. */
#include "claim.h"

static void b_prop3(arb_t b, const ae_distill_t m, const ae_space_t sp, slong prec)
{
    arb_mul_si(b, m->eps, 2 * sp->T, prec);
}

static void hoeffding(arb_t b, const arb_t len, const ae_distill_t m, slong prec)
{
    arb_sqr(b, m->eps, prec);
    arb_mul(b, b, len, prec);
    arb_mul_2exp_si(b, b, -1);
}

static void b_hoeff_len_q(arb_t b, const ae_distill_t m, const ae_space_t sp, slong prec)
{
    (void)sp;
    hoeffding(b, m->len_q, m, prec);
}

static void b_hoeff_len_r(arb_t b, const ae_distill_t m, const ae_space_t sp, slong prec)
{
    (void)sp;
    hoeffding(b, m->len_r, m, prec);
}

static void b_hoeff_T(arb_t b, const ae_distill_t m, const ae_space_t sp, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_set_si(t, sp->T);
    hoeffding(b, t, m, prec);
    arb_clear(t);
}

static void b_sw_q(arb_t b, const ae_distill_t m, const ae_space_t sp, slong prec)
{
    (void)sp;
    (void)prec;
    arb_set(b, m->sw_q);
}

static void b_sw_r(arb_t b, const ae_distill_t m, const ae_space_t sp, slong prec)
{
    (void)sp;
    (void)prec;
    arb_set(b, m->sw_r);
}

const ae_bound ae_bounds_kl[] = {
    {"C8", "KL(q||R) <= 2T eps", 0, b_prop3},
    {"C8", "KL(R||q) <= 2T eps", 1, b_prop3},
    {"C9", "KL(q||R) <= E_q|y| eps^2/2", 0, b_hoeff_len_q},
    {"C9", "KL(R||q) <= E_R|y| eps^2/2", 1, b_hoeff_len_r},
    {"C9", "KL(q||R) <= T eps^2/2", 0, b_hoeff_T},
    {"C9", "KL(R||q) <= T eps^2/2", 1, b_hoeff_T},
    {"C9", "KL(q||R) <= sum p_q(s) min(rng,rng^2/8)", 0, b_sw_q},
    {"C9", "KL(R||q) <= sum p_R(s) min(rng,rng^2/8)", 1, b_sw_r},
    {NULL, NULL, 0, NULL}};

typedef struct {
    const ae_instance *in;
    const ae_student_spec *st;
    const ae_bound *bounds;
} distill_arg;

static void fmt_ratio(char *buf, size_t n, double r)
{
    if (r < 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.3e", r);
}

/* ratio of midpoints; -1 ("-") when the bound is 0 within the tolerance, where a ratio of two
   rounding errors would mean nothing */
static double mid_ratio(const arb_t meas, const arb_t bound, const arf_t tol)
{
    double b = arf_get_d(arb_midref(bound), ARF_RND_NEAR);
    arf_t u;
    int tiny;
    arf_init(u);
    arb_get_abs_ubound_arf(u, bound, 64);
    tiny = arf_cmp(u, tol) <= 0;
    arf_clear(u);
    if (b <= 0 || tiny)
        return -1;
    return arf_get_d(arb_midref(meas), ARF_RND_NEAR) / b;
}

static ae_row *student_row(ae_rows_t rows, const char *claim, const char *check, const distill_arg *a,
                           const char *eps, slong prec)
{
    /* lookahead students are C10's table: their rows carry that claim, whatever the bound */
    ae_row *row = ae_row_new(rows, a->st->kind == AE_STUDENT_LOOKAHEAD ? "C10" : claim, check, a->in,
                             "certified", prec);
    snprintf(row->instance, sizeof row->instance, "%s %s eps=%s", a->in->name, a->st->label, eps);
    return row;
}

static void distill_at(ae_rows_t rows, const void *varg, slong prec)
{
    const distill_arg *a = varg;
    const ae_instance *in = a->in;
    const ae_space_struct *sp = in->sp;
    slong P = sp->P, p, i, n = 0;
    ae_table_t r, qs, dl;
    ae_distill_struct *m = ae_malloc((size_t)P * sizeof(ae_distill_struct));
    arb_t b, wb, wm, e;
    arf_t u, tol;
    char epsbuf[32], buf[80], *same = NULL;
    ae_row *row;

    ae_table_init(r, sp);
    ae_table_init(qs, sp);
    ae_table_init(dl, sp);
    arb_init(b);
    arb_init(wb);
    arb_init(wm);
    arb_init(e);
    arf_init(u);
    arf_init(tol);
    if (in->r != NULL)
        ae_table_set(r, in->r);
    else
        ae_gen_table(r, &in->gen, sp, prec);
    ae_bellman_map(qs, r, sp, prec);
    ae_student_build(dl, a->st, r, qs, sp, prec);
    if (a->st->kind == AE_STUDENT_LOOKAHEAD) { /* rows with the teacher's policy, decided exactly */
        same = ae_malloc((size_t)(P * sp->S));
        if (!ae_student_lookahead_exact(same, dl, r, a->st->k, sp)) {
            free(same);
            same = NULL;
        }
    }
    arb_zero(e);
    for (p = 0; p < P; p++) {
        ae_distill_init(m + p);
        m[p].same_policy = same;
        ae_distill_measure(m + p, qs, dl, sp, p, prec);
        arb_max(e, e, m[p].eps, prec);
        n += m[p].responses;
    }
    { /* a label, so rounded to nearest: 1e-3 reads 1.00e-03, not 1.01e-03 */
        mpfr_t x;
        mpfr_init2(x, 64);
        arf_get_mpfr(x, arb_midref(e), MPFR_RNDN);
        mpfr_snprintf(epsbuf, sizeof epsbuf, "%.2Re", x);
        mpfr_clear(x);
    }
    arf_one(tol);
    arf_mul_2exp_si(tol, tol, -(prec - AE_TOL_SLACK));

    for (i = 0; a->bounds[i].name != NULL; i++) {
        const ae_bound *bd = a->bounds + i;
        ae_verdict v = AE_VERIFIED;
        double worst = -1;
        int exact = 1; /* every prompt decided between exact numbers (e.g. 0 <= 0) */
        for (p = 0; p < P; p++) {
            arb_srcptr meas = bd->reverse ? m[p].kl_rq : m[p].kl_qr;
            ae_verdict vp;
            double rt;
            bd->eval(b, m + p, sp, prec);
            vp = ae_cert_le(meas, b);
            exact &= arb_is_exact(meas) && arb_is_exact(b);
            v = ae_verdict_meet(v, vp);
            rt = mid_ratio(meas, b, tol);
            if (p == 0 || rt > worst || vp == AE_VIOLATED) {
                worst = rt;
                arb_set(wb, b);
                arb_set(wm, meas);
            }
        }
        row = student_row(rows, bd->claim, bd->name, a, epsbuf, prec);
        snprintf(row->items, sizeof row->items, "%ld", (long)n);
        arb_get_ubound_arf(u, wm, prec);
        ae_fmt_ubound(row->measured, sizeof row->measured, u);
        arb_get_lbound_arf(u, wb, prec); /* the bound as certified from below, never < 0 */
        if (arf_sgn(u) < 0)
            arf_zero(u);
        ae_fmt_lbound(buf, sizeof buf, u);
        snprintf(row->predicted, sizeof row->predicted, "%s", buf);
        fmt_ratio(row->ratio, sizeof row->ratio, worst);
        snprintf(row->tol, sizeof row->tol, "%s", exact ? "exact" : "strict");
        row->verdict = v;
    }

    /* Lemma 1 on every state, and the per-path bound on every response */
    {
        ae_verdict v1 = AE_VERIFIED, v2 = AE_VERIFIED;
        double r1 = -1, r2 = -1;
        int x1 = 1, x2 = 1;
        slong states = 0;
        arb_zero(wm);
        for (p = 0; p < P; p++) {
            v1 = ae_verdict_meet(v1, m[p].lemma1);
            v2 = ae_verdict_meet(v2, m[p].perpath);
            x1 &= m[p].lemma1_exact;
            x2 &= m[p].perpath_exact;
            r1 = fmax(r1, arf_get_d(arb_midref(m[p].lemma1_ratio), ARF_RND_NEAR));
            r2 = fmax(r2, arf_get_d(arb_midref(m[p].perpath_ratio), ARF_RND_NEAR));
            states += m[p].lemma1_states;
            arb_max(wm, wm, m[p].maxlr, prec);
        }
        row = student_row(rows, "C7", "KL_s <= 2 eps_s every state, both ways", a, epsbuf, prec);
        snprintf(row->items, sizeof row->items, "%ld", (long)states);
        snprintf(row->measured, sizeof row->measured, "max KL_s/(2 eps_s)");
        snprintf(row->predicted, sizeof row->predicted, "<= 1");
        fmt_ratio(row->ratio, sizeof row->ratio, r1);
        snprintf(row->tol, sizeof row->tol, "%s", x1 ? "exact" : "strict");
        row->verdict = v1;
        row = student_row(rows, "C9", "|log p_q(y)/p_R(y)| <= 2|y| eps all y", a, epsbuf, prec);
        snprintf(row->items, sizeof row->items, "%ld", (long)n);
        arb_get_ubound_arf(u, wm, prec);
        ae_fmt_ubound(row->measured, sizeof row->measured, u);
        snprintf(row->predicted, sizeof row->predicted, "2|y| eps");
        fmt_ratio(row->ratio, sizeof row->ratio, r2);
        snprintf(row->tol, sizeof row->tol, "%s", x2 ? "exact" : "strict");
        row->verdict = v2;
    }

    /* TV and Pinsker (TV <= sqrt(KL/2)) make the distributional gap visible in one number */
    {
        ae_verdict v = AE_VERIFIED;
        double worst = -1;
        int exact = 1;
        for (p = 0; p < P; p++) {
            ae_verdict vp;
            arb_mul_2exp_si(b, m[p].kl_qr, -1);
            arb_sqrtpos(b, b, prec);
            vp = ae_cert_le(m[p].tv, b);
            exact &= arb_is_exact(m[p].tv) && arb_is_exact(b);
            v = ae_verdict_meet(v, vp);
            /* the bound is sqrt(KL/2): KL = 0 within tol makes it about sqrt(tol) */
            arf_one(u);
            arf_mul_2exp_si(u, u, -(prec - AE_TOL_SLACK) / 2);
            if (p == 0 || mid_ratio(m[p].tv, b, u) > worst) {
                worst = mid_ratio(m[p].tv, b, u);
                arb_set(wm, m[p].tv);
                arb_set(wb, b);
            }
        }
        row = student_row(rows, "C9", "TV <= sqrt(KL(q||R)/2) (Pinsker)", a, epsbuf, prec);
        snprintf(row->items, sizeof row->items, "%ld", (long)n);
        arb_get_ubound_arf(u, wm, prec);
        ae_fmt_ubound(row->measured, sizeof row->measured, u);
        arb_get_lbound_arf(u, wb, prec);
        if (arf_sgn(u) < 0)
            arf_zero(u);
        ae_fmt_lbound(row->predicted, sizeof row->predicted, u);
        fmt_ratio(row->ratio, sizeof row->ratio, worst);
        snprintf(row->tol, sizeof row->tol, "%s", exact ? "exact" : "strict");
        row->verdict = v;
    }

    if (a->st->kind == AE_STUDENT_ROWCONST) { /* shift invariance: exactly the teacher's p */
        ae_verdict v = AE_VERIFIED;
        int exact = 1;
        arf_t dev, t2, wt;
        arf_init(dev);
        arf_init(t2);
        arf_init(wt);
        arb_zero(wm);
        arb_zero(b);
        arf_zero(wt);
        for (p = 0; p < P; p++) { /* the tolerance printed: the largest of those the rule used */
            v = ae_verdict_meet(v, ae_cert_eq(dev, t2, m[p].kl_qr, b, prec));
            arf_max(wt, wt, t2);
            v = ae_verdict_meet(v, ae_cert_eq(dev, t2, m[p].kl_rq, b, prec));
            arf_max(wt, wt, t2);
            exact &= arb_is_zero(m[p].kl_qr) && arb_is_zero(m[p].kl_rq);
            arb_max(wm, wm, m[p].kl_qr, prec);
            arb_max(wm, wm, m[p].kl_rq, prec);
        }
        row = student_row(rows, "C8", "row-constant delta: KL = 0 both ways", a, epsbuf, prec);
        snprintf(row->items, sizeof row->items, "%ld", (long)P);
        arb_get_abs_ubound_arf(u, wm, prec);
        ae_fmt_ubound(row->measured, sizeof row->measured, u);
        snprintf(row->predicted, sizeof row->predicted, "0");
        if (exact)
            snprintf(row->tol, sizeof row->tol, "exact");
        else
            ae_fmt_ubound(row->tol, sizeof row->tol, wt);
        row->verdict = v;
        arf_clear(dev);
        arf_clear(t2);
        arf_clear(wt);
    }

    for (p = 0; p < P; p++)
        ae_distill_clear(m + p);
    free(m);
    free(same);
    arb_clear(b);
    arb_clear(wb);
    arb_clear(wm);
    arb_clear(e);
    arf_clear(u);
    arf_clear(tol);
    ae_table_clear(r);
    ae_table_clear(qs);
    ae_table_clear(dl);
}

void ae_claim_distill(ae_rows_t rows, const ae_instance *in, const ae_student_spec *st,
                      const ae_bound *bounds, slong prec, slong max_prec)
{
    distill_arg a;
    a.in = in;
    a.st = st;
    a.bounds = bounds;
    ae_escalate(rows, distill_at, &a, prec, max_prec);
}
