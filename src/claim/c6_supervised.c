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

/* pi*(a|s) = rho(s.a)/rho(s) and its log, from the prefix masses alone (never from a logit
   table); 0 and -inf where rho(s.a) = 0 or on rows of zero mass. */
static void optimal_policy(ae_table_t pi, ae_table_t lpi, arb_srcptr mass, const ae_data_t rho,
                           const ae_space_t sp, slong prec)
{
    slong p, d, s, a;
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    arb_srcptr ms = mass + p * sp->S + s, w;
                    arb_ptr x = ae_table_entry(pi, p, s, a), lx = ae_table_entry(lpi, p, s, a);
                    if (!ae_space_allowed(sp, d, a) || arb_is_zero(ms)) {
                        arb_zero(x);
                        arb_neg_inf(lx);
                        continue;
                    }
                    w = ae_space_ends(sp, d, a) ? rho->b + p * rho->Y + ae_space_response_rank(sp, s, a)
                                                : mass + p * sp->S + ae_space_child(sp, s, a);
                    if (arb_is_zero(w)) {
                        arb_zero(x);
                        arb_neg_inf(lx);
                        continue;
                    }
                    arb_div(x, w, ms, prec);
                    arb_log(lx, x, prec);
                }
}

/* sum_s rho(s) KL(pi*(.|s) || pi_q(.|s)) with pi* from optimal_policy and pi_q the softmax of
   q's row: the state-level route to L_ARM(q) - H, which the risks compute over responses. */
static void kl_states(arb_t kl, arb_srcptr mass, const ae_table_t pi, const ae_table_t lpi,
                      const ae_table_t q, const ae_space_t sp, slong p, slong prec)
{
    arb_t vq, t, row;
    slong d, s, a;
    arb_init(vq);
    arb_init(t);
    arb_init(row);
    arb_zero(kl);
    for (d = 0; d < sp->T; d++)
        for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
            arb_srcptr ms = mass + p * sp->S + s;
            if (arb_is_zero(ms))
                continue;
            _ae_row_lse(vq, q, sp, p, s, d, prec);
            arb_zero(row);
            for (a = 0; a < sp->A; a++) {
                if (!ae_space_allowed(sp, d, a) || arb_is_zero(ae_table_entry(pi, p, s, a)))
                    continue;
                arb_sub(t, ae_table_entry(lpi, p, s, a), ae_table_entry(q, p, s, a), prec);
                arb_add(t, t, vq, prec);
                arb_addmul(row, ae_table_entry(pi, p, s, a), t, prec);
            }
            arb_addmul(kl, ms, row, prec);
        }
    arb_clear(vq);
    arb_clear(t);
    arb_clear(row);
}

/* Random tables per instance on which minimality is certified (each of q and R). */
#define C6_SAMPLES 4

/* A random EBM on responses, R(x,y) = log psi(x,y) with psi a seeded integer in [1,16]. Sets
   ebm to the prompt's part of L_EBM(R), rho(x) LSE_y R(x,y) - sum_y rho(x,y) R(x,y), in ball
   arithmetic on R; and kl to KL(rho||p_R) = sum_y rho(x,y) log(rho(y|x)/p_R(y|x)) with
   p_R = psi/sum psi normalised exactly in integers: two routes to L_EBM(R) - H. */
