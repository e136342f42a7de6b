/* The training loop: Adam on the exact risks of both models, from 0, on the trapezoidal
   schedule, with a certified evaluation at every logged iterate. */
#include "ae-impl.h"

static int cmp_slong(const void *a, const void *b)
{
    slong x = *(const slong *)a, y = *(const slong *)b;
    return (x > y) - (x < y);
}

slong ae_train_log_steps(slong *log, slong steps, slong every)
{
    slong n = 0, cap = 4, k, dec, i, j;
    slong *v;
    static const slong m125[3] = {1, 2, 5};
    if (every > 0)
        cap += steps / every + 1;
    for (dec = 1; dec <= steps; dec *= 10) {
        cap += 3;
        if (dec > WORD_MAX / 10)
            break;
    }
    v = ae_malloc((size_t)cap * sizeof(slong));
    v[n++] = 0;
    for (dec = 1; dec <= steps; dec *= 10) {
        for (i = 0; i < 3; i++)
            if (m125[i] * dec < steps)
                v[n++] = m125[i] * dec;
        if (dec > WORD_MAX / 10)
            break;
    }
    v[n++] = steps;
    if (every > 0)
        for (k = every; k < steps; k += every)
            v[n++] = k;
    AE_ASSERT(n <= cap);
    qsort(v, (size_t)n, sizeof(slong), cmp_slong);
    for (i = j = 0; i < n; i++)
        if (j == 0 || v[i] != v[j - 1])
            v[j++] = v[i];
    if (log != NULL)
        memcpy(log, v, (size_t)j * sizeof(slong));
    free(v);
    return j;
}

ae_verdict ae_train_run(ae_train_point *pts, ae_train_problem_t pb, const ae_train_opts *o)
{
    const ae_space_struct *sp = pb->sp;
    const slong nq = sp->P * sp->S * sp->A, nr = sp->P * fmpz_get_si(sp->responses);
    double *q = ae_calloc((size_t)nq, sizeof(double)), *gq = ae_calloc((size_t)nq, sizeof(double));
    double *mq = ae_calloc((size_t)nq, sizeof(double)), *vq = ae_calloc((size_t)nq, sizeof(double));
    double *R = ae_calloc((size_t)nr, sizeof(double)), *gR = ae_calloc((size_t)nr, sizeof(double));
    double *mR = ae_calloc((size_t)nr, sizeof(double)), *vR = ae_calloc((size_t)nr, sizeof(double));
    ae_verdict verdict = AE_VERIFIED;
    ae_adam_t adam;
    slong t, li = 0, p, s, a;
    double lr = 0, risk_ebm, area = 0;

    AE_ASSERT(o->nlog >= 0 && o->steps >= 0);
    for (t = 1; t < o->nlog; t++)
        AE_ASSERT(o->log[t] > o->log[t - 1]);
    AE_ASSERT(o->nlog == 0 || (o->log[0] >= 0 && o->log[o->nlog - 1] <= o->steps));
    /* initialisation: every logit and score 0; masked logits -inf */
    for (p = 0; p < sp->P; p++)
        for (s = sp->first[sp->T - 1]; s < sp->S; s++)
            for (a = 0; a < sp->A; a++)
                if (!ae_space_allowed(sp, sp->T - 1, a))
                    q[(p * sp->S + s) * sp->A + a] = -INFINITY;
    ae_adam_init(adam);
    for (t = 0;; t++) {
        /* q, R are iterate t here */
        if (li < o->nlog && o->log[li] == t) {
            pts[li].step = t;
            pts[li].lr = lr;
            ae_train_eval(pts + li, q, R, pb);
            verdict = ae_verdict_meet(verdict, pts[li].verdict);
            li++;
        }
        if (t == o->steps) {
            if (o->area_ebm != NULL) {
                ae_train_ebm_grad_d(gR, &risk_ebm, R, pb->xmass_d, pb->rho->d, sp);
                *o->area_ebm = (area + risk_ebm) / (double)(o->steps + 1);
            }
            break;
        }
        lr = ae_train_lr(t, o->steps, o->lr, o->warmup, o->decay);
        ae_train_arm_grad_d(gq, NULL, q, pb->mass_d, pb->rho_sa_d, sp);
        ae_train_ebm_grad_d(gR, o->area_ebm != NULL ? &risk_ebm : NULL, R, pb->xmass_d, pb->rho->d, sp);
        if (o->area_ebm != NULL)
            area += risk_ebm;
        ae_adam_tick(adam);
        ae_adam_update(q, mq, vq, gq, nq, lr, adam);
        ae_adam_update(R, mR, vR, gR, nr, lr, adam);
        if (o->progress != NULL && ((t + 1) % 64 == 0 || t + 1 == o->steps))
            o->progress(o->progress_ctx, t + 1);
    }
    free(q);
    free(gq);
    free(mq);
    free(vq);
    free(R);
    free(gR);
    free(mR);
    free(vR);
    return verdict;
}

void ae_train_results_init(ae_train_results_t res)
{
    res->v = NULL;
    res->n = 0;
    res->alloc = 0;
}

void ae_train_results_clear(ae_train_results_t res)
{
    slong i;
    for (i = 0; i < res->n; i++)
        free(res->v[i].pts);
    free(res->v);
    ae_train_results_init(res);
}

ae_train_result *ae_train_results_add(ae_train_results_t res, slong npts)
{
    ae_train_result *r;
    if (res->n == res->alloc) {
        res->alloc = res->alloc ? 2 * res->alloc : 16;
        res->v = ae_realloc(res->v, (size_t)res->alloc * sizeof(ae_train_result));
    }
    r = res->v + res->n++;
    memset(r, 0, sizeof *r);
    r->pts = ae_calloc((size_t)(npts > 0 ? npts : 1), sizeof(ae_train_point));
    r->npts = npts;
    return r;
}

ae_verdict ae_train_results_verdict(const ae_train_results_t res)
{
    ae_verdict v = AE_VERIFIED;
    slong i, j;
    for (i = 0; i < res->n; i++)
        for (j = 0; j < res->v[i].npts; j++)
            v = ae_verdict_meet(v, res->v[i].pts[j].verdict);
    return v;
}
