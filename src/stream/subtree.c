/* The streaming walk of one subtree: post-order, O(T*A) numbers, no table. */
#include "stream-impl.h"

void _ae_snode_init(ae_snode *r)
{
    arb_init(r->beta);
    arb_init(r->hull);
    arb_init(r->lo);
    arb_init(r->hi);
    arb_init(r->z);
    r->lo_rank = r->hi_rank = -1;
    r->n = 0;
}

void _ae_snode_clear(ae_snode *r)
{
    arb_clear(r->beta);
    arb_clear(r->hull);
    arb_clear(r->lo);
    arb_clear(r->hi);
    arb_clear(r->z);
}

/* The row of logits phi(a) = psi(a) beta(child a) (psi(a) for an ending action), its sum
   beta, and the ratio hull: factor phi(a)/(psi(a) sum) per action times the child's hull.
   A leaf's ratio is the factor itself, so leaves cost no multiplications of their own. */
void _ae_stream_finish(ae_snode *out, const ae_sctx *c, slong d, const arb_srcptr *psi, const arb_srcptr *ipsi,
                       ae_snode *ch, arb_ptr phi, arb_t f)
{
    const ae_space_struct *sp = c->sp;
    slong a, A = sp->A, prec = c->prec;
    int first = 1, leaf_seen = 0;
    for (a = 0; a < A; a++)
        if (_ae_allowed(sp, d, a)) {
            if (_ae_ends(sp, d, a))
                arb_set(phi + a, psi[a]);
            else
                c->phi(phi + a, psi[a], ch[a].beta, d, prec);
            if (first)
                arb_set(out->beta, phi + a);
            else
                arb_add(out->beta, out->beta, phi + a, prec);
            first = 0;
        }
    first = 1;
    for (a = 0; a < A; a++) {
        arb_srcptr h, l, hi;
        if (!_ae_allowed(sp, d, a))
            continue;
        /* the common 1/sum divides the hull once, at the end (a hull divided by a positive
           ball encloses each quotient) */
        if (_ae_ends(sp, d, a)) {
            /* phi = psi at an ending action (nothing follows, beta = 1): the factor is 1/sum,
               the same for every ending action of the row, so only the first enters the hull */
            if (leaf_seen)
                continue;
            leaf_seen = 1;
            h = l = hi = c->one;
        } else {
            arb_mul(f, phi + a, ipsi[a], prec);
            arb_mul(ch[a].hull, ch[a].hull, f, prec);
            if (c->witness) {
                arb_mul(ch[a].lo, ch[a].lo, f, prec);
                arb_mul(ch[a].hi, ch[a].hi, f, prec);
            }
            h = ch[a].hull;
            l = ch[a].lo;
            hi = ch[a].hi;
        }
        if (first) {
            arb_set(out->hull, h);
            if (c->witness) {
                arb_set(out->lo, l);
                arb_set(out->hi, hi);
            }
            out->lo_rank = ch[a].lo_rank;
            out->hi_rank = ch[a].hi_rank;
            first = 0;
        } else {
            arb_union(out->hull, out->hull, h, prec);
            if (!c->witness)
                continue;
            if (arf_cmp(arb_midref(l), arb_midref(out->lo)) < 0) {
                arb_set(out->lo, l);
                out->lo_rank = ch[a].lo_rank;
            }
            if (arf_cmp(arb_midref(hi), arb_midref(out->hi)) > 0) {
                arb_set(out->hi, hi);
                out->hi_rank = ch[a].hi_rank;
            }
        }
    }
    arb_div(out->hull, out->hull, out->beta, prec);
    if (c->witness) {
        arb_div(out->lo, out->lo, out->beta, prec);
        arb_div(out->hi, out->hi, out->beta, prec);
    }
}

/* A leaf (ending action a at state s) with path sum K or product Psi above it. */
static void leaf(const ae_sctx *c, slong K, slong k, const arb_t Psi, arb_srcptr x, ulong *hist, arb_t zacc, arb_t f)
{
    if (hist != NULL) {
        hist[K + k + c->kmax]++;
    } else {
        arb_mul(f, Psi, x, c->prec);
        arb_add(zacc, zacc, f, c->prec);
    }
}

/* A state whose row allows one action, and that action ends (E(V,T) at depth T-1): pi = 1
   whatever the logit, so beta = phi = psi, the ratio is 1/psi, and its one leaf enters Z.
   No row to finish. */
