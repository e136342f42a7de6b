/* Counter-based hashing (splitmix64 finaliser): a generated value depends only on its
   coordinates, so any subtree can be generated alone and thread count never matters. */
#include "ae-impl.h"

uint64_t ae_hash_prefix(uint64_t seed, uint64_t stream, uint64_t prompt)
{
    return _ae_mix64(_ae_mix64(_ae_mix64(seed) ^ stream) ^ prompt);
}

uint64_t ae_hash_tail(uint64_t prefix, uint64_t state, uint64_t action)
{
    return _ae_mix64(_ae_mix64(prefix ^ state) ^ action);
}

uint64_t ae_hash(uint64_t seed, uint64_t stream, uint64_t prompt, uint64_t state, uint64_t action)
{
    return ae_hash_tail(ae_hash_prefix(seed, stream, prompt), state, action);
}
