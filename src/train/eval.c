/* Certified evaluation of one logged iterate (q_k, R_k): both optimality gaps, the logit
   distances before and after mapping, and KL(p_R* || p_q_k) against 2T ||M(r*) - q_k||_inf and
   against 2T ||c(M(r*)) - c(q_k)||_inf (rows centred: softmax ignores a shift per state, so
   replacing q_k by its row-shifted copy nearest M(r*) keeps p_q_k and Proposition 3 applies).
   The iterates are doubles, read exactly into balls; every quantity is an enclosure at
   pb->prec, and what is recorded is its certified upper (or lower) end. */
#include "ae-impl.h"

/* An upper end that is NaN (a ball of diverged iterates) bounds nothing: +inf, so that neither
   fmax(0, .) nor a running maximum turns it into a small number. */
static void nan_up(arf_t u)
{
    if (arf_is_nan(u))
        arf_pos_inf(u);
}

/* certified upper end of x, as a double rounded up */
static double up_d(const arb_t x, slong prec)
{
    arf_t u;
    double r;
    arf_init(u);
    arb_get_ubound_arf(u, x, prec);
    nan_up(u);
    r = arf_get_d(u, ARF_RND_CEIL);
    arf_clear(u);
    return r;
}

/* z = max(z, upper bound of |x|) */
static void max_abs_up(arf_t z, const arb_t x, slong prec)
{
    arf_t u;
    arf_init(u);
    arb_get_abs_ubound_arf(u, x, prec);
    nan_up(u);
    if (arf_cmp(u, z) > 0)
        arf_set(z, u);
    arf_clear(u);
}

/* v = LSE of the doubles x[0..n-1], shifted by their largest m (exact in Arb): arb_exp of
   a diverged iterate near 1e306 gives [+-inf] though Arb's exponents are unbounded, while
   exp(x - m) <= 1. */
static void lse_d(arb_t v, const double *x, slong n, slong prec)
{
    arb_t t;
    arf_t m;
    double mx = x[0];
    slong i;
    for (i = 1; i < n; i++)
        mx = x[i] > mx ? x[i] : mx;
    arf_init(m);
    if (isfinite(mx))
        arf_set_d(m, mx);
    arb_init(t);
    arb_zero(v);
    for (i = 0; i < n; i++) {
        arb_set_d(t, x[i]);
        arb_sub_arf(t, t, m, prec);
        arb_exp(t, t, prec);
        arb_add(v, v, t, prec);
    }
    arb_log(v, v, prec);
    arb_add_arf(v, v, m, prec);
    arb_clear(t);
    arf_clear(m);
}

/* lo = max(lo, lower bound of |x|), hi = max(hi, upper bound of |x|) */
static void track_abs(arf_t lo, arf_t hi, const arb_t x, arf_t tmp, slong prec)
{
    arb_get_abs_lbound_arf(tmp, x, prec);
    if (arf_cmp(tmp, lo) > 0)
        arf_set(lo, tmp);
    arb_get_abs_ubound_arf(tmp, x, prec);
    nan_up(tmp);
    if (arf_cmp(tmp, hi) > 0)
        arf_set(hi, tmp);
}

/* The ARM gap is computed as E_rho[log rho(y|x) - log p_q(y|x)] = sum_x rho(x) KL_x, which is
   L_ARM(q) - H_rho(Y|X) term by term (no cancellation between two large sums); the EBM gap as
   L_EBM(R) - H_rho(Y|X) from its definition. */
