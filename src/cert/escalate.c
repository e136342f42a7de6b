/* Ziv-style precision escalation: rerun a certified check at doubled precision while any of
   its rows is undecided, up to max_prec; the last attempt's rows are kept. */
#include "ae-impl.h"

void ae_escalate(ae_rows_t rows, ae_check_fn fn, const void *arg, slong prec, slong max_prec)
{
    ae_rows_t tmp;
    for (;;) {
        ae_rows_init(tmp);
        fn(tmp, arg, prec);
        if (ae_rows_verdict(tmp) != AE_UNDECIDED || 2 * prec > max_prec)
            break;
        ae_rows_clear(tmp);
        prec *= 2;
    }
    ae_rows_append(rows, tmp);
    ae_rows_clear(tmp);
}
