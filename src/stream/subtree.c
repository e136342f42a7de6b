/* The streaming walk of one subtree: post-order, O(T*A) numbers, no table. */
#include "stream-impl.h"

void _ae_snode_init(ae_snode *r)
{
    arb_init(r->beta);
    arb_init(r->hull);
    arb_init(r->lo);
    arb_init(r->hi);
    arb_init(r->z);
    r->pbeta = r->beta;
    r->phull = r->hull;
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

int _ae_stream_row_sum(arb_t beta, const ae_sctx *c, slong d, const arb_srcptr *psi)
{
    const ae_space_struct *sp = c->sp;
    slong a, n = 0, L = c->tfix_limbs, len;
    mp_limb_t acc[8];
    if (c->tfix == NULL)
        return 0;
    flint_mpn_zero(acc, L);
    for (a = 0; a < sp->A; a++)
        if (_ae_allowed(sp, d, a)) { /* acc += term, limb by limb (L is small: no call) */
            const mp_limb_t *x = c->tfix + (psi[a] - c->table) * L;
            mp_limb_t carry = 0;
            slong k;
            for (k = 0; k < L; k++) {
                mp_limb_t t = acc[k] + carry;
                carry = t < carry;
                acc[k] = t + x[k];
                carry += acc[k] < x[k];
            }
            AE_ASSERT(carry == 0); /* L leaves 17 bits of headroom and A <= 2^17 */
            n++;
        }
    for (len = L; len > 0 && acc[len - 1] == 0; len--)
        ;
    AE_ASSERT(len > 0); /* a sum of positive terms */
    arf_set_mpn(arb_midref(beta), acc, len, 0);
    arf_mul_2exp_si(arb_midref(beta), arb_midref(beta), -c->tfix_shift);
    mag_mul_ui(arb_radref(beta), c->trad, (ulong)n); /* every term's radius is at most trad */
    arb_set_round(beta, beta, c->prec);
    return 1;
}

/* x := a ball containing x and y, centred at x: radius max(rad x, |mid y - mid x| + rad y).
   Cheaper than arb_union (no new midpoint), and at most twice as wide; the hulls it builds
   are of numbers equal in exact arithmetic, so the widening is of the order of the radii. */
static void hull_add(arb_t x, const arb_t y, arf_t tmp, mag_t t)
{
    arf_sub(tmp, arb_midref(y), arb_midref(x), MAG_BITS, ARF_RND_UP);
    arf_get_mag(t, tmp);
    mag_add(t, t, arb_radref(y));
    mag_max(arb_radref(x), arb_radref(x), t);
}

/* The row of logits phi(a) = psi(a) beta(child a) (psi(a) for an ending action), its sum
   beta, and the ratio hull: factor phi(a)/(psi(a) sum) per action times the child's hull,
   in one pass over the row. A leaf's ratio is the factor itself, so leaves cost no
   multiplications of their own. */
void _ae_stream_finish(ae_snode *out, const ae_sctx *c, slong s, slong d, const arb_srcptr *psi,
                       const arb_srcptr *ipsi, ae_snode *ch, arb_ptr phi, arb_t f)
{
    const ae_space_struct *sp = c->sp;
    slong a, A = sp->A, prec = c->prec;
    int first = 1, first_beta = 1, leaf_seen = 0;
    arf_t c_tmp;
    mag_t c_mag;
    if (sp->kind == AE_FIXED && d == sp->T - 1 && _ae_stream_row_sum(out->beta, c, d, psi)) {
        /* every action ends: phi = psi, beta their sum, one factor 1/beta for every leaf */
        arb_div(out->hull, c->one, out->beta, prec);
        if (c->witness) {
            arb_set(out->lo, out->hull);
            arb_set(out->hi, out->hull);
        }
        out->pbeta = out->beta;
        out->phull = out->hull;
        out->lo_rank = out->hi_rank = ae_space_response_rank(sp, s, 0);
        return;
    }
    arf_init(c_tmp);
    mag_init(c_mag);
    for (a = 0; a < A; a++) {
        arb_srcptr h, l, hi;
        slong lo_rank, hi_rank;
        if (!_ae_allowed(sp, d, a))
            continue;
        /* the common 1/sum divides the hull once, at the end (a hull divided by a positive
           ball encloses each quotient) */
        if (_ae_ends(sp, d, a)) {
            /* phi = psi at an ending action (nothing follows, beta = 1): the factor is 1/sum,
               the same for every ending action of the row, so only the first enters the hull */
            if (first_beta)
                arb_set(out->beta, psi[a]);
            else
                arb_add(out->beta, out->beta, psi[a], prec);
            first_beta = 0;
            if (leaf_seen)
                continue;
            leaf_seen = 1;
            h = l = hi = c->one;
            lo_rank = hi_rank = ae_space_response_rank(sp, s, a);
        } else {
            c->phi(phi + a, psi[a], ch[a].pbeta, d, prec);
            if (first_beta)
                arb_set(out->beta, phi + a);
            else
                arb_add(out->beta, out->beta, phi + a, prec);
            first_beta = 0;
            arb_mul(f, phi + a, ipsi[a], prec);
            if (first && !c->witness) { /* straight into the node's hull */
                arb_mul(out->hull, ch[a].phull, f, prec);
                out->lo_rank = ch[a].lo_rank;
                out->hi_rank = ch[a].hi_rank;
                first = 0;
                continue;
            }
            arb_mul(ch[a].hull, ch[a].phull, f, prec);
            if (c->witness) {
                arb_mul(ch[a].lo, ch[a].lo, f, prec);
                arb_mul(ch[a].hi, ch[a].hi, f, prec);
            }
            h = ch[a].hull;
            l = ch[a].lo;
            hi = ch[a].hi;
            lo_rank = ch[a].lo_rank;
            hi_rank = ch[a].hi_rank;
        }
        if (first) {
            arb_set(out->hull, h);
            if (c->witness) {
                arb_set(out->lo, l);
                arb_set(out->hi, hi);
            }
            out->lo_rank = lo_rank;
            out->hi_rank = hi_rank;
            first = 0;
        } else {
            hull_add(out->hull, h, c_tmp, c_mag);
            if (!c->witness)
                continue;
            if (arf_cmp(arb_midref(l), arb_midref(out->lo)) < 0) {
                arb_set(out->lo, l);
                out->lo_rank = lo_rank;
            }
            if (arf_cmp(arb_midref(hi), arb_midref(out->hi)) > 0) {
                arb_set(out->hi, hi);
                out->hi_rank = hi_rank;
            }
        }
    }
    arb_div(out->hull, out->hull, out->beta, prec);
    if (c->witness) {
        arb_div(out->lo, out->lo, out->beta, prec);
        arb_div(out->hi, out->hi, out->beta, prec);
    }
    out->pbeta = out->beta;
    out->phull = out->hull;
    arf_clear(c_tmp);
    mag_clear(c_mag);
}

/* A leaf (ending action with generator integer k) below path sum K or product Psi. */
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
    if (c->g->kind == AE_GEN_DYADIC) { /* table entries: read in place by the parent's row */
        out->pbeta = x;
        out->phull = ix;
    } else {
        arb_set(out->beta, x);
        arb_set(out->hull, ix);
        out->pbeta = out->beta;
        out->phull = out->hull;
    }
    if (c->witness) {
        arb_set(out->lo, ix);
        arb_set(out->hi, ix);
    }
    out->lo_rank = out->hi_rank = ae_space_response_rank(sp, s, a);
}

