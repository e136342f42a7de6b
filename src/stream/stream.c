/* Streaming C1 check on generated instances (see armebm.h, "streaming"): post-order walks of
   independent subtrees with O(T*A) state each, combined in a fixed order. */
#include "ae-impl.h"
#include <time.h>
#ifdef AE_HAVE_MPI
#include <mpi.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

#define AE_STREAM_TASKS 256 /* split where a depth first has this many states */

static FILE *progress_tty; /* set by the program only; read-only during walks */
static int mpi_on;         /* likewise */

void ae_stream_use_mpi(int on)
{
    mpi_on = on;
}

void ae_stream_mpi_rank(int *rank, int *size)
{
    *rank = 0;
    *size = 1;
#ifdef AE_HAVE_MPI
    if (mpi_on) {
        int init = 0, fin = 0;
        MPI_Initialized(&init);
        MPI_Finalized(&fin);
        if (init && !fin) {
            MPI_Comm_rank(MPI_COMM_WORLD, rank);
            MPI_Comm_size(MPI_COMM_WORLD, size);
        }
    }
#endif
}

void ae_stream_set_progress(FILE *tty)
{
    progress_tty = tty;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* called by the thread that finished task `done` of n; serialised by the caller */
static void progress(slong done, slong n, double t0, slong responses)
{
    double el = wall() - t0, eta;
    int w = 30, k;
    if (progress_tty == NULL || el < 1.0)
        return;
    eta = el * (double)(n - done) / (double)done;
    fprintf(progress_tty, "\r  [");
    for (k = 0; k < w; k++)
        fputc(k < w * done / n ? '#' : '.', progress_tty);
    fprintf(progress_tty, "] %3ld%%  %.0f s elapsed, ETA %.0f s  (%ld responses)   ", (long)(100 * done / n), el, eta,
            (long)responses);
    if (done == n)
        fputc('\n', progress_tty);
    fflush(progress_tty);
}

/* psi for every generator integer: exp(k/256) for dyadic (table), the integer for potentials */
typedef struct {
    const ae_space_struct *sp;
    const ae_gen_struct *g;
    slong p, prec;
    arb_ptr table, itable; /* exp(k/256) and exp(-k/256), 2*AE_DYADIC_RANGE+1 entries (dyadic) */
    int witness;           /* track the extreme leaves (only needed to name a counterexample) */
    uint64_t hprefix;      /* the generator's hash prefix for this prompt */
    ae_phi_fn phi;
} sctx;

/* psi(s,a) into x and, when ix is given, 1/psi(s,a) into ix */
static void psi_of(arb_t x, arb_ptr ix, const sctx *c, slong s, slong a)
{
    slong k = ae_gen_int_prefix(c->g, c->hprefix, s, a);
    if (c->g->kind == AE_GEN_DYADIC) {
        arb_set(x, c->table + k + AE_DYADIC_RANGE);
        if (ix)
            arb_set(ix, c->itable + k + AE_DYADIC_RANGE);
    } else {
        arb_set_si(x, k);
        if (ix)
            arb_inv(ix, x, c->prec);
    }
}

static void phi_default(arb_t phi, const arb_t psi, const arb_t beta_child, slong depth, slong prec)
{
    (void)depth;
    arb_mul(phi, psi, beta_child, prec);
}

/* Per-node results: beta, ratio hull, witnesses, and Z restricted to the subtree's leaves
   (each leaf's full product from the root, so Z stays a direct sum). */
typedef struct {
    arb_t beta, hull, lo, hi, z;
    slong lo_rank, hi_rank, n;
} node_res;

static void res_init(node_res *r)
{
    arb_init(r->beta);
    arb_init(r->hull);
    arb_init(r->lo);
    arb_init(r->hi);
    arb_init(r->z);
    r->lo_rank = r->hi_rank = -1;
    r->n = 0;
}

static void res_clear(node_res *r)
{
    arb_clear(r->beta);
    arb_clear(r->hull);
    arb_clear(r->lo);
    arb_clear(r->hi);
    arb_clear(r->z);
}

/* a leaf: its beta (1) and ratio (the parent's factor) are implied by finish(); Psi(y) goes
   straight into the walk's Z accumulator, in visiting order */
static void res_leaf(node_res *r, slong rank)
{
    r->lo_rank = r->hi_rank = rank;
    r->n = 1;
}

/* Finishes node at depth d from its children's results ch[a] and psi[a]: the row of logits
   phi(a) = psi(a) beta(child a) (psi(a) for an ending action), its sum, and the factor
   phi(a)/(psi(a) sum) per action. A leaf's ratio is the factor itself, so leaves cost no
   multiplications of their own. */
static void finish(node_res *out, const sctx *c, slong d, arb_srcptr psi, arb_srcptr ipsi, node_res *ch,
                   slong A, arb_ptr phi, arb_t f)
{
    const ae_space_struct *sp = c->sp;
    slong a, prec = c->prec;
    int first = 1, leaf_seen = 0;
    arb_t inv, one;
    arb_init(inv);
    arb_init(one);
    arb_one(one);
    arb_zero(out->beta);
    for (a = 0; a < A; a++)
        if (ae_space_allowed(sp, d, a)) {
            if (ae_space_ends(sp, d, a))
                arb_set(phi + a, psi + a);
            else
                c->phi(phi + a, psi + a, ch[a].beta, d, prec);
            arb_add(out->beta, out->beta, phi + a, prec);
        }
    arb_inv(inv, out->beta, prec);
    for (a = 0; a < A; a++) {
        arb_srcptr h, l, hi;
        if (!ae_space_allowed(sp, d, a))
            continue;
        /* factors are phi/(psi sum); the common 1/sum multiplies the hull once, at the end
           (a positive ball times a hull encloses each product) */
        if (ae_space_ends(sp, d, a)) {
            /* phi = psi at an ending action (nothing follows, beta = 1): the factor is 1/sum,
               the same for every ending action of the row, so only the first enters the hull */
            if (leaf_seen)
                continue;
            leaf_seen = 1;
            h = l = hi = one;
        } else {
            arb_mul(f, phi + a, ipsi + a, prec);
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
    arb_mul(out->hull, out->hull, inv, prec);
    if (c->witness) {
        arb_mul(out->lo, out->lo, inv, prec);
        arb_mul(out->hi, out->hi, inv, prec);
    }
    arb_clear(inv);
    arb_clear(one);
}

/* Post-order walk of the subtree of s0 (depth d0), Psi_in the product of psi above s0. */
static void walk_subtree(node_res *out, const sctx *c, slong s0, slong d0, const arb_t Psi_in)
{
    const ae_space_struct *sp = c->sp;
    slong A = sp->A, T = sp->T, depth = T - d0, i;
    /* per level below d0: node state, next action, psi row, children's results, Psi */
    slong *st = ae_malloc((size_t)depth * sizeof(slong)), *nx = ae_malloc((size_t)depth * sizeof(slong));
    arb_ptr psi = _arb_vec_init(depth * A), ipsi = _arb_vec_init(depth * A), phi = _arb_vec_init(A);
    arb_ptr Psi = _arb_vec_init(depth + 1);
    node_res *ch = ae_malloc((size_t)(depth * A) * sizeof(node_res));
    arb_t f, zacc;
    slong l = 0, nacc = 0;

    arb_init(f);
    arb_init(zacc);
    for (i = 0; i < depth * A; i++)
        res_init(ch + i);
    st[0] = s0;
    nx[0] = 0;
    arb_set(Psi, Psi_in);
    while (l >= 0) {
        slong d = d0 + l, s = st[l], a = nx[l];
        if (a == A) { /* all children done: finish this node into its parent's slot */
            node_res *dst = (l == 0) ? out : ch + (l - 1) * A + nx[l - 1] - 1;
            finish(dst, c, d, psi + l * A, ipsi + l * A, ch + l * A, A, phi, f);
            l--;
            continue;
        }
        nx[l] = a + 1;
        if (!ae_space_allowed(sp, d, a))
            continue;
        psi_of(psi + l * A + a, ae_space_ends(sp, d, a) ? NULL : ipsi + l * A + a, c, s, a);
        if (ae_space_ends(sp, d, a)) {
            arb_mul(f, Psi + l, psi + l * A + a, c->prec);
            arb_add(zacc, zacc, f, c->prec);
            nacc++;
            res_leaf(ch + l * A + a, ae_space_response_rank(sp, s, a));
        } else {
            arb_mul(Psi + l + 1, Psi + l, psi + l * A + a, c->prec);
            st[l + 1] = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
            nx[l + 1] = 0;
            l++;
        }
    }
    arb_set(out->z, zacc);
    out->n = nacc;
    arb_clear(zacc);
    for (i = 0; i < depth * A; i++)
        res_clear(ch + i);
    free(ch);
    free(st);
    free(nx);
    _arb_vec_clear(psi, depth * A);
    _arb_vec_clear(ipsi, depth * A);
    _arb_vec_clear(phi, A);
    _arb_vec_clear(Psi, depth + 1);
    arb_clear(f);
}

/* Every rank ends with every task's result: each serialises its own (Arb's exact text form of
   the balls) and all buffers are gathered everywhere. */
static void exchange(node_res *task, slong ntask, int rank, int size)
{
#ifdef AE_HAVE_MPI
    char *buf = NULL, *all;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int *counts = ae_malloc((size_t)size * sizeof(int)), *displs = ae_malloc((size_t)size * sizeof(int)), n, r;
    slong i, total = 0;
    for (i = rank; i < ntask; i += size) {
        arb_srcptr v[5];
        int k;
        v[0] = task[i].beta, v[1] = task[i].hull, v[2] = task[i].lo, v[3] = task[i].hi, v[4] = task[i].z;
        fprintf(f, "%ld %ld %ld %ld", (long)i, (long)task[i].lo_rank, (long)task[i].hi_rank, (long)task[i].n);
        for (k = 0; k < 5; k++) {
            char *s = arb_dump_str(v[k]);
            fprintf(f, "|%s", s);
            flint_free(s);
        }
        fputc('\n', f);
    }
    fclose(f);
    n = (int)len;
    MPI_Allgather(&n, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
    for (r = 0; r < size; r++) {
        displs[r] = (int)total;
        total += counts[r];
    }
    all = ae_malloc((size_t)total + 1);
    MPI_Allgatherv(buf, n, MPI_CHAR, all, counts, displs, MPI_CHAR, MPI_COMM_WORLD);
    all[total] = '\0';
    for (r = 0; r < size; r++) {
        char *line = all + displs[r], *end = all + displs[r] + counts[r];
        if (r == rank)
            continue;
        while (line < end) {
            char *nl = memchr(line, '\n', (size_t)(end - line)), *field;
            long ti, lo, hi, cnt;
            int k;
            AE_ASSERT(nl != NULL);
            *nl = '\0';
            AE_ASSERT(sscanf(line, "%ld %ld %ld %ld", &ti, &lo, &hi, &cnt) == 4 && ti >= 0 && ti < ntask);
            task[ti].lo_rank = lo;
            task[ti].hi_rank = hi;
            task[ti].n = cnt;
            field = line;
            for (k = 0; k < 5; k++) {
                arb_ptr dst = k == 0 ? task[ti].beta : k == 1 ? task[ti].hull : k == 2 ? task[ti].lo : k == 3 ? task[ti].hi : task[ti].z;
                char *bar = strchr(field, '|'), *next;
                AE_ASSERT(bar != NULL);
                field = bar + 1;
                next = strchr(field, '|');
                if (next)
                    *next = '\0';
                AE_ASSERT(arb_load_str(dst, field) == 0);
                if (next)
                    *next = '|';
            }
            line = nl + 1;
        }
    }
    free(all);
    free(buf);
    free(counts);
    free(displs);
#else
    (void)task;
    (void)ntask;
    (void)rank;
    (void)size;
#endif
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

void ae_stream_walk(ae_stream_t st, const ae_gen_struct *g, const ae_space_t sp, slong p, int threads,
                    ae_phi_fn phi, slong prec)
{
    sctx c;
    slong ks = _ae_stream_split_depth(sp), ntask = sp->first[ks + 1] - sp->first[ks], i, d, s, a, A = sp->A;
    node_res *task = ae_malloc((size_t)ntask * sizeof(node_res));
    node_res *top = ae_malloc((size_t)(sp->first[ks] > 0 ? sp->first[ks] : 1) * sizeof(node_res));
    arb_ptr Psi_top = _arb_vec_init(sp->first[ks + 1]); /* top-down products down to depth ks */
    node_res *ch = ae_malloc((size_t)A * sizeof(node_res));
    arb_ptr psi = _arb_vec_init(A), ipsi = _arb_vec_init(A), phirow = _arb_vec_init(A);
    arb_t f, ztop;
    slong ntop = 0;

    c.sp = sp;
    c.g = g;
    c.p = p;
    c.prec = prec;
    c.phi = phi ? phi : phi_default;
    c.witness = st->witness;
    c.hprefix = ae_hash_prefix(g->seed, g->stream, (uint64_t)p);
    c.table = c.itable = NULL;
    if (g->kind == AE_GEN_DYADIC) {
        c.table = _arb_vec_init(2 * AE_DYADIC_RANGE + 1);
        c.itable = _arb_vec_init(2 * AE_DYADIC_RANGE + 1);
        for (i = 0; i <= 2 * AE_DYADIC_RANGE; i++) {
            arb_set_si(c.table + i, i - AE_DYADIC_RANGE);
            arb_mul_2exp_si(c.table + i, c.table + i, -AE_DYADIC_BITS);
            arb_neg(c.itable + i, c.table + i);
            arb_exp(c.table + i, c.table + i, prec);
            arb_exp(c.itable + i, c.itable + i, prec);
        }
    }
    arb_init(f);
    arb_init(ztop);
    /* top-down products for the states down to the split depth */
    arb_one(Psi_top);
    for (d = 0; d < ks; d++)
        for (s = sp->first[d]; s < sp->first[d + 1]; s++)
            for (a = 0; a < sp->V; a++)
                if (ae_space_allowed(sp, d, a) && !ae_space_ends(sp, d, a)) {
                    psi_of(f, NULL, &c, s, a);
                    arb_mul(Psi_top + sp->first[d + 1] + (s - sp->first[d]) * sp->V + a, Psi_top + s, f, prec);
                }
    for (i = 0; i < ntask; i++)
        res_init(task + i);
    {
        slong done = 0, total = fmpz_get_si(sp->responses), mine;
        double t0 = wall();
        int rank, size;
        ae_stream_mpi_rank(&rank, &size);
        mine = (ntask - rank + size - 1) / size; /* tasks rank, rank+size, ... */
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads > 0 ? threads : 1)
#endif
        for (i = 0; i < mine; i++) {
            slong t = rank + i * size;
            walk_subtree(task + t, &c, sp->first[ks] + t, ks, Psi_top + sp->first[ks] + t);
#ifdef _OPENMP
#pragma omp critical(ae_stream_progress)
#endif
            {
                done++;
                progress(done, mine, t0, total);
            }
        }
        if (size > 1)
            exchange(task, ntask, rank, size);
    }
    (void)threads;
    /* the top part, bottom-up in index order */
    for (i = 0; i < sp->first[ks]; i++)
        res_init(top + i);
    for (a = 0; a < A; a++)
        res_init(ch + a);
    for (d = ks - 1; d >= 0; d--)
        for (s = sp->first[d]; s < sp->first[d + 1]; s++) {
            for (a = 0; a < A; a++) {
                node_res *src;
                if (!ae_space_allowed(sp, d, a))
                    continue;
                psi_of(psi + a, ae_space_ends(sp, d, a) ? NULL : ipsi + a, &c, s, a);
                if (ae_space_ends(sp, d, a)) {
                    arb_mul(f, Psi_top + s, psi + a, prec);
                    arb_add(ztop, ztop, f, prec);
                    ntop++;
                    res_leaf(ch + a, ae_space_response_rank(sp, s, a));
                    continue;
                }
                {
                    slong cs = sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
                    src = (d + 1 == ks) ? task + (cs - sp->first[ks]) : top + cs;
                }
                arb_set(ch[a].beta, src->beta);
                arb_set(ch[a].hull, src->hull);
                arb_set(ch[a].lo, src->lo);
                arb_set(ch[a].hi, src->hi);
                ch[a].lo_rank = src->lo_rank;
                ch[a].hi_rank = src->hi_rank;
            }
            finish(top + s, &c, d, psi, ipsi, ch, A, phirow, f);
        }
    {
        node_res *root = ks == 0 ? task : top;
        /* Z: the subtrees' direct sums in index order, then the leaves above the split */
        arb_zero(st->z);
        st->responses = 0;
        for (i = 0; i < ntask; i++) {
            arb_add(st->z, st->z, task[i].z, prec);
            st->responses += task[i].n;
        }
        arb_add(st->z, st->z, ztop, prec);
        st->responses += ntop;
        arb_set(st->beta, root->beta);
        arb_set(st->hull, root->hull);
        arb_set(st->lo, root->lo);
        arb_set(st->hi, root->hi);
        st->lo_rank = root->lo_rank;
        st->hi_rank = root->hi_rank;
    }
    arb_clear(ztop);
    for (i = 0; i < ntask; i++)
        res_clear(task + i);
    for (i = 0; i < sp->first[ks]; i++)
        res_clear(top + i);
    for (a = 0; a < A; a++)
        res_clear(ch + a);
    free(task);
    free(top);
    free(ch);
    _arb_vec_clear(Psi_top, sp->first[ks + 1]);
    _arb_vec_clear(psi, A);
    _arb_vec_clear(ipsi, A);
    _arb_vec_clear(phirow, A);
    if (c.table) {
        _arb_vec_clear(c.table, 2 * AE_DYADIC_RANGE + 1);
        _arb_vec_clear(c.itable, 2 * AE_DYADIC_RANGE + 1);
    }
    arb_clear(f);
}
