/* C6 (Proposition 2): supervised learning of an ARM and of an EBM have the same minimum,
   H_rho(Y|X), attained at corresponding points; L_ARM(q) = L_EBM(R_{M^{-1}(q)}) for every q;
   L_EBM(R) - H = KL(rho||p_R). Exact rationals where rho is exact, certified otherwise.
   Zero-mass responses make the minimum an infimum (logits -inf): terms of zero mass are left
   out of every rho-weighted sum, never multiplied as 0 * (-inf). */
#include "claim.h"

typedef struct {
    const ae_instance *in;
    const ae_data_struct *rho;
    uint64_t aux;
} c6_arg;

/* q*(s,a) = log(rho(s.a)/rho(s)); -inf where rho(s.a) = 0; rows of zero mass uniform (0). */
static void optimal_logits(ae_table_t q, arb_srcptr mass, const ae_data_t rho, const ae_space_t sp, slong prec)
{
    slong p, d, s, a;
    arb_t m;
    arb_init(m);
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                arb_srcptr ms = mass + p * sp->S + s;
                for (a = 0; a < sp->A; a++) {
                    arb_ptr x = ae_table_entry(q, p, s, a);
                    if (!ae_space_allowed(sp, d, a)) {
                        arb_neg_inf(x);
                        continue;
                    }
                    if (arb_is_zero(ms)) {
                        arb_zero(x);
                        continue;
                    }
                    if (ae_space_ends(sp, d, a))
                        arb_set(m, rho->b + p * rho->Y + ae_space_response_rank(sp, s, a));
                    else
                        arb_set(m, mass + p * sp->S + sp->first[d + 1] + (s - sp->first[d]) * sp->V + a);
                    if (arb_is_zero(m))
                        arb_neg_inf(x);
                    else {
                        arb_div(x, m, ms, prec);
                        arb_log(x, x, prec);
                    }
                }
            }
    arb_clear(m);
}

/* Risks of one prompt by walking every response:
   arm = sum_{rho(y)>0} rho(x,y) (-log p_q(y));  A = log sum_y exp R_r(y);
   ebm = rho(x) A - sum_{rho(y)>0} rho(x,y) R_r(y);  h = -sum rho(x,y) log(rho(x,y)/rho(x)). */
typedef struct {
    const ae_space_struct *sp;
    const ae_table_struct *q, *r;
    const ae_data_struct *rho;
    slong p, prec;
    arb_ptr L, R, V;
    arb_t rx, arm, z, rsum, h, t, u;
    int want_h;
} rctx;

static void r_state(void *vc, slong d, slong s)
{
    rctx *c = vc;
    if (c->q != NULL)
        _ae_row_lse(c->V + d, c->q, c->sp, c->p, s, d, c->prec);
}

static void r_edge(void *vc, slong d, slong s, slong a, slong child)
{
    rctx *c = vc;
    arb_ptr lq = child >= 0 ? c->L + d + 1 : c->t, rr = child >= 0 ? c->R + d + 1 : c->u;
    arb_srcptr w;
    if (c->q != NULL) {
        arb_sub(lq, ae_table_entry(c->q, c->p, s, a), c->V + d, c->prec);
        arb_add(lq, lq, c->L + d, c->prec);
    }
    if (c->r != NULL)
        arb_add(rr, c->R + d, ae_table_entry(c->r, c->p, s, a), c->prec);
    if (child >= 0)
        return;
    w = c->rho->b + c->p * c->rho->Y + ae_space_response_rank(c->sp, s, a);
    if (c->r != NULL && arf_is_finite(arb_midref(rr))) {
        arb_t e;
        arb_init(e);
        arb_exp(e, rr, c->prec);
        arb_add(c->z, c->z, e, c->prec);
        arb_clear(e);
    }
    if (arb_is_zero(w))
        return;
    if (c->q != NULL)
        arb_submul(c->arm, w, lq, c->prec);
    if (c->r != NULL)
        arb_addmul(c->rsum, w, rr, c->prec);
    if (c->want_h) { /* entropy term: -rho log(rho/rho(x)) */
        arb_t e;
        arb_init(e);
        arb_div(e, w, c->rx, c->prec);
        arb_log(e, e, c->prec);
        arb_submul(c->h, w, e, c->prec);
        arb_clear(e);
    }
}