void _ae_swork_init(ae_swork *w, const ae_sctx *c, slong d0)
{
    slong i, A = c->sp->A, depth = c->sp->T - d0, nch = (depth - 1) * A;
    int potentials = c->g->kind != AE_GEN_DYADIC;
    w->depth = depth;
    w->A = A;
    w->st = ae_malloc((size_t)(3 * depth + 1) * sizeof(slong));
    w->nx = w->st + depth;
    w->K = w->nx + depth;
    /* psi values need storage only for potentials (dyadic ones point into the tables) */
    w->psibuf = potentials ? _arb_vec_init(depth * A) : NULL;
    w->ipsibuf = potentials ? _arb_vec_init(depth * A) : NULL;
    w->phi = _arb_vec_init(A);
    w->Psi = _arb_vec_init(depth + 1);
    w->psi = ae_malloc((size_t)(2 * depth * A) * sizeof(arb_srcptr));
    w->ipsi = w->psi + depth * A;
    w->ch = ae_malloc((size_t)(nch > 0 ? nch : 1) * sizeof(ae_snode));
    for (i = 0; i < nch; i++)
        _ae_snode_init(w->ch + i);
    arb_init(w->f);
    arb_init(w->zacc);
}

void _ae_swork_clear(ae_swork *w)
{
    slong i, nch = (w->depth - 1) * w->A;
    for (i = 0; i < nch; i++)
        _ae_snode_clear(w->ch + i);
    free(w->ch);
    free(w->st);
    free(w->psi);
    if (w->psibuf) {
        _arb_vec_clear(w->psibuf, w->depth * w->A);
        _arb_vec_clear(w->ipsibuf, w->depth * w->A);
    }
    _arb_vec_clear(w->phi, w->A);
    _arb_vec_clear(w->Psi, w->depth + 1);
    arb_clear(w->f);
    arb_clear(w->zacc);
}