static void single_end(ae_snode *out, const ae_sctx *c, slong s, slong d, slong K, const arb_t Psi, ulong *hist,
                       arb_t zacc, arb_t f, arb_ptr xbuf, arb_ptr ixbuf)
{
    const ae_space_struct *sp = c->sp;
    arb_srcptr x, ix;
    slong a = sp->V, k; /* EOS */
    AE_ASSERT(sp->kind == AE_EOS && _ae_allowed(sp, d, a) && _ae_ends(sp, d, a));
    k = _ae_psi_of(&x, &ix, xbuf, ixbuf, c, s, a);
    leaf(c, K, k, Psi, x, hist, zacc, f);
    arb_set(out->beta, x);
    arb_set(out->hull, ix);
    if (c->witness) {
        arb_set(out->lo, ix);
        arb_set(out->hi, ix);
    }
    out->lo_rank = out->hi_rank = ae_space_response_rank(sp, s, a);
}

void _ae_stream_subtree(ae_snode *out, const ae_sctx *c, slong s0, slong d0, slong K_in, const arb_t Psi_in,
                        ulong *hist)
{
    const ae_space_struct *sp = c->sp;
    slong A = sp->A, T = sp->T, depth = T - d0, i;
    int dyadic = c->g->kind == AE_GEN_DYADIC;
    /* per level below d0: node state, next action, path sum, psi row, children's results, Psi */
    slong *st = ae_malloc((size_t)(3 * depth + 1) * sizeof(slong)), *nx = st + depth, *K = nx + depth;
    arb_ptr psibuf = _arb_vec_init(depth * A), ipsibuf = _arb_vec_init(depth * A), phi = _arb_vec_init(A);
    arb_srcptr *psi = ae_malloc((size_t)(2 * depth * A) * sizeof(arb_srcptr)), *ipsi = psi + depth * A;
    arb_ptr Psi = _arb_vec_init(depth + 1);
    ae_snode *ch = ae_malloc((size_t)(depth * A) * sizeof(ae_snode));
    arb_t f, zacc;
    slong l = 0, nacc = 0;

    arb_init(f);
    arb_init(zacc);
    for (i = 0; i < depth * A; i++)
        _ae_snode_init(ch + i);
    st[0] = s0;
    nx[0] = 0;
    K[0] = K_in;
    if (!dyadic)
        arb_set(Psi, Psi_in);
    while (l >= 0) {
        slong d = d0 + l, s = st[l], a = nx[l], k;
        if (a == A) { /* all children done: finish this node into its parent's slot */
            ae_snode *dst = (l == 0) ? out : ch + (l - 1) * A + nx[l - 1] - 1;
            _ae_stream_finish(dst, c, d, psi + l * A, ipsi + l * A, ch + l * A, phi, f);
            l--;
            continue;
        }
        nx[l] = a + 1;
        if (!_ae_allowed(sp, d, a))
            continue;
        i = l * A + a;
        k = _ae_psi_of(psi + i, _ae_ends(sp, d, a) ? NULL : ipsi + i, psibuf + i, ipsibuf + i, c, s, a);
        if (_ae_ends(sp, d, a)) {
            leaf(c, K[l], k, Psi + l, psi[i], hist, zacc, f);
            nacc++;
            ch[i].lo_rank = ch[i].hi_rank = ae_space_response_rank(sp, s, a);
            continue;
        }
        K[l + 1] = K[l] + k;
        if (!dyadic)
            arb_mul(Psi + l + 1, Psi + l, psi[i], c->prec);
        st[l + 1] = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
        if (sp->kind == AE_EOS && d + 1 == T - 1) {
            single_end(ch + i, c, st[l + 1], d + 1, K[l + 1], Psi + l + 1, hist, zacc, f, psibuf + i + A,
                       ipsibuf + i + A);
            nacc++;
            continue;
        }
        nx[l + 1] = 0;
        l++;
    }
    arb_set(out->z, zacc);
    out->n = nacc;
    arb_clear(zacc);
    for (i = 0; i < depth * A; i++)
        _ae_snode_clear(ch + i);
    free(ch);
    free(st);
    free(psi);
    _arb_vec_clear(psibuf, depth * A);
    _arb_vec_clear(ipsibuf, depth * A);
    _arb_vec_clear(phi, A);
    _arb_vec_clear(Psi, depth + 1);
    arb_clear(f);
}