static void risks(arb_t arm, arb_t ebm, arb_t h, const ae_table_t q, const ae_table_t r,
                  const ae_data_t rho, const ae_space_t sp, slong p, slong prec)
{
    rctx c;
    ae_visitor vis;
    slong y;
    c.sp = sp;
    c.q = q;
    c.r = r;
    c.rho = rho;
    c.p = p;
    c.prec = prec;
    c.want_h = (h != NULL);
    c.L = _arb_vec_init(sp->T + 1);
    c.R = _arb_vec_init(sp->T + 1);
    c.V = _arb_vec_init(sp->T);
    arb_init(c.rx);
    arb_init(c.arm);
    arb_init(c.z);
    arb_init(c.rsum);
    arb_init(c.h);
    arb_init(c.t);
    arb_init(c.u);
    for (y = 0; y < rho->Y; y++)
        arb_add(c.rx, c.rx, rho->b + p * rho->Y + y, prec);
    vis.state = r_state;
    vis.edge = r_edge;
    vis.ctx = &c;
    ae_walk(sp, &vis);
    if (arm)
        arb_set(arm, c.arm);
    if (ebm) {
        arb_log(c.z, c.z, prec);
        arb_mul(ebm, c.z, c.rx, prec);
        arb_sub(ebm, ebm, c.rsum, prec);
    }
    if (h)
        arb_set(h, c.h);
    _arb_vec_clear(c.L, sp->T + 1);
    _arb_vec_clear(c.R, sp->T + 1);
    _arb_vec_clear(c.V, sp->T);
    arb_clear(c.rx);
    arb_clear(c.arm);
    arb_clear(c.z);
    arb_clear(c.rsum);
    arb_clear(c.h);
    arb_clear(c.t);
    arb_clear(c.u);
}

/* KL(rho||p_q) by the chain rule: sum_s rho(s) sum_a pi*(a|s) (log pi* - log pi_q) */
static void kl_chain(arb_t kl, arb_srcptr mass, const ae_table_t qstar, const ae_table_t q,
                     const ae_space_t sp, slong p, slong prec)
{
    arb_t vs, vq, t, u, row;
    slong d, s, a;
    arb_init(vs);
    arb_init(vq);
    arb_init(t);
    arb_init(u);
    arb_init(row);
    arb_zero(kl);
    for (d = 0; d < sp->T; d++)
        for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
            arb_srcptr ms = mass + p * sp->S + s;
            if (arb_is_zero(ms))
                continue;
            _ae_row_lse(vs, qstar, sp, p, s, d, prec);
            _ae_row_lse(vq, q, sp, p, s, d, prec);
            arb_zero(row);
            for (a = 0; a < sp->A; a++) {
                arb_srcptr x = ae_table_entry(qstar, p, s, a);
                if (!ae_space_allowed(sp, d, a) || !arf_is_finite(arb_midref(x)))
                    continue;
                arb_sub(t, x, vs, prec);
                arb_exp(u, t, prec);
                arb_sub(t, t, ae_table_entry(q, p, s, a), prec);
                arb_add(t, t, vq, prec);
                arb_addmul(row, u, t, prec);
            }
            arb_addmul(kl, ms, row, prec);
        }
    arb_clear(vs);
    arb_clear(vq);
    arb_clear(t);
    arb_clear(u);
    arb_clear(row);
}

static ae_row *c6_row(ae_rows_t rows, const char *check, const c6_arg *a, const char *arith, slong prec)
{
    ae_row *row = ae_row_new(rows, "C6", check, a->in, arith, prec);
    snprintf(row->instance, sizeof row->instance, "%s", a->rho->name);
    return row;
}

