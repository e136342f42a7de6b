#include <config.h>
/* Tests of src/walk: ae_walk against an independent recursive pre-order traversal of the prefix
   tree, built from the definitions of E(V,T) and F(V,T) (CLAIMS.md section 1) and the canonical
   index formula (DESIGN.md); a recording visitor captures every callback. */
#include "testlib.h"
#include <stdlib.h>
#include <string.h>

/* ck_assert_msg records a mark point (a write to the runner) on every success, which costs
   seconds over the hundreds of thousands of assertions below: test first, then fail. */
static const char *kname(ae_space_kind k)
{
    return k == AE_EOS ? "E" : "F";
}

/* One callback: kind 0 = state(depth, s), 1 = edge(depth, s, a, child). */
typedef struct {
    int kind;
    slong depth, s, a, child;
} event;

typedef struct {
    event *ev;
    slong n, alloc;
} event_list;

static void ev_push(event_list *L, int kind, slong depth, slong s, slong a, slong child)
{
    if (L->n == L->alloc) {
        L->alloc = L->alloc ? 2 * L->alloc : 256;
        L->ev = realloc(L->ev, (size_t)L->alloc * sizeof(event));
        TEST_CHECK(L->ev != NULL, "out of memory");
    }
    L->ev[L->n].kind = kind;
    L->ev[L->n].depth = depth;
    L->ev[L->n].s = s;
    L->ev[L->n].a = a;
    L->ev[L->n].child = child;
    L->n++;
}

static void rec_state(void *ctx, slong depth, slong s)
{
    ev_push(ctx, 0, depth, s, -1, -1);
}

static void rec_edge(void *ctx, slong depth, slong s, slong a, slong child)
{
    ev_push(ctx, 1, depth, s, a, child);
}

/* Canonical index of the prefix y[0..d-1] (DESIGN.md), computed here. */
static slong canon_index(slong V, const slong *y, slong d)
{
    slong i, base = 0, pw = 1, off = 0;
    for (i = 0; i < d; i++) {
        base += pw; /* sum_{k<d} V^k = (V^d - 1)/(V - 1), or d for V = 1 */
        pw *= V;
        off = off * V + y[i];
    }
    return base + off;
}

/* Expected events: pre-order over prefixes; at a state of depth d, actions 0..A-1 in order;
   a token is a child edge below depth T-1, a leaf at depth T-1 in F, and masked at depth T-1 in
   E; EOS (E only) is always a leaf. */
static void expect_rec(event_list *L, ae_space_kind kind, slong V, slong T, slong *y, slong d)
{
    slong s = canon_index(V, y, d), a, A = kind == AE_EOS ? V + 1 : V;
    ev_push(L, 0, d, s, -1, -1);
    for (a = 0; a < A; a++) {
        if (a == V) { /* EOS */
            ev_push(L, 1, d, s, a, -1);
        } else if (d == T - 1) {
            if (kind == AE_FIXED)
                ev_push(L, 1, d, s, a, -1);
        } else {
            y[d] = a;
            ev_push(L, 1, d, s, a, canon_index(V, y, d + 1));
            expect_rec(L, kind, V, T, y, d + 1);
        }
    }
}

