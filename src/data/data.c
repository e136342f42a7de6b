/* Data distributions rho on X x Y: generated (Zipf, normal-softargmax, uniform, random) or
   read from a file of sequences; exact rationals where the family allows it. */
#include "ae-impl.h"
#include <errno.h>

#define AE_ZIPF_EXACT_MAX 1024 /* beyond, the exact normaliser lcm(1..n) has hundreds of digits */

const char *ae_data_kind_name(ae_data_kind k)
{
    static const char *const n[] = {"zipf", "softmax-normal", "uniform", "random", "file"};
    return n[k];
}

void ae_data_init(ae_data_t d, const ae_space_t sp)
{
    AE_ASSERT(sp->indexable);
    d->kind = AE_DATA_UNIFORM;
    d->P = sp->P;
    d->Y = fmpz_get_si(sp->responses);
    d->exact = 0;
    d->q = _fmpq_vec_init(d->P * d->Y);
    d->b = _arb_vec_init(d->P * d->Y);
    d->d = ae_calloc((size_t)(d->P * d->Y), sizeof(double));
    d->zeros = 0;
    d->prec = 0;
    d->sum_dev = 0;
    d->name[0] = '\0';
}

void ae_data_clear(ae_data_t d)
{
    _fmpq_vec_clear(d->q, d->P * d->Y);
    _arb_vec_clear(d->b, d->P * d->Y);
    free(d->d);
}

/* Normalise exact weights w (P*Y, each prompt's block) to rho with prompt weight 1/P. */
static void finish_exact(ae_data_t d)
{
    fmpq_t z;
    slong p, y, n = d->Y;
    fmpq_init(z);
    d->exact = 1;
    d->prec = 0;
    d->zeros = 0;
    for (p = 0; p < d->P; p++) {
        fmpq_zero(z);
        for (y = 0; y < n; y++)
            fmpq_add(z, z, d->q + p * n + y);
        fmpq_mul_si(z, z, d->P);
        for (y = 0; y < n; y++) {
            fmpq_div(d->q + p * n + y, d->q + p * n + y, z);
            d->zeros += fmpq_is_zero(d->q + p * n + y);
        }
    }
    for (y = 0; y < d->P * n; y++) {
        arb_set_fmpq(d->b + y, d->q + y, 256);
        d->d[y] = fmpq_get_d(d->q + y);
    }
    fmpq_clear(z);
}

/* Normalise certified weights (already in b) per prompt, weight 1/P. */
static void finish_arb(ae_data_t d, slong prec)
{
    arb_t z;
    slong p, y, n = d->Y;
    arb_init(z);
    d->exact = 0;
    d->prec = prec;
    d->zeros = 0;
    for (p = 0; p < d->P; p++) {
        arb_zero(z);
        for (y = 0; y < n; y++)
            arb_add(z, z, d->b + p * n + y, prec);
        arb_mul_si(z, z, d->P, prec);
        for (y = 0; y < n; y++) {
            arb_div(d->b + p * n + y, d->b + p * n + y, z, prec);
            d->d[p * n + y] = arf_get_d(arb_midref(d->b + p * n + y), ARF_RND_NEAR);
        }
    }
    arb_clear(z);
}

static double unit_open(uint64_t h) /* uniform in (0, 1), 53 bits */
{
    return ((double)(h >> 11) + 0.5) * 0x1p-53;
}

