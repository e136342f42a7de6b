/* C1 (Proposition 1) in certified arithmetic: round trips, p_R = p_M(r) on every response
   with each side computed by its own route, A(x) = V_q(x), and the shift invariances. */
#include "claim.h"

typedef struct {
    const ae_instance *in;
    uint64_t aux;
    ae_map_fn map, unmap;
} c1_arg;

/* M^{-1} by its own code path: r(s,a) = q(s,a) - V_q(s.a) at non-ending actions, the child
   found by ranking the extended prefix, its value by ae_value_apart; no recursion is needed. The
   round trips compare M (the map under test) against it, never M against the maps' own inverse. */
static void inverse_apart(ae_table_t r, const ae_table_t q, const ae_space_t sp, slong prec)
{
    slong *tok = ae_malloc((size_t)(sp->T + 1) * sizeof(slong));
    slong p, s, a, d;
    arb_t v;
    arb_init(v);
    for (p = 0; p < sp->P; p++)
        for (s = 0; s < sp->S; s++) {
            d = ae_space_unrank(tok, sp, s);
            for (a = 0; a < sp->A; a++) {
                arb_ptr o = ae_table_entry(r, p, s, a);
                if (!ae_space_allowed(sp, d, a))
                    arb_neg_inf(o);
                else if (ae_space_ends(sp, d, a))
                    arb_set(o, ae_table_entry(q, p, s, a));
                else {
                    tok[d] = a;
                    ae_value_apart(v, q, sp, p, ae_space_rank(sp, tok, d + 1), d + 1, prec);
                    arb_sub(o, ae_table_entry(q, p, s, a), v, prec);
                }
            }
        }
    arb_clear(v);
    free(tok);
}

/* Rewards of the instance at prec: the loaded table, or the generator's values. */
static void instance_rewards(ae_table_t r, const ae_instance *in, slong prec)
{
    if (in->r != NULL)
        ae_table_set(r, in->r);
    else
        ae_gen_table(r, &in->gen, in->sp, prec);
}

static void compare_row(ae_rows_t rows, const char *check, const c1_arg *a, const ae_table_t x,
                        const ae_table_t y, slong prec)
{
    ae_table_compare_row(rows, "C1", check, a->in, x, y, prec);
}

static void distribution_rows(ae_rows_t rows, const char *check, const c1_arg *a, const ae_table_t r,
                              const ae_table_t q, slong prec, ae_paths_struct *keep)
{
    const ae_space_struct *sp = a->in->sp;
    ae_paths_struct *ps = ae_malloc((size_t)sp->P * sizeof(ae_paths_struct));
    slong p;
    for (p = 0; p < sp->P; p++) {
        ae_paths_init(ps + p);
        ae_paths_walk(ps + p, r, q, NULL, sp, p, prec);
    }
    ae_paths_row(rows, "C1", check, a->in, r, q, ps, prec);
    for (p = 0; p < sp->P; p++) {
        if (keep != NULL)
            arb_set(keep[p].logz, ps[p].logz);
        ae_paths_clear(ps + p);
    }
    free(ps);
}

