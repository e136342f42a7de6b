/* Counter-based hashing (splitmix64 finaliser): a generated value depends only on its
   coordinates, so any subtree can be generated alone and thread count never matters. */
#include "ae-impl.h"

static uint64_t mix64(uint64_t z)
{
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t ae_hash_prefix(uint64_t seed, uint64_t stream, uint64_t prompt)
{
    return mix64(mix64(mix64(seed) ^ stream) ^ prompt);
}

uint64_t ae_hash_tail(uint64_t prefix, uint64_t state, uint64_t action)
{
    return mix64(mix64(prefix ^ state) ^ action);
}

uint64_t ae_hash(uint64_t seed, uint64_t stream, uint64_t prompt, uint64_t state, uint64_t action)
{
    return ae_hash_tail(ae_hash_prefix(seed, stream, prompt), state, action);
}