void ae_data_generate(ae_data_t d, ae_data_kind kind, double param, uint64_t seed,
                      const ae_space_t sp, slong prec)
{
    slong p, y, n = d->Y;
    d->kind = kind;
    for (y = 0; y < d->P * n; y++) /* a reused d must not keep old exact masses */
        fmpq_zero(d->q + y);
    for (p = 0; p < d->P; p++) {
        fmpq *w = d->q + p * n;
        arb_ptr b = d->b + p * n;
        if (kind == AE_DATA_ZIPF) {
            /* rank of response y = perm[y] + 1, perm a seeded Fisher-Yates shuffle */
            slong *perm = ae_malloc((size_t)n * sizeof(slong)), i;
            for (i = 0; i < n; i++)
                perm[i] = i;
            for (i = n - 1; i > 0; i--) {
                slong j = (slong)(ae_hash(seed, 21, (uint64_t)p, (uint64_t)i, 0) % (uint64_t)(i + 1)), t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            if (param == floor(param) && param >= 1 && param <= 8 && n <= AE_ZIPF_EXACT_MAX) {
                for (y = 0; y < n; y++) {
                    fmpz_t k, one;
                    fmpz_init_set_si(k, perm[y] + 1);
                    fmpz_init_set_ui(one, 1);
                    fmpz_pow_ui(k, k, (ulong)param);
                    fmpq_set_fmpz_frac(w + y, one, k);
                    fmpz_clear(k);
                    fmpz_clear(one);
                }
            } else {
                arb_t s;
                arb_init(s);
                arb_set_d(s, -param);
                for (y = 0; y < n; y++) {
                    arb_set_si(b + y, perm[y] + 1);
                    arb_pow(b + y, b + y, s, prec);
                }
                arb_clear(s);
            }
            free(perm);
        } else if (kind == AE_DATA_SOFTMAX_NORMAL) {
            /* z ~ N(0,1) by Box-Muller in double (exact inputs), then exp(z/t) certified */
            arb_t t;
            arb_init(t);
            arb_set_d(t, param);
            for (y = 0; y < n; y++) {
                double u1 = unit_open(ae_hash(seed, 22, (uint64_t)p, (uint64_t)y, 0));
                double u2 = unit_open(ae_hash(seed, 23, (uint64_t)p, (uint64_t)y, 0));
                double z = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
                arb_set_d(b + y, z);
                arb_div(b + y, b + y, t, prec);
                arb_exp(b + y, b + y, prec);
            }
            arb_clear(t);
        } else if (kind == AE_DATA_UNIFORM) {
            for (y = 0; y < n; y++)
                fmpq_one(w + y);
        } else { /* RANDOM: integer weights 0..8, at least one positive */
            int any = 0;
            for (y = 0; y < n; y++) {
                slong v = (slong)(ae_hash(seed, 24, (uint64_t)p, (uint64_t)y, 0) % 9);
                fmpq_set_si(w + y, v, 1);
                any |= v > 0;
            }
            if (!any)
                fmpq_one(w);
        }
    }
    if (kind == AE_DATA_UNIFORM || kind == AE_DATA_RANDOM || (kind == AE_DATA_ZIPF && fmpq_sgn(d->q) > 0))
        /* exact families (Zipf filled its rationals only when s is a small integer) */
        finish_exact(d);
    else
        finish_arb(d, prec);
    if (kind == AE_DATA_ZIPF)
        snprintf(d->name, sizeof d->name, "zipf(s=%g):seed=%llu", param, (unsigned long long)seed);
    else if (kind == AE_DATA_SOFTMAX_NORMAL)
        snprintf(d->name, sizeof d->name, "softmax-normal(t=%g):seed=%llu", param, (unsigned long long)seed);
    else if (kind == AE_DATA_RANDOM)
        snprintf(d->name, sizeof d->name, "random:seed=%llu", (unsigned long long)seed);
    else
        snprintf(d->name, sizeof d->name, "uniform");
    (void)sp;
}

slong ae_space_response_rank_tokens(const ae_space_t sp, const slong *tok, slong n)
{
    slong s;
    if (sp->kind == AE_EOS) {
        if (n > sp->T - 1)
            return -1;
        s = ae_space_rank(sp, tok, n);
        return s; /* ends with EOS at the state of its tokens */
    }
    if (n != sp->T || tok[n - 1] < 0 || tok[n - 1] >= sp->V)
        return -1;
    s = ae_space_rank(sp, tok, n - 1);
    return s < 0 ? -1 : ae_space_response_rank(sp, s, tok[n - 1]);
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int _ae_data_read_stream(ae_data_t d, const ae_space_t sp, FILE *f, const char *path, ae_err_t err)
{
    char *line = NULL;
    size_t cap = 0, len;
    slong lineno = 0, y, lines = 0;
    slong *tok = ae_malloc((size_t)(sp->T + 2) * sizeof(slong));
    fmpz_t total;
    int rc = 0;

    fmpz_init(total);
    for (y = 0; y < d->P * d->Y; y++)
        fmpq_zero(d->q + y);
    while (rc == 0) {
        char *s, *end;
        slong prompt = 0, n = 0, count = 1, r;
        int empty = 0, got = _ae_read_line(f, &line, &cap, &len, AE_LINE_MAX);
        if (got == AE_LINE_EOF)
            break;
        lineno++;
        if (got != AE_LINE_OK) {
            rc = _ae_line_fail(err, got, path, lineno, AE_LINE_MAX);
            break;
        }
        if (memchr(line, '\0', len) != NULL) { /* the rest of the line would go unread */
            rc = ae_err_set(err, AE_E_INPUT, "%s:line %ld: NUL byte in line (not a text file?)", path, (long)lineno);
            break;
        }
        while (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        /* numbers are plain digits, as in CSV tables: strtol alone would take signs and
           other white space ("+1", "-0", "\v1") */
        if (strchr(s, ':') != NULL) { /* "PROMPT:" */
            errno = 0;
            prompt = is_digit(*s) ? strtol(s, &end, 10) : -1;
            if (prompt < 0 || *end != ':' || errno || prompt >= sp->P) {
                rc = ae_err_set(err, AE_E_INPUT, "%s:line %ld:field prompt: expected an integer in [0, %ld] before ':'",
                                path, (long)lineno, (long)sp->P - 1);
                break;
            }
            s = end + 1;
        }
        for (;;) {
            while (*s == ' ' || *s == '\t')
                s++;
            if (*s == '\0' || *s == '*')
                break;
            if (*s == '-' && (s[1] == '\0' || s[1] == ' ' || s[1] == '\t' || s[1] == '*')) {
                /* the empty response: '-' stands alone (a count may follow) */
                if (n > 0 || empty) {
                    rc = ae_err_set(err, AE_E_INPUT, "%s:line %ld:field token %ld: '-' (the empty response) must stand alone",
                                    path, (long)lineno, (long)n + 1);
                    break;
                }
                empty = 1;
                s++;
                continue;
            }
            if (empty) {
                rc = ae_err_set(err, AE_E_INPUT, "%s:line %ld:field token 2: '-' (the empty response) must stand alone",
                                path, (long)lineno);
                break;
            }
            errno = 0;
            tok[n] = is_digit(*s) ? strtol(s, &end, 10) : 0;
            if (!is_digit(*s) || errno || (*end != '\0' && *end != ' ' && *end != '\t' && *end != '*')) {
                rc = ae_err_set(err, AE_E_INPUT, "%s:line %ld:field token %ld: not an integer", path, (long)lineno, (long)n + 1);
                break;
            }
            if (tok[n] >= sp->V) {
                rc = ae_err_set(err, AE_E_INPUT, "%s:line %ld:field token %ld: %ld is outside the vocabulary [0, %ld]",
                                path, (long)lineno, (long)n + 1, (long)tok[n], (long)sp->V - 1);
                break;
            }
            if (++n > sp->T) {
                rc = ae_err_set(err, AE_E_INPUT, "%s:line %ld: response longer than the horizon T = %ld", path, (long)lineno,
                                (long)sp->T);
                break;
            }
            s = end;
        }
        if (rc != 0)
            break;
        if (*s == '*') {
            if (n == 0 && !empty) {
                rc = ae_err_set(err, AE_E_INPUT, "%s:line %ld:field count: no response before '*' (the empty response is written '-')",
                                path, (long)lineno);
                break;
            }
            s++;
            while (*s == ' ' || *s == '\t')
                s++;
            errno = 0;
            count = is_digit(*s) ? strtol(s, &end, 10) : 0;
            if (count > 0)
                while (*end == ' ' || *end == '\t')
                    end++;
            if (count < 1 || errno || *end != '\0') {
                rc = ae_err_set(err, AE_E_INPUT, "%s:line %ld:field count: expected a positive integer after '*'", path,
                                (long)lineno);
                break;
            }
        }
        r = ae_space_response_rank_tokens(sp, tok, n);
        if (r < 0) {
            rc = ae_err_set(err, AE_E_INPUT,
                            sp->kind == AE_EOS ? "%s:line %ld: a response of %ld tokens does not fit E(V,T): at most T-1 = %ld tokens before EOS"
                                               : "%s:line %ld: a response of %ld tokens is not in F(V,T): exactly T = %ld tokens",
                            path, (long)lineno, (long)n, (long)(sp->kind == AE_EOS ? sp->T - 1 : sp->T));
            break;
        }
        fmpz_add_ui(fmpq_numref(d->q + prompt * d->Y + r), fmpq_numref(d->q + prompt * d->Y + r), (ulong)count);
        fmpz_add_ui(total, total, (ulong)count);
        lines++;
    }
    if (rc == 0 && lines == 0)
        rc = ae_err_set(err, AE_E_INPUT, "%s: no responses in the file (%ld lines of comments or blanks)", path,
                        (long)lineno);
    if (rc == 0) {
        slong p;
        d->kind = AE_DATA_FILE;
        d->exact = 1;
        d->zeros = 0;
        for (y = 0; y < d->P * d->Y; y++) {
            fmpq_div_fmpz(d->q + y, d->q + y, total);
            d->zeros += fmpq_is_zero(d->q + y);
            arb_set_fmpq(d->b + y, d->q + y, 256);
            d->d[y] = fmpq_get_d(d->q + y);
        }
        for (p = 0; p < d->P; p++) { /* a prompt without data has no conditional: refuse */
            int any = 0;
            for (y = 0; y < d->Y; y++)
                any |= !fmpq_is_zero(d->q + p * d->Y + y);
            if (!any) {
                rc = ae_err_set(err, AE_E_INPUT, "%s: prompt %ld has no responses (every prompt needs data)", path, (long)p);
                break;
            }
        }
        snprintf(d->name, sizeof d->name, "file:%s", path);
    }
    free(line);
    free(tok);
    fmpz_clear(total);
    return rc;
}

int ae_data_read(ae_data_t d, const ae_space_t sp, const char *path, ae_err_t err)
{
    FILE *f;
    int rc;
    if (ae_table_format(path) != AE_TABLE_UNKNOWN)
        return ae_data_read_probs(d, sp, path, err);
    f = fopen(path, "r");
    if (f == NULL)
        return ae_err_set(err, AE_E_IO, "%s: cannot open: %s", path, strerror(errno));
    rc = _ae_data_read_stream(d, sp, f, path, err);
    fclose(f);
    return rc;
}


/* mass(s) = sum over allowed a of (rho(y) if a ends, else mass(child)) */
void ae_data_prefix_exact(fmpq *mass, const ae_data_t d, const ae_space_t sp)
{
    slong p, dd, s, a;
    AE_ASSERT(d->exact);
    for (p = 0; p < sp->P; p++)
        for (dd = sp->T - 1; dd >= 0; dd--)
            for (s = sp->first[dd]; s < sp->first[dd + 1]; s++) {
                fmpq *m = mass + p * sp->S + s;
                fmpq_zero(m);
                for (a = 0; a < sp->A; a++) {
                    if (!ae_space_allowed(sp, dd, a))
                        continue;
                    if (ae_space_ends(sp, dd, a))
                        fmpq_add(m, m, d->q + p * d->Y + ae_space_response_rank(sp, s, a));
                    else
                        fmpq_add(m, m, mass + p * sp->S + sp->first[dd + 1] + (s - sp->first[dd]) * sp->V + a);
                }
            }
}

void ae_data_prefix_arb(arb_ptr mass, const ae_data_t d, const ae_space_t sp, slong prec)
{
    slong p, dd, s, a;
    for (p = 0; p < sp->P; p++)
        for (dd = sp->T - 1; dd >= 0; dd--)
            for (s = sp->first[dd]; s < sp->first[dd + 1]; s++) {
                arb_ptr m = mass + p * sp->S + s;
                arb_zero(m);
                for (a = 0; a < sp->A; a++) {
                    if (!ae_space_allowed(sp, dd, a))
                        continue;
                    if (ae_space_ends(sp, dd, a))
                        arb_add(m, m, d->b + p * d->Y + ae_space_response_rank(sp, s, a), prec);
                    else
                        arb_add(m, m, mass + p * sp->S + sp->first[dd + 1] + (s - sp->first[dd]) * sp->V + a, prec);
                }
            }
}
