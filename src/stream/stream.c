/* Streaming C1 check on generated instances (see armebm.h, "streaming"): the tree is split at
   a depth fixed by the space into subtrees walked independently (subtree.c, distribute.c);
   the part above the split and Z are then combined in a fixed order. */
#include "stream-impl.h"

#define AE_STREAM_TASKS 256 /* split where a depth first has this many states */

static void phi_default(arb_t phi, const arb_t psi, const arb_t beta_child, slong depth, slong prec)
{
    (void)depth;
    arb_mul(phi, psi, beta_child, prec);
}

/* the split depth: fixed by the space, so results never depend on the thread count */
slong _ae_stream_split_depth(const ae_space_t sp)
{
    slong d;
    for (d = 0; d < sp->T - 1; d++)
        if (sp->first[d + 1] - sp->first[d] >= AE_STREAM_TASKS)
            return d;
    return sp->T - 1;
}

void ae_stream_init(ae_stream_t st)
{
    arb_init(st->z);
    arb_init(st->beta);
    arb_init(st->hull);
    arb_init(st->lo);
    arb_init(st->hi);
    st->lo_rank = st->hi_rank = -1;
    st->responses = 0;
    st->witness = 1;
}

void ae_stream_clear(ae_stream_t st)
{
    arb_clear(st->z);
    arb_clear(st->beta);
    arb_clear(st->hull);
    arb_clear(st->lo);
    arb_clear(st->hi);
}

/* z += sum_K n_K exp(K/256) over the histogram, in K order. With K = 512 j + m, 0 <= m < 512,
   exp(K/256) = exp(2j) exp(m/256): the table gives the second factor, so each j costs one
   exp and each count one multiply-add. kmax = 512 T, so j runs over [-T, T]. */
void _ae_stream_z_from_hist(arb_t z, const ulong *hist, const ae_sctx *c)
{
    slong j, m, T = c->kmax / 512;
    arb_t part, e;
    arb_init(part);
    arb_init(e);
    for (j = -T; j <= T; j++) {
        int any = 0;
        arb_zero(part);
        for (m = 0; m < 512 && 512 * j + m <= c->kmax; m++) {
            ulong n = hist[512 * j + m + c->kmax];
            if (n != 0) {
                arb_addmul_ui(part, c->table + m + AE_DYADIC_RANGE, n, c->prec);
                any = 1;
            }
        }
        if (any) {
            arb_set_si(e, 2 * j);
            arb_exp(e, e, c->prec);
            arb_addmul(z, part, e, c->prec);
        }
    }
    arb_clear(part);
    arb_clear(e);
}

typedef struct {
    const ae_sctx *c;
    slong ks;
    const slong *K_top;
    arb_srcptr Psi_top;
    ae_swork *work; /* one per thread */
} task_arg;

static void run_task(void *tasks, slong t, int thread, ulong *hist, void *varg)
{
    const task_arg *a = varg;
    slong s = a->c->sp->first[a->ks] + t;
    _ae_stream_subtree((ae_snode *)tasks + t, a->c, a->work + thread, s, a->ks, a->K_top[s],
                       a->Psi_top ? a->Psi_top + s : NULL, hist);
}

static arb_ptr snode_ball(void *tasks, slong t, slong k)
{
    ae_snode *r = (ae_snode *)tasks + t;
    return k == 0 ? r->beta : k == 1 ? r->hull : k == 2 ? r->lo : k == 3 ? r->hi : r->z;
}

static slong *snode_int(void *tasks, slong t, slong k)
{
    ae_snode *r = (ae_snode *)tasks + t;
    return k == 0 ? &r->lo_rank : k == 1 ? &r->hi_rank : &r->n;
}

static const ae_stream_payload snode_payload = {5, 3, 0, snode_ball, snode_int, NULL};

