/* libFuzzer harness of the .npy reader: byte 0 picks the space (fuzz.h), the rest is the file,
   read as a table and as scores (map --scores, one per response). */
#include "fuzz.h"
#include "io/io-impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ae_space_t sp;
    ae_table_t t;
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
    rc = _ae_npy_read(t, sp, in, "fuzz.npy", -HUGE_VAL, err);
    /* a refusal names itself; an acceptance leaves no error behind */
    if ((rc != 0) != (err->code != AE_OK) || (rc != 0 && err->msg[0] == '\0'))
        abort();
    fclose(in);
    {
        slong n = sp->P * fmpz_get_si(sp->responses);
        arb_ptr sc = _arb_vec_init(n);
        in = ae_fuzz_stream(data + 1, size - 1);
        if (in == NULL)
            abort();
        ae_err_init(err);
        rc = _ae_npy_read_scores(sc, sp, in, "fuzz.npy", err);
        if ((rc != 0) != (err->code != AE_OK) || (rc != 0 && err->msg[0] == '\0'))
            abort();
        fclose(in);
        _arb_vec_clear(sc, n);
    }
    ae_table_clear(t);
    ae_space_clear(sp);
    return 0;
}
