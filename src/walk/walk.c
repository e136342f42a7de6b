/* Depth-first walk of one prompt's prefix tree with an explicit stack of depth T. */
#include "ae-impl.h"

void ae_walk(const ae_space_t sp, const ae_visitor *vis)
{
    slong T = sp->T, A = sp->A, V = sp->V;
    slong *state = ae_malloc((size_t)T * sizeof(slong));
    slong *next = ae_malloc((size_t)T * sizeof(slong)); /* next action to try per depth */
    slong d = 0;

    state[0] = 0;
    next[0] = 0;
    if (vis->state)
        vis->state(vis->ctx, 0, 0);
    while (d >= 0) {
        slong s = state[d], a = next[d];
        if (a >= A) {
            d--;
            continue;
        }
        next[d] = a + 1;
        if (!ae_space_allowed(sp, d, a))
            continue;
        if (ae_space_ends(sp, d, a)) {
            vis->edge(vis->ctx, d, s, a, -1);
        } else {
            slong c = sp->first[d + 1] + (s - sp->first[d]) * V + a;
            vis->edge(vis->ctx, d, s, a, c);
            d++;
            state[d] = c;
            next[d] = 0;
            if (vis->state)
                vis->state(vis->ctx, d, c);
        }
    }
    free(state);
    free(next);
}