void _ae_sctx_init(ae_sctx *c, const ae_gen_struct *g, const ae_space_struct *sp, slong p, slong prec)
{
    slong i;
    c->sp = sp;
    c->g = g;
    c->p = p;
    c->prec = prec;
    c->phi = phi_default;
    c->witness = 0;
    arb_init(c->one);
    arb_one(c->one);
    c->hprefix = ae_hash_prefix(g->seed, g->stream, (uint64_t)p);
    c->table = c->itable = NULL;
    c->kmax = 0;
    if (g->kind == AE_GEN_DYADIC) {
        c->table = _arb_vec_init(2 * AE_DYADIC_RANGE + 1);
        c->itable = _arb_vec_init(2 * AE_DYADIC_RANGE + 1);
        for (i = 0; i <= 2 * AE_DYADIC_RANGE; i++) {
            arb_set_si(c->table + i, i - AE_DYADIC_RANGE);
            arb_mul_2exp_si(c->table + i, c->table + i, -AE_DYADIC_BITS);
            arb_neg(c->itable + i, c->table + i);
            arb_exp(c->table + i, c->table + i, prec);
            arb_exp(c->itable + i, c->itable + i, prec);
        }
        c->kmax = AE_DYADIC_RANGE * sp->T;
        AE_ASSERT(AE_DYADIC_RANGE == 512 && AE_DYADIC_BITS == 8); /* as _ae_stream_z_from_hist assumes */
    }
    c->tfix = NULL;
    c->tfix_limbs = 0;
    mag_init(c->trad);
    if (g->kind == AE_GEN_DYADIC) { /* midpoints m 2^e as integers m 2^(e + U), U = -min e */
        slong n = 2 * AE_DYADIC_RANGE + 1, emin = WORD_MAX, bits = 0, L;
        fmpz *man = _fmpz_vec_init(n), *ex = _fmpz_vec_init(n);
        for (i = 0; i < n; i++) {
            arf_get_fmpz_2exp(man + i, ex + i, arb_midref(c->table + i));
            AE_ASSERT(fmpz_sgn(man + i) > 0 && fmpz_fits_si(ex + i));
            emin = FLINT_MIN(emin, fmpz_get_si(ex + i));
            mag_max(c->trad, c->trad, arb_radref(c->table + i));
        }
        for (i = 0; i < n; i++)
            bits = FLINT_MAX(bits, (slong)fmpz_bits(man + i) + fmpz_get_si(ex + i) - emin);
        L = (bits + 17 + FLINT_BITS - 1) / FLINT_BITS; /* room for 2^17 > A terms without carry */
        if (L <= 8) {                                  /* beyond, the arb sums are as good */
            c->tfix = ae_calloc((size_t)(n * L), sizeof(mp_limb_t));
            c->tfix_limbs = L;
            c->tfix_shift = -emin;
            for (i = 0; i < n; i++) {
                fmpz_mul_2exp(man + i, man + i, (ulong)(fmpz_get_si(ex + i) - emin));
                fmpz_get_ui_array(c->tfix + i * L, L, man + i);
            }
        }
        _fmpz_vec_clear(man, n);
        _fmpz_vec_clear(ex, n);
    }
}

void _ae_sctx_clear(ae_sctx *c)
{
    free(c->tfix);
    mag_clear(c->trad);
    if (c->table) {
        _arb_vec_clear(c->table, 2 * AE_DYADIC_RANGE + 1);
        _arb_vec_clear(c->itable, 2 * AE_DYADIC_RANGE + 1);
    }
    arb_clear(c->one);
}

