/* The maps M (soft Bellman backward pass) and M^{-1} in certified ball arithmetic. A -inf at
   an allowed entry (a banned token) is an exact ball and flows through exactly: exp(-inf) = 0
   in the LSE, and -inf plus a finite value is -inf (proofs/C1.md, "Banned entries"). */
#include "ae-impl.h"
#include "io/io-impl.h"

void _ae_lse_allowed(arb_t v, arb_srcptr row, const ae_space_t sp, slong d, slong prec)
{
    arf_t m;
    arb_t t;
    slong a;
    int have = 0;

    arf_init(m);
    arb_init(t);
    for (a = 0; a < sp->A; a++)
        if (ae_space_allowed(sp, d, a) && (!have || arf_cmp(arb_midref(row + a), m) > 0)) {
            arf_set(m, arb_midref(row + a));
            have = 1;
        }
    AE_ASSERT(have);
    if (arf_is_neg_inf(m)) { /* every entry -inf: V = -inf (subtracting m would give NaN) */
        arb_neg_inf(v);
        arf_clear(m);
        arb_clear(t);
        return;
    }
    arb_zero(v);
    for (a = 0; a < sp->A; a++)
        if (ae_space_allowed(sp, d, a)) {
            arb_sub_arf(t, row + a, m, prec);
            arb_exp(t, t, prec);
            arb_add(v, v, t, prec);
        }
    arb_log(v, v, prec);
    arb_add_arf(v, v, m, prec);
    arb_clear(t);
    arf_clear(m);
}

void _ae_row_lse(arb_t v, const ae_table_t q, const ae_space_t sp, slong p, slong s, slong d, slong prec)
{
    _ae_lse_allowed(v, ae_table_entry(q, p, s, 0), sp, d, prec);
}

void ae_bellman_value(arb_t v, const ae_table_t q, const ae_space_t sp, slong p, slong s, slong prec)
{
    _ae_row_lse(v, q, sp, p, s, ae_space_depth(sp, s), prec);
}

/* dir = +1 builds q from r (M), dir = -1 builds r from q (M^{-1}); the value of a child row
   is always taken from the logit table (out for M, in for M^{-1}). */
static void bellman_pass(ae_table_t out, const ae_table_t in, const ae_space_t sp, int dir, slong prec)
{
    const ae_table_struct *logits = (dir > 0) ? out : in;
    arb_t v;
    slong p, d, s, a;

    arb_init(v);
    for (p = 0; p < sp->P; p++)
        for (d = sp->T - 1; d >= 0; d--) /* children (depth d+1) are final before depth d */
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    arb_ptr o = ae_table_entry(out, p, s, a);
                    arb_srcptr i = ae_table_entry(in, p, s, a);
                    if (!ae_space_allowed(sp, d, a)) {
                        arb_neg_inf(o);
                    } else if (ae_space_ends(sp, d, a)) {
                        arb_set(o, i);
                    } else {
                        slong c = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
                        _ae_row_lse(v, logits, sp, p, c, d + 1, prec);
                        if (dir > 0)
                            arb_add(o, i, v, prec);
                        else
                            arb_sub(o, i, v, prec);
                        if (arf_is_neg_inf(arb_midref(o))) /* -inf plus a finite ball: exactly -inf */
                            arb_neg_inf(o);
                    }
                }
    arb_clear(v);
}

void ae_bellman_map(ae_table_t q, const ae_table_t r, const ae_space_t sp, slong prec)
{
    bellman_pass(q, r, sp, +1, prec);
}

void ae_bellman_unmap(ae_table_t r, const ae_table_t q, const ae_space_t sp, slong prec)
{
    AE_ASSERT(r->v != q->v);
    bellman_pass(r, q, sp, -1, prec);
}

/* The one allowed action of row s at depth d, or -1 when the row has several. */
static slong only_action(const ae_space_t sp, slong d)
{
    slong a, found = -1;
    for (a = 0; a < sp->A; a++)
        if (ae_space_allowed(sp, d, a)) {
            if (found >= 0)
                return -1;
            found = a;
        }
    return found;
}

