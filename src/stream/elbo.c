/* Streaming sums for C2 and C3 on generated dyadic instances (see armebm.h, "streaming ELBO"):
   one post-order walk per subtree carries q' = the random logits top-down (its rows are known
   before their children) and q* = M(r) bottom-up (its rows need the children's beta). */
#include "stream-impl.h"

/* Per-node results for q* = M(r) from the node down: beta, V = log beta, the mass and the
   ELBO of p_q*(.|s). A task's result also carries its subtree's q' sums (weighted from the
   root): the leaves' mass, ELBO and entropy, the states' KL and entropy terms, the leaf count. */
typedef struct {
    arb_t beta, v, mass, elbo;
    arb_t rmass, relbo, rkl, rent, sent;
    slong n;
} enode;

static void enode_init(enode *e)
{
    arb_init(e->beta);
    arb_init(e->v);
    arb_init(e->mass);
    arb_init(e->elbo);
    arb_init(e->rmass);
    arb_init(e->relbo);
    arb_init(e->rkl);
    arb_init(e->rent);
    arb_init(e->sent);
    e->n = 0;
}

static void enode_clear(enode *e)
{
    arb_clear(e->beta);
    arb_clear(e->v);
    arb_clear(e->mass);
    arb_clear(e->elbo);
    arb_clear(e->rmass);
    arb_clear(e->relbo);
    arb_clear(e->rkl);
    arb_clear(e->rent);
    arb_clear(e->sent);
}

typedef struct {
    ae_sctx c;          /* the rewards r (psi tables, hash prefix) */
    const ae_gen_struct *gq;
    uint64_t qprefix;   /* q' generator's hash prefix for this prompt */
    slong ks;           /* split depth */
    enode *tasks;       /* results of the subtrees at depth ks, when walking above them */
} ectx;

/* A walk's buffers, one per thread, reused by every task: per level the node, next action,
   path sum K of r, top-down weight P' = p_q'(s) and log weight L', the row of q' (softmax pq,
   log-softmax lq), the integers and psi of r, and pointers to the children's results (walked
   children in ch, nch levels of A; the others are tasks); and the walk's q' sums. */
typedef struct {
    slong A, depth, nch;
    slong *st, *nx, *K, *kr;
    arb_ptr P, L, pq, lq, phi;
    arb_srcptr *psi, *php, *qp; /* php: the row's phi (in phi or the tables); qp: scratch */
    enode *ch, **chp;
    arb_t t, u, x, r, ib, mass, elbo, kl, rent, sent;
    slong n;
} ewalk;

static void ewalk_init(ewalk *w, slong A, slong depth, slong nch)
{
    slong i;
    w->A = A;
    w->depth = depth;
    w->nch = nch;
    w->st = ae_malloc((size_t)(3 * depth + 1 + depth * A) * sizeof(slong));
    w->nx = w->st + depth;
    w->K = w->nx + depth;
    w->kr = w->K + depth + 1;
    w->P = _arb_vec_init(depth + 1);
    w->L = _arb_vec_init(depth + 1);
    w->pq = _arb_vec_init(depth * A);
    w->lq = _arb_vec_init(depth * A);
    w->phi = _arb_vec_init(A);
    w->php = ae_malloc((size_t)(2 * A) * sizeof(arb_srcptr));
    w->qp = w->php + A;
    w->psi = ae_malloc((size_t)(depth * A) * sizeof(arb_srcptr));
    w->chp = ae_malloc((size_t)(depth * A) * sizeof(enode *));
    w->ch = ae_malloc((size_t)(nch > 0 ? nch * A : 1) * sizeof(enode));
    for (i = 0; i < nch * A; i++)
        enode_init(w->ch + i);
    arb_init(w->t);
    arb_init(w->u);
    arb_init(w->x);
    arb_init(w->r);
    arb_init(w->ib);
    arb_init(w->mass);
    arb_init(w->elbo);
    arb_init(w->kl);
    arb_init(w->rent);
    arb_init(w->sent);
    w->n = 0;
}

static void ewalk_clear(ewalk *w)
{
    slong i;
    for (i = 0; i < w->nch * w->A; i++)
        enode_clear(w->ch + i);
    free(w->ch);
    free(w->chp);
    free(w->psi);
    free(w->st);
    _arb_vec_clear(w->P, w->depth + 1);
    _arb_vec_clear(w->L, w->depth + 1);
    _arb_vec_clear(w->pq, w->depth * w->A);
    _arb_vec_clear(w->lq, w->depth * w->A);
    _arb_vec_clear(w->phi, w->A);
    free(w->php);
    arb_clear(w->t);
    arb_clear(w->u);
    arb_clear(w->x);
    arb_clear(w->r);
    arb_clear(w->ib);
    arb_clear(w->mass);
    arb_clear(w->elbo);
    arb_clear(w->kl);
    arb_clear(w->rent);
    arb_clear(w->sent);
}

