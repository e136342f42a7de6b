/* Ziv-style precision escalation: rerun a certified check at doubled precision while any of
   its rows is undecided, up to max_prec; the last attempt's rows are kept. A violated row does
   not stop it: the other rows of the check still deserve a verdict. */
#include "ae-impl.h"

static int any_undecided(const ae_rows_t rows)
{
    slong i;
    for (i = 0; i < rows->n; i++)
        if (rows->v[i].verdict == AE_UNDECIDED)
            return 1;
    return 0;
}

void ae_escalate(ae_rows_t rows, ae_check_fn fn, const void *arg, slong prec, slong max_prec)
{
    ae_rows_t tmp;
    for (;;) {
        ae_rows_init(tmp);
        fn(tmp, arg, prec);
        if (!any_undecided(tmp) || 2 * prec > max_prec)
            break;
        ae_rows_clear(tmp);
        prec *= 2;
    }
    ae_rows_append(rows, tmp);
    ae_rows_clear(tmp);
}