static void c1_at(ae_rows_t rows, const void *varg, slong prec)
{
    const c1_arg *a = varg;
    const ae_space_struct *sp = a->in->sp;
    ae_table_t r, q, t1, t2;
    ae_paths_struct *ps = ae_malloc((size_t)sp->P * sizeof(ae_paths_struct));
    ae_gen_t g;
    arb_t v, c;
    arf_t dev, tol, wdev, wtol;
    ae_verdict verd = AE_VERIFIED;
    slong p, k, shift_state, tok = 0, parent = -1;
    ae_row *row;

    ae_table_init(r, sp);
    ae_table_init(q, sp);
    ae_table_init(t1, sp);
    ae_table_init(t2, sp);
    arb_init(v);
    arb_init(c);
    arf_init(dev);
    arf_init(tol);
    arf_init(wdev);
    arf_init(wtol);
    for (p = 0; p < sp->P; p++)
        ae_paths_init(ps + p);

    instance_rewards(r, a->in, prec);
    a->map(q, r, sp, prec);

    /* M^{-1}(M(r)) = r, the inverse by its own code path */
    inverse_apart(t1, q, sp, prec);
    compare_row(rows, "unmap(map(r)) = r", a, t1, r, prec);

    /* M(M^{-1}(q0)) = q0 for an independent random logit table, the same way */
    g->kind = AE_GEN_DYADIC;
    g->seed = a->aux;
    g->stream = 2;
    ae_gen_table(t1, g, sp, prec);
    inverse_apart(t2, t1, sp, prec);
    a->map(t2, t2, sp, prec);
    compare_row(rows, "map(unmap(q0)) = q0", a, t2, t1, prec);

    /* p_R(y) = p_q(y) for every response; Z by direct summation, p_q from q alone */
    distribution_rows(rows, "p_R(y) = p_M(r)(y) all y", a, r, q, prec, ps);
    rows->v[rows->n - 1].double_err[0] = '\0';
    snprintf(rows->v[rows->n - 1].double_err, sizeof rows->v[0].double_err, "%.3e",
             ae_paths_double_error(r, sp));

    /* A(x) = V_q(x) */
    arf_zero(wdev);
    for (p = 0; p < sp->P; p++) {
        ae_bellman_value(v, q, sp, p, 0, prec);
        verd = ae_verdict_meet(verd, ae_cert_eq(dev, tol, ps[p].logz, v, prec));
        if (arf_cmp(dev, wdev) >= 0) {
            arf_set(wdev, dev);
            arf_set(wtol, tol);
        }
    }
    row = ae_row_new(rows, "C1", "A(x) = V_q(x)", a->in, "certified", prec);
    snprintf(row->items, sizeof row->items, "%ld", (long)sp->P);
    ae_fmt_ubound(row->measured, sizeof row->measured, wdev);
    snprintf(row->predicted, sizeof row->predicted, "0");
    ae_fmt_ubound(row->tol, sizeof row->tol, wtol);
    row->verdict = verd;

    /* Invariance 1: q' = q + c on every entry of one state's row. p_q' = p_q (= p_R) and
       M^{-1}(q') = r + c on that row, - c on the incoming edge: the inverse under test against
       the shifted rewards themselves (no inverse on that side). */
    shift_state = (slong)(ae_hash(a->aux, 3, 0, 0, 0) % (uint64_t)sp->S);
    arb_set_si(c, (slong)(ae_hash(a->aux, 3, 1, 0, 0) % 255) - 127);
    arb_mul_2exp_si(c, c, -4);
    if (arb_is_zero(c))
        arb_one(c);
    ae_table_set(t1, q);
    ae_table_set(t2, r); /* expected: r shifted */
    if (shift_state > 0)
        parent = ae_space_parent(&tok, sp, shift_state);
    {
        slong d = ae_space_depth(sp, shift_state);
        for (p = 0; p < sp->P; p++) {
            for (k = 0; k < sp->A; k++)
                if (ae_space_allowed(sp, d, k)) {
                    arb_add(ae_table_entry(t1, p, shift_state, k), ae_table_entry(t1, p, shift_state, k), c, prec);
                    arb_add(ae_table_entry(t2, p, shift_state, k), ae_table_entry(t2, p, shift_state, k), c, prec);
                }
            if (parent >= 0)
                arb_sub(ae_table_entry(t2, p, parent, tok), ae_table_entry(t2, p, parent, tok), c, prec);
        }
    }
    distribution_rows(rows, "p_q+c(s) = p_R all y", a, r, t1, prec, NULL);
    {
        ae_table_t t3;
        ae_table_init(t3, sp);
        a->unmap(t3, t1, sp, prec);
        compare_row(rows, "unmap(q+c(s)) row+c edge-c", a, t3, t2, prec);
        ae_table_clear(t3);
    }

    /* Invariance 2: R(x,.) + c (c added to the root row: every response crosses it once)
       leaves p_R unchanged, so it still equals p_q. */
    ae_table_set(t1, r);
    for (p = 0; p < sp->P; p++)
        for (k = 0; k < sp->A; k++)
            if (ae_space_allowed(sp, 0, k))
                arb_add(ae_table_entry(t1, p, 0, k), ae_table_entry(t1, p, 0, k), c, prec);
    distribution_rows(rows, "p_R+c(x) = p_q all y", a, t1, q, prec, NULL);

    for (p = 0; p < sp->P; p++)
        ae_paths_clear(ps + p);
    free(ps);
    arf_clear(dev);
    arf_clear(tol);
    arf_clear(wdev);
    arf_clear(wtol);
    arb_clear(v);
    arb_clear(c);
    ae_table_clear(r);
    ae_table_clear(q);
    ae_table_clear(t1);
    ae_table_clear(t2);
}

void _ae_claim_c1_certified_map(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec,
                                slong max_prec, ae_map_fn map, ae_map_fn unmap)
{
    c1_arg a;
    a.in = in;
    a.aux = aux_seed;
    a.map = map;
    a.unmap = unmap;
    ae_escalate(rows, c1_at, &a, prec, max_prec);
}

void ae_claim_c1_certified(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec,
                           slong max_prec)
{
    _ae_claim_c1_certified_map(rows, in, aux_seed, prec, max_prec, ae_bellman_map, ae_bellman_unmap);
}