/* x = k/256, exactly */
static void dyadic(arb_t x, slong k)
{
    arb_set_si(x, k);
    arb_mul_2exp_si(x, x, -AE_DYADIC_BITS);
}

/* The row of q' at state s (depth d): pq = softmax, lq = log-softmax = q' - log sum exp q'.
   exp q' are table entries (qp: A pointers of scratch), summed exactly when possible; sum and
   inv are scratch. */
static void q_row(arb_ptr pq, arb_ptr lq, arb_srcptr *qp, const ectx *e, slong s, slong d, arb_t sum, arb_t inv,
                  slong prec)
{
    const ae_space_struct *sp = e->c.sp;
    slong a, A = sp->A;
    int first = 1;
    for (a = 0; a < A; a++)
        if (_ae_allowed(sp, d, a)) {
            slong k = _ae_gen_int(e->gq, e->qprefix, s, a);
            qp[a] = e->c.table + k + AE_DYADIC_RANGE;
            dyadic(lq + a, k);
        }
    if (!_ae_stream_row_sum(sum, &e->c, d, qp))
        for (a = 0; a < A; a++)
            if (_ae_allowed(sp, d, a)) {
                if (first)
                    arb_set(sum, qp[a]);
                else
                    arb_add(sum, sum, qp[a], prec);
                first = 0;
            }
    arb_inv(inv, sum, prec);
    for (a = 0; a < A; a++)
        if (_ae_allowed(sp, d, a))
            arb_mul(pq + a, qp[a], inv, prec);
    arb_log(sum, sum, prec);
    for (a = 0; a < A; a++)
        if (_ae_allowed(sp, d, a))
            arb_sub(lq + a, lq + a, sum, prec);
}

/* Finishes node s at level l into out (beta, v, mass, elbo): the row of q* from the children;
   and the terms of q' at s into the walk's sums: P'(s) KL(pi_q'(.|s) || pi_q*(.|s)) and
   P'(s) H(pi_q'(.|s)). */
static void finish(enode *out, const ectx *e, ewalk *w, slong l, slong d)
{
    const ae_space_struct *sp = e->c.sp;
    slong a, A = sp->A, prec = e->c.prec, i0 = l * A;
    enode **ch = w->chp + i0;
    int first = 1;
    /* phi = psi beta(child), psi at an ending action (read in place) */
    if (sp->kind == AE_FIXED && d == sp->T - 1 && _ae_stream_row_sum(out->beta, &e->c, d, w->psi + i0)) {
        for (a = 0; a < A; a++)
            w->php[a] = w->psi[i0 + a];
    } else {
        for (a = 0; a < A; a++) {
            if (!_ae_allowed(sp, d, a))
                continue;
            if (_ae_ends(sp, d, a)) {
                w->php[a] = w->psi[i0 + a];
            } else {
                arb_mul(w->phi + a, ch[a]->beta, w->psi[i0 + a], prec);
                w->php[a] = w->phi + a;
            }
            if (first)
                arb_set(out->beta, w->php[a]);
            else
                arb_add(out->beta, out->beta, w->php[a], prec);
            first = 0;
        }
    }
    arb_log(out->v, out->beta, prec);
    arb_inv(w->ib, out->beta, prec);
    arb_zero(out->mass);
    arb_zero(out->elbo);
    arb_zero(w->u);
    for (a = 0; a < A; a++) {
        slong i = i0 + a;
        int ends = _ae_ends(sp, d, a);
        if (!_ae_allowed(sp, d, a))
            continue;
        /* log pi*(a) = r(s,a) + V(child) - V(s), with V = 0 after an ending action */
        dyadic(w->r, w->kr[i]);
        if (!ends)
            arb_add(w->t, w->r, ch[a]->v, prec);
        else
            arb_set(w->t, w->r);
        arb_sub(w->t, w->t, out->v, prec);
        /* KL(pi'||pi*) += pi'(a) (log pi'(a) - log pi*(a)) */
        arb_sub(w->x, w->lq + i, w->t, prec);
        arb_addmul(w->u, w->pq + i, w->x, prec);
        /* ELBO += pi*(a) (r(s,a) - log pi*(a) + ELBO(child)); mass += pi*(a) mass(child) */
        arb_sub(w->x, w->r, w->t, prec);
        if (!ends)
            arb_add(w->x, w->x, ch[a]->elbo, prec);
        arb_mul(w->t, w->php[a], w->ib, prec); /* pi*(a) = phi(a) / beta */
        arb_addmul(out->elbo, w->t, w->x, prec);
        if (ends)
            arb_add(out->mass, out->mass, w->t, prec);
        else
            arb_addmul(out->mass, w->t, ch[a]->mass, prec);
    }
    arb_addmul(w->kl, w->P + l, w->u, prec);
    arb_zero(w->u); /* -H(pi'(.|s)) = sum_a pi'(a) log pi'(a) */
    for (a = 0; a < A; a++)
        if (_ae_allowed(sp, d, a))
            arb_addmul(w->u, w->pq + i0 + a, w->lq + i0 + a, prec);
    arb_submul(w->sent, w->P + l, w->u, prec);
}