void ae_train_eval(ae_train_point *pt, const double *q, const double *R, ae_train_problem_t pb)
{
    const ae_space_struct *sp = pb->sp;
    const slong P = sp->P, S = sp->S, A = sp->A, T = sp->T, V = sp->V, prec = pb->prec;
    const slong Y = fmpz_get_si(sp->responses);
    arb_srcptr rho = pb->rho->b;
    /* per state: V_q(s), sum of q along the path to s, sum of V_q along the path including s */
    arb_ptr vs = pb->work, qp = vs + S, vp = qp + S, u = vp + S, w = u + Y;
    arb_t garm, lebm, t, x, klx, usum, mean, bnd;
    arf_t dbefore, dafter, klmax, bndmax, bndcmax, lb, elo, ehi, clo, chi, tmp, rup;
    ae_verdict verdict = AE_VERIFIED;
    double ratio = 0;
    slong p, d, s, a, y;

    arb_init(garm);
    arb_init(lebm);
    arb_init(t);
    arb_init(x);
    arb_init(klx);
    arb_init(usum);
    arb_init(mean);
    arb_init(bnd);
    arf_init(dbefore);
    arf_init(dafter);
    arf_init(klmax);
    arf_init(bndmax);
    arf_init(lb);
    arf_init(elo);
    arf_init(ehi);
    arf_init(clo);
    arf_init(chi);
    arf_init(bndcmax);
    arf_init(rup);
    arf_init(tmp);

    for (p = 0; p < P; p++) {
        arb_srcptr rho_p = rho + p * Y, rs_p = pb->rstar + p * Y, mass_p = pb->mass + p * S;
        arb_zero(qp);
        arb_zero(usum);
        arb_zero(klx);
        arf_zero(elo);
        arf_zero(ehi);
        arf_zero(clo);
        arf_zero(chi);
        for (d = 0; d < T; d++) {
            const slong lo = (sp->kind == AE_EOS && d == T - 1) ? V : 0, n = A - lo;
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                const double *row = q + (p * S + s) * A;
                arb_srcptr qs = ae_table_entry(pb->qstar, p, s, 0);
                lse_d(vs + s, row + lo, n, prec); /* V_q(s) */
                if (d == 0)
                    arb_set(vp + s, vs + s);
                else
                    arb_add(vp + s, vp + s, vs + s, prec); /* vp held the parent's path sum */
                arb_zero(x); /* row sum of w = q - M(r*) */
                for (a = lo; a < A; a++) {
                    arb_set_d(t, row[a]);
                    arb_sub(w + a, t, qs + a, prec);
                    arb_add(x, x, w + a, prec);
                    track_abs(elo, ehi, w + a, tmp, prec);
                    if (ae_space_ends(sp, d, a)) {
                        y = ae_space_response_rank(sp, s, a);
                        arb_add(t, t, qp + s, prec);       /* sum_t q(s_t, y_t) */
                        arb_sub(u + y, t, rs_p + y, prec); /* minus R*(x,y) */
                        arb_add(usum, usum, u + y, prec);
                        /* log rho(y|x) - log p_q(y|x) = sum_t V_q(s_t) - u(y) */
                        arb_sub(t, vp + s, u + y, prec);
                        arb_addmul(klx, rho_p + y, t, prec);
                    } else {
                        slong c = sp->first[d + 1] + (s - sp->first[d]) * V + a;
                        arb_add(qp + c, qp + s, t, prec);
                        arb_set(vp + c, vp + s);
                    }
                }
                arb_div_si(x, x, n, prec); /* c_{-1}: centre the row by its mean */
                for (a = lo; a < A; a++) {
                    arb_sub(t, w + a, x, prec);
                    max_abs_up(dafter, t, prec);
                    track_abs(clo, chi, t, tmp, prec);
                }
            }
        }
        /* c: centre over the responses of x */
        arb_div_si(mean, usum, Y, prec);
        for (y = 0; y < Y; y++) {
            arb_sub(t, u + y, mean, prec);
            max_abs_up(dbefore, t, prec);
        }
        /* klx = rho(x) KL_x; the ARM gap sums them */
        arb_add(garm, garm, klx, prec);
        arb_div(klx, klx, mass_p, prec);
        arb_get_ubound_arf(lb, klx, prec);
        nan_up(lb);
        if (arf_cmp(lb, klmax) > 0)
            arf_set(klmax, lb);
        /* 2T eps_x, eps_x = max |M(r*) - q| over x's entries, enclosed in [elo, ehi] */
        arf_mul_si(elo, elo, 2 * T, ARF_PREC_EXACT, ARF_RND_DOWN);
        arf_mul_si(ehi, ehi, 2 * T, ARF_PREC_EXACT, ARF_RND_DOWN);
        arb_set_interval_arf(bnd, elo, ehi, prec);
        if (arf_cmp(elo, bndmax) > 0)
            arf_set(bndmax, elo);
        verdict = ae_verdict_meet(verdict, ae_cert_le(klx, bnd));
        /* the same with the centred distance eps_c,x in [clo, chi]; the ratio is certified:
           KL's upper end over the bound's lower end, rounded up (inf when that end is 0) */
        arf_mul_si(clo, clo, 2 * T, ARF_PREC_EXACT, ARF_RND_DOWN);
        arf_mul_si(chi, chi, 2 * T, ARF_PREC_EXACT, ARF_RND_DOWN);
        arb_set_interval_arf(bnd, clo, chi, prec);
        if (arf_cmp(clo, bndcmax) > 0)
            arf_set(bndcmax, clo);
        verdict = ae_verdict_meet(verdict, ae_cert_le(klx, bnd));
        if (arf_sgn(lb) <= 0)
            arf_zero(rup);
        else if (arf_sgn(clo) <= 0)
            arf_pos_inf(rup);
        else
            arf_div(rup, lb, clo, 53, ARF_RND_UP);
        if (arf_get_d(rup, ARF_RND_CEIL) > ratio)
            ratio = arf_get_d(rup, ARF_RND_CEIL);

        /* EBM: L += rho(x) A(x) - sum_y rho(x,y) R(x,y) */
        lse_d(t, R + p * Y, Y, prec);
        arb_addmul(lebm, mass_p, t, prec);
        for (y = 0; y < Y; y++) {
            arb_set_d(t, R[p * Y + y]);
            arb_submul(lebm, rho_p + y, t, prec);
        }
    }
    arb_sub(lebm, lebm, pb->ent, prec);
    pt->gap_arm = fmax(0, up_d(garm, prec));
    pt->gap_ebm = fmax(0, up_d(lebm, prec));
    pt->dist_before = arf_get_d(dbefore, ARF_RND_CEIL);
    pt->dist_after = arf_get_d(dafter, ARF_RND_CEIL);
    pt->kl = fmax(0, arf_get_d(klmax, ARF_RND_CEIL));
    pt->bound = arf_get_d(bndmax, ARF_RND_FLOOR);
    pt->bound_c = arf_get_d(bndcmax, ARF_RND_FLOOR);
    pt->ratio = ratio;
    pt->verdict = verdict;

    arb_clear(garm);
    arb_clear(lebm);
    arb_clear(t);
    arb_clear(x);
    arb_clear(klx);
    arb_clear(usum);
    arb_clear(mean);
    arb_clear(bnd);
    arf_clear(dbefore);
    arf_clear(dafter);
    arf_clear(klmax);
    arf_clear(bndmax);
    arf_clear(lb);
    arf_clear(elo);
    arf_clear(ehi);
    arf_clear(clo);
    arf_clear(chi);
    arf_clear(bndcmax);
    arf_clear(rup);
    arf_clear(tmp);
}
