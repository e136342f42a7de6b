/* C1 (Proposition 1) in exact rationals, on integer potentials psi = exp r (CLAIMS.md A.9). */
#include "claim.h"

/* Number of unmasked entries where a != b; *where = first such entry index (or -1). */
static slong qtable_diff(slong *where, const ae_qtable_t a, const ae_qtable_t b, const ae_space_t sp)
{
    slong p, d, s, k, n = 0;
    *where = -1;
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (k = 0; k < sp->A; k++)
                    if (ae_space_allowed(sp, d, k) &&
                        !fmpq_equal(ae_qtable_entry(a, p, s, k), ae_qtable_entry(b, p, s, k))) {
                        if (*where < 0)
                            *where = (p * sp->S + s) * sp->A + k;
                        n++;
                    }
    return n;
}

static void qtable_set(ae_qtable_t dst, const ae_qtable_t src)
{
    slong i;
    for (i = 0; i < src->P * src->S * src->A; i++)
        fmpq_set(dst->v + i, src->v + i);
}

/* M^{-1} on potentials by its own code path: psi(s,a) = phi(s,a) / sum_b phi(s.a, b) at
   non-ending actions, the child found by ranking the extended prefix. The round trips compare
   the exact map against it, never against the map's own inverse (one pass with a flag). */
static void inverse_apart_exact(ae_qtable_t psi, const ae_qtable_t phi, const ae_space_t sp)
{
    slong *tok = ae_malloc((size_t)(sp->T + 1) * sizeof(slong));
    slong p, s, a, b, c, d;
    fmpq_t beta;
    fmpq_init(beta);
    for (p = 0; p < sp->P; p++)
        for (s = 0; s < sp->S; s++) {
            d = ae_space_unrank(tok, sp, s);
            for (a = 0; a < sp->A; a++) {
                fmpq *o = ae_qtable_entry(psi, p, s, a);
                if (!ae_space_allowed(sp, d, a))
                    fmpq_zero(o);
                else if (ae_space_ends(sp, d, a))
                    fmpq_set(o, ae_qtable_entry(phi, p, s, a));
                else {
                    tok[d] = a;
                    c = ae_space_rank(sp, tok, d + 1);
                    fmpq_zero(beta);
                    for (b = 0; b < sp->A; b++)
                        if (ae_space_allowed(sp, d + 1, b))
                            fmpq_add(beta, beta, ae_qtable_entry(phi, p, c, b));
                    fmpq_div(o, ae_qtable_entry(phi, p, s, a), beta);
                }
            }
        }
    fmpq_clear(beta);
    free(tok);
}

static void exact_row_fields(ae_row *row, const ae_space_t sp, int ok, const char *detail)
{
    snprintf(row->measured, sizeof row->measured, "%s", ok ? "0" : detail);
    snprintf(row->predicted, sizeof row->predicted, "0");
    snprintf(row->tol, sizeof row->tol, "exact");
    row->verdict = ok ? AE_VERIFIED : AE_VIOLATED;
    (void)sp;
}

static void table_row(ae_rows_t rows, const char *check, const ae_instance *in, const ae_qtable_t a,
                      const ae_qtable_t b)
{
    const ae_space_struct *sp = in->sp;
    slong where, n = qtable_diff(&where, a, b, sp);
    char detail[80] = "";
    fmpz_t cnt;
    ae_row *row = ae_row_new(rows, "C1", check, in, "exact", 0);
    if (n > 0)
        ae_entry_name(detail, sizeof detail, sp, where);
    exact_row_fields(row, sp, n == 0, detail);
    fmpz_init(cnt);
    fmpz_mul_si(cnt, sp->pairs, sp->P);
    fmpz_get_str(row->items, 10, cnt);
    fmpz_clear(cnt);
}

static void distribution_row(ae_rows_t rows, const char *check, const ae_instance *in,
                             const ae_qtable_t psi, const ae_qtable_t phi)
{
    const ae_space_struct *sp = in->sp;
    ae_qpaths_t ps;
    slong p, n = 0;
    int ok = 1;
    char detail[80] = "";
    ae_row *row;

    ae_qpaths_init(ps);
    for (p = 0; p < sp->P; p++) {
        ae_qpaths_walk(ps, psi, phi, sp, p);
        n += ps->responses;
        if (ok && !ae_qpaths_same_distribution(ps)) {
            ok = 0;
            if (ps->mismatch >= 0)
                snprintf(detail, sizeof detail, "differs at prompt %ld y#%ld", (long)p, (long)ps->mismatch);
            else
                snprintf(detail, sizeof detail, "prompt %ld: p_q = c p_R with c != 1", (long)p);
        }
    }
    ae_qpaths_clear(ps);
    row = ae_row_new(rows, "C1", check, in, "exact", 0);
    snprintf(row->items, sizeof row->items, "%ld", (long)n);
    exact_row_fields(row, sp, ok, detail);
}