static void check_space(ae_space_kind kind, slong V, slong T, slong P, const char *tag)
{
    ae_space_t sp;
    ae_err_t err;
    ae_visitor vis;
    event_list got = {NULL, 0, 0}, want = {NULL, 0, 0};
    slong y[AE_T_MAX + 1], i, leaves = 0, nstates = 0, nedges = 0;
    slong *state_seen, *pair_seen;

    ae_err_init(err);
    TEST_CHECK(ae_space_init(sp, kind, V, T, P, err) == 0, "%s: %s", tag, err->msg);
    ck_assert(sp->indexable);
    vis.state = rec_state;
    vis.edge = rec_edge;
    vis.ctx = &got;
    ae_walk(sp, &vis);
    expect_rec(&want, kind, V, T, y, 0);

    state_seen = calloc((size_t)sp->S, sizeof(slong));
    pair_seen = calloc((size_t)(sp->S * sp->A), sizeof(slong));
    for (i = 0; i < got.n; i++) {
        const event *e = got.ev + i;
        TEST_CHECK(e->s >= 0 && e->s < sp->S, "%s %s(%ld,%ld) event %ld: state %ld out of range",
                      tag, kname(kind), (long)V, (long)T, (long)i, (long)e->s);
        TEST_CHECK(e->depth == ae_space_depth(sp, e->s),
                      "%s %s(%ld,%ld) event %ld: depth argument %ld, ae_space_depth(%ld) = %ld", tag,
                      kname(kind), (long)V, (long)T, (long)i, (long)e->depth, (long)e->s,
                      (long)ae_space_depth(sp, e->s));
        if (e->kind == 0) {
            state_seen[e->s]++;
            nstates++;
            /* pre-order: a state is announced right after the edge leading to it */
            if (e->s != 0)
                TEST_CHECK(i > 0 && got.ev[i - 1].kind == 1 && got.ev[i - 1].child == e->s,
                              "%s %s(%ld,%ld) event %ld: state %ld not preceded by its edge", tag,
                              kname(kind), (long)V, (long)T, (long)i, (long)e->s);
            else
                TEST_CHECK(i == 0, "%s: root announced at event %ld", tag, (long)i);
        } else {
            TEST_CHECK(e->a >= 0 && e->a < sp->A, "%s: action %ld out of range", tag, (long)e->a);
            TEST_CHECK(ae_space_allowed(sp, e->depth, e->a),
                          "%s %s(%ld,%ld): masked action %ld visited at state %ld (depth %ld)", tag,
                          kname(kind), (long)V, (long)T, (long)e->a, (long)e->s, (long)e->depth);
            pair_seen[e->s * sp->A + e->a]++;
            nedges++;
            if (e->child == -1) {
                leaves++;
                TEST_CHECK(ae_space_ends(sp, e->depth, e->a),
                              "%s %s(%ld,%ld): leaf at a non-ending action (%ld, %ld)", tag,
                              kname(kind), (long)V, (long)T, (long)e->s, (long)e->a);
            } else {
                TEST_CHECK(e->a < V && e->child == ae_space_child(sp, e->s, e->a),
                              "%s %s(%ld,%ld): edge (%ld, %ld) child %ld, ae_space_child %ld", tag,
                              kname(kind), (long)V, (long)T, (long)e->s, (long)e->a,
                              (long)e->child, (long)(e->a < V ? ae_space_child(sp, e->s, e->a) : -2));
            }
        }
    }
    /* every state exactly once, every allowed (state, action) exactly once, none masked */
    for (i = 0; i < sp->S; i++) {
        slong d = ae_space_depth(sp, i), a;
        TEST_CHECK(state_seen[i] == 1, "%s %s(%ld,%ld): state %ld visited %ld times", tag,
                      kname(kind), (long)V, (long)T, (long)i, (long)state_seen[i]);
        for (a = 0; a < sp->A; a++) {
            int allowed = kind == AE_EOS ? (a == V || d < T - 1) : 1;
            TEST_CHECK(pair_seen[i * sp->A + a] == allowed,
                          "%s %s(%ld,%ld): pair (%ld, %ld) visited %ld times, expected %d", tag,
                          kname(kind), (long)V, (long)T, (long)i, (long)a,
                          (long)pair_seen[i * sp->A + a], allowed);
        }
    }
    TEST_CHECK(nstates == sp->S, "%s: %ld states visited, S = %ld", tag, (long)nstates, (long)sp->S);
    TEST_CHECK(fmpz_equal_si(sp->responses, leaves), "%s %s(%ld,%ld): %ld leaf edges", tag,
                  kname(kind), (long)V, (long)T, (long)leaves);
    TEST_CHECK(fmpz_equal_si(sp->pairs, nedges), "%s %s(%ld,%ld): %ld edges", tag, kname(kind),
                  (long)V, (long)T, (long)nedges);

    /* the exact sequence of callbacks */
    TEST_CHECK(got.n == want.n, "%s %s(%ld,%ld): %ld callbacks, expected %ld", tag, kname(kind),
                  (long)V, (long)T, (long)got.n, (long)want.n);
    for (i = 0; i < got.n; i++) {
        const event *g = got.ev + i, *w = want.ev + i;
        TEST_CHECK(g->kind == w->kind && g->depth == w->depth && g->s == w->s && g->a == w->a &&
                          g->child == w->child,
                      "%s %s(%ld,%ld) callback %ld: got %s(d=%ld, s=%ld, a=%ld, child=%ld), expected "
                      "%s(d=%ld, s=%ld, a=%ld, child=%ld)",
                      tag, kname(kind), (long)V, (long)T, (long)i, g->kind ? "edge" : "state",
                      (long)g->depth, (long)g->s, (long)g->a, (long)g->child,
                      w->kind ? "edge" : "state", (long)w->depth, (long)w->s, (long)w->a,
                      (long)w->child);
    }
    free(state_seen);
    free(pair_seen);
    free(got.ev);
    free(want.ev);
    ae_space_clear(sp);
}

