/* Verdicts and the certified comparison rule (DESIGN.md, principle 3). */
#include "ae-impl.h"

const char *ae_verdict_name(ae_verdict v)
{
    switch (v) {
    case AE_VERIFIED: return "verified";
    case AE_VIOLATED: return "violated";
    case AE_CONSISTENT: return "consistent";
    default: return "undecided";
    }
}

ae_verdict ae_verdict_meet(ae_verdict a, ae_verdict b)
{
    if (a == AE_VIOLATED || b == AE_VIOLATED)
        return AE_VIOLATED;
    if (a == AE_UNDECIDED || b == AE_UNDECIDED)
        return AE_UNDECIDED;
    if (a == AE_CONSISTENT && b == AE_CONSISTENT)
        return AE_CONSISTENT;
    return AE_VERIFIED;
}

ae_verdict ae_cert_eq(arf_t dev, arf_t tol, const arb_t a, const arb_t b, slong prec)
{
    arb_t d;
    mag_t m, s;
    ae_verdict v;

    if (arf_is_neg_inf(arb_midref(a)) || arf_is_neg_inf(arb_midref(b))) {
        /* -inf (a banned entry, a zero probability) is exact: equal to -inf, and certainly
           not to a finite value (-inf - (-inf) would be NaN, undecided for ever) */
        arb_srcptr other = arf_is_neg_inf(arb_midref(a)) ? b : a;
        arf_one(tol);
        arf_mul_2exp_si(tol, tol, -(prec - AE_TOL_SLACK));
        if (arf_is_neg_inf(arb_midref(other))) {
            arf_zero(dev);
            return AE_VERIFIED;
        }
        arf_pos_inf(dev);
        return arb_is_finite(other) ? AE_VIOLATED : AE_UNDECIDED;
    }
    arb_init(d);
    mag_init(m);
    mag_init(s);
    arb_sub(d, a, b, prec);
    arb_get_mag(m, d);
    arf_set_mag(dev, m);
    /* scale = max(1, |a|, |b|), an upper bound, so the tolerance is relative for large values */
    mag_one(s);
    arb_get_mag(m, a);
    mag_max(s, s, m);
    arb_get_mag(m, b);
    mag_max(s, s, m);
    mag_mul_2exp_si(s, s, -(prec - AE_TOL_SLACK));
    arf_set_mag(tol, s);
    if (!arb_is_finite(d))
        v = AE_UNDECIDED;
    else if (!arb_contains_zero(d))
        v = AE_VIOLATED;
    else if (arf_cmp(dev, tol) <= 0)
        v = AE_VERIFIED;
    else
        v = AE_UNDECIDED;
    mag_clear(s);
    mag_clear(m);
    arb_clear(d);
    return v;
}

ae_verdict ae_cert_le(const arb_t a, const arb_t b)
{
    if (arb_le(a, b))
        return AE_VERIFIED;
    if (arb_gt(a, b))
        return AE_VIOLATED;
    return AE_UNDECIDED;
}

ae_verdict ae_cert_lt(const arb_t a, const arb_t b)
{
    if (arb_lt(a, b))
        return AE_VERIFIED;
    if (arb_ge(a, b))
        return AE_VIOLATED;
    return AE_UNDECIDED;
}
