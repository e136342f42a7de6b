/* Response spaces F(V,T) and E(V,T): exact counts and canonical state indexing. */
#include "ae-impl.h"

/* Indices must stay far below 2^63 so that products with A never overflow. */
#define AE_INDEX_LIMIT (WORD(1) << 48)

int ae_space_kind_parse(ae_space_kind *kind, const char *s)
{
    if (strcmp(s, "fixed") == 0)
        *kind = AE_FIXED;
    else if (strcmp(s, "eos") == 0)
        *kind = AE_EOS;
    else
        return -1;
    return 0;
}

int ae_space_init(ae_space_t sp, ae_space_kind kind, slong V, slong T, slong P, ae_err_t err)
{
    fmpz_t pw, lim;
    slong d;
    int rc = 0;

    sp->kind = kind;
    sp->V = V;
    sp->T = T;
    sp->P = P;
    sp->A = (kind == AE_EOS) ? V + 1 : V;
    sp->S = 0;
    sp->first = NULL;
    sp->indexable = 0;
    fmpz_init(sp->responses);
    fmpz_init(sp->states);
    fmpz_init(sp->pairs);
    fmpz_init(sp->nodes);
    if (V < 1 || V > AE_V_MAX)
        return ae_err_set(err, AE_E_USAGE, "--vocab: V = %ld out of range [1, %d]", (long)V, AE_V_MAX);
    if (T < 1 || T > AE_T_MAX)
        return ae_err_set(err, AE_E_USAGE, "--horizon: T = %ld out of range [1, %d]", (long)T, AE_T_MAX);
    if (P < 1 || P > AE_V_MAX)
        return ae_err_set(err, AE_E_USAGE, "--prompts: P = %ld out of range [1, %d]", (long)P, AE_V_MAX);

    fmpz_init(pw);
    fmpz_init(lim);
    fmpz_one(pw);
    for (d = 0; d < T; d++) { /* states = sum_{d<T} V^d */
        fmpz_add(sp->states, sp->states, pw);
        fmpz_mul_si(pw, pw, V);
    }
    /* pw = V^T */
    if (kind == AE_FIXED) {
        fmpz_set(sp->responses, pw);
        fmpz_mul_si(sp->pairs, sp->states, V);
    } else {
        fmpz_set(sp->responses, sp->states);
        /* every state has EOS; all but depth T-1 have the V tokens */
        fmpz_fdiv_q_si(lim, pw, V); /* V^(T-1) */
        fmpz_sub(pw, sp->states, lim);
        fmpz_mul_si(pw, pw, V);
        fmpz_add(sp->pairs, sp->states, pw);
    }
    fmpz_add(sp->nodes, sp->states, sp->responses);

    fmpz_set_si(lim, AE_INDEX_LIMIT);
    fmpz_mul_si(pw, sp->states, sp->A);
    fmpz_mul_si(pw, pw, P);
    if (fmpz_cmp(pw, lim) < 0 && fmpz_cmp(sp->responses, lim) < 0) {
        sp->indexable = 1;
        sp->S = fmpz_get_si(sp->states);
        sp->first = ae_malloc((size_t)(T + 1) * sizeof(slong));
        sp->first[0] = 0;
        {
            slong p = 1;
            for (d = 0; d < T; d++) {
                sp->first[d + 1] = sp->first[d] + p;
                p *= V;
            }
        }
    }
    fmpz_clear(pw);
    fmpz_clear(lim);
    return rc;
}

void ae_space_clear(ae_space_t sp)
{
    free(sp->first);
    sp->first = NULL;
    fmpz_clear(sp->responses);
    fmpz_clear(sp->states);
    fmpz_clear(sp->pairs);
    fmpz_clear(sp->nodes);
}

void ae_space_work(fmpz_t work, const ae_space_t sp)
{
    fmpz_mul_si(work, sp->states, sp->A);
    fmpz_add(work, work, sp->responses);
    fmpz_mul_si(work, work, sp->P);
}

