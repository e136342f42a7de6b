/* C1 by the streaming walk: p_R(y) = p_M(r)(y) for every y and A(x) = V_q(x), on generated
   instances of any size (memory O(T*A) per thread). */
#include "claim.h"

typedef struct {
    const ae_instance *in;
    int threads;
    ae_phi_fn phi;
} cs_arg;

static void cs_at(ae_rows_t rows, const void *varg, slong prec)
{
    const cs_arg *a = varg;
    const ae_space_struct *sp = a->in->sp;
    ae_stream_t st;
    ae_verdict vd = AE_VERIFIED, vz = AE_VERIFIED;
    arb_t e, one;
    arf_t dev, tol, wdev, wtol, zdev, ztol;
    slong p, n = 0, cex = -1, cexp = -1;
    double derr = 0;
    ae_row *row;

    ae_stream_init(st);
    arb_init(e);
    arb_init(one);
    arf_init(dev);
    arf_init(tol);
    arf_init(wdev);
    arf_init(wtol);
    arf_init(zdev);
    arf_init(ztol);
    arb_one(one);
    for (p = 0; p < sp->P; p++) {
        ae_verdict v;
        slong nd;
        st->witness = 0; /* the extreme leaves are only needed when the hull fails */
        ae_stream_walk(st, &a->in->gen, sp, p, a->threads, a->phi, prec);
        n += st->responses;
        arb_mul(e, st->hull, st->z, prec); /* p_q(y) Z / Psi(y) for every y: 1 */
        v = ae_cert_eq(dev, tol, e, one, prec);
        if (v != AE_VERIFIED) { /* a certified counterexample is a leaf whose own ratio misses */
            st->witness = 1;
            ae_stream_walk(st, &a->in->gen, sp, p, a->threads, a->phi, prec);
            arb_mul(e, st->lo, st->z, prec);
            if (!arb_contains_si(e, 1)) {
                v = AE_VIOLATED;
                if (cex < 0) {
                    cex = st->lo_rank;
                    cexp = p;
                }
            } else {
                arb_mul(e, st->hi, st->z, prec);
                if (!arb_contains_si(e, 1)) {
                    v = AE_VIOLATED;
                    if (cex < 0) {
                        cex = st->hi_rank;
                        cexp = p;
                    }
                } else
                    v = AE_UNDECIDED;
            }
        }
        vd = ae_verdict_meet(vd, v);
        if (arf_cmp(dev, wdev) >= 0) {
            arf_set(wdev, dev);
            arf_set(wtol, tol);
        }
        arb_log(e, st->beta, prec); /* V_q(x) = log beta(x) against A(x) = log Z(x) */
        arb_log(one, st->z, prec);
        vz = ae_verdict_meet(vz, ae_cert_eq(zdev, ztol, e, one, prec));
        arb_one(one);
        derr = fmax(derr, ae_stream_walk_d(&nd, &a->in->gen, sp, p, a->threads));
    }
    row = ae_row_new(rows, "C1", "p_R(y) = p_M(r)(y) all y (stream)", a->in, "certified", prec);
    snprintf(row->items, sizeof row->items, "%ld", (long)n);
    if (cex >= 0)
        snprintf(row->measured, sizeof row->measured, "differs at prompt %ld y#%ld", (long)cexp, (long)cex);
    else
        ae_fmt_ubound(row->measured, sizeof row->measured, wdev);
    snprintf(row->predicted, sizeof row->predicted, "0");
    ae_fmt_ubound(row->tol, sizeof row->tol, wtol);
    snprintf(row->double_err, sizeof row->double_err, "%.3e", derr);
    row->verdict = vd;
    /* for the true map the hull telescopes to 1/beta(x), so the row restates A(x) = V_q(x)
       below; it still catches a wrong phi (a leaf whose own ratio misses) */
    if (a->phi == NULL)
        ae_row_mark_consistency(row);
    row = ae_row_new(rows, "C1", "A(x) = V_q(x) (stream)", a->in, "certified", prec);
    snprintf(row->items, sizeof row->items, "%ld", (long)sp->P);
    ae_fmt_ubound(row->measured, sizeof row->measured, zdev);
    snprintf(row->predicted, sizeof row->predicted, "0");
    ae_fmt_ubound(row->tol, sizeof row->tol, ztol);
    row->verdict = vz;
    ae_stream_clear(st);
    arb_clear(e);
    arb_clear(one);
    arf_clear(dev);
    arf_clear(tol);
    arf_clear(wdev);
    arf_clear(wtol);
    arf_clear(zdev);
    arf_clear(ztol);
}

void ae_claim_c1_stream(ae_rows_t rows, const ae_instance *in, int threads, ae_phi_fn phi, slong prec,
                        slong max_prec)
{
    cs_arg a;
    a.in = in;
    a.threads = threads;
    a.phi = phi;
    ae_escalate(rows, cs_at, &a, prec, max_prec);
}