void _ae_stream_subtree(ae_snode *out, const ae_sctx *c, ae_swork *w, slong s0, slong d0, slong K_in,
                        const arb_t Psi_in, ulong *hist)
{
    const ae_space_struct *sp = c->sp;
    slong A = sp->A, T = sp->T, i, l = 0, nacc = 0;
    int dyadic = c->g->kind == AE_GEN_DYADIC;
    slong *st = w->st, *nx = w->nx, *K = w->K;
    arb_ptr Psi = w->Psi;

    AE_ASSERT(w->depth == T - d0);
    arb_zero(w->zacc);
    st[0] = s0;
    nx[0] = 0;
    K[0] = K_in;
    if (!dyadic)
        arb_set(Psi, Psi_in);
    while (l >= 0) {
        slong d = d0 + l, s = st[l], a = nx[l], k;
        if (a == A) { /* all children done: finish this node into its parent's slot */
            ae_snode *dst = (l == 0) ? out : w->ch + (l - 1) * A + nx[l - 1] - 1;
            _ae_stream_finish(dst, c, s, d, w->psi + l * A, w->ipsi + l * A, d < T - 1 ? w->ch + l * A : NULL, w->phi,
                              w->f);
            l--;
            continue;
        }
        nx[l] = a + 1;
        if (!_ae_allowed(sp, d, a))
            continue;
        i = l * A + a;
        k = _ae_psi_of(w->psi + i, _ae_ends(sp, d, a) ? NULL : w->ipsi + i, dyadic ? NULL : w->psibuf + i,
                       dyadic ? NULL : w->ipsibuf + i, c, s, a);
        if (_ae_ends(sp, d, a)) {
            leaf(c, K[l], k, Psi + l, w->psi[i], hist, w->zacc, w->f);
            nacc++;
            continue;
        }
        K[l + 1] = K[l] + k;
        if (!dyadic)
            arb_mul(Psi + l + 1, Psi + l, w->psi[i], c->prec);
        st[l + 1] = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
        if (sp->kind == AE_EOS && d + 1 == T - 1) {
            single_end(w->ch + i, c, st[l + 1], d + 1, K[l + 1], Psi + l + 1, hist, w->zacc, w->f,
                       dyadic ? NULL : w->psibuf + i + A, dyadic ? NULL : w->ipsibuf + i + A);
            nacc++;
            continue;
        }
        nx[l + 1] = 0;
        l++;
    }
    arb_set(out->z, w->zacc);
    out->n = nacc;
}
