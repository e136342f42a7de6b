/* C2, C3 and the entropy chain rule of C4 by the streaming walk (src/stream/elbo.c) on
   generated dyadic instances of any size: the same identities as the table-based checks, from
   one table-free walk per prompt. */
#include "claim.h"

typedef struct {
    const ae_instance *in;
    uint64_t aux;
    int threads, claims;
} es_arg;

static void es_at(ae_rows_t rows, const void *varg, slong prec)
{
    const es_arg *a = varg;
    const ae_instance *in = a->in;
    const ae_space_struct *sp = in->sp;
    slong P = sp->P, p, n = 0;
    arb_ptr elbo = _arb_vec_init(P), logz = _arb_vec_init(P), relbo = _arb_vec_init(P), rhs = _arb_vec_init(P);
    arb_ptr mass = _arb_vec_init(P), rmass = _arb_vec_init(P), one = _arb_vec_init(P);
    arb_ptr rent = _arb_vec_init(P), sent = _arb_vec_init(P);
    ae_stream_elbo_t es;
    ae_gen_t gq;

    /* the random logits of the table-based C2: same seed and stream, so the numbers agree */
    gq->kind = AE_GEN_DYADIC;
    gq->seed = a->aux;
    gq->stream = 4;
    ae_stream_elbo_init(es);
    for (p = 0; p < P; p++) {
        ae_stream_elbo(es, &in->gen, gq, sp, p, a->threads, prec);
        arb_set(elbo + p, es->elbo);
        arb_set(logz + p, es->logz);
        arb_set(relbo + p, es->relbo);
        arb_sub(rhs + p, es->logz, es->rkl, prec);
        arb_set(mass + p, es->mass);
        arb_set(rmass + p, es->rmass);
        arb_one(one + p);
        arb_set(rent + p, es->rent);
        arb_set(sent + p, es->sent);
        n += es->responses;
    }
    if (a->claims & AE_CLAIM_C2) {
        ae_eq_row(rows, "C2", "E_pR[R - log p_R] = log Z (stream)", in, prec, elbo, logz, P, n);
        ae_eq_row(rows, "C2", "ELBO = log Z - KL(p_q||p_R) (stream)", in, prec, relbo, rhs, P, n);
        if (fmpz_is_one(sp->responses)) {
            ae_eq_row(rows, "C2", "ELBO = log Z (one response) (stream)", in, prec, relbo, logz, P, n);
        } else {
            ae_verdict v = AE_VERIFIED;
            ae_row *row;
            arb_t gap, wgap;
            arb_init(gap);
            arb_init(wgap);
            for (p = 0; p < P; p++) {
                /* strict: KL > 0 since q is not a shift of M(r) */
                ae_verdict e = ae_cert_le(relbo + p, logz + p);
                if (e == AE_VERIFIED && arb_overlaps(relbo + p, logz + p))
                    e = AE_UNDECIDED;
                v = ae_verdict_meet(v, e);
                arb_sub(gap, logz + p, relbo + p, prec);
                if (p == 0 || arf_cmp(arb_midref(gap), arb_midref(wgap)) < 0)
                    arb_set(wgap, gap);
            }
            row = ae_row_new(rows, "C2", "ELBO < log Z (random q) (stream)", in, "certified", prec);
            snprintf(row->items, sizeof row->items, "%ld", (long)P);
            snprintf(row->measured, sizeof row->measured, "min log Z - ELBO = ");
            ae_fmt_arb(row->measured + strlen(row->measured), sizeof row->measured - strlen(row->measured), wgap, 6);
            snprintf(row->predicted, sizeof row->predicted, "> 0");
            snprintf(row->tol, sizeof row->tol, "strict");
            row->verdict = v;
            arb_clear(gap);
            arb_clear(wgap);
        }
    }
    if (a->claims & AE_CLAIM_C3) {
        ae_eq_row(rows, "C3", "sum_y p_M(r)(y) = 1 (stream)", in, prec, mass, one, P, n);
        ae_eq_row(rows, "C3", "sum_y p_q(y) = 1, random q (stream)", in, prec, rmass, one, P, n);
    }
    if (a->claims & AE_CLAIM_C4)
        ae_eq_row(rows, "C4", "H(p_q) = sum_s p_q(s) H(pi_q(.|s)) (stream)", in, prec, rent, sent, P, n);
    ae_stream_elbo_clear(es);
    _arb_vec_clear(elbo, P);
    _arb_vec_clear(logz, P);
    _arb_vec_clear(relbo, P);
    _arb_vec_clear(rhs, P);
    _arb_vec_clear(mass, P);
    _arb_vec_clear(rmass, P);
    _arb_vec_clear(one, P);
    _arb_vec_clear(rent, P);
    _arb_vec_clear(sent, P);
}

void ae_claim_stream_sums(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, int claims, int threads,
                         slong prec, slong max_prec)
{
    es_arg a;
    a.in = in;
    a.aux = aux_seed;
    a.threads = threads;
    a.claims = claims;
    ae_escalate(rows, es_at, &a, prec, max_prec);
}