/* A leaf y reached with weight Pl = p'(y), log weight Ll = log p'(y) and path sum K of r:
   its terms of the q' sums and its count for Z. */
static void leaf(ewalk *w, const ectx *e, const arb_t Pl, const arb_t Ll, slong K, ulong *hist)
{
    slong prec = e->c.prec;
    hist[K + e->c.kmax]++;
    w->n++;
    arb_add(w->mass, w->mass, Pl, prec);
    arb_submul(w->rent, Pl, Ll, prec);
    dyadic(w->u, K);
    arb_sub(w->u, w->u, Ll, prec);
    arb_addmul(w->elbo, Pl, w->u, prec);
}

/* A state whose row allows one action, and that action ends (E(V,T) at depth T-1): both
   policies are 1 there (log 0), so beta = psi, V = r exactly, mass 1, ELBO r, and the KL and
   entropy terms vanish; its one leaf has the state's own weights. No row to form. */
static void single_end(enode *out, ewalk *w, const ectx *e, slong s, slong K, const arb_t P, const arb_t L,
                       ulong *hist)
{
    arb_srcptr x;
    slong k = _ae_psi_of(&x, NULL, NULL, NULL, &e->c, s, e->c.sp->V);
    leaf(w, e, P, L, K + k, hist);
    arb_set(out->beta, x);
    dyadic(out->v, k);
    arb_one(out->mass);
    arb_set(out->elbo, out->v);
}

/* Post-order walk of the subtree of s0 at depth d0 with buffers w, the path above it given by
   K_in, P_in and L_in. Above the split (e->tasks set) the subtrees at depth ks are taken from
   the tasks, their sums added in index order. Leaves are counted into hist. */