/* Adds to sum the entries of x along the single response that continues from state s (depth
   d); 0 when some row on the way offers a choice. */
static int single_path_sum(fmpq_t sum, const ae_qtable_t x, const ae_space_t sp, slong p, slong s,
                           slong d)
{
    for (;;) {
        slong a = only_action(sp, d);
        if (a < 0)
            return 0;
        fmpq_add(sum, sum, ae_qtable_entry(x, p, s, a));
        if (ae_space_ends(sp, d, a))
            return 1;
        s = ae_space_child(sp, s, a);
        d++;
    }
}

slong ae_bellman_exact_zeros(ae_table_t out, const ae_qtable_t x, const ae_space_t sp, int inverse)
{
    fmpq_t sum;
    slong p, d, s, a, n = 0;

    fmpq_init(sum);
    for (p = 0; p < sp->P; p++)
        for (d = 0; d < sp->T; d++)
            for (s = sp->first[d]; s < sp->first[d + 1]; s++)
                for (a = 0; a < sp->A; a++) {
                    arb_ptr o = ae_table_entry(out, p, s, a);
                    slong c, b;
                    if (!ae_space_allowed(sp, d, a) || arb_is_exact(o) || !arb_contains_zero(o))
                        continue;
                    if (ae_space_ends(sp, d, a)) /* out = in: its ball, not an open question */
                        continue;
                    c = ae_space_child(sp, s, a);
                    fmpq_set(sum, ae_qtable_entry(x, p, s, a));
                    if (inverse) { /* r = q(s,a) - q(c,b) when b is the child's only action */
                        b = only_action(sp, d + 1);
                        if (b < 0)
                            continue;
                        fmpq_sub(sum, sum, ae_qtable_entry(x, p, c, b));
                    } else if (!single_path_sum(sum, x, sp, p, c, d + 1))
                        continue;
                    if (fmpq_is_zero(sum)) {
                        arb_zero(o);
                        n++;
                    }
                }
    fmpq_clear(sum);
    return n;
}

/* ------------------------------------------------------------------ where the maps are defined */

static int is_neg_inf(arb_srcptr x)
{
    return arf_is_neg_inf(arb_midref(x));
}

/* `prompt 0, prefix "1 0"` for messages */
static void state_name(char *buf, size_t n, const ae_space_t sp, slong p, slong s)
{
    char prefix[AE_IO_PREFIX_MAX];
    slong tokens[AE_T_MAX], d = ae_space_unrank(tokens, sp, s);
    _ae_io_prefix(prefix, tokens, d);
    snprintf(buf, n, "prompt %ld, prefix \"%s\"", (long)p, prefix);
}

/* dead[s] = 1 when V(s) = -inf: for rewards, every response through s has reward -inf (computed
   from the deepest states up); for logits, the row of s is all -inf. */
static void dead_states(char *dead, const ae_table_t t, const ae_space_t sp, slong p, int rewards)
{
    slong s, a, d = sp->T - 1;
    for (s = sp->S - 1; s >= 0; s--) {
        int live = 0;
        while (s < sp->first[d])
            d--;
        for (a = 0; a < sp->A && !live; a++)
            if (ae_space_allowed(sp, d, a) && !is_neg_inf(ae_table_entry(t, p, s, a)))
                live = !rewards || ae_space_ends(sp, d, a) || !dead[ae_space_child(sp, s, a)];
        dead[s] = (char)!live;
    }
}

