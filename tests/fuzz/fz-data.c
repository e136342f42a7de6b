/* libFuzzer harness of the data-file reader (--data): byte 0 picks the space (fuzz.h), the
   rest is the file. An accepted file must give a distribution: masses >= 0 summing to 1. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ae_space_t sp;
    ae_data_t d;
    ae_err_t err;
    FILE *in;
    int rc;

    if (size < 1)
        return 0;
    ae_fuzz_space(sp, data[0]);
    in = ae_fuzz_stream(data + 1, size - 1);
    if (in == NULL)
        abort();
    ae_data_init(d, sp);
    ae_err_init(err);
    rc = _ae_data_read_stream(d, sp, in, "fuzz.txt", err);
    if ((rc != 0) != (err->code != AE_OK) || (rc != 0 && err->msg[0] == '\0'))
        abort();
    if (rc == 0) {
        fmpq_t sum;
        slong y;
        fmpq_init(sum);
        for (y = 0; y < d->P * d->Y; y++) {
            if (fmpq_sgn(d->q + y) < 0)
                abort();
            fmpq_add(sum, sum, d->q + y);
        }
        if (!fmpq_is_one(sum))
            abort();
        fmpq_clear(sum);
    }
    fclose(in);
    ae_data_clear(d);
    ae_space_clear(sp);
    return 0;
}