void ae_claim_c1_exact(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed)
{
    const ae_space_struct *sp = in->sp;
    ae_qtable_t psi, phi, t1, t2;
    ae_qpaths_t ps;
    ae_gen_t g;
    fmpq_t beta, k;
    slong p, a, shift_state, parent = -1, tok = 0, d;
    int ok = 1;
    ae_row *row;

    AE_ASSERT(in->r == NULL && in->gen.kind == AE_GEN_POTENTIAL);
    ae_qtable_init(psi, sp);
    ae_qtable_init(phi, sp);
    ae_qtable_init(t1, sp);
    ae_qtable_init(t2, sp);
    fmpq_init(beta);
    fmpq_init(k);

    ae_gen_qtable(psi, &in->gen, sp);
    ae_bellman_map_exact(phi, psi, sp);

    inverse_apart_exact(t1, phi, sp);
    table_row(rows, "unmap(map(r)) = r", in, t1, psi);

    g->kind = AE_GEN_POTENTIAL;
    g->seed = aux_seed;
    g->stream = 2;
    ae_gen_qtable(t1, g, sp);
    inverse_apart_exact(t2, t1, sp);
    {
        ae_qtable_t t3;
        ae_qtable_init(t3, sp);
        ae_bellman_map_exact(t3, t2, sp);
        table_row(rows, "map(unmap(q0)) = q0", in, t3, t1);
        ae_qtable_clear(t3);
    }

    distribution_row(rows, "p_R(y) = p_M(r)(y) all y", in, psi, phi);

    /* Z(x) by direct summation equals beta(x) = sum_a phi(x,a), i.e. A(x) = V_q(x) */
    ae_qpaths_init(ps);
    for (p = 0; p < sp->P; p++) {
        ae_qpaths_walk(ps, psi, phi, sp, p);
        fmpq_zero(beta);
        for (a = 0; a < sp->A; a++)
            if (ae_space_allowed(sp, 0, a))
                fmpq_add(beta, beta, ae_qtable_entry(phi, p, 0, a));
        ok = ok && fmpq_equal(beta, ps->Z);
    }
    ae_qpaths_clear(ps);
    row = ae_row_new(rows, "C1", "A(x) = V_q(x)", in, "exact", 0);
    snprintf(row->items, sizeof row->items, "%ld", (long)sp->P);
    exact_row_fields(row, sp, ok, "Z(x) != beta(x)");

    /* Invariance 1: phi' = k phi on one state's row (q + log k). p unchanged; M^{-1}(phi')
       is psi with that row times k and the incoming edge divided by k: the exact inverse
       under test against the scaled potentials themselves. */
    shift_state = (slong)(ae_hash(aux_seed, 3, 0, 0, 0) % (uint64_t)sp->S);
    fmpq_set_si(k, 2 + (slong)(ae_hash(aux_seed, 3, 1, 0, 0) % 7), 1);
    d = ae_space_depth(sp, shift_state);
    if (shift_state > 0)
        parent = ae_space_parent(&tok, sp, shift_state);
    qtable_set(t1, phi);
    qtable_set(t2, psi);
    for (p = 0; p < sp->P; p++) {
        for (a = 0; a < sp->A; a++)
            if (ae_space_allowed(sp, d, a)) {
                fmpq_mul(ae_qtable_entry(t1, p, shift_state, a), ae_qtable_entry(t1, p, shift_state, a), k);
                fmpq_mul(ae_qtable_entry(t2, p, shift_state, a), ae_qtable_entry(t2, p, shift_state, a), k);
            }
        if (parent >= 0)
            fmpq_div(ae_qtable_entry(t2, p, parent, tok), ae_qtable_entry(t2, p, parent, tok), k);
    }
    distribution_row(rows, "p_q+c(s) = p_R all y", in, psi, t1);
    {
        ae_qtable_t t3;
        ae_qtable_init(t3, sp);
        ae_bellman_unmap_exact(t3, t1, sp);
        table_row(rows, "unmap(q+c(s)) row+c edge-c", in, t3, t2);
        ae_qtable_clear(t3);
    }

    /* Invariance 2: psi' = k psi on the root row (R + log k for every y): p_R unchanged. */
    qtable_set(t2, psi);
    for (p = 0; p < sp->P; p++)
        for (a = 0; a < sp->A; a++)
            if (ae_space_allowed(sp, 0, a))
                fmpq_mul(ae_qtable_entry(t2, p, 0, a), ae_qtable_entry(t2, p, 0, a), k);
    distribution_row(rows, "p_R+c(x) = p_q all y", in, t2, phi);

    fmpq_clear(beta);
    fmpq_clear(k);
    ae_qtable_clear(psi);
    ae_qtable_clear(phi);
    ae_qtable_clear(t1);
    ae_qtable_clear(t2);
}