int ae_space_check_work(const ae_space_t sp, const fmpz_t max_work, ae_err_t err)
{
    fmpz_t w;
    int rc = 0;
    char name[64];

    fmpz_init(w);
    ae_space_work(w, sp);
    if (!sp->indexable || fmpz_cmp(w, max_work) > 0) {
        char *ws = fmpz_get_str(NULL, 10, w);
        char *ys = fmpz_get_str(NULL, 10, sp->responses);
        /* the space's sizes are always exact; an absurdly large allowance is summarised */
        char *ms = fmpz_sizeinbase(max_work, 10) <= 64 ? fmpz_get_str(NULL, 10, max_work) : NULL;
        char big[64];
        if (ms == NULL)
            snprintf(big, sizeof big, "(a %lu-bit number)", (unsigned long)fmpz_bits(max_work));
        ae_space_name(name, sizeof name, sp);
        if (fmpz_cmp(w, max_work) > 0)
            rc = ae_err_set(err, AE_E_SIZE,
                            "space %s with %ld prompt(s) has %s responses per prompt and needs work %s, "
                            "above --max-work %s%s",
                            name, (long)sp->P, ys, ws, ms ? ms : big,
                            sp->indexable ? "" : ", and beyond what this build can index (2^48 table entries)");
        else
            rc = ae_err_set(err, AE_E_SIZE,
                            "space %s with %ld prompt(s) has %s responses per prompt and needs work %s, "
                            "beyond what this build can index (2^48 table entries)",
                            name, (long)sp->P, ys, ws);
        flint_free(ws);
        flint_free(ys);
        flint_free(ms);
    }
    fmpz_clear(w);
    return rc;
}

void ae_space_name(char *buf, size_t n, const ae_space_t sp)
{
    snprintf(buf, n, "%c(%ld,%ld)", sp->kind == AE_EOS ? 'E' : 'F', (long)sp->V, (long)sp->T);
}

void ae_space_row_name(char *buf, size_t n, const ae_space_t sp)
{
    if (sp->P == 1)
        ae_space_name(buf, n, sp);
    else
        snprintf(buf, n, "%c(%ld,%ld) P=%ld", sp->kind == AE_EOS ? 'E' : 'F', (long)sp->V, (long)sp->T, (long)sp->P);
}

/* Digits only, at most 9 of them (no sign, no blank): the number, or -1. */
static slong row_number(const char **s)
{
    slong v = 0;
    int n = 0;
    while (**s >= '0' && **s <= '9' && n < 10) {
        v = 10 * v + (**s - '0');
        (*s)++;
        n++;
    }
    return n == 0 || n > 9 ? -1 : v;
}

int ae_space_row_parse(ae_space_kind *kind, slong *V, slong *T, slong *P, const char *s)
{
    if ((s[0] != 'E' && s[0] != 'F') || s[1] != '(')
        return -1;
    *kind = s[0] == 'E' ? AE_EOS : AE_FIXED;
    s += 2;
    if ((*V = row_number(&s)) < 0 || *s++ != ',' || (*T = row_number(&s)) < 0 || *s++ != ')')
        return -1;
    *P = 1;
    if (*s == '\0')
        return 0;
    if (strncmp(s, " P=", 3) != 0)
        return -1;
    s += 3;
    if ((*P = row_number(&s)) < 0 || *s != '\0')
        return -1;
    return 0;
}

slong ae_space_depth(const ae_space_t sp, slong s)
{
    slong d = 0;
    AE_ASSERT(s >= 0 && s < sp->S);
    while (s >= sp->first[d + 1])
        d++;
    return d;
}

slong ae_space_child(const ae_space_t sp, slong s, slong a)
{
    slong d = ae_space_depth(sp, s);
    AE_ASSERT(a >= 0 && a < sp->V);
    if (d + 1 >= sp->T)
        return -1;
    return sp->first[d + 1] + (s - sp->first[d]) * sp->V + a;
}

slong ae_space_parent(slong *token, const ae_space_t sp, slong s)
{
    slong d = ae_space_depth(sp, s), off;
    AE_ASSERT(d > 0);
    off = s - sp->first[d];
    *token = off % sp->V;
    return sp->first[d - 1] + off / sp->V;
}

int ae_space_allowed(const ae_space_t sp, slong d, slong a)
{
    return _ae_allowed(sp, d, a);
}

int ae_space_ends(const ae_space_t sp, slong d, slong a)
{
    return _ae_ends(sp, d, a);
}

slong ae_space_unrank(slong *tokens, const ae_space_t sp, slong s)
{
    slong d = ae_space_depth(sp, s), off = s - sp->first[d], i;
    for (i = d - 1; i >= 0; i--) {
        tokens[i] = off % sp->V;
        off /= sp->V;
    }
    return d;
}

slong ae_space_rank(const ae_space_t sp, const slong *tokens, slong d)
{
    slong off = 0, i;
    if (d < 0 || d >= sp->T)
        return -1;
    for (i = 0; i < d; i++) {
        if (tokens[i] < 0 || tokens[i] >= sp->V)
            return -1;
        off = off * sp->V + tokens[i];
    }
    return sp->first[d] + off;
}

slong ae_space_response_rank(const ae_space_t sp, slong s, slong a)
{
    if (sp->kind == AE_EOS)
        return s; /* y = prefix(s) + EOS: by length then tokens, exactly the state order */
    return (s - sp->first[sp->T - 1]) * sp->V + a;
}
