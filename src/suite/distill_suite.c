/* The distillation grid (C7-C11): students of every family at every eps, lookahead students on
   end-signal rewards, the reference-measure identities, and the one-page summary. */
#include "ae-impl.h"

const ae_suite_space ae_distill_default_spaces[] = {{AE_EOS, 3, 4}, {AE_FIXED, 4, 4}, {AE_EOS, 2, 8}};
const slong ae_distill_default_nspaces = 3;
const double ae_distill_eps_grid[AE_DISTILL_NEPS] = {1e-6, 1e-3, 1e-1, 1.0, 10.0};
#define eps_grid ae_distill_eps_grid
#define NEPS AE_DISTILL_NEPS
#define ADV_RESTARTS AE_DISTILL_ADV_RESTARTS

static void run_student(ae_rows_t rows, const ae_suite_opts *o, const ae_instance *in,
                        ae_student_spec *st)
{
    ae_claim_distill(rows, in, st, ae_bounds_kl, o->prec, o->max_prec);
}

static void lookahead_series(ae_rows_t rows, const ae_suite_opts *o, ae_instance *in)
{
    ae_student_spec st;
    slong k;
    memset(&st, 0, sizeof st);
    st.kind = AE_STUDENT_LOOKAHEAD;
    for (k = 0; k < in->sp->T; k++) {
        st.k = k;
        snprintf(st.label, sizeof st.label, "lookahead k=%ld", (long)k);
        run_student(rows, o, in, &st);
    }
}

/* Every student family at every eps for one teacher (qs = M(r) at 128 bits, the adversary's
   float64 target). */
static void students_of(ae_rows_t rows, const ae_suite_opts *o, const ae_instance *in,
                        const ae_table_t qs, ae_table_t dl, uint64_t seed)
{
    static const ae_student_kind explicit_kinds[] = {AE_STUDENT_UNIFORM, AE_STUDENT_SIGN,
                                                     AE_STUDENT_SPARSE, AE_STUDENT_ROWCONST,
                                                     AE_STUDENT_VALUE};
    ae_student_spec st;
    slong j, f;
    int dir, exact;
    for (j = 0; j < NEPS; j++) {
        memset(&st, 0, sizeof st);
        st.eps = eps_grid[j];
        st.seed = ae_hash(seed, 0xd1, (uint64_t)j, 0, 0);
        for (f = 0; f < 5; f++) {
            st.kind = explicit_kinds[f];
            snprintf(st.label, sizeof st.label, "%s", ae_student_name(st.kind));
            run_student(rows, o, in, &st);
        }
        for (dir = 0; dir < 2; dir++) {
            st.kind = dir ? AE_STUDENT_ADV_REV : AE_STUDENT_ADV_FWD;
            exact = ae_student_adversarial(dl, qs, dir, st.eps, st.seed, ADV_RESTARTS, in->sp);
            st.delta = dl;
            /* "max": the maximum over the box; "search": a lower bound on it */
            snprintf(st.label, sizeof st.label, "%s %s", ae_student_name(st.kind), exact ? "max" : "search");
            run_student(rows, o, in, &st);
        }
    }
}

int ae_suite_run_distill(ae_rows_t rows, const ae_suite_opts *o, ae_space_kind kind, slong V, slong T,
                         ae_err_t err)
{
    ae_space_t sp;
    ae_instance in;
    ae_table_t r, qs, dl;
    slong i, f;
    int rc;
    char name[64];

    rc = ae_space_init(sp, kind, V, T, o->prompts, err);
    if (rc == 0)
        rc = ae_space_check_work(sp, o->max_work, err);
    if (rc != 0) {
        ae_space_clear(sp);
        return rc;
    }
    ae_space_name(name, sizeof name, sp);
    ae_table_init(r, sp);
    ae_table_init(qs, sp);
    ae_table_init(dl, sp);
    in.sp = sp;
    in.r = NULL;
    for (i = 0; i < o->nseeds; i++) {
        uint64_t seed = o->seeds[i];
        if (o->progress)
            fprintf(o->progress, "armebm: distill %s seed %llu\n", name, (unsigned long long)seed);
        in.gen.kind = AE_GEN_DYADIC;
        in.gen.seed = seed;
        in.gen.stream = 1;
        snprintf(in.name, sizeof in.name, "dyadic:seed=%llu", (unsigned long long)seed);
        ae_gen_table(r, &in.gen, sp, 128);
        ae_bellman_map(qs, r, sp, 128);
        students_of(rows, o, &in, qs, dl, seed);
        if (i == 0)
            lookahead_series(rows, o, &in);
        ae_claim_c11_certified(rows, &in, ae_hash(seed, 0xc11, 0, 0, 0), o->prec, o->max_prec);
    }
    /* end-signal rewards: a myopic student cannot see them */
    for (f = 0; f < 2; f++) {
        ae_reward_family fam = f ? AE_REWARD_PALINDROME : AE_REWARD_SUMMOD;
        ae_reward_family_table(r, fam, 3, sp);
        in.r = r;
        snprintf(in.name, sizeof in.name, "%s", f ? "palindrome" : "summod3");
        lookahead_series(rows, o, &in);
    }
    ae_table_clear(r);
    ae_table_clear(qs);
    ae_table_clear(dl);
    ae_space_clear(sp);
    return 0;
}

