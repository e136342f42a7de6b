/* Shared by the libFuzzer harnesses and their replay driver: the entry point every harness
   defines, and the small space that the first input byte selects. */
#ifndef AE_FUZZ_H
#define AE_FUZZ_H
#include "ae-impl.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Space from one byte: bit 0 the kind (fixed, eos), bits 1-2 V-1, bits 3-4 T-1, bit 5 P-1;
   at most E(4,4) with 2 prompts, so each input runs in microseconds. */
static inline int ae_fuzz_space(ae_space_t sp, uint8_t b)
{
    ae_err_t err;
    ae_err_init(err);
    return ae_space_init(sp, (b & 1) ? AE_EOS : AE_FIXED, 1 + ((b >> 1) & 3), 1 + ((b >> 3) & 3),
                         1 + ((b >> 5) & 1), err);
}

/* The bytes as a read-only stream (fmemopen refuses an empty buffer, hence /dev/null). */
static inline FILE *ae_fuzz_stream(const uint8_t *data, size_t size)
{
    return size > 0 ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
}
#endif