static void random_ebm(arb_t ebm, arb_t kl, const ae_data_t rho, const arb_t rx, uint64_t seed,
                       uint64_t stream, slong p, slong prec)
{
    slong y, Y = rho->Y;
    fmpz *psi = _fmpz_vec_init(Y);
    fmpz_t tot;
    fmpq_t pr;
    arb_t R, z, t, u;
    arb_ptr lg = _arb_vec_init(AE_POTENTIAL_MAX), ex = _arb_vec_init(AE_POTENTIAL_MAX);
    fmpz_init(tot);
    fmpq_init(pr);
    arb_init(R);
    arb_init(z);
    arb_init(t);
    arb_init(u);
    for (y = 0; y < Y; y++) {
        fmpz_set_ui(psi + y, 1 + ae_hash(seed, stream, (uint64_t)p, (uint64_t)y, 0) % AE_POTENTIAL_MAX);
        fmpz_add(tot, tot, psi + y);
    }
    arb_zero(ebm);
    arb_zero(kl);
    for (y = 1; y <= AE_POTENTIAL_MAX; y++) { /* R takes these 16 values: exp(R) and R once each */
        arb_set_si(ex + y - 1, y);
        arb_log(lg + y - 1, ex + y - 1, prec);
        arb_exp(ex + y - 1, lg + y - 1, prec);
    }
    for (y = 0; y < Y; y++) {
        arb_srcptr w = rho->b + p * Y + y;
        slong i = fmpz_get_si(psi + y) - 1;
        arb_set(R, lg + i);
        arb_add(z, z, ex + i, prec);
        if (arb_is_zero(w))
            continue;
        arb_submul(ebm, w, R, prec);
        fmpq_set_fmpz_frac(pr, psi + y, tot);
        arb_set_fmpq(t, pr, prec);
        arb_mul(t, t, rx, prec); /* rho(x) p_R(y|x) */
        arb_div(u, w, t, prec);  /* rho(y|x) / p_R(y|x) */
        arb_log(u, u, prec);
        arb_addmul(kl, w, u, prec);
    }
    arb_log(z, z, prec);
    arb_addmul(ebm, rx, z, prec);
    arb_clear(R);
    arb_clear(z);
    arb_clear(t);
    arb_clear(u);
    fmpq_clear(pr);
    fmpz_clear(tot);
    _fmpz_vec_clear(psi, Y);
    _arb_vec_clear(lg, AE_POTENTIAL_MAX);
    _arb_vec_clear(ex, AE_POTENTIAL_MAX);
}

/* The potentials of r*: psi = rho(y|x) on the ending action, 1 on other allowed entries. */
static void optimum_potentials(ae_qtable_t psi, const fmpq *mass, const ae_data_t rho, const ae_space_t sp)
{
    slong p, d, s, k;
    for (p = 0; p < sp->P; p++)
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
}

/* q* = M(r*) with r* = log rho(y|x) on the ending action, 0 elsewhere, by the maps under test:
   exactly on potentials (phi = M(psi), q* = log phi, -inf where phi = 0) when rho is exact,
   else by the certified map (such rho has no zero mass). A state all of whose entries are -inf
   (no mass below it, never reached by p_q*) gets the uniform row 0. Also sets rs to r*. */
static void mapped_optimum(ae_table_t qs, ae_table_t rs, arb_srcptr mass, const ae_data_t rho,
                           const ae_space_t sp, slong prec)
{
    slong p, d, s, k;
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (k = 0; k < sp->A; k++) {
                    arb_ptr x = ae_table_entry(rs, p, s, k);
                    arb_srcptr w;
                    if (!ae_space_allowed(sp, d, k))
                        arb_neg_inf(x);
                    else if (!ae_space_ends(sp, d, k))
                        arb_zero(x);
                    else if (arb_is_zero(w = rho->b + p * rho->Y + ae_space_response_rank(sp, s, k)))
                        arb_neg_inf(x);
                    else {
                        arb_div(x, w, mass + p * sp->S, prec);
                        arb_log(x, x, prec);
                    }
                }
    if (rho->exact) {
        fmpq *qm = _fmpq_vec_init(sp->P * sp->S);
        ae_qtable_t psi, phi;
        ae_qtable_init(psi, sp);
        ae_qtable_init(phi, sp);
        ae_data_prefix_exact(qm, rho, sp);
        optimum_potentials(psi, qm, rho, sp);
        ae_bellman_map_exact(phi, psi, sp);
        for (k = 0; k < sp->P * sp->S * sp->A; k++)
            if (fmpq_is_zero(phi->v + k))
                arb_neg_inf(qs->v + k);
            else {
                arb_set_fmpq(qs->v + k, phi->v + k, prec);
                arb_log(qs->v + k, qs->v + k, prec);
            }
        ae_qtable_clear(psi);
        ae_qtable_clear(phi);
        _fmpq_vec_clear(qm, sp->P * sp->S);
    } else {
        AE_ASSERT(rho->zeros == 0);
        ae_bellman_map(qs, rs, sp, prec);
    }
    for (p = 0; p < sp->P; p++)
        for (s = 0; s < sp->S; s++) {
            int finite = 0;
            for (k = 0; k < sp->A; k++)
                finite |= arf_is_finite(arb_midref(ae_table_entry(qs, p, s, k)));
            if (!finite)
                for (k = 0; k < sp->A; k++)
                    if (ae_space_allowed(sp, ae_space_depth(sp, s), k))
                        arb_zero(ae_table_entry(qs, p, s, k));
        }
}

