/* libFuzzer harness of the CSV table reader: byte 0 picks the space (fuzz.h), the rest is the file.
   The file is read twice, into balls and into exact rationals (the path of map's exact zeros):
   each read names its refusals, and every value read both ways lies in its ball. */
#include "fuzz.h"
#include "io/io-impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ae_space_t sp;
    ae_table_t t;
    ae_qtable_t x;
    ae_err_t err;
    FILE *in;
    int rc;

    if (size < 1)
        return 0;
    ae_fuzz_space(sp, data[0]);
    in = ae_fuzz_stream(data + 1, size - 1);
    if (in == NULL)
        abort();
    ae_table_init(t, sp);
    ae_err_init(err);
    rc = _ae_csv_read(t, NULL, sp, in, "fuzz.csv", 64, -HUGE_VAL, err);
    /* a refusal names itself; an acceptance leaves no error behind */
    if ((rc != 0) != (err->code != AE_OK) || (rc != 0 && err->msg[0] == '\0'))
        abort();
    if (rc == 0) {
        ae_table_t u;
        slong i;
        ae_table_init(u, sp);
        ae_qtable_init(x, sp);
        ae_err_init(err);
        rewind(in);
        rc = _ae_csv_read(u, x, sp, in, "fuzz.csv", 64, -HUGE_VAL, err);
        if ((rc != 0) != (err->code != AE_OK) || (rc != 0 && err->msg[0] == '\0'))
            abort();
        for (i = 0; rc == 0 && i < sp->P * sp->S * sp->A; i++)
            if (arb_is_finite(t->v + i) && !arb_contains_fmpq(t->v + i, x->v + i))
                abort();
        ae_qtable_clear(x);
        ae_table_clear(u);
    }
    fclose(in);
    ae_table_clear(t);
    ae_space_clear(sp);
    return 0;
}