static void walk(enode *out, const ectx *e, ewalk *w, slong s0, slong d0, slong K_in, const arb_t P_in,
                 const arb_t L_in, ulong *hist)
{
    const ae_space_struct *sp = e->c.sp;
    slong A = sp->A, l = 0, prec = e->c.prec;
    arb_zero(w->mass);
    arb_zero(w->elbo);
    arb_zero(w->kl);
    arb_zero(w->rent);
    arb_zero(w->sent);
    w->n = 0;
    w->st[0] = s0;
    w->nx[0] = 0;
    w->K[0] = K_in;
    arb_set(w->P, P_in);
    arb_set(w->L, L_in);
    while (l >= 0) {
        slong d = d0 + l, s = w->st[l], a = w->nx[l], i, k, cs;
        if (a == 0) /* entering s: its row of q' */
            q_row(w->pq + l * A, w->lq + l * A, w->qp, e, s, d, w->t, w->ib, prec);
        if (a == A) {
            finish(l == 0 ? out : w->chp[(l - 1) * A + w->nx[l - 1] - 1], e, w, l, d);
            l--;
            continue;
        }
        w->nx[l] = a + 1;
        if (!_ae_allowed(sp, d, a))
            continue;
        i = l * A + a;
        k = _ae_psi_of(w->psi + i, NULL, NULL, NULL, &e->c, s, a);
        w->kr[i] = k;
        if (_ae_ends(sp, d, a)) {
            /* a leaf y: p'(y) = P' pi'(a), R(y) = (K + k)/256, log p'(y) = L' + log pi'(a) */
            arb_mul(w->t, w->P + l, w->pq + i, prec);
            arb_add(w->x, w->L + l, w->lq + i, prec);
            leaf(w, e, w->t, w->x, w->K[l] + k, hist);
            continue;
        }
        cs = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
        if (e->tasks != NULL && d + 1 == e->ks) { /* a subtree walked as a task */
            enode *tr = e->tasks + (cs - sp->first[e->ks]);
            w->chp[i] = tr;
            arb_add(w->mass, w->mass, tr->rmass, prec);
            arb_add(w->elbo, w->elbo, tr->relbo, prec);
            arb_add(w->kl, w->kl, tr->rkl, prec);
            arb_add(w->rent, w->rent, tr->rent, prec);
            arb_add(w->sent, w->sent, tr->sent, prec);
            w->n += tr->n;
            continue;
        }
        AE_ASSERT(l < w->nch && l + 1 < w->depth); /* the buffers were sized for this walk */
        w->chp[i] = w->ch + i;
        w->K[l + 1] = w->K[l] + k;
        arb_mul(w->P + l + 1, w->P + l, w->pq + i, prec);
        arb_add(w->L + l + 1, w->L + l, w->lq + i, prec);
        if (sp->kind == AE_EOS && d + 1 == sp->T - 1) {
            single_end(w->ch + i, w, e, cs, w->K[l + 1], w->P + l + 1, w->L + l + 1, hist);
            continue;
        }
        w->st[l + 1] = cs;
        w->nx[l + 1] = 0;
        l++;
    }
    arb_set(out->rmass, w->mass);
    arb_set(out->relbo, w->elbo);
    arb_set(out->rkl, w->kl);
    arb_set(out->rent, w->rent);
    arb_set(out->sent, w->sent);
    out->n = w->n;
}

/* The path above task root s (depth ks): K, P' and L' by climbing to the root */
static void path_above(slong *K, arb_t P, arb_t L, const ectx *e, slong s, arb_ptr pq, arb_ptr lq, arb_srcptr *qp,
                       arb_t sum, arb_t inv)
{
    const ae_space_struct *sp = e->c.sp;
    slong tok, prec = e->c.prec;
    arb_srcptr x;
    *K = 0;
    arb_one(P);
    arb_zero(L);
    while (s > 0) {
        slong d;
        s = ae_space_parent(&tok, sp, s);
        d = ae_space_depth(sp, s);
        q_row(pq, lq, qp, e, s, d, sum, inv, prec);
        *K += _ae_psi_of(&x, NULL, NULL, NULL, &e->c, s, tok);
        arb_mul(P, P, pq + tok, prec);
        arb_add(L, L, lq + tok, prec);
    }
}

typedef struct {
    const ectx *e;
    ewalk *work; /* one per thread */
} etask_arg;

static void run_task(void *tasks, slong t, int thread, ulong *hist, void *varg)
{
    const etask_arg *a = varg;
    const ectx *e = a->e;
    ewalk *w = a->work + thread;
    slong s = e->c.sp->first[e->ks] + t, K;
    path_above(&K, w->P, w->L, e, s, w->pq, w->lq, w->qp, w->t, w->ib); /* the first level's buffers as scratch */
    walk((enode *)tasks + t, e, w, s, e->ks, K, w->P, w->L, hist);
}

static arb_ptr enode_ball(void *tasks, slong t, slong k)
{
    enode *r = (enode *)tasks + t;
    arb_ptr b[9];
    b[0] = r->beta, b[1] = r->v, b[2] = r->mass, b[3] = r->elbo, b[4] = r->rmass, b[5] = r->relbo, b[6] = r->rkl;
    b[7] = r->rent, b[8] = r->sent;
    return b[k];
}

static slong *enode_int(void *tasks, slong t, slong k)
{
    (void)k;
    return &((enode *)tasks + t)->n;
}

static const ae_stream_payload enode_payload = {9, 1, 0, enode_ball, enode_int, NULL};

/* E_pR[R - log p_R] over responses, the leaves counted by path sum K (R = K/256): sum over K of
   n_K p (K/256 - log p) with p = exp(K/256) / Z, each log p taken of the ball p itself. */