static ae_row *c6_row(ae_rows_t rows, const char *check, const c6_arg *a, const char *arith, slong prec)
{
    ae_row *row = ae_row_new(rows, "C6", check, a->in, arith, prec);
    snprintf(row->instance, sizeof row->instance, "%s", a->rho->name);
    return row;
}

static void set_instance(ae_rows_t rows, const char *name, const char *note)
{
    ae_row *row = rows->v + rows->n - 1;
    snprintf(row->instance, sizeof row->instance, "%s%s", name, note);
}

static void c6_at(ae_rows_t rows, const void *varg, slong prec)
{
    const c6_arg *a = varg;
    const ae_space_struct *sp = a->in->sp;
    ae_data_struct local = *a->rho; /* exact masses enclosed afresh at this precision */
    const ae_data_struct *rho = &local;
    const int one = fmpz_is_one(sp->responses);
    slong P = sp->P, p, k, j, n = P * rho->Y, ng = 0, NP = C6_SAMPLES * P;
    arb_ptr mass = _arb_vec_init(P * sp->S);
    arb_ptr lhs = _arb_vec_init(NP), rhs = _arb_vec_init(NP), hh = _arb_vec_init(NP);
    arb_ptr l2 = _arb_vec_init(NP), r2 = _arb_vec_init(NP);
    arb_ptr glhs = _arb_vec_init(P * sp->S * sp->A), grhs = _arb_vec_init(P * sp->S * sp->A);
    ae_table_t qs, rs, q, r, qp, pi, lpi;
    ae_gen_t g;
    arb_t t, hsum, v;
    char note[48];
    ae_row *row;

    ae_table_init(qs, sp);
    ae_table_init(rs, sp);
    ae_table_init(q, sp);
    ae_table_init(r, sp);
    ae_table_init(qp, sp);
    ae_table_init(pi, sp);
    ae_table_init(lpi, sp);
    arb_init(t);
    arb_init(v);
    arb_init(hsum);
    local.b = _arb_vec_init(local.P * local.Y);
    for (k = 0; k < local.P * local.Y; k++)
        if (local.exact)
            arb_set_fmpq(local.b + k, local.q + k, prec);
        else
            arb_set(local.b + k, a->rho->b + k);
    snprintf(note, sizeof note, rho->zeros ? " (infimum: %ld zero-mass y)" : "", (long)rho->zeros);
    ae_data_prefix_arb(mass, rho, sp, prec);
    mapped_optimum(qs, rs, mass, rho, sp, prec);
    optimal_policy(pi, lpi, mass, rho, sp, prec);
    for (p = 0; p < P; p++) { /* H per prompt, repeated for every sample below */
        risks(NULL, NULL, hh + p, NULL, NULL, rho, sp, p, prec);
        arb_add(hsum, hsum, hh + p, prec);
    }
    for (k = P; k < NP; k++)
        arb_set(hh + k, hh + k % P);

    /* the minimisers correspond: L_ARM(M(r*)), from the q table alone (softmax per state,
       product along y), against L_EBM(R*) by direct summation over responses */
    for (p = 0; p < P; p++) {
        risks(lhs + p, NULL, NULL, qs, NULL, rho, sp, p, prec);
        risks(NULL, rhs + p, NULL, NULL, rs, rho, sp, p, prec);
    }
    ae_eq_row(rows, "C6", "L_ARM(M(r*)) = L_EBM(R*)", a->in, prec, lhs, rhs, P, n);
    set_instance(rows, rho->name, note);
    row = rows->v + rows->n - 1;
    snprintf(row->predicted, sizeof row->predicted, "H = ");
    ae_fmt_arb(row->predicted + 4, sizeof row->predicted - 4, hsum, 12);

    /* M(r*) is a stationary point of L_ARM: dL_ARM/dq(s,a) = rho(s) pi_q(a|s) - rho(s.a) = 0,
       pi from M(r*), rho(s.a) from the data */
    for (p = 0; p < P; p++) {
        slong d, s;
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                arb_srcptr ms = mass + p * sp->S + s;
                if (arb_is_zero(ms))
                    continue; /* both terms are 0 */
                _ae_row_lse(v, qs, sp, p, s, d, prec);
                for (k = 0; k < sp->A; k++) {
                    arb_srcptr x = ae_table_entry(qs, p, s, k);
                    if (!ae_space_allowed(sp, d, k))
                        continue;
                    if (arf_is_neg_inf(arb_midref(x)))
                        arb_zero(glhs + ng);
                    else {
                        arb_sub(t, x, v, prec);
                        arb_exp(t, t, prec);
                        arb_mul(glhs + ng, ms, t, prec);
                    }
                    arb_set(grhs + ng, ae_space_ends(sp, d, k) ? rho->b + p * rho->Y + ae_space_response_rank(sp, s, k)
                                                               : mass + p * sp->S + ae_space_child(sp, s, k));
                    ng++;
                }
            }
    }
    ae_eq_row(rows, "C6", "grad L_ARM(M(r*)) = 0", a->in, prec, glhs, grhs, ng, ng);
    set_instance(rows, rho->name, note);

    /* minimality on random q: L_ARM(q) - H over responses = sum_s rho(s) KL(pi*||pi_q) over
       states, and L_ARM(q) > H; with L_ARM(q) = L_EBM(R_unmap(q)) for every q */
    for (j = 0; j < C6_SAMPLES; j++) {
        g->kind = AE_GEN_DYADIC;
        g->seed = a->aux;
        g->stream = 51 + 1000 * (uint64_t)j;
        ae_gen_table(q, g, sp, prec);
        if (j == 0) /* the EBM side of the first sample: L_ARM(q) = L_EBM(R_unmap(q)) */
            ae_bellman_unmap(r, q, sp, prec);
        for (p = 0; p < P; p++) {
            k = j * P + p;
            risks(lhs + k, j == 0 ? rhs + k : NULL, NULL, q, j == 0 ? r : NULL, rho, sp, p, prec);
            arb_sub(l2 + k, lhs + k, hh + k, prec);
            kl_states(r2 + k, mass, pi, lpi, q, sp, p, prec);
        }
    }
    ae_eq_row(rows, "C6", "L_ARM(q) = L_EBM(R_unmap(q)), random q", a->in, prec, lhs, rhs, P, n);
    set_instance(rows, rho->name, "");
    ae_eq_row(rows, "C6", "L_ARM(q) - H = sum_s rho(s) KL(pi*||pi_q)", a->in, prec, l2, r2, NP, NP);
    set_instance(rows, rho->name, "");
    if (one)
        ae_eq_row(rows, "C6", "one response: L_ARM(q) = H, random q", a->in, prec, lhs, hh, NP, NP);
    else
        ae_lt_row(rows, "C6", "L_ARM(q) > H(Y|X), random q", a->in, prec, hh, lhs, NP, "L_ARM - H");
    set_instance(rows, rho->name, "");

    /* minimality on random R: L_EBM(R) - H (log-sum-exp of R) = KL(rho||p_R) (p_R normalised
       exactly), and L_EBM(R) > H */
    for (j = 0; j < C6_SAMPLES; j++)
        for (p = 0; p < P; p++) {
            k = j * P + p;
            random_ebm(lhs + k, r2 + k, rho, mass + p * sp->S, a->aux, 53 + 1000 * (uint64_t)j, p, prec);
            arb_sub(l2 + k, lhs + k, hh + k, prec);
        }
    ae_eq_row(rows, "C6", "L_EBM(R) - H = KL(rho||p_R), random R", a->in, prec, l2, r2, NP, NP);
    set_instance(rows, rho->name, "");
    if (one)
        ae_eq_row(rows, "C6", "one response: L_EBM(R) = H, random R", a->in, prec, lhs, hh, NP, NP);
    else
        ae_lt_row(rows, "C6", "L_EBM(R) > H(Y|X), random R", a->in, prec, hh, lhs, NP, "L_EBM - H");
    set_instance(rows, rho->name, "");

    /* a perturbed optimum is not a minimiser of either risk: both strictly above H */
    if (!one) {
        ae_verdict vd = AE_VERIFIED;
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
            vd = ae_verdict_meet(vd, ae_verdict_meet(ae_cert_lt(hh + p, lhs + p), ae_cert_lt(hh + p, ebm)));
            arb_clear(ebm);
        }
        row = c6_row(rows, "perturbed q*: L_ARM, L_EBM > H", a, "certified", prec);
        snprintf(row->items, sizeof row->items, "%ld", (long)P);
        arb_sub(t, t, hsum, prec);
        snprintf(row->measured, sizeof row->measured, "gap ");
        ae_fmt_arb(row->measured + 4, sizeof row->measured - 4, t, 5);
        snprintf(row->predicted, sizeof row->predicted, "> 0");
        snprintf(row->tol, sizeof row->tol, "strict");
        row->verdict = vd;
    }

    _arb_vec_clear(local.b, local.P * local.Y);
    _arb_vec_clear(mass, P * sp->S);
    _arb_vec_clear(lhs, NP);
    _arb_vec_clear(rhs, NP);
    _arb_vec_clear(hh, NP);
    _arb_vec_clear(l2, NP);
    _arb_vec_clear(r2, NP);
    _arb_vec_clear(glhs, P * sp->S * sp->A);
    _arb_vec_clear(grhs, P * sp->S * sp->A);
    arb_clear(t);
    arb_clear(v);
    arb_clear(hsum);
    ae_table_clear(qs);
    ae_table_clear(rs);
    ae_table_clear(q);
    ae_table_clear(r);
    ae_table_clear(qp);
    ae_table_clear(pi);
    ae_table_clear(lpi);
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
    optimum_potentials(psi, mass, rho, sp);
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

    /* p_M(r*)(y) = rho(y|x) for every y: the product of phi(s,a)/beta(s) along y, from the
       mapped table alone, against the data (the optimum reproduces the data exactly) */
    bad = 0;
    checked = 0;
    {
        fmpq *prod = _fmpq_vec_init(sp->S);
        for (p = 0; p < P; p++) {
            fmpq_one(prod);
            for (d = 0; d < sp->T; d++)
                for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
                    fmpq_zero(beta);
                    for (k = 0; k < sp->A; k++)
                        if (ae_space_allowed(sp, d, k))
                            fmpq_add(beta, beta, ae_qtable_entry(phi, p, s, k));
                    for (k = 0; k < sp->A; k++) {
                        slong y;
                        if (!ae_space_allowed(sp, d, k))
                            continue;
                        if (fmpq_is_zero(beta)) /* no mass below s: never reached */
                            fmpq_zero(t);
                        else {
                            fmpq_mul(t, prod + s, ae_qtable_entry(phi, p, s, k));
                            fmpq_div(t, t, beta);
                        }
                        if (!ae_space_ends(sp, d, k)) {
                            fmpq_set(prod + ae_space_child(sp, s, k), t);
                            continue;
                        }
                        y = ae_space_response_rank(sp, s, k);
                        fmpq_div(u, rho->q + p * rho->Y + y, mass + p * sp->S);
                        checked++;
                        if (!fmpq_equal(t, u) && bad++ == 0)
                            snprintf(detail, sizeof detail, "differs at prompt %ld y#%ld", (long)p, (long)y);
                    }
                }
        }
        _fmpq_vec_clear(prod, sp->S);
    }
    row = c6_row(rows, "p_M(r*)(y) = rho(y|x) all y", a, "exact", 0);
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