void ae_suite_run_distill_table(ae_rows_t rows, const ae_suite_opts *o, const ae_space_t sp,
                                const ae_table_t r, const char *path, const ae_table_t student,
                                const char *student_path)
{
    ae_instance in;
    ae_table_t qs, dl;
    ae_table_init(qs, sp);
    ae_table_init(dl, sp);
    in.sp = sp;
    in.r = r;
    in.gen.kind = AE_GEN_DYADIC;
    in.gen.seed = 0;
    in.gen.stream = 0;
    snprintf(in.name, sizeof in.name, "file:%s", path);
    ae_bellman_map(qs, r, sp, 128);
    if (student != NULL) {
        ae_student_spec st;
        memset(&st, 0, sizeof st);
        st.kind = AE_STUDENT_FILE;
        st.q = student;
        snprintf(st.label, sizeof st.label, "file:%s", student_path);
        run_student(rows, o, &in, &st);
    } else {
        students_of(rows, o, &in, qs, dl, o->nseeds ? o->seeds[0] : 1);
        lookahead_series(rows, o, &in);
        ae_claim_c11_certified(rows, &in, ae_hash(o->nseeds ? o->seeds[0] : 1, 0xc11, 0, 0, 0), o->prec,
                               o->max_prec);
    }
    ae_table_clear(qs);
    ae_table_clear(dl);
}

/* "dyadic:seed=1 sign eps=..." -> "sign" */
static void family_of(char *buf, size_t n, const char *instance)
{
    const char *s = strchr(instance, ' ');
    size_t k;
    s = s ? s + 1 : instance;
    k = strcspn(s, " ");
    snprintf(buf, n, "%.*s", (int)k, s);
}

void ae_distill_summary(ae_rows_t out, const ae_rows_t rows)
{
    slong i, j;
    for (i = 0; i < rows->n; i++) {
        const ae_row *r = rows->v + i;
        char fam[64];
        ae_row *s = NULL;
        double ratio;
        if (r->ratio[0] == '\0')
            continue;
        family_of(fam, sizeof fam, r->instance);
        for (j = 0; j < out->n; j++)
            if (strcmp(out->v[j].check, r->check) == 0 && strcmp(out->v[j].instance, fam) == 0)
                s = out->v + j;
        if (s == NULL) {
            s = ae_rows_add(out);
            snprintf(s->claim, sizeof s->claim, "%s", r->claim);
            snprintf(s->check, sizeof s->check, "%s", r->check);
            snprintf(s->space, sizeof s->space, "all");
            snprintf(s->prompt, sizeof s->prompt, "all");
            snprintf(s->instance, sizeof s->instance, "%s", fam);
            snprintf(s->arith, sizeof s->arith, "certified");
            snprintf(s->predicted, sizeof s->predicted, "<= 1");
            snprintf(s->items, sizeof s->items, "0");
            snprintf(s->ratio, sizeof s->ratio, "-");
            s->verdict = AE_VERIFIED;
        }
        snprintf(s->items, sizeof s->items, "%ld", atol(s->items) + 1);
        s->verdict = ae_verdict_meet(s->verdict, r->verdict);
        s->prec = s->prec > r->prec ? s->prec : r->prec;
        ratio = (r->ratio[0] == '-') ? -1 : atof(r->ratio);
        if (ratio >= 0 && (s->ratio[0] == '-' || ratio > atof(s->ratio))) {
            snprintf(s->ratio, sizeof s->ratio, "%s", r->ratio);
            snprintf(s->measured, sizeof s->measured, "worst: %s %s", r->space, r->instance);
        }
    }
}
