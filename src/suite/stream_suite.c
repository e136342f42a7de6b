/* The streaming grid: C1-C4 by the table-free walks on generated dyadic instances, one space
   at a time (verify --stream) or on the default streaming spaces (part of the default suite). */
#include "ae-impl.h"

const ae_suite_space ae_stream_default_spaces[] = {{AE_EOS, 2, 20}, {AE_FIXED, 16, 5}};
const slong ae_stream_default_nspaces = 2;

int ae_suite_run_stream(ae_rows_t rows, const ae_suite_opts *o, ae_space_kind kind, slong V, slong T, ae_err_t err)
{
    ae_space_t sp;
    ae_instance in;
    slong i;
    char name[64];
    int rc = ae_space_init(sp, kind, V, T, o->prompts, err);
    if (rc == 0)
        rc = ae_space_check_work(sp, o->max_work, err);
    if (rc != 0) {
        ae_space_clear(sp);
        return rc;
    }
    ae_space_name(name, sizeof name, sp);
    in.sp = sp;
    in.r = NULL;
    in.gen.kind = AE_GEN_DYADIC;
    in.gen.stream = 1;
    for (i = 0; i < o->nseeds; i++) {
        uint64_t seed = o->seeds[i];
        if (o->progress)
            fprintf(o->progress, "armebm: verify %s seed %llu (stream)\n", name, (unsigned long long)seed);
        in.gen.seed = seed;
        snprintf(in.name, sizeof in.name, "dyadic:seed=%llu", (unsigned long long)seed);
        if (o->claims & AE_CLAIM_C1)
            ae_claim_c1_stream(rows, &in, o->threads, NULL, o->prec, o->max_prec);
        if (o->claims & (AE_CLAIM_C2 | AE_CLAIM_C3 | AE_CLAIM_C4))
            ae_claim_stream_sums(rows, &in, ae_gen_aux_seed(seed), o->claims, o->threads, o->prec, o->max_prec);
    }
    ae_space_clear(sp);
    return 0;
}