int ae_bellman_domain(const ae_table_t t, const ae_space_t sp, ae_domain what, const char *name,
                      ae_err_t err)
{
    int rewards = what == AE_DOMAIN_MAP || what == AE_DOMAIN_INJECTIVE;
    char *dead = ae_malloc((size_t)sp->S), *reach = NULL;
    char at[AE_IO_PREFIX_MAX + 64], up[AE_IO_PREFIX_MAX + 64];
    slong p, s, a, d, tok, parent;
    int rc = 0;

    if (what == AE_DOMAIN_POLICY)
        reach = ae_malloc((size_t)sp->S);
    for (p = 0; p < sp->P && rc == 0; p++) {
        dead_states(dead, t, sp, p, rewards);
        if (dead[0]) {
            rc = ae_err_set(err, AE_E_INPUT, rewards
                            ? "%s: prompt %ld: every response has reward -inf (V = -inf at the root), so p_R is not defined"
                            : "%s: prompt %ld: every logit of the root row is -inf, so p_q is not defined",
                            name, (long)p);
            break;
        }
        if (what == AE_DOMAIN_MAP)
            continue;
        if (reach != NULL) { /* p_q(s) > 0: no -inf logit on the path from the root */
            memset(reach, 0, (size_t)sp->S);
            reach[0] = 1;
        }
        for (d = 0, s = 0; s < sp->S && rc == 0; s++) {
            if (s == sp->first[d + 1])
                d++;
            if (reach != NULL && reach[s])
                for (a = 0; a < sp->A; a++)
                    if (ae_space_allowed(sp, d, a) && !ae_space_ends(sp, d, a) &&
                        !is_neg_inf(ae_table_entry(t, p, s, a)))
                        reach[ae_space_child(sp, s, a)] = 1;
            if (!dead[s] || (reach != NULL && !reach[s]))
                continue;
            parent = ae_space_parent(&tok, sp, s);
            _ae_io_entry_name(up, sizeof up, sp, p, parent, tok);
            state_name(at, sizeof at, sp, p, s);
            if (what == AE_DOMAIN_INJECTIVE)
                rc = ae_err_set(err, AE_E_INPUT, "%s: %s: every response through this entry has reward "
                                "-inf (V = -inf at %s), so M(r) is -inf there whatever its reward: M is not "
                                "injective on this table", name, up, at);
            else if (what == AE_DOMAIN_UNMAP)
                rc = ae_err_set(err, AE_E_INPUT, "%s: %s: the logits of its child (%s) are all -inf "
                                "(V_q = -inf), so M^-1 cannot determine the reward here", name, up, at);
            else
                rc = ae_err_set(err, AE_E_INPUT, "%s: %s: every logit of this row is -inf but no logit "
                                "on the path to it is, so pi_q(.|s) is not defined", name, at);
        }
    }
    free(dead);
    free(reach);
    return rc;
}

int ae_bellman_same_support(const ae_table_t q, const ae_table_t r, const ae_space_t sp, const char *name,
                            ae_err_t err)
{
    char *dead = ae_malloc((size_t)sp->S);
    char at[AE_IO_PREFIX_MAX + 64];
    slong p, s, a, d;
    int rc = 0;

    for (p = 0; p < sp->P && rc == 0; p++) {
        dead_states(dead, r, sp, p, 1);
        for (d = 0, s = 0; s < sp->S && rc == 0; s++) {
            if (s == sp->first[d + 1])
                d++;
            for (a = 0; a < sp->A && rc == 0; a++) {
                int banned, qinf;
                if (!ae_space_allowed(sp, d, a))
                    continue;
                /* M(r) is -inf where r is, and where every response below has reward -inf */
                banned = is_neg_inf(ae_table_entry(r, p, s, a)) ||
                         (!ae_space_ends(sp, d, a) && dead[ae_space_child(sp, s, a)]);
                qinf = is_neg_inf(ae_table_entry(q, p, s, a));
                if (banned != qinf) {
                    _ae_io_entry_name(at, sizeof at, sp, p, s, a);
                    rc = ae_err_set(err, AE_E_INPUT, "%s: %s: %s, but the teacher's q* = M(r) is %s there "
                                    "(a student keeps the teacher's bans)", name, at,
                                    qinf ? "-inf" : "finite", qinf ? "finite" : "-inf");
                }
            }
        }
    }
    free(dead);
    return rc;
}
