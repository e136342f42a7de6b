/* The default verification suite: which instances, which claims, in which order. */
#include "ae-impl.h"
#include <sys/stat.h>

const ae_suite_space ae_suite_default_spaces[] = {
    {AE_FIXED, 8, 4}, {AE_FIXED, 4, 8}, {AE_EOS, 8, 4}, {AE_EOS, 2, 12}, {AE_EOS, 3, 8}};
const slong ae_suite_default_nspaces = 5;

/* When a check of this instance failed, write its reward table so anyone can rerun it with
   armebm verify --rewards FILE (or inspect it); the path is printed with the progress lines. */
static void write_counterexample(ae_rows_t rows, slong first_row, const ae_suite_opts *o,
                                 const ae_instance *in)
{
    const ae_space_struct *sp = in->sp;
    ae_table_t r;
    ae_err_t err;
    char path[512];
    slong i;
    int violated = 0;

    for (i = first_row; i < rows->n; i++)
        violated |= rows->v[i].verdict == AE_VIOLATED;
    if (!violated || o->cex_dir == NULL)
        return;
    snprintf(path, sizeof path, "%s/%c%ld-%ld-P%ld-%s-seed%llu.csv", o->cex_dir,
             sp->kind == AE_EOS ? 'E' : 'F', (long)sp->V, (long)sp->T, (long)sp->P,
             ae_gen_name(in->gen.kind), (unsigned long long)in->gen.seed);
    ae_err_init(err);
    ae_table_init(r, sp);
    ae_gen_table(r, &in->gen, sp, 256);
    { /* mkdir -p: the output directory itself may not exist yet */
        char dir[512];
        char *c;
        snprintf(dir, sizeof dir, "%s", o->cex_dir);
        for (c = dir + 1; *c; c++)
            if (*c == '/') {
                *c = '\0';
                mkdir(dir, 0777);
                *c = '/';
            }
        mkdir(dir, 0777);
    }
    if (ae_table_write(path, r, sp, 40, err) != 0)
        fprintf(stderr, "armebm: could not write counterexample: %s\n", err->msg);
    else if (o->progress)
        fprintf(o->progress, "armebm: counterexample instance written to %s\n", path);
    ae_table_clear(r);
}

int ae_suite_run_space(ae_rows_t rows, const ae_suite_opts *o, ae_space_kind kind, slong V, slong T,
                       ae_err_t err)
{
    ae_space_t sp;
    ae_instance in;
    slong i, first;
    int rc;

    rc = ae_space_init(sp, kind, V, T, o->prompts, err);
    if (rc == 0)
        rc = ae_space_check_work(sp, o->max_work, err);
    if (rc != 0) {
        ae_space_clear(sp);
        return rc;
    }
    in.sp = sp;
    in.r = NULL;
    for (i = 0; i < o->nseeds; i++) {
        uint64_t seed = o->seeds[i];
        char name[64];
        ae_space_name(name, sizeof name, sp);
        if (o->progress)
            fprintf(o->progress, "armebm: verify %s seed %llu\n", name, (unsigned long long)seed);
        in.gen.seed = seed;
        in.gen.stream = 1;
        /* exact path: integer potentials */
        in.gen.kind = AE_GEN_POTENTIAL;
        snprintf(in.name, sizeof in.name, "potential:seed=%llu", (unsigned long long)seed);
        first = rows->n;
        if (o->claims & AE_CLAIM_C1)
            ae_claim_c1_exact(rows, &in, ae_gen_aux_seed(seed));
        if (o->claims & AE_CLAIM_C3)
            ae_claim_c3_exact(rows, &in, ae_gen_aux_seed(seed));
        write_counterexample(rows, first, o, &in);
        /* certified path: dyadic rewards */
        in.gen.kind = AE_GEN_DYADIC;
        snprintf(in.name, sizeof in.name, "dyadic:seed=%llu", (unsigned long long)seed);
        first = rows->n;
        if (o->claims & AE_CLAIM_C1)
            ae_claim_c1_certified(rows, &in, ae_gen_aux_seed(seed), o->prec, o->max_prec);
        if (o->claims & AE_CLAIM_C2)
            ae_claim_c2_certified(rows, &in, ae_gen_aux_seed(seed), o->prec, o->max_prec);
        if (o->claims & AE_CLAIM_C4)
            ae_claim_c4_certified(rows, &in, ae_gen_aux_seed(seed), o->prec, o->max_prec);
        if (o->claims & AE_CLAIM_C5)
            ae_claim_c5_certified(rows, &in, ae_gen_aux_seed(seed), o->prec, o->max_prec);
        write_counterexample(rows, first, o, &in);
        if ((o->claims & AE_CLAIM_C6) && i == 0) { /* Proposition 2, one distribution per family */
            static const ae_data_kind kinds[] = {AE_DATA_ZIPF, AE_DATA_SOFTMAX_NORMAL, AE_DATA_UNIFORM, AE_DATA_RANDOM};
            static const double params[] = {1.0, 0.1, 0, 0};
            int k;
            for (k = 0; k < 4; k++) {
                ae_data_t rho;
                ae_data_init(rho, sp);
                ae_data_generate(rho, kinds[k], params[k], seed, sp, 2 * o->prec);
                ae_claim_c6(rows, &in, rho, ae_gen_aux_seed(seed), o->prec, o->max_prec);
                ae_data_clear(rho);
            }
        }
    }
    ae_space_clear(sp);
    return 0;
}

int ae_suite_run_table(ae_rows_t rows, const ae_suite_opts *o, const ae_space_t sp,
                       const ae_table_t r, const char *path)
{
    ae_instance in;
    in.sp = sp;
    in.r = r;
    in.gen.kind = AE_GEN_DYADIC;
    in.gen.seed = 0;
    in.gen.stream = 0;
    snprintf(in.name, sizeof in.name, "file:%s", path);
    if (o->claims & AE_CLAIM_C1)
        ae_claim_c1_certified(rows, &in, ae_gen_aux_seed(o->nseeds ? o->seeds[0] : 1), o->prec, o->max_prec);
    if (o->claims & AE_CLAIM_C2)
        ae_claim_c2_certified(rows, &in, ae_gen_aux_seed(o->nseeds ? o->seeds[0] : 1), o->prec, o->max_prec);
    return 0;
}