void ae_stream_walk(ae_stream_t st, const ae_gen_struct *g, const ae_space_t sp, slong p, int threads,
                    ae_phi_fn phi, slong prec)
{
    ae_sctx c;
    slong ks = _ae_stream_split_depth(sp), ntask = sp->first[ks + 1] - sp->first[ks], i, d, s, a, A = sp->A;
    slong nthreads = threads > 0 ? threads : 1, hlen = 0, ntop = 0;
    int dyadic = g->kind == AE_GEN_DYADIC;
    ae_snode *task = ae_malloc((size_t)ntask * sizeof(ae_snode));
    ae_snode *top = ae_malloc((size_t)(sp->first[ks] > 0 ? sp->first[ks] : 1) * sizeof(ae_snode));
    /* the path above every state down to the split: integer sums K (dyadic) or products Psi */
    slong *K_top = ae_calloc((size_t)sp->first[ks + 1], sizeof(slong));
    arb_ptr Psi_top = dyadic ? NULL : _arb_vec_init(sp->first[ks + 1]);
    arb_ptr psibuf = dyadic ? NULL : _arb_vec_init(A), ipsibuf = dyadic ? NULL : _arb_vec_init(A);
    arb_ptr phirow = _arb_vec_init(A);
    arb_srcptr *psi = ae_malloc((size_t)(2 * A) * sizeof(arb_srcptr)), *ipsi = psi + A;
    ae_swork *work = ae_malloc((size_t)nthreads * sizeof(ae_swork));
    ulong *hists = NULL;
    arb_t f, ztop;
    task_arg targ;

    _ae_sctx_init(&c, g, sp, p, prec);
    if (phi)
        c.phi = phi;
    c.witness = st->witness;
    if (dyadic) {
        hlen = _ae_sctx_hist_len(&c);
        hists = ae_calloc((size_t)(nthreads * hlen), sizeof(ulong));
    }
    arb_init(f);
    arb_init(ztop);
    if (!dyadic)
        arb_one(Psi_top);
    for (d = 0; d < ks; d++)
        for (s = sp->first[d]; s < sp->first[d + 1]; s++)
            for (a = 0; a < sp->V; a++)
                if (_ae_allowed(sp, d, a) && !_ae_ends(sp, d, a)) {
                    slong cs = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
                    K_top[cs] = K_top[s] + _ae_psi_of(psi, NULL, dyadic ? NULL : psibuf, NULL, &c, s, a);
                    if (!dyadic)
                        arb_mul(Psi_top + cs, Psi_top + s, psi[0], prec);
                }
    for (i = 0; i < ntask; i++)
        _ae_snode_init(task + i);
    targ.c = &c;
    targ.ks = ks;
    targ.K_top = K_top;
    targ.Psi_top = Psi_top;
    targ.work = work;
    for (i = 0; i < nthreads; i++)
        _ae_swork_init(work + i, &c, ks);
    _ae_stream_distribute(task, &snode_payload, ntask, (int)nthreads, run_task, &targ, hists, hlen, fmpz_get_si(sp->responses));
    for (i = 0; i < nthreads; i++)
        _ae_swork_clear(work + i);
    /* the top part, bottom-up in index order; a state's children are contiguous in the task
       array (at the split) or in top (above it), and are finished in place */
    for (i = 0; i < sp->first[ks]; i++)
        _ae_snode_init(top + i);
    for (d = ks - 1; d >= 0; d--)
        for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
            slong cs0 = sp->first[d + 1] + (s - sp->first[d]) * sp->V;
            for (a = 0; a < A; a++) {
                slong k;
                if (!_ae_allowed(sp, d, a))
                    continue;
                k = _ae_psi_of(psi + a, _ae_ends(sp, d, a) ? NULL : ipsi + a, dyadic ? NULL : psibuf + a,
                               dyadic ? NULL : ipsibuf + a, &c, s, a);
                if (_ae_ends(sp, d, a)) {
                    if (dyadic) {
                        hists[K_top[s] + k + c.kmax]++;
                    } else {
                        arb_mul(f, Psi_top + s, psi[a], prec);
                        arb_add(ztop, ztop, f, prec);
                    }
                    ntop++;
                }
            }
            _ae_stream_finish(top + s, &c, s, d, psi, ipsi, (d + 1 == ks) ? task + (cs0 - sp->first[ks]) : top + cs0,
                              phirow, f);
        }
    {
        ae_snode *root = ks == 0 ? task : top;
        /* Z: the subtrees' direct sums in index order and the leaves above the split
           (potentials), or the exact histogram of path sums (dyadic) */
        arb_zero(st->z);
        st->responses = 0;
        for (i = 0; i < ntask; i++) {
            arb_add(st->z, st->z, task[i].z, prec);
            st->responses += task[i].n;
        }
        arb_add(st->z, st->z, ztop, prec);
        st->responses += ntop;
        if (dyadic)
            _ae_stream_z_from_hist(st->z, hists, &c);
        arb_set(st->beta, root->beta);
        arb_set(st->hull, root->hull);
        arb_set(st->lo, root->lo);
        arb_set(st->hi, root->hi);
        st->lo_rank = root->lo_rank;
        st->hi_rank = root->hi_rank;
    }
    arb_clear(ztop);
    for (i = 0; i < ntask; i++)
        _ae_snode_clear(task + i);
    for (i = 0; i < sp->first[ks]; i++)
        _ae_snode_clear(top + i);
    free(task);
    free(top);
    free(work);
    free(K_top);
    free(hists);
    if (Psi_top)
        _arb_vec_clear(Psi_top, sp->first[ks + 1]);
    free(psi);
    if (psibuf) {
        _arb_vec_clear(psibuf, A);
        _arb_vec_clear(ipsibuf, A);
    }
    _arb_vec_clear(phirow, A);
    _ae_sctx_clear(&c);
    arb_clear(f);
}
