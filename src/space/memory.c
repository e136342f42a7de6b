/* Memory a command will need on a space, estimated before anything is allocated, and the
   limit it is compared with (--max-memory). */
#include "ae-impl.h"
#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

/* One ball of a table at prec bits: the arb struct, plus a heap mantissa once it no longer
   fits in the two limbs stored inline (with malloc's bookkeeping). */
static slong entry_bytes(slong prec)
{
    slong b = (slong)sizeof(arb_struct);
    if (prec > 2 * FLINT_BITS)
        b += 16 + (prec + FLINT_BITS - 1) / FLINT_BITS * (slong)sizeof(mp_limb_t);
    return b;
}

/* Tables of P*S*A balls each job holds at its peak, and bytes kept per response. Measured
   (growth of the peak resident size from F(4,8) to F(4,9), per table entry at 128 bits) and
   rounded up: map 97 bytes, check 144, verify C1 264, verify --rewards C1 C2 335, the
   distillation suite 307, all of C1-C6 422, train 286 (0.75 responses per entry). */
static void job_shape(slong *tables, slong *per_response, ae_mem_job job)
{
    static const slong t[] = {2, 3, 10, 8, 8, 4, 5, 0};
    static const slong r[] = {0, 0, 64, 0, 64, 64, 128, 0};
    *tables = t[job];
    *per_response = r[job];
}

void ae_mem_estimate(fmpz_t bytes, ae_mem_job job, const ae_space_t sp, slong prec, slong threads)
{
    slong tables, per_response;
    fmpz_t x;
    fmpz_init(x);
    job_shape(&tables, &per_response, job);
    if (job == AE_MEM_STREAM) {
        /* per thread: a few rows of A balls per depth, and the histogram of leaf exponents
           (|K| <= 512 T) in two words per bin; the tasks of the split are small */
        fmpz_set_si(bytes, 16 * (sp->T + 1));
        fmpz_mul_si(bytes, bytes, sp->A);
        fmpz_mul_si(bytes, bytes, entry_bytes(prec));
        fmpz_add_si(bytes, bytes, 16 * (1024 * sp->T + 1));
        fmpz_mul_si(bytes, bytes, threads > 0 ? threads : 1);
        fmpz_add_si(bytes, bytes, WORD(1) << 20);
    } else {
        fmpz_mul_si(bytes, sp->states, sp->A);
        fmpz_mul_si(bytes, bytes, sp->P);
        /* one line number per entry for each CSV table read (duplicate detection) */
        fmpz_mul_si(bytes, bytes, tables * entry_bytes(prec) + (job == AE_MEM_MAP || job == AE_MEM_CHECK ||
                                                                job == AE_MEM_VERIFY_TABLE ? 16 : 0));
        fmpz_mul_si(x, sp->responses, sp->P);
        fmpz_addmul_ui(bytes, x, (ulong)per_response);
    }
    fmpz_clear(x);
}

/* "51539607552 bytes (48.0 GiB)" */
static void fmt_bytes(char *buf, size_t n, const fmpz_t b)
{
    static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = fmpz_get_d(b);
    int u = -1;
    char *s = fmpz_sizeinbase(b, 10) <= 40 ? fmpz_get_str(NULL, 10, b) : NULL;
    while (v >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    if (s == NULL)
        snprintf(buf, n, "2^%lu bytes", (unsigned long)fmpz_bits(b));
    else if (u < 0)
        snprintf(buf, n, "%s bytes", s);
    else
        snprintf(buf, n, "%s bytes (%.1f %s)", s, v, unit[u]);
    flint_free(s);
}

int ae_mem_check(const fmpz_t need, ulong limit, const char *what, const ae_space_t sp, slong prec,
                 ae_err_t err)
{
    char name[64], nb[96], lb[96];
    fmpz_t l;
    int rc = 0;
    fmpz_init(l);
    fmpz_set_ui(l, limit);
    if (fmpz_cmp(need, l) > 0) {
        ae_space_name(name, sizeof name, sp);
        fmt_bytes(nb, sizeof nb, need);
        fmt_bytes(lb, sizeof lb, l);
        rc = ae_err_set(err, AE_E_SIZE, "%s on space %s with %ld prompt(s) at %ld bits needs about %s of memory, "
                                        "above --max-memory %s",
                        what, name, (long)sp->P, (long)prec, nb, lb);
    }
    fmpz_clear(l);
    return rc;
}

int ae_mem_need(ae_mem_job job, const ae_space_t sp, slong prec, slong threads, ulong limit,
                const char *what, ae_err_t err)
{
    fmpz_t b;
    int rc;
    fmpz_init(b);
    ae_mem_estimate(b, job, sp, prec, threads);
    rc = ae_mem_check(b, limit, what, sp, prec, err);
    fmpz_clear(b);
    return rc;
}

ulong ae_mem_default_limit(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    ulong avail = pages > 0 && size > 0 ? (ulong)pages * (ulong)size : UWORD(1) << 32;
    struct rlimit rl;
    /* a ulimit on the address space or the heap is a tighter bound than the RAM */
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < avail)
        avail = rl.rlim_cur;
    if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < avail)
        avail = rl.rlim_cur;
    return avail / 2;
}

int ae_mem_parse(ulong *bytes, const char *s)
{
    char *end;
    unsigned long long v;
    int shift = 0;
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0)
        return -1;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    default: return -1;
    }
    if (*end != '\0' && end[1] != '\0')
        return -1;
    if (v == 0 || v > (UWORD_MAX >> shift))
        return -1;
    *bytes = (ulong)(v << shift);
    return 0;
}