START_TEST(test_walk_small)
{
    slong V, T;
    int k;
    for (k = 0; k < 2; k++)
        for (V = 1; V <= 4; V++)
            for (T = 1; T <= 5; T++)
                check_space(k ? AE_EOS : AE_FIXED, V, T, 1 + (V + T) % 3, "grid");
}
END_TEST

/* Hand-checked: E(2,2) has states root=0, (0)=1, (1)=2 and A = 3 (EOS is column 2). */
START_TEST(test_walk_hand)
{
    static const event e22[] = {
        {0, 0, 0, -1, -1}, {1, 0, 0, 0, 1}, {0, 1, 1, -1, -1}, {1, 1, 1, 2, -1},
        {1, 0, 0, 1, 2},   {0, 1, 2, -1, -1}, {1, 1, 2, 2, -1}, {1, 0, 0, 2, -1},
    };
    static const event f22[] = {
        {0, 0, 0, -1, -1}, {1, 0, 0, 0, 1}, {0, 1, 1, -1, -1}, {1, 1, 1, 0, -1}, {1, 1, 1, 1, -1},
        {1, 0, 0, 1, 2},   {0, 1, 2, -1, -1}, {1, 1, 2, 0, -1}, {1, 1, 2, 1, -1},
    };
    int k;
    for (k = 0; k < 2; k++) {
        const event *want = k ? e22 : f22;
        slong n = k ? 8 : 9, i;
        ae_space_t sp;
        ae_err_t err;
        ae_visitor vis;
        event_list got = {NULL, 0, 0};
        ae_err_init(err);
        ck_assert_int_eq(ae_space_init(sp, k ? AE_EOS : AE_FIXED, 2, 2, 1, err), 0);
        vis.state = rec_state;
        vis.edge = rec_edge;
        vis.ctx = &got;
        ae_walk(sp, &vis);
        TEST_CHECK(got.n == n, "%s(2,2): %ld callbacks, expected %ld", k ? "E" : "F", (long)got.n,
                      (long)n);
        for (i = 0; i < n; i++)
            TEST_CHECK(got.ev[i].kind == want[i].kind && got.ev[i].depth == want[i].depth &&
                              got.ev[i].s == want[i].s && got.ev[i].a == want[i].a &&
                              got.ev[i].child == want[i].child,
                          "%s(2,2) callback %ld differs", k ? "E" : "F", (long)i);
        free(got.ev);
        ae_space_clear(sp);
    }
}
END_TEST

START_TEST(test_walk_paper)
{
    check_space(AE_FIXED, 8, 4, 1, "paper");
    check_space(AE_EOS, 8, 4, 1, "paper");
    check_space(AE_EOS, 2, 12, 1, "paper");
    check_space(AE_FIXED, 4, 8, 2, "paper");
    check_space(AE_EOS, 3, 8, 1, "paper");
}
END_TEST

START_TEST(test_walk_random)
{
    uint64_t seed = ae_test_seed() ^ UINT64_C(0x3333), x = seed;
    slong it, iters = ae_test_iters(40);
    for (it = 0; it < iters; it++) {
        ae_space_kind kind = (sm_next(&x) & 1) ? AE_EOS : AE_FIXED;
        slong V = sm_range(&x, 1, 40), T = sm_range(&x, 1, 64), nodes;
        char tag[96];
        /* keep the tree under ~4000 nodes */
        for (;;) {
            slong k, pw = 1;
            nodes = 0;
            for (k = 0; k < T && nodes < 4000; k++) {
                nodes += pw;
                pw *= V;
            }
            if (nodes < 4000)
                break;
            T--;
        }
        snprintf(tag, sizeof tag, "seed %llu iter %ld", (unsigned long long)seed, (long)it);
        check_space(kind, V, T, 1, tag);
    }
}
END_TEST

static Suite *walk_suite(void)
{
    Suite *s = suite_create("walk");
    TCase *tc = tcase_create("ae_walk");
    tcase_add_test(tc, test_walk_small);
    tcase_add_test(tc, test_walk_hand);
    tcase_add_test(tc, test_walk_paper);
    tcase_add_test(tc, test_walk_random);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return ae_test_run(walk_suite());
}
