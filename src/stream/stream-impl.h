/* Internal: the pieces of the streaming walk (subtree walk, distribution over threads and
   MPI ranks, progress). See armebm.h, "streaming", for what the walk computes. */
#ifndef AE_STREAM_IMPL_H
#define AE_STREAM_IMPL_H
#include "ae-impl.h"

/* Per-node results: beta, the ratio hull with its extreme leaves (witnesses), and, for
   integer potentials, Z restricted to the subtree's leaves (each leaf's full product from
   the root, so Z stays a direct sum). Dyadic instances count leaves in a histogram instead. */
typedef struct {
    arb_t beta, hull, lo, hi, z;
    arb_srcptr pbeta, phull; /* where beta and hull are read: the fields, or table entries */
    slong lo_rank, hi_rank, n;
} ae_snode;

void _ae_snode_init(ae_snode *r);
void _ae_snode_clear(ae_snode *r);

/* One prompt's walk context, read-only while subtrees run. */
typedef struct {
    const ae_space_struct *sp;
    const ae_gen_struct *g;
    slong p, prec;
    arb_ptr table, itable; /* exp(k/256) and exp(-k/256), 2*AE_DYADIC_RANGE+1 entries (dyadic) */
    slong kmax;            /* dyadic: every path sum K of generator integers has |K| <= kmax */
    int witness;           /* track the extreme leaves (only needed to name a counterexample) */
    arb_t one;             /* the ratio of an ending action before its row's 1/sum */
    uint64_t hprefix;      /* the generator's hash prefix for this prompt */
    ae_phi_fn phi;
    /* dyadic: the table's midpoints as exact integer multiples of 2^-tfix_shift, tfix_limbs
       limbs each (NULL when too wide), and a bound on the table's radii; rows of table values
       are then summed exactly as integers (see _ae_stream_row_sum) */
    mp_limb_t *tfix;
    slong tfix_limbs, tfix_shift;
    mag_t trad;
} ae_sctx;

/* beta = sum of the row's psi over its allowed actions (all table entries, dyadic), summed
   exactly as integers then rounded once; returns 0 (and does nothing) when unavailable. */
int _ae_stream_row_sum(arb_t beta, const ae_sctx *c, slong d, const arb_srcptr *psi);

/* Dyadic Z: Psi(y) = exp(K(y)/256) with K(y) the integer sum of the generator integers on
   y's path, so Z = sum_K n_K exp(K/256) with n_K the exact count of leaves with sum K. A
   histogram of 2*kmax+1 counters, indexed by K + kmax, replaces a product and a sum per leaf
   and adds up exactly in any order. */
static inline slong _ae_sctx_hist_len(const ae_sctx *c)
{
    return 2 * c->kmax + 1;
}

/* psi(s,a) in *x and, when ix is given, 1/psi(s,a) in *ix: pointers into the exp tables
   (dyadic) or to the values computed into xbuf and ixbuf (potentials). Returns the generator
   integer k. */
static inline slong _ae_psi_of(arb_srcptr *x, arb_srcptr *ix, arb_ptr xbuf, arb_ptr ixbuf, const ae_sctx *c, slong s,
                               slong a)
{
    slong k = _ae_gen_int(c->g, c->hprefix, s, a);
    if (c->g->kind == AE_GEN_DYADIC) {
        *x = c->table + k + AE_DYADIC_RANGE;
        if (ix)
            *ix = c->itable + k + AE_DYADIC_RANGE;
    } else {
        arb_set_si(xbuf, k);
        *x = xbuf;
        if (ix) {
            arb_inv(ixbuf, xbuf, c->prec);
            *ix = ixbuf;
        }
    }
    return k;
}

/* The depth where streaming walks split into independent subtrees (fixed by the space, so
   results never depend on the thread or rank count). */
slong _ae_stream_split_depth(const ae_space_t sp);

/* Finishes state s at depth d from its children's results ch[a] (read, and scaled in place,
   for the non-ending actions only) and its psi row (phi is scratch of A entries, f one
   scratch ball). */
void _ae_stream_finish(ae_snode *out, const ae_sctx *c, slong s, slong d, const arb_srcptr *psi,
                       const arb_srcptr *ipsi, ae_snode *ch, arb_ptr phi, arb_t f);

/* One thread's buffers for subtree walks from depth d0 (allocated once, reused by every task
   of the thread): O((T - d0) A) numbers. The deepest level has no non-ending action, so it
   keeps no children's results. */
typedef struct {
    slong depth, A;
    slong *st, *nx, *K;
    arb_ptr psibuf, ipsibuf; /* potentials only */
    arb_ptr phi, Psi;
    arb_srcptr *psi, *ipsi;
    ae_snode *ch; /* (depth - 1) A */
    arb_t f, zacc;
} ae_swork;

void _ae_swork_init(ae_swork *w, const ae_sctx *c, slong d0);
void _ae_swork_clear(ae_swork *w);

/* Post-order walk of the subtree of s0 (depth d0, as w was set up for). K_in (dyadic) or
   Psi_in (potentials) is the path above s0; dyadic leaves are counted into hist. */
void _ae_stream_subtree(ae_snode *out, const ae_sctx *c, ae_swork *w, slong s0, slong d0, slong K_in,
                        const arb_t Psi_in, ulong *hist);

/* A task's result as nballs balls, nints integers and nreals doubles, for the exchange between
   MPI ranks (each sent exactly: Arb's text form, decimal, hexadecimal floating point). */
typedef struct {
    slong nballs, nints, nreals;
    arb_ptr (*ball)(void *tasks, slong t, slong k);
    slong *(*integer)(void *tasks, slong t, slong k);
    double *(*real)(void *tasks, slong t, slong k);
} ae_stream_payload;

/* Runs every task t in [0, ntask) exactly once across OpenMP threads and MPI ranks, as
   run(tasks, t, thread, hists + thread * hlen, arg) with thread < threads; MPI ranks take tasks
   from a dynamic queue. Afterwards every rank holds every task's result (exchanged exactly,
   as described by pl) and hists[0..hlen) holds the sum of all threads' and ranks'
   histograms (hists may be NULL when hlen is 0). */
typedef void (*ae_stream_task_fn)(void *tasks, slong t, int thread, ulong *hist, void *arg);
void _ae_stream_distribute(void *tasks, const ae_stream_payload *pl, slong ntask, int threads, ae_stream_task_fn run,
                           void *arg, ulong *hists, slong hlen, slong responses);

/* Z = sum_K n_K exp(K/256) added to z, from a histogram of hist_len(c) counts */
void _ae_stream_z_from_hist(arb_t z, const ulong *hist, const ae_sctx *c);
/* Sets up c for prompt p of g (tables at prec), and frees it */
void _ae_sctx_init(ae_sctx *c, const ae_gen_struct *g, const ae_space_struct *sp, slong p, slong prec);
void _ae_sctx_clear(ae_sctx *c);

#endif