static void c6_at(ae_rows_t rows, const void *varg, slong prec)
{
    const c6_arg *a = varg;
    const ae_space_struct *sp = a->in->sp;
    ae_data_struct local = *a->rho; /* exact masses enclosed afresh at this precision */
    const ae_data_struct *rho = &local;
    slong P = sp->P, p, k, n = P * rho->Y;
    arb_ptr mass = _arb_vec_init(P * sp->S);
    arb_ptr lhs = _arb_vec_init(P), rhs = _arb_vec_init(P), hh = _arb_vec_init(P);
    ae_table_t qs, rs, q, r, qp;
    ae_gen_t g;
    arb_t t, hsum;
    char note[48];
    ae_row *row;

    ae_table_init(qs, sp);
    ae_table_init(rs, sp);
    ae_table_init(q, sp);
    ae_table_init(r, sp);
    ae_table_init(qp, sp);
    arb_init(t);
    arb_init(hsum);
    local.b = _arb_vec_init(local.P * local.Y);
    for (k = 0; k < local.P * local.Y; k++)
        if (local.exact)
            arb_set_fmpq(local.b + k, local.q + k, prec);
        else
            arb_set(local.b + k, a->rho->b + k);
    snprintf(note, sizeof note, rho->zeros ? " (infimum: %ld zero-mass y)" : "", (long)rho->zeros);
    ae_data_prefix_arb(mass, rho, sp, prec);
    optimal_logits(qs, mass, rho, sp, prec);

    /* min L_ARM = L_ARM(q*) = H_rho(Y|X) */
    for (p = 0; p < P; p++) {
        risks(lhs + p, NULL, hh + p, qs, NULL, rho, sp, p, prec);
        arb_add(hsum, hsum, hh + p, prec);
    }
    ae_eq_row(rows, "C6", "min L_ARM = L_ARM(q*) = H(Y|X)", a->in, prec, lhs, hh, P, n);
    row = rows->v + rows->n - 1;
    snprintf(row->instance, sizeof row->instance, "%s%s", rho->name, note);
    snprintf(row->predicted, sizeof row->predicted, "H = ");
    ae_fmt_arb(row->predicted + 4, sizeof row->predicted - 4, hsum, 12);

    /* min L_EBM = L_EBM(R*) = H with R* = log rho(y|x), placed on the ending action */
    for (p = 0; p < P; p++)
        for (k = 0; k < sp->S * sp->A; k++) {
            slong s = k / sp->A, act = k % sp->A, d = ae_space_depth(sp, s);
            arb_ptr x = ae_table_entry(rs, p, s, act);
            if (!ae_space_allowed(sp, d, act))
                arb_neg_inf(x);
            else if (!ae_space_ends(sp, d, act))
                arb_zero(x);
            else {
                arb_srcptr w = rho->b + p * rho->Y + ae_space_response_rank(sp, s, act);
                if (arb_is_zero(w))
                    arb_neg_inf(x);
                else {
                    arb_div(x, w, mass + p * sp->S, prec);
                    arb_log(x, x, prec);
                }
            }
        }
    for (p = 0; p < P; p++)
        risks(NULL, lhs + p, NULL, NULL, rs, rho, sp, p, prec);
    ae_eq_row(rows, "C6", "min L_EBM = L_EBM(R*) = H(Y|X)", a->in, prec, lhs, hh, P, n);
    row = rows->v + rows->n - 1;
    snprintf(row->instance, sizeof row->instance, "%s%s", rho->name, note);

    /* the minimisers correspond: L_EBM(R_{M^-1(q*)}) = H */
    ae_bellman_unmap(r, qs, sp, prec);
    for (k = 0; k < P * sp->S * sp->A; k++) /* -inf - V is -inf; keep it so, not nan */
        if (arf_is_neg_inf(arb_midref(qs->v + k)))
            arb_neg_inf(r->v + k);
    for (p = 0; p < P; p++)
        risks(NULL, lhs + p, NULL, NULL, r, rho, sp, p, prec);
    ae_eq_row(rows, "C6", "L_EBM(R_unmap(q*)) = H(Y|X)", a->in, prec, lhs, hh, P, n);
    row = rows->v + rows->n - 1;
    snprintf(row->instance, sizeof row->instance, "%s", rho->name);

    /* every q: L_ARM(q) = L_EBM(R_{M^-1(q)}), and L_EBM(R) - H = KL(rho||p_R) (chain rule) */
    g->kind = AE_GEN_DYADIC;
    g->seed = a->aux;
    g->stream = 51;
    ae_gen_table(q, g, sp, prec);
    ae_bellman_unmap(r, q, sp, prec);
    for (p = 0; p < P; p++) {
        arb_t ebm;
        arb_init(ebm);
        risks(lhs + p, ebm, NULL, q, r, rho, sp, p, prec);
        arb_set(rhs + p, ebm);
        arb_clear(ebm);
    }
    ae_eq_row(rows, "C6", "L_ARM(q) = L_EBM(R_unmap(q)), random q", a->in, prec, lhs, rhs, P, n);
    row = rows->v + rows->n - 1;
    snprintf(row->instance, sizeof row->instance, "%s", rho->name);
    for (p = 0; p < P; p++) {
        arb_sub(lhs + p, rhs + p, hh + p, prec);  /* L_EBM - H */
        kl_chain(rhs + p, mass, qs, q, sp, p, prec); /* p_R = p_q for R = R_unmap(q) (C1) */
    }
    ae_eq_row(rows, "C6", "L_EBM(R) - H = KL(rho||p_R)", a->in, prec, lhs, rhs, P, n);
    row = rows->v + rows->n - 1;
    snprintf(row->instance, sizeof row->instance, "%s", rho->name);

    /* a perturbed optimum is not a minimiser of either risk: both strictly above H (with one
       response per prompt every q is optimal: then the risks equal H) */
    if (fmpz_is_one(sp->responses)) {
        ae_student_delta(qp, AE_STUDENT_SIGN, 0.125, a->aux, sp);
        for (k = 0; k < P * sp->S * sp->A; k++)
            arb_add(qp->v + k, qp->v + k, qs->v + k, prec);
        for (p = 0; p < P; p++)
            risks(lhs + p, NULL, NULL, qp, NULL, rho, sp, p, prec);
        ae_eq_row(rows, "C6", "one response: any q attains H", a->in, prec, lhs, hh, P, n);
        row = rows->v + rows->n - 1;
        snprintf(row->instance, sizeof row->instance, "%s", rho->name);
    } else {
        ae_verdict v = AE_VERIFIED;
        /* move the root policy of every prompt: +1/8 on its first finite logit when it has two,
           else open one of its -inf entries (mass leaks to a zero-mass branch) */
        ae_table_set(qp, qs);
        for (p = 0; p < P; p++) {
            slong first = -1, nfin = 0, closed = -1;
            for (k = 0; k < sp->A; k++) {
                arb_srcptr x = ae_table_entry(qs, p, 0, k);
                if (!ae_space_allowed(sp, 0, k))
                    continue;
                if (arf_is_finite(arb_midref(x))) {
                    nfin++;
                    if (first < 0)
                        first = k;
                } else if (closed < 0)
                    closed = k;
            }
            if (nfin >= 2) {
                arb_set_d(t, 0.125);
                arb_add(ae_table_entry(qp, p, 0, first), ae_table_entry(qp, p, 0, first), t, prec);
            } else if (closed >= 0)
                arb_set(ae_table_entry(qp, p, 0, closed), ae_table_entry(qs, p, 0, first));
        }
        ae_bellman_unmap(r, qp, sp, prec);
        for (k = 0; k < P * sp->S * sp->A; k++)
            if (arf_is_neg_inf(arb_midref(qp->v + k)))
                arb_neg_inf(r->v + k);
        arb_zero(t);
        for (p = 0; p < P; p++) {
            arb_t ebm;
            arb_init(ebm);
            risks(lhs + p, ebm, NULL, qp, r, rho, sp, p, prec);
            arb_add(t, t, lhs + p, prec);
            v = ae_verdict_meet(v, ae_verdict_meet(ae_cert_lt(hh + p, lhs + p), ae_cert_lt(hh + p, ebm)));
            arb_clear(ebm);
        }
        row = c6_row(rows, "perturbed q*: L_ARM, L_EBM > H", a, "certified", prec);
        snprintf(row->items, sizeof row->items, "%ld", (long)P);
        arb_sub(t, t, hsum, prec);
        snprintf(row->measured, sizeof row->measured, "gap ");
        ae_fmt_arb(row->measured + 4, sizeof row->measured - 4, t, 5);
        snprintf(row->predicted, sizeof row->predicted, "> 0");
        snprintf(row->tol, sizeof row->tol, "strict");
        row->verdict = v;
    }

    _arb_vec_clear(local.b, local.P * local.Y);
    _arb_vec_clear(mass, P * sp->S);
    _arb_vec_clear(lhs, P);
    _arb_vec_clear(rhs, P);
    _arb_vec_clear(hh, P);
    arb_clear(t);
    arb_clear(hsum);
    ae_table_clear(qs);
    ae_table_clear(rs);
    ae_table_clear(q);
    ae_table_clear(r);
    ae_table_clear(qp);
}