static void pent_from_hist(arb_t out, const ulong *hist, const arb_t z, const ae_sctx *c, slong prec)
{
    slong K;
    arb_t R, pr, t;
    arb_init(R);
    arb_init(pr);
    arb_init(t);
    arb_zero(out);
    for (K = -c->kmax; K <= c->kmax; K++) {
        ulong n = hist[K + c->kmax];
        if (n == 0)
            continue;
        arb_set_si(R, K);
        arb_mul_2exp_si(R, R, -AE_DYADIC_BITS);
        arb_exp(pr, R, prec);
        arb_div(pr, pr, z, prec);
        arb_log(t, pr, prec);
        arb_sub(t, R, t, prec);
        arb_mul(t, t, pr, prec);
        arb_addmul_ui(out, t, n, prec);
    }
    arb_clear(R);
    arb_clear(pr);
    arb_clear(t);
}

void ae_stream_elbo_init(ae_stream_elbo_t out)
{
    arb_init(out->logz);
    arb_init(out->pent);
    arb_init(out->logbeta);
    arb_init(out->mass);
    arb_init(out->elbo);
    arb_init(out->rmass);
    arb_init(out->relbo);
    arb_init(out->rkl);
    arb_init(out->rent);
    arb_init(out->sent);
    out->responses = 0;
}

void ae_stream_elbo_clear(ae_stream_elbo_t out)
{
    arb_clear(out->logz);
    arb_clear(out->pent);
    arb_clear(out->logbeta);
    arb_clear(out->mass);
    arb_clear(out->elbo);
    arb_clear(out->rmass);
    arb_clear(out->relbo);
    arb_clear(out->rkl);
    arb_clear(out->rent);
    arb_clear(out->sent);
}

void ae_stream_elbo(ae_stream_elbo_t out, const ae_gen_struct *g, const ae_gen_struct *gq, const ae_space_t sp,
                    slong p, int threads, slong prec)
{
    ectx e;
    etask_arg targ;
    slong ntask, i, hlen, nthreads = threads > 0 ? threads : 1;
    enode *task, root;
    ulong *hists;
    arb_t one, zero;

    AE_ASSERT(g->kind == AE_GEN_DYADIC && gq->kind == AE_GEN_DYADIC);
    _ae_sctx_init(&e.c, g, sp, p, prec);
    e.gq = gq;
    e.qprefix = ae_hash_prefix(gq->seed, gq->stream, (uint64_t)p);
    e.ks = _ae_stream_split_depth(sp);
    e.tasks = NULL;
    ntask = sp->first[e.ks + 1] - sp->first[e.ks];
    hlen = _ae_sctx_hist_len(&e.c);
    hists = ae_calloc((size_t)(nthreads * hlen), sizeof(ulong));
    task = ae_malloc((size_t)ntask * sizeof(enode));
    for (i = 0; i < ntask; i++)
        enode_init(task + i);
    targ.e = &e;
    targ.work = ae_malloc((size_t)nthreads * sizeof(ewalk));
    for (i = 0; i < nthreads; i++)
        ewalk_init(targ.work + i, sp->A, sp->T - e.ks, sp->T - e.ks - 1);
    _ae_stream_distribute(task, &enode_payload, ntask, (int)nthreads, run_task, &targ, hists, hlen,
                          fmpz_get_si(sp->responses));
    for (i = 0; i < nthreads; i++)
        ewalk_clear(targ.work + i);
    free(targ.work);
    enode_init(&root);
    arb_init(one);
    arb_init(zero);
    arb_one(one);
    if (e.ks == 0) {
        enode_clear(&root);
        root = task[0];
        enode_init(task + 0);
    } else { /* the part above the split (levels 0..ks-1), its subtrees taken from the tasks */
        ewalk w;
        ewalk_init(&w, sp->A, e.ks, e.ks - 1);
        e.tasks = task;
        walk(&root, &e, &w, 0, 0, 0, one, zero, hists);
        ewalk_clear(&w);
    }
    arb_zero(out->logz);
    _ae_stream_z_from_hist(out->logz, hists, &e.c);
    pent_from_hist(out->pent, hists, out->logz, &e.c, prec);
    arb_log(out->logz, out->logz, prec);
    arb_set(out->logbeta, root.v);
    arb_set(out->mass, root.mass);
    arb_set(out->elbo, root.elbo);
    arb_set(out->rmass, root.rmass);
    arb_set(out->relbo, root.relbo);
    arb_set(out->rkl, root.rkl);
    arb_set(out->rent, root.rent);
    arb_set(out->sent, root.sent);
    out->responses = root.n;
    enode_clear(&root);
    for (i = 0; i < ntask; i++)
        enode_clear(task + i);
    free(task);
    free(hists);
    arb_clear(one);
    arb_clear(zero);
    _ae_sctx_clear(&e.c);
}
