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
        arb_set(elbo + p, es->pent);
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
        } else { /* strict: KL > 0 since q is not a shift of M(r) */
            ae_lt_row(rows, "C2", "ELBO < log Z (random q) (stream)", in, prec, relbo, logz, P, "log Z - ELBO");
        }
    }
    if (a->claims & AE_CLAIM_C3) {
        /* nested over states, every row of pi* summing to 1: true by construction */
        ae_eq_row(rows, "C3", "sum_y p_M(r)(y) = 1 (stream)", in, prec, mass, one, P, n);
        ae_row_mark_consistency(rows->v + rows->n - 1);
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