/* Exact: p_{q*}(y) = rho(y|x) for every y, and softmax(M(r*)) = pi* on every state of
   positive mass, with r* = log rho(y|x) on the ending action (potentials rho(y|x), 1 elsewhere). */
static void c6_exact(ae_rows_t rows, const c6_arg *a)
{
    const ae_space_struct *sp = a->in->sp;
    const ae_data_struct *rho = a->rho;
    slong P = sp->P, p, d, s, k, bad = 0, checked = 0;
    fmpq *mass = _fmpq_vec_init(P * sp->S);
    ae_qtable_t psi, phi;
    fmpq_t t, u, beta;
    ae_row *row;
    char detail[80] = "";

    ae_qtable_init(psi, sp);
    ae_qtable_init(phi, sp);
    fmpq_init(t);
    fmpq_init(u);
    fmpq_init(beta);
    ae_data_prefix_exact(mass, rho, sp);
    for (p = 0; p < P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (k = 0; k < sp->A; k++) {
                    fmpq *x = ae_qtable_entry(psi, p, s, k);
                    if (!ae_space_allowed(sp, d, k))
                        fmpq_zero(x);
                    else if (!ae_space_ends(sp, d, k))
                        fmpq_one(x);
                    else
                        fmpq_div(x, rho->q + p * rho->Y + ae_space_response_rank(sp, s, k), mass + p * sp->S);
                }
    ae_bellman_map_exact(phi, psi, sp);
    /* pi_{M(r*)}(a|s) = phi(s,a)/beta(s) against pi*(a|s) = rho(s.a)/rho(s) */
    for (p = 0; p < P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                if (fmpq_is_zero(mass + p * sp->S + s))
                    continue;
                fmpq_zero(beta);
                for (k = 0; k < sp->A; k++)
                    if (ae_space_allowed(sp, d, k))
                        fmpq_add(beta, beta, ae_qtable_entry(phi, p, s, k));
                for (k = 0; k < sp->A; k++) {
                    if (!ae_space_allowed(sp, d, k))
                        continue;
                    fmpq_div(t, ae_qtable_entry(phi, p, s, k), beta);
                    if (ae_space_ends(sp, d, k))
                        fmpq_set(u, rho->q + p * rho->Y + ae_space_response_rank(sp, s, k));
                    else
                        fmpq_set(u, mass + p * sp->S + sp->first[d + 1] + (s - sp->first[d]) * sp->V + k);
                    fmpq_div(u, u, mass + p * sp->S + s);
                    checked++;
                    if (!fmpq_equal(t, u) && bad++ == 0)
                        ae_entry_name(detail, sizeof detail, sp, (p * sp->S + s) * sp->A + k);
                }
            }
    row = c6_row(rows, "softmax M(r*) = pi* = rho(s.a)/rho(s)", a, "exact", 0);
    snprintf(row->items, sizeof row->items, "%ld", (long)checked);
    snprintf(row->measured, sizeof row->measured, "%s", bad ? detail : "0");
    snprintf(row->predicted, sizeof row->predicted, "0");
    snprintf(row->tol, sizeof row->tol, "exact");
    row->verdict = bad ? AE_VIOLATED : AE_VERIFIED;

    /* product of pi* along every y equals rho(y|x): the optimum reproduces the data exactly.
       Path products are carried down the tree (parents first), rho(y) enters only at the end. */
    bad = 0;
    checked = 0;
    {
        fmpq *prod = _fmpq_vec_init(sp->S);
        for (p = 0; p < P; p++) {
            fmpq_one(prod);
            for (d = 0; d < sp->T; d++)
                for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                    for (k = 0; k < sp->A; k++) {
                        fmpq *ms = mass + p * sp->S + s;
                        slong y;
                        if (!ae_space_allowed(sp, d, k))
                            continue;
                        if (!ae_space_ends(sp, d, k)) {
                            slong c = sp->first[d + 1] + (s - sp->first[d]) * sp->V + k;
                            if (fmpq_is_zero(ms))
                                fmpq_zero(prod + c);
                            else {
                                fmpq_mul(prod + c, prod + s, mass + p * sp->S + c);
                                fmpq_div(prod + c, prod + c, ms);
                            }
                            continue;
                        }
                        y = ae_space_response_rank(sp, s, k);
                        if (fmpq_is_zero(ms))
                            fmpq_zero(t);
                        else {
                            fmpq_mul(t, prod + s, rho->q + p * rho->Y + y);
                            fmpq_div(t, t, ms);
                        }
                        fmpq_div(u, rho->q + p * rho->Y + y, mass + p * sp->S);
                        checked++;
                        if (!fmpq_equal(t, u) && bad++ == 0)
                            snprintf(detail, sizeof detail, "differs at prompt %ld y#%ld", (long)p, (long)y);
                    }
        }
        _fmpq_vec_clear(prod, sp->S);
    }
    row = c6_row(rows, "p_q*(y) = rho(y|x) all y", a, "exact", 0);
    snprintf(row->items, sizeof row->items, "%ld", (long)checked);
    snprintf(row->measured, sizeof row->measured, "%s", bad ? detail : "0");
    snprintf(row->predicted, sizeof row->predicted, "0");
    snprintf(row->tol, sizeof row->tol, "exact");
    row->verdict = bad ? AE_VIOLATED : AE_VERIFIED;

    _fmpq_vec_clear(mass, P * sp->S);
    ae_qtable_clear(psi);
    ae_qtable_clear(phi);
    fmpq_clear(t);
    fmpq_clear(u);
    fmpq_clear(beta);
}

void ae_claim_c6(ae_rows_t rows, const ae_instance *in, const ae_data_t rho, uint64_t aux_seed,
                 slong prec, slong max_prec)
{
    c6_arg a;
    a.in = in;
    a.rho = rho;
    a.aux = aux_seed;
    if (rho->exact)
        c6_exact(rows, &a);
    else if (rho->prec > 0 && max_prec > rho->prec - AE_TOL_SLACK) /* inputs are no sharper */
        max_prec = prec > rho->prec - AE_TOL_SLACK ? prec : rho->prec - AE_TOL_SLACK;
    ae_escalate(rows, c6_at, &a, prec, max_prec);
}
