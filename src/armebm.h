/* armebm — certified verification of the ARM <-> EBM bijection.
   Public API. Conventions (stated once, as in Arb/MPFR):
   - outputs first, then inputs, then context (space), then prec, then the error sink;
   - the caller inits and clears every object; callees never free their arguments;
   - functions that can fail on input return 0 or a negative AE_E_* code and fill ae_err_t
     with one line "path:where: reason"; broken preconditions abort (AE_ASSERT);
   - prec is the working precision, in bits, of every ball operation.
   Enumeration order: states by depth, then lexicographically (first token most significant);
   responses by length, then token ids. See doc/guide.md. */
#ifndef ARMEBM_H
#define ARMEBM_H

#include <stdio.h>
#include <stdint.h>
#include <gmp.h>
#include <mpfr.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpq.h>
#ifdef __has_include
#if __has_include(<flint/arb.h>)
#include <flint/arb.h>
#else
#include <arb.h>
#endif
#else
#include <arb.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- errors (src/err) */
enum {
    AE_OK = 0,
    AE_E_USAGE = -1,   /* bad option or argument value */
    AE_E_INPUT = -2,   /* malformed or inconsistent input file */
    AE_E_IO = -3,      /* open/read/write/rename failure */
    AE_E_SIZE = -4,    /* space larger than the user allowed */
    AE_E_NOMEM = -5
};

typedef struct {
    int code;
    char msg[1024]; /* room for two exact 310-digit counts in a refusal */
} ae_err_struct;
typedef ae_err_struct ae_err_t[1];

void ae_err_init(ae_err_t err);
/* Records the first error only (later calls are ignored until ae_err_init); returns code. */
int ae_err_set(ae_err_t err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---------------------------------------------------------------- verdicts (src/cert) */
/* CONSISTENT ("consistent"): a consistency check, whose two sides share what it tests (its
   check text ends in "(consistency)"); its sides agreed, but it is not counted as verified.
   It can still be VIOLATED or UNDECIDED. */
typedef enum { AE_VIOLATED = -1, AE_UNDECIDED = 0, AE_VERIFIED = 1, AE_CONSISTENT = 2 } ae_verdict;

const char *ae_verdict_name(ae_verdict v);
/* Combine verdicts of sub-checks: VIOLATED beats UNDECIDED beats VERIFIED; CONSISTENT changes
   nothing (the meet of consistency checks alone is CONSISTENT). */
ae_verdict ae_verdict_meet(ae_verdict a, ae_verdict b);

/* Slack bits c in the equality tolerance 2^-(prec-c) * max(1,|a|,|b|). */
#define AE_TOL_SLACK 32

/* Certified equality test of two enclosures: VIOLATED when the enclosure of a-b excludes 0,
   VERIFIED when it lies within tol = 2^-(prec-AE_TOL_SLACK)*max(1,|a|,|b|), else UNDECIDED.
   Sets dev to an upper bound on |a-b| (arf, rounded up) and tol to the tolerance used. */
ae_verdict ae_cert_eq(arf_t dev, arf_t tol, const arb_t a, const arb_t b, slong prec);
/* Certified inequality a <= b: VERIFIED when upper(a) <= lower(b), VIOLATED when
   lower(a) > upper(b), else UNDECIDED. */
ae_verdict ae_cert_le(const arb_t a, const arb_t b);
/* Certified strict inequality a < b: VERIFIED when upper(a) < lower(b), VIOLATED when
   lower(a) >= upper(b) (so a = b exactly is a violation), else UNDECIDED. */
ae_verdict ae_cert_lt(const arb_t a, const arb_t b);

/* ---------------------------------------------------------------- spaces (src/space) */
typedef enum { AE_FIXED = 0, AE_EOS = 1 } ae_space_kind;

#define AE_V_MAX 65536
#define AE_T_MAX 64

typedef struct {
    ae_space_kind kind;
    slong V;          /* vocabulary size |Sigma| */
    slong T;          /* horizon: max response length (counting EOS in E) */
    slong P;          /* number of prompts */
    slong A;          /* columns: V (fixed) or V+1 (EOS is column V) */
    slong S;          /* states per prompt: sum_{d<T} V^d (valid only when counts fit) */
    slong *first;     /* first[d] = index of the first state of depth d, d = 0..T */
    fmpz_t responses; /* |Y| per prompt */
    fmpz_t states;    /* states per prompt */
    fmpz_t pairs;     /* unmasked (state, action) pairs per prompt */
    fmpz_t nodes;     /* prefix-tree nodes per prompt: states + responses */
    int indexable;    /* 1 when S*A fits comfortably in memory indices */
} ae_space_struct;
typedef ae_space_struct ae_space_t[1];

/* Validates 1 <= V <= AE_V_MAX, 1 <= T <= AE_T_MAX, 1 <= P <= AE_V_MAX; computes exact counts.
   Never overflows: when the tree is too large to index, indexable = 0 (counts still exact). */
int ae_space_init(ae_space_t sp, ae_space_kind kind, slong V, slong T, slong P, ae_err_t err);
void ae_space_clear(ae_space_t sp);
/* Sets work to the number of nodes visited by one walk over all prompts: P*(states*A + responses). */
void ae_space_work(fmpz_t work, const ae_space_t sp);
/* Refuses (AE_E_SIZE, message with exact size) when the work exceeds max_work. */
int ae_space_check_work(const ae_space_t sp, const fmpz_t max_work, ae_err_t err);
/* Memory (src/space/memory.c): what a command will hold at its peak on a space, estimated
   before anything is allocated, so that a run too large is refused at once instead of
   swapping or aborting. The estimates count the tables of balls (and per-response arrays)
   each job keeps, measured on this code with margin; not the program's fixed overhead. */
typedef enum {
    AE_MEM_MAP,          /* map, unmap: the input and the output table */
    AE_MEM_CHECK,        /* check: R, Q and the certified M(R) */
    AE_MEM_VERIFY,       /* verify C1-C6 on a generated space */
    AE_MEM_VERIFY_TABLE, /* verify C1 C2 on a --rewards table */
    AE_MEM_DISTILL,      /* verify distill (C7-C11): teacher, students and their walks */
    AE_MEM_DATA,         /* verify C6 --data */
    AE_MEM_TRAIN,        /* train: float64 iterates, Adam moments, certified evaluation */
    AE_MEM_STREAM        /* verify --stream: per thread, independent of the space size */
} ae_mem_job;
/* Estimated peak bytes of job on sp at prec bits with `threads` threads (used by STREAM). */
void ae_mem_estimate(fmpz_t bytes, ae_mem_job job, const ae_space_t sp, slong prec, slong threads);
/* AE_E_SIZE with "WHAT on space S ... needs about N bytes of memory, above --max-memory L"
   when need > limit. */
int ae_mem_check(const fmpz_t need, ulong limit, const char *what, const ae_space_t sp, slong prec,
                 ae_err_t err);
/* Both: estimate job and check it against limit. */
int ae_mem_need(ae_mem_job job, const ae_space_t sp, slong prec, slong threads, ulong limit,
                const char *what, ae_err_t err);
/* Half of the physical memory, or of the address-space / data ulimit when smaller. */
ulong ae_mem_default_limit(void);
/* "8G", "512M", "64k", "1000000": binary multiples K, M, G, T; 0 or -1 (not a positive size). */
int ae_mem_parse(ulong *bytes, const char *s);
/* "F(8,4)" or "E(8,4)" into buf (at least 64 bytes). */
void ae_space_name(char *buf, size_t n, const ae_space_t sp);
/* The space column of a result row: "F(8,4)" for one prompt, "F(8,4) P=2" for several, so
   that the row names every parameter of its space. */
void ae_space_row_name(char *buf, size_t n, const ae_space_t sp);
/* Parse "fixed" or "eos". */
int ae_space_kind_parse(ae_space_kind *kind, const char *s);
/* Parse a row's space column, "E(V,T)" or "E(V,T) P=N" (F likewise; digits only, one space
   before P): 0, or -1 when s is not of that form. *P is 1 when the text has no "P=". The
   values are not range-checked (ae_space_init does that). */
int ae_space_row_parse(ae_space_kind *kind, slong *V, slong *T, slong *P, const char *s);

/* Depth of state index s (0 <= s < S). */
slong ae_space_depth(const ae_space_t sp, slong s);
/* Child state of s by token a < V; -1 when the token ends the response (depth T-1 in F). */
slong ae_space_child(const ae_space_t sp, slong s, slong a);
/* Parent of s > 0 and the token leading to it. */
slong ae_space_parent(slong *token, const ae_space_t sp, slong s);
/* 1 when action a is allowed at depth d (tokens at depth T-1 of E are masked). */
int ae_space_allowed(const ae_space_t sp, slong d, slong a);
/* 1 when action a at depth d ends the response (EOS, or any token at depth T-1 in F). */
int ae_space_ends(const ae_space_t sp, slong d, slong a);
/* Writes the d tokens of state s into tokens[0..d-1]; returns d. */
slong ae_space_unrank(slong *tokens, const ae_space_t sp, slong s);
/* State index of a prefix; -1 when d >= T or a token is out of range. */
slong ae_space_rank(const ae_space_t sp, const slong *tokens, slong d);
/* Rank of the response ending with action a at state s (enumeration order). */
slong ae_space_response_rank(const ae_space_t sp, slong s, slong a);

/* ---------------------------------------------------------------- tables (src/table) */
/* A P x S x A table of balls (rewards r or logits q), masked entries stored as -inf. */
typedef struct {
    arb_ptr v;
    slong P, S, A;
} ae_table_struct;
typedef ae_table_struct ae_table_t[1];

void ae_table_init(ae_table_t t, const ae_space_t sp); /* all entries 0, mask -inf */
void ae_table_clear(ae_table_t t);
#define ae_table_entry(t, p, s, a) ((t)->v + ((slong)(p) * (t)->S + (s)) * (t)->A + (a))
void ae_table_set(ae_table_t dst, const ae_table_t src);
/* Sets every masked entry to -inf (arb_neg_inf). */
void ae_table_mask(ae_table_t t, const ae_space_t sp);

/* A P x S x A table of exact rationals: potentials psi = exp r or phi = exp q (masked = 0), or
   the exact values of a table file (ae_table_read_exact). */
typedef struct {
    fmpq *v;
    slong P, S, A;
} ae_qtable_struct;
typedef ae_qtable_struct ae_qtable_t[1];

void ae_qtable_init(ae_qtable_t t, const ae_space_t sp);
void ae_qtable_clear(ae_qtable_t t);
#define ae_qtable_entry(t, p, s, a) ((t)->v + ((slong)(p) * (t)->S + (s)) * (t)->A + (a))

/* Table files (src/io): .npy (float64/float32, either byte order, NumPy format 1/2/3, C order,
   shape (S,A) when P = 1 or (P,S,A)) and .csv (long form: prompt,prefix,action,value), chosen
   by extension. Reading: every value is enclosed exactly (npy) or to within prec bits (csv);
   NaN, +inf, a finite value where the mask demands -inf, -inf where it does not, wrong shape
   or dtype, missing/duplicate rows: AE_E_INPUT with "path:line N:field: reason" or
   "path:byte N: reason". Writing goes to a temporary file renamed on success; npy output is
   float64 nearest to each midpoint, csv output has `digits` significant digits. */
/* The format of a table file by the extension of its last path component, compared without
   regard to case (q.NPY is .npy): the one rule for reading, writing and output accuracy. */
typedef enum { AE_TABLE_UNKNOWN = 0, AE_TABLE_NPY, AE_TABLE_CSV } ae_table_format_t;
ae_table_format_t ae_table_format(const char *path);
int ae_table_read(ae_table_t t, const ae_space_t sp, const char *path, slong prec, ae_err_t err);
/* The same, reading a finite value <= mask_below at a masked entry as -inf (masks written as
   -1e9, PyTorch's usual way); a CSV decimal must be certainly <= mask_below. -INFINITY: as
   ae_table_read. */
int ae_table_read_masked(ae_table_t t, const ae_space_t sp, const char *path, slong prec, double mask_below,
                         ae_err_t err);
/* Before allocating a table for path: opens it and checks what can be checked cheaply (the
   .npy header, dtype and shape against sp and the file's length; the CSV header line), with
   the errors of ae_table_read. */
int ae_table_probe(const ae_space_t sp, const char *path, ae_err_t err);
int ae_table_write(const char *path, const ae_table_t t, const ae_space_t sp, slong digits,
                   ae_err_t err);
/* The same file's values as the exact rationals they denote (a decimal CSV value such as 0.1
   is 1/10), into x (initialised for sp; masked entries untouched). Same errors as
   ae_table_read, and AE_E_INPUT for a CSV value with a power of ten beyond +-2000. */
int ae_table_read_exact(ae_qtable_t x, const ae_space_t sp, const char *path, ae_err_t err);
/* An EBM given as one score R(y) per response, in response order (by length, then tokens; in E
   the response prefix(s)+EOS has rank s), read from a .npy file of shape (Y,) (one prompt) or
   (P, Y), float64/float32, every value finite; into r (initialised for sp) as the reward table
   with R(y) at the action that ends y, 0 at every other allowed entry and -inf at masked ones,
   so that M(r) is the ARM of p(y) ∝ exp R(y). Errors as ae_table_read ("path:byte N: ..."). */
int ae_table_read_scores(ae_table_t r, const ae_space_t sp, const char *path, ae_err_t err);

/* ---------------------------------------------------------------- sources (src/source) */
/* Counter-based hash: the value of a generator is a pure function of (seed, stream, prompt,
   state, action), independent of visiting order. */
uint64_t ae_hash(uint64_t seed, uint64_t stream, uint64_t prompt, uint64_t state, uint64_t action);
/* The same hash in two parts, for walks that fix (seed, stream, prompt):
   ae_hash(s, t, p, x, a) = ae_hash_tail(ae_hash_prefix(s, t, p), x, a). */
uint64_t ae_hash_prefix(uint64_t seed, uint64_t stream, uint64_t prompt);
uint64_t ae_hash_tail(uint64_t prefix, uint64_t state, uint64_t action);

typedef enum {
    AE_GEN_DYADIC = 0,    /* r = k / 2^8, k uniform in [-512, 512] */
    AE_GEN_POTENTIAL = 1  /* psi = exp r, uniform integer in [1, 16] */
} ae_gen_kind;

typedef struct {
    ae_gen_kind kind;
    uint64_t seed;
    uint64_t stream; /* independent streams for rewards, logits, shifts of the same seed */
} ae_gen_struct;
typedef ae_gen_struct ae_gen_t[1];

const char *ae_gen_name(ae_gen_kind kind);
/* Fills t (masked entries -inf). POTENTIAL gives log psi enclosed at prec. */
void ae_gen_table(ae_table_t t, const ae_gen_struct *g, const ae_space_t sp, slong prec);
/* Fills exact potentials (masked 0); only for AE_GEN_POTENTIAL. */
void ae_gen_qtable(ae_qtable_t t, const ae_gen_struct *g, const ae_space_t sp);
/* The generator's integer at an entry: k for DYADIC (r = k / 2^8, |k| <= 512), psi for
   POTENTIAL (1..16). Masked entries are the caller's to skip. */
#define AE_DYADIC_BITS 8
#define AE_DYADIC_RANGE 512
slong ae_gen_int(const ae_gen_struct *g, slong p, slong s, slong a);
/* The seed of a run's auxiliary random tables (C2's random logits, shifts) from its seed. */
uint64_t ae_gen_aux_seed(uint64_t seed);
/* The same integer from a precomputed ae_hash_prefix(g->seed, g->stream, p). */
slong ae_gen_int_prefix(const ae_gen_struct *g, uint64_t prefix, slong s, slong a);
/* One entry of the generator as a double (exact for DYADIC, rounded log for POTENTIAL). */
double ae_gen_get_d(const ae_gen_struct *g, const ae_space_t sp, slong p, slong s, slong a);

/* ---------------------------------------------------------------- the maps (src/bellman) */
/* q = M(r): soft Bellman backward pass, q(s,a) = r(s,a) (+ V_q(s.a) when a does not end the
   response), deepest states first. r is finite or exactly -inf (a banned token) at every
   unmasked entry; q is -inf where r is, and where every response below has reward -inf (the
   child's V_q = -inf); masked entries of q are set to -inf. q and r may alias.
   Cost O(P*S*A). */
void ae_bellman_map(ae_table_t q, const ae_table_t r, const ae_space_t sp, slong prec);
/* r = M^{-1}(q): r(s,a) = q(s,a) - V_q(s.a) for non-ending a. q as r above, and no row all
   -inf (ae_bellman_domain AE_DOMAIN_UNMAP; such a row gives NaN at its parent entry).
   q and r must not alias. */
void ae_bellman_unmap(ae_table_t r, const ae_table_t q, const ae_space_t sp, slong prec);
/* Settles the entries of out = M(in) (inverse = 0) or M^{-1}(in) (inverse = 1) whose ball
   contains 0 without being exact, given x, the exact values of in (ae_table_read_exact):
   such an entry is 0 only when one response continues below it (M) or its child row has one
   allowed action (M^{-1}), for otherwise it is a rational plus the log of a sum of two or
   more exponentials of rationals, never 0 (Lindemann-Weierstrass); it is then a rational sum
   of entries of x, computed exactly. Sets each entry found to be 0 to an exact 0; returns
   their number. The others are nonzero, and a higher precision separates them from 0. */
slong ae_bellman_exact_zeros(ae_table_t out, const ae_qtable_t x, const ae_space_t sp, int inverse);
/* The maps to a requested output accuracy (src/bellman/map_accurate.c). bits > 0: every
   allowed entry exact or with at least bits bits of relative accuracy (arb_rel_accuracy_bits);
   AE_ACC_FLOAT64: every allowed entry's ball within one float64 rounding interval, so that the
   double nearest its midpoint is the correctly rounded value. */
#define AE_ACC_FLOAT64 0
int ae_table_accurate(const ae_table_t t, const ae_space_t sp, slong bits);
/* Where the input comes from, read again at each precision (a decimal CSV value is rounded
   to it; float64 values are exact at any): read(t, prec) fills t (0 or an AE_E_* code with err
   set); read_exact(x) the exact values (0, or nonzero when they cannot be had), called at most
   once; raise(prec), when not NULL, before the precision is raised to prec (a memory limit
   may refuse: an AE_E_* code with err set). */
typedef struct {
    int (*read)(ae_table_t t, slong prec, void *ctx, ae_err_t err);
    int (*read_exact)(ae_qtable_t x, void *ctx, ae_err_t err);
    int (*raise)(slong prec, void *ctx, ae_err_t err);
    void *ctx;
} ae_map_source;
/* out = M(in), or M^{-1}(in) when inverse, read into `in` from src at prec, 2 prec, ... until
   out meets `bits` (ae_table_accurate); balls containing 0 are settled on the exact input
   values (ae_bellman_exact_zeros). Returns 0 with *used the precision of out; 1 when the next
   precision would exceed max_prec (out holds the last attempt, *used its precision); or the
   AE_E_* code of a failed read or raise. */
int ae_bellman_map_accurate(slong *used, ae_table_t out, ae_table_t in, const ae_map_source *src,
                            const ae_space_t sp, int inverse, slong bits, slong prec, slong max_prec,
                            ae_err_t err);
/* V_q(s) = LSE of the unmasked entries of row (p,s). */
void ae_bellman_value(arb_t v, const ae_table_t q, const ae_space_t sp, slong p, slong s, slong prec);
/* Where the maps are defined when allowed entries may be -inf (banned tokens; proofs/C1.md,
   "Banned entries"). A state is dead when its value is -inf: in rewards, when every response
   through it has reward -inf; in logits, when its row is all -inf. */
typedef enum {
    AE_DOMAIN_MAP = 0,   /* rewards for M: no prompt's root is dead (p_R is defined) */
    AE_DOMAIN_INJECTIVE, /* rewards where M^{-1}(M(r)) = r is claimed: no state is dead (M(r)
                            is -inf at a dead state's parent entry whatever its reward) */
    AE_DOMAIN_UNMAP,     /* logits for M^{-1}: no row is all -inf (r = q - V_q is undefined at
                            the parent entry of such a row; at the root p_q is not defined) */
    AE_DOMAIN_POLICY     /* logits as a policy (check): the root is not dead, nor any state that
                            p_q reaches (no -inf logit on the path to it) */
} ae_domain;
/* 0 when t is in the domain `what`; else AE_E_INPUT with err "name: prompt P, prefix "...",
   [action A: ]why" for the first offending state in canonical order. Cost O(P*S*A). */
int ae_bellman_domain(const ae_table_t t, const ae_space_t sp, ae_domain what, const char *name,
                      ae_err_t err);
/* 0 when q is -inf exactly where M(r) is (at entries banned by r, and above states of value
   -inf), as a distillation student must be; else AE_E_INPUT naming the first entry. */
int ae_bellman_same_support(const ae_table_t q, const ae_table_t r, const ae_space_t sp, const char *name,
                            ae_err_t err);
/* Exact multiplicative forms on potentials: phi = M(psi), phi(s,a) = psi(s,a)*beta(s.a),
   beta(s) = sum_a phi(s,a); and psi = M^{-1}(phi). No aliasing. psi = 0 at an allowed pair is
   a banned token (phi is then 0 there); M^{-1} divides by beta(s.a), so it needs every row of
   phi to have a nonzero entry (as AE_DOMAIN_UNMAP in the log domain). */
void ae_bellman_map_exact(ae_qtable_t phi, const ae_qtable_t psi, const ae_space_t sp);
void ae_bellman_unmap_exact(ae_qtable_t psi, const ae_qtable_t phi, const ae_space_t sp);
/* Plain float64 maps, what a double implementation computes (stable LSE). */
void ae_bellman_map_d(double *q, const double *r, const ae_space_t sp);
/* Stable float64 LSE of the entries of row[0..n-1] that are not -inf. */
double _ae_lse_d(const double *row, slong n);

/* ---------------------------------------------------------------- check (src/check) */
/* Regression check of another implementation's logits q against the certified q* = M(r).
   Criteria, each decided on certified bounds (verified / violated / undecided, precision
   doubled while undecided up to max_prec):
   - KL: KL(p_r || p_q) <= tol and KL(p_q || p_r) <= tol for every prompt (always). KL grows
     like eps^2 in a logit error eps: tol 1e-9 catches errors of about 1e-4 and up;
   - atol >= 0: max |q - q*| <= atol over the allowed entries;
   - rtol >= 0: max |q - q*| / max(1, |q*|) <= rtol (a mixed measure, so that entries with q*
     near 0 do not dominate);
   - centered: atol and rtol apply to q - q* - c(s) instead, c(s) the midrange of the row's
     differences (max + min)/2, the constant that minimises the row's max-norm (logits are
     defined up to a constant per state).
   mask_below: a value <= mask_below at a masked entry is read as -inf (e.g. -1e9). */
/* The layouts of ae_check_opts and ae_check_result are fixed (foreign callers mirror them);
   more output goes into ae_check_detail. */
typedef struct {
    double tol;          /* KL tolerance, default 1e-9 */
    double atol, rtol;   /* < 0: not asked */
    int centered;
    double mask_below;   /* -INFINITY: none */
    long prec, max_prec; /* 0: defaults 128 and 4096 */
} ae_check_opts;
void ae_check_opts_init(ae_check_opts *o);

/* Every upper bound is a double rounded up (the safe side; +inf when unknown). Locations are
   those of the largest upper bound (-1 when there is no allowed entry). verdict is an
   ae_verdict, the meet of the criteria asked for; passed = (verdict == AE_VERIFIED). */
typedef struct {
    int passed;
    int verdict;
    double kl_fwd_upper, kl_rev_upper; /* max over prompts of KL(p_r||p_q), KL(p_q||p_r) */
    double abs_err_upper, rel_err_upper, centered_err_upper;
    long abs_prompt, abs_state, abs_action;
    long prec;         /* precision of the last attempt, bits */
    char message[512]; /* one line: what failed, or what passed */
} ae_check_result;

typedef struct {
    double centered_rel_err_upper; /* max |q - q* - c(s)| / max(1, |q*|) */
    long rel_prompt, rel_state, rel_action;
    long centered_prompt, centered_state, centered_action;
    long centered_rel_prompt, centered_rel_state, centered_rel_action;
    int kl_verdict, atol_verdict, rtol_verdict; /* ae_verdict; atol/rtol UNDECIDED when not asked */
    char abs_where[160], rel_where[160], centered_where[160], centered_rel_where[160]; /* in words */
    double *kl_fwd, *kl_rev; /* caller's arrays of sp->P doubles for each prompt's KL upper
                                bounds, or NULL */
    char note[256];          /* why the precision was not raised further, or "" */
} ae_check_detail;

/* On tables already read (their values exact, e.g. from .npy or doubles); det may be NULL.
   max_memory: bytes a precision raise may need (0: no limit); a raise refused leaves the
   verdict undecided with det->note saying why. Returns 0, or nonzero with err set. */
int ae_check(ae_check_result *res, ae_check_detail *det, const ae_table_t r, const ae_table_t q,
             const ae_space_t sp, const ae_check_opts *o, unsigned long max_memory, ae_err_t err);
/* The same on two table files, read again at each precision (CSV decimals are enclosed at
   the working precision), with o->mask_below applied to both. */
int ae_check_files(ae_check_result *res, ae_check_detail *det, const ae_space_t sp, const char *rewards,
                   const char *logits, const ae_check_opts *o, unsigned long max_memory, ae_err_t err);

/* Flat forms for foreign callers (ctypes): plain C types only. space_kind is an ae_space_kind:
   0 = fixed F(V,T), 1 = eos E(V,T) (AE_FIXED, AE_EOS). Tables are prompts x states x actions
   doubles in C order in the canonical layout, -inf at masked entries (or values <=
   o->mask_below there, for ae_check_d). Each returns 0, or nonzero with one line in err
   (errlen bytes, NUL-terminated). */
int ae_check_d(ae_check_result *res, int space_kind, long vocab, long horizon, long prompts,
               const double *rewards, const double *logits, const ae_check_opts *o, char *err, size_t errlen);
/* ae_map_d, ae_unmap_d: below, with the flat float64 API. */

/* ---------------------------------------------------------------- the walk (src/walk) */
/* Depth-first walk of the prefix tree of one prompt. For every state (pre-order) the visitor's
   state() is called, then edge() for each allowed action in order 0..A-1: child is the child
   state index, or -1 when the action ends the response (a leaf: one response). Visitors carry
   path sums in per-depth arrays indexed by depth. Cost O(states*A), no allocation per node. */
typedef struct {
    void (*state)(void *ctx, slong depth, slong s);
    void (*edge)(void *ctx, slong depth, slong s, slong a, slong child);
    void *ctx;
} ae_visitor;

void ae_walk(const ae_space_t sp, const ae_visitor *vis);

/* ---------------------------------------------------------------- result rows (src/report) */
/* One checked quantity (DESIGN.md, principle 4). Fields are rendered strings so that every
   writer prints the same bytes. */
typedef struct {
    char claim[8];       /* "C1" */
    char check[64];      /* short identifier of the check */
    char space[24];      /* "F(8,4)", "F(8,4) P=2" (ae_space_row_name) */
    char prompt[24];     /* prompt index, or "all" */
    char instance[256];  /* "dyadic:seed=1", "potential:seed=2", "file:R.npy" */
    char arith[12];      /* exact | certified */
    char items[24];      /* how many values were compared */
    char measured[288];
    char predicted[80];
    char tol[24];
    char ratio[24];      /* measured / predicted for bounds ("" for identities) */
    ae_verdict verdict;
    slong prec;          /* working precision (0 for exact) */
    char double_err[24]; /* what float64 gets on the same quantity ("" when not applicable) */
} ae_row;

typedef struct {
    ae_row *v;
    slong n, alloc;
} ae_rows_struct;
typedef ae_rows_struct ae_rows_t[1];

void ae_rows_init(ae_rows_t rows);
void ae_rows_clear(ae_rows_t rows);
/* Appends a zeroed row and returns it (valid until the next append). */
ae_row *ae_rows_add(ae_rows_t rows);
void ae_rows_append(ae_rows_t dst, const ae_rows_t src);
/* Worst verdict over all rows (VERIFIED when empty; consistency rows that agree do not lower it). */
ae_verdict ae_rows_verdict(const ae_rows_t rows);
/* Marks a row as a consistency check: " (consistency)" appended to its check text, and
   VERIFIED turned into CONSISTENT, so that it is never counted as verified. */
void ae_row_mark_consistency(ae_row *row);
/* Formatting of certified numbers into rows, every digit on the safe side: an upper end in
   "%.2e" rounded up, a lower end rounded down, a ball as Arb prints it (the printed ball
   contains it), a rational exactly or, when too long, as an enclosure [lo, hi]. */
void ae_fmt_ubound(char *buf, size_t n, const arf_t x);
void ae_fmt_lbound(char *buf, size_t n, const arf_t x);
void ae_fmt_arb(char *buf, size_t n, const arb_t x, slong digits);
void ae_fmt_fmpq(char *buf, size_t n, const fmpq_t x);

/* Writers: CSV, JSON Lines, Markdown, LaTeX (booktabs). Deterministic bytes. */
typedef enum { AE_FMT_CSV, AE_FMT_JSONL, AE_FMT_MD, AE_FMT_TEX } ae_format;
/* One field, escaped: CSV (quoted when needed), JSON string, LaTeX text. */
void ae_put_csv(FILE *out, const char *s);
void ae_put_json(FILE *out, const char *s);
void ae_put_tex(FILE *out, const char *s);
/* a LaTeX longtable with a header repeated on each page; align: one 'l' or 'r' per column */
/* LaTeX tables: a longtable (it breaks across pages) in \footnotesize with its header repeated
   on each page. spec[j] is the column kind: "l" or "r" text, "p{WIDTH}" wrapped text, or "d" a
   number aligned on its decimal point (two columns r@{}l, no package needed; a cell that is
   not a plain number spans both). landscape: set on landscape pages when the document loads
   pdflscape or lscape (for tables wider than a portrait page; without either package they
   stay portrait). Cells go through ae_tex_cell. */
void ae_tex_begin(FILE *out, const char *const *spec, const char *const *cols, int ncol, int landscape);
void ae_tex_cell(FILE *out, const char *spec, const char *s, int first);
void ae_tex_end(FILE *out, int landscape);
void ae_rows_write(FILE *out, const ae_rows_t rows, ae_format fmt);
/* Writes path through emit(out, ctx) (0, or nonzero on a write error) into a temporary file in
   the same directory, renamed onto path only when everything was written: a reader never
   sees a partial file. */
typedef int (*ae_emit_fn)(FILE *out, const void *ctx);
int ae_file_write_atomic(const char *path, ae_emit_fn emit, const void *ctx, ae_err_t err);

/* A set of output files replaced together: each file is written to a temporary next to its
   target (PATH.tmp.XXXXXX; staged files in a directory DIR/.stage.tmp.XXXXXX), and only when
   every one is written are they renamed into place. A run that fails (or is killed by a
   signal) before the commit leaves the previous files untouched and no temporary behind. */
typedef struct {
    struct ae_outfile *f; /* temporaries and their targets */
    slong n, alloc;
    char *stage, *stage_dst; /* staging directory and where its files go */
    int stage_slot;
} ae_outset_struct;
typedef ae_outset_struct ae_outset_t[1];
void ae_outset_init(ae_outset_t set);
/* Writes path's new content to a temporary; err names path on failure. */
int ae_outset_add(ae_outset_t set, const char *path, ae_emit_fn emit, const void *ctx, ae_err_t err);
/* Opens dst_dir/name for writing in the set's staging directory, under its final name (for
   files that another program reads or writes next to it: gnuplot data, scripts, figures);
   ae_outset_close_staged closes the file last opened (0, or err set on a write error). */
FILE *ae_outset_open_staged(ae_outset_t set, const char *dst_dir, const char *name, ae_err_t err);
int ae_outset_close_staged(const ae_outset_t set, FILE *out, ae_err_t err);
/* Runs `gnuplot SCRIPT` in the staging directory (as ae_gnuplot_run, returning its status)
   to render BASE.svg and BASE.pdf there; each joins the set when gnuplot succeeded and wrote
   it, and is removed (leaving the previous figure in place) when not. */
int ae_outset_render(ae_outset_t set, const char *script, const char *base);
/* Renames every temporary into place (a terminating signal meanwhile takes effect after). */
int ae_outset_commit(ae_outset_t set, ae_err_t err);
/* Removes the temporaries not committed and frees the set; always call it. */
void ae_outset_clear(ae_outset_t set);
/* For programs: on every terminating signal (SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE,
   SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ, SIGVTALRM; not those already ignored), remove
   the temporaries being written and the lock file held, and exit with status 128 + signal
   (130 for SIGINT), so an interrupted run leaves no stray file. */
void ae_install_interrupt_cleanup(void);
/* Locks the output directory dir (created if missing) for this run, with flock on
   dir/.armebm.lock: AE_E_IO "dir: directory in use by another armebm run" when another holds
   it (no waiting). ae_dir_unlock removes the lock file and releases it (fd -1: nothing). */
int ae_dir_lock(int *fd, const char *dir, ae_err_t err);
void ae_dir_unlock(int fd);
/* The pid of a child writing into a staging directory (0: none), killed on a signal. */
void ae_child_running(long pid);
/* Runs `gnuplot SCRIPT` inside dir without a shell, output silenced; its exit status, 127
   when gnuplot cannot be run. */
int ae_gnuplot_run(const char *dir, const char *script);
/* Opens a figure script's rendering loop: BASE.svg, then BASE.pdf (pdfcairo, skipped when
   gnuplot lacks it), rows x cols panels each sized for one column of a two-column paper
   (3.4 x 2.5 in); ae_gp_end closes it. No title: captions belong to the paper. */
void ae_gp_begin(FILE *f, const char *base, int rows, int cols);
void ae_gp_end(FILE *f);
/* Writes dir/base.{csv,jsonl,md,tex} as one set (renamed into place together on success). */
int ae_rows_write_all(const char *dir, const char *base, const ae_rows_t rows, ae_err_t err);
/* Adds dir/base.{csv,jsonl,md,tex} to a set. */
/* dir/summary.{csv,jsonl,md,tex}: one row per claim present in the rows of parts (claim,
   statement, rows, verified/violated/undecided/consistent counts, largest numeric ratio). */
int ae_claim_summary_stage(ae_outset_t set, const char *dir, const ae_rows_struct *const *parts, int nparts,
                           ae_err_t err);
int ae_rows_stage(ae_outset_t set, const char *dir, const char *base, const ae_rows_t rows, ae_err_t err);

/* A certified check run at one precision; ae_escalate reruns it with doubled precision while
   any row is undecided and prec <= max_prec, then appends the last attempt's rows. */
typedef void (*ae_check_fn)(ae_rows_t rows, const void *arg, slong prec);
void ae_escalate(ae_rows_t rows, ae_check_fn fn, const void *arg, slong prec, slong max_prec);

/* Writes dir/figures/kl-vs-eps.{dat,gp} and kl-vs-k.{dat,gp} from distillation rows of
   `space` (e.g. "E(3,4)") and renders SVGs when gnuplot is on the PATH. */
int ae_figures_distill(ae_outset_t set, const char *dir, const ae_rows_t rows, const char *space, ae_err_t err);

/* ---------------------------------------------------------------- claims (src/claim) */
/* An instance under test: a space, and either a generator or a loaded reward table. */
typedef struct {
    const ae_space_struct *sp;
    ae_gen_struct gen;               /* used when r == NULL */
    const ae_table_struct *r;        /* user table (certified checks only), or NULL */
    char name[96];                   /* row "instance" field */
} ae_instance;

/* Each checker appends its rows. Certified checkers run at prec and double it until no row is
   undecided or max_prec is passed (the rows then say undecided, with the last precision).
   Exact checkers need a POTENTIAL generator. `aux_seed` drives the auxiliary random objects
   (random logit tables, shifted states). */
void ae_claim_c1_certified(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec, slong max_prec);
void ae_claim_c1_exact(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed);
void ae_claim_c2_certified(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec, slong max_prec);
void ae_claim_c3_exact(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed);

/* The certified C1 checker with the maps under test supplied by the caller (test doubles:
   tests pass a deliberately broken M, or a broken M and M^{-1} sharing one bug, and expect
   VIOLATED). The round trips check `map` against the checker's own inverse; `unmap` (out, in
   as for map) is checked against shifted rewards. */
typedef void (*ae_map_fn)(ae_table_t q, const ae_table_t r, const ae_space_t sp, slong prec);
void _ae_claim_c1_certified_map(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec,
                                slong max_prec, ae_map_fn map, ae_map_fn unmap);

/* ---------------------------------------------------------------- rewards (src/source) */
typedef enum {
    AE_REWARD_SUMMOD = 0,   /* 1 at the ending action when the token sum is 0 mod m, else 0 */
    AE_REWARD_PALINDROME = 1 /* 1 at the ending action when the tokens read the same reversed */
} ae_reward_family;
const char *ae_reward_family_name(ae_reward_family f);
/* Sequence-level rewards: every non-ending entry 0, the signal only at the end (C10). */
void ae_reward_family_table(ae_table_t r, ae_reward_family f, slong m, const ae_space_t sp);

/* ---------------------------------------------------------------- students (src/student) */
/* Students are logit tables q compared with a teacher q* = M(r); each family is written as
   q = q* + delta. */
typedef enum {
    AE_STUDENT_UNIFORM = 0,  /* delta uniform in [-eps, eps], one entry exactly +eps */
    AE_STUDENT_SIGN,         /* delta = +-eps everywhere */
    AE_STUDENT_SPARSE,       /* delta = +-eps on one state's row, 0 elsewhere */
    AE_STUDENT_ROWCONST,     /* delta = c(s) constant per row, |c| <= eps: KL = 0 */
    AE_STUDENT_VALUE,        /* q = r + (V_q* + eta)(s.a), |eta| <= eps: value-function noise */
    AE_STUDENT_ADV_FWD,      /* adversarial search maximising KL(p_q || p_R) over |delta| <= eps */
    AE_STUDENT_ADV_REV,      /* adversarial search maximising KL(p_R || p_q) */
    AE_STUDENT_LOOKAHEAD,    /* q = r + V^(k)(s.a), the future truncated to k steps (C10) */
    AE_STUDENT_FILE          /* a user table */
} ae_student_kind;
const char *ae_student_name(ae_student_kind kind);

/* Sets delta (masked entries 0) for the explicit families UNIFORM, SIGN, SPARSE, ROWCONST:
   exact dyadic multiples of eps (eps must be a double). */
void ae_student_delta(ae_table_t delta, ae_student_kind kind, double eps, uint64_t seed, const ae_space_t sp);
/* q = r + V_q*(s.a) + eta(s.a) for non-ending a, r at ending a; |eta| <= eps uniform. */
void ae_student_value_noise(ae_table_t q, const ae_table_t r, const ae_table_t qstar, double eps,
                            uint64_t seed, const ae_space_t sp, slong prec);
/* Its delta q - M(r): eta exactly at non-ending pairs (q* = r + V* there by the definition of M),
   0 elsewhere; what ae_student_build uses, so that a pair with eta = 0 is an exact 0. */
void ae_student_value_delta(ae_table_t delta, double eps, uint64_t seed, const ae_space_t sp, slong prec);
/* q = r + V^(k)(s.a): V^(0) = 0, V^(j)(s) = LSE_a (r(s,a) + [a does not end] V^(j-1)(s.a)).
   k = 0 is the myopic student q = r; k >= T - 1 gives M(r). Cost O(k*P*S*A). */
void ae_student_lookahead(ae_table_t q, const ae_table_t r, slong k, const ae_space_t sp, slong prec);
/* Decides exactly, when every reward of r is an integer in [0, 62] (else returns 0 and does
   nothing), which rows of the lookahead student q_k have the teacher's policy: same[p*S+s] = 1
   there (P*S flags); rows where q_k = M(r) exactly get delta set to exact 0. Returns 1. */
int ae_student_lookahead_exact(char *same, ae_table_t delta, const ae_table_t r, slong k,
                               const ae_space_t sp);
/* The student maximising KL(p_q || p_q*) (reverse = 0) or KL(p_q* || p_q) (reverse = 1) over
   |delta| <= eps: a vertex of the box, chosen state by state from the leaves up (proofs/C9.md).
   Sets delta (exact doubles +-eps on allowed entries, 0 on masked ones). Returns 1 when every
   row's vertices were enumerated (the exact maximum, up to float64 ties in choosing the vertex),
   0 when a row longer than 16 entries was searched: coordinate ascent from its 2(k+1) threshold
   vertices and `restarts` random ones.
   Deterministic in seed. Cost O(P*S*2^A*A) when exact. */
int ae_student_adversarial(ae_table_t delta, const ae_table_t qstar, int reverse, double eps,
                           uint64_t seed, slong restarts, const ae_space_t sp);

/* ---------------------------------------------------------------- distillation (src/measure) */
/* Certified measurements of a student q = q* + delta against the teacher q* = M(r), one prompt.
   KL values are summed over responses, p(y) log(p_q(y)/p_R(y)) with the log-ratio summed along
   y's path, apart from the per-state KLs that Lemma 1 (C7) bounds; p_q* = p_R by Proposition 1
   (C1). */
typedef struct {
    arb_t eps;            /* max |delta| over unmasked entries */
    arb_t kl_qr, kl_rq;   /* KL(p_q || p_R), KL(p_R || p_q) */
    arb_t len_q, len_r;   /* E[|y|] under p_q, p_R */
    arb_t sw_q, sw_r;     /* sum_s p(s) min(range_s, range_s^2/8), p = p_q, p_R */
    arb_t tv;             /* total variation, 1/2 sum_y |p_q(y) - p_R(y)| */
    arb_t maxlr;          /* max_y |log p_q(y) - log p_R(y)| */
    ae_verdict lemma1;    /* KL(pi_q(.|s)||pi*(.|s)) <= 2 eps_s and reverse, every state */
    arb_t lemma1_ratio;   /* max over states and directions of KL_s / (2 eps_s) */
    slong lemma1_states;  /* states where it was decided (eps_s > 0 or rows identical) */
    const char *same_policy; /* optional, set by the caller before measuring: flags per
                                (prompt, state) proven exactly to have the teacher's policy */
    int lemma1_exact;     /* 1 when every state's decision compared exact numbers */
    ae_verdict perpath;   /* |log p_q(y) - log p_R(y)| <= 2 |y| eps, every y */
    int perpath_exact;    /* 1 when every response's decision compared exact numbers */
    arb_t perpath_ratio;  /* max_y |log p_q(y) - log p_R(y)| / (2 |y| eps) */
    slong responses;
} ae_distill_struct;
typedef ae_distill_struct ae_distill_t[1];

void ae_distill_init(ae_distill_t m);
void ae_distill_clear(ae_distill_t m);
/* Measures student qstar + delta on prompt p. Cost O(S*A + |Y|). */
void ae_distill_measure(ae_distill_t m, const ae_table_t qstar, const ae_table_t delta,
                        const ae_space_t sp, slong p, slong prec);

/* A bound checked against a measurement: sets bound to its value; NULL name ends a list. */
typedef struct {
    const char *claim;   /* "C8" */
    const char *name;    /* row check text */
    int reverse;         /* 0: about KL(p_q||p_R), 1: about KL(p_R||p_q) */
    void (*eval)(arb_t bound, const ae_distill_t m, const ae_space_t sp, slong prec);
} ae_bound;
/* The bounds of C8 and C9 on KL, both directions (Prop. 3, Hoeffding E|y| and T, state-weighted). */
extern const ae_bound ae_bounds_kl[];

/* A student of the instance's teacher: its family and parameters. ADV_* use `delta` (found
   beforehand by ae_student_adversarial), FILE uses `q`. */
typedef struct {
    ae_student_kind kind;
    double eps;                 /* explicit, value and adversarial families */
    uint64_t seed;
    slong k;                    /* lookahead depth */
    const ae_table_struct *delta;
    const ae_table_struct *q;
    char label[64];             /* appended to the instance column */
} ae_student_spec;

/* Builds delta = q - q* for the student at prec (q* = M(r) given). */
void ae_student_build(ae_table_t delta, const ae_student_spec *st, const ae_table_t r,
                      const ae_table_t qstar, const ae_space_t sp, slong prec);

/* One student: per prompt measures it and appends a row per bound of `bounds` (verdict:
   certified measured <= bound, or a certified violation), plus Lemma 1 (C7), per-path (C9)
   and KL = 0 for ROWCONST; reruns at doubled precision while a row is undecided. */
void ae_claim_distill(ae_rows_t rows, const ae_instance *in, const ae_student_spec *st,
                      const ae_bound *bounds, slong prec, slong max_prec);

/* C4: entropy and KL chain rules on random logit tables (certified). */
void ae_claim_c4_certified(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec, slong max_prec);
/* C5: dV_{M(r)}(x)/dr(s,a) = prefix marginal (a reverse-mode adjoint sweep through M on every
   entry, finite differences with certified remainder on samples, both against the marginal
   summed over responses from r alone) and dA/dR(y) = p_R(y). */
void ae_claim_c5_certified(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec, slong max_prec);
/* The same with the map under test supplied by the caller (a test double, as for C1). */
void _ae_claim_c5_certified_map(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec,
                                slong max_prec, ae_map_fn map);

/* C11: reference measure. With a normalised random reference q_ref, checks the residual map
   (p_{q+q_ref} = p_{R_r + R_ref} on every y) and E_q[R] - KL(p_q||p_ref) = log Z' - KL(p_q||p_R').*/
void ae_claim_c11_certified(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec, slong max_prec);

/* ---------------------------------------------------------------- data (src/data) */
/* A data distribution rho on X x Y, indexed by (prompt, response rank). Prompts carry equal
   weight 1/P for generated distributions and their empirical weight for files. */
typedef enum {
    AE_DATA_ZIPF = 0,       /* rho(y|x) ∝ 1/rank(y)^s, rank a seeded permutation (exact for integer s) */
    AE_DATA_SOFTMAX_NORMAL, /* rho(y|x) = softargmax(z/t), z ~ N(0,1) seeded (certified only) */
    AE_DATA_UNIFORM,        /* exact */
    AE_DATA_RANDOM,         /* random integer weights in [0,8], zeros allowed (exact) */
    AE_DATA_FILE            /* empirical counts from a file of sequences (exact) */
} ae_data_kind;

typedef struct {
    ae_data_kind kind;
    slong P, Y;          /* prompts, responses per prompt */
    int exact;           /* q holds rho exactly */
    fmpq *q;             /* P*Y masses, summing to 1 (exact distributions only) */
    arb_ptr b;           /* P*Y masses enclosed at the precision they were made with */
    double *d;           /* P*Y masses rounded to double (training) */
    slong zeros;         /* responses of zero mass */
    slong prec;          /* precision of b for certified-only data (0 when exact) */
    double sum_dev;      /* a file of probabilities: its total minus 1, before dividing by it */
    char name[96];
} ae_data_struct;
typedef ae_data_struct ae_data_t[1];

void ae_data_init(ae_data_t d, const ae_space_t sp);
void ae_data_clear(ae_data_t d);
const char *ae_data_kind_name(ae_data_kind k);
/* Generated distributions; `param` is the Zipf exponent s or the temperature t (ignored
   otherwise). Zipf with integer s, uniform and random are exact. */
void ae_data_generate(ae_data_t d, ae_data_kind kind, double param, uint64_t seed,
                      const ae_space_t sp, slong prec);
/* Empirical distribution from a text file: one response per line, tokens separated by spaces
   ('-' for the empty response of E), optionally preceded by "PROMPT:" and followed by
   "* COUNT". Lines starting with '#' and blank lines are skipped. Errors name path:line.
   A path ending in .npy or .csv is a file of probabilities instead (ae_data_read_probs). */
int ae_data_read(ae_data_t d, const ae_space_t sp, const char *path, ae_err_t err);
/* A file of probabilities rho(x,y), one per response in response order (the order of
   map --scores), prompt after prompt: .npy (float64/float32) of shape (Y,) for one prompt or
   (P, Y), or CSV with header `prompt,response,value` (response: its tokens separated by
   single spaces, empty for EOS alone; value: a decimal or a fraction N/D; every response
   once). Each value must be finite and >= 0, each prompt must have mass, and the total must
   be within 10^-AE_DATA_SUM_TOL_DIGITS of 1; rho is then the values divided by their total,
   exactly (sum_dev records the total minus 1). Errors name path and byte or line. */
#define AE_DATA_SUM_TOL_DIGITS 6
#define AE_DATA_SUM_TOL_INV 1000000
int ae_data_read_probs(ae_data_t d, const ae_space_t sp, const char *path, ae_err_t err);
/* Writes rho in that layout, by the extension of path: .npy holds the float64 nearest each
   probability (of the exact rational, or of the midpoint of a certified enclosure); .csv the
   exact rational N/D when d is exact, else `digits` correctly rounded significant digits. */
int ae_data_write(const char *path, const ae_data_t d, const ae_space_t sp, slong digits, ae_err_t err);
/* Rank of response y (tokens, length n; in E without the EOS) or -1 when it is not in Y. */
slong ae_space_response_rank_tokens(const ae_space_t sp, const slong *tok, slong n);
/* Prefix masses rho(x, s) for every state (P*S entries), exact (rho exact) or certified. */
void ae_data_prefix_exact(fmpq *mass, const ae_data_t d, const ae_space_t sp);
void ae_data_prefix_arb(arb_ptr mass, const ae_data_t d, const ae_space_t sp, slong prec);
/* C6: Proposition 2 for the data distribution rho (exact rows when rho is exact). */
void ae_claim_c6(ae_rows_t rows, const ae_instance *in, const ae_data_t rho, uint64_t aux_seed,
                 slong prec, slong max_prec);

/* ---------------------------------------------------------------- train (src/train) */
/* Function-space training, the paper's Appendix C (CLAIMS.md, C6 and section 4). Tabular ARM
   logits q (P*S*A doubles in the table layout, masked entries -inf) and tabular EBM scores R
   (P*|Y| doubles, indexed by response rank) start from 0 and are trained by Adam on the EXACT
   risks L_ARM(q) = E_rho[-log p_q(y|x)] and L_EBM(R) = E_rho[A(x) - R(x,y)] (full expectation
   over rho, no sampling) in float64. Every reported number is then evaluated certified (Arb
   balls at the problem's precision) on the logged iterates, whose doubles are read exactly. */
#define AE_ADAM_BETA1 0.9
#define AE_ADAM_BETA2 0.999
#define AE_ADAM_EPS 1e-8
#define AE_TRAIN_WARMUP 100 /* linear warm-up steps from 0 (the paper's schedule) */
#define AE_TRAIN_DECAY 100  /* linear decay steps to 0 at the end */

/* Adam's step counter t and the products beta1^t, beta2^t of its bias corrections, kept by
   repeated multiplication (the same doubles on every IEEE platform). */
typedef struct {
    slong t;
    double b1t, b2t;
} ae_adam_struct;
typedef ae_adam_struct ae_adam_t[1];

void ae_adam_init(ae_adam_t a); /* t = 0 */
void ae_adam_tick(ae_adam_t a); /* t += 1 */
/* One Adam update, step t = a->t >= 1, of the n parameters x with gradient g and moments m, v:
   m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; x -= lr (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps),
   arranged as PyTorch does (sqrt(v) * (1/sqrt(1-b2^t)) + eps). Every operation is a correctly
   rounded IEEE one, so the bits do not depend on the platform or on the SSE2 path. A masked
   parameter (x = -inf, g = 0) stays -inf. The four arrays must not overlap. Cost O(n). */
void ae_adam_update(double *x, double *m, double *v, const double *g, slong n, double lr,
                    const ae_adam_t a);
/* The trapezoidal schedule lr_peak * min(1, t/warmup, (steps-t)/decay), clamped at 0: 0 at
   t = 0, lr_peak on [warmup, steps-decay], 0 at t = steps (a short run gets a triangle).
   Update t (0 <= t < steps), the one producing iterate t+1, uses ae_train_lr(t, ...), so the
   first update only initialises Adam's moments (as optax's warm-up from 0 does). warmup or
   decay 0 means no warm-up or no decay. */
double ae_train_lr(slong t, slong steps, double lr_peak, slong warmup, slong decay);

/* Float64 risks and gradients, as training computes them. mass (P*S): prefix masses
   rho(x,s); rho_sa (P*S*A): rho(s.a), the child's prefix mass or rho(x,y) at an ending
   action, 0 at masked entries; xmass (P): rho(x); rho_y (P*|Y|): rho(x,y). Set g (layout of
   q, resp. R) to the gradient rho(s) pi_q(a|s) - rho(s.a) (0 at masked entries), resp.
   rho(x) p_R(y|x) - rho(x,y), and *risk to the risk unless risk is NULL (the risk costs one
   log per state). The exponentials use a table-driven routine of about 1 ulp built from + and *
   only, so the gradients (hence the trained iterates) are the same bits on every IEEE platform.
   Cost O(P*S*A), resp. O(P*|Y|). */
void ae_train_arm_grad_d(double *g, double *risk, const double *q, const double *mass,
                         const double *rho_sa, const ae_space_t sp);
void ae_train_ebm_grad_d(double *g, double *risk, const double *R, const double *xmass,
                         const double *rho_y, const ae_space_t sp);

/* One training problem: a space and a data distribution with no zero mass (Zipf,
   softmax-normal, uniform), with everything the certified evaluation needs precomputed at
   prec: prefix masses, R*(x,y) = log rho(y|x), H_rho(Y|X), and M(r*) (r* puts R* on the ending
   action, 0 elsewhere, so M(r*) = log pi* with pi*(a|s) = rho(s.a)/rho(s) up to row shifts).
   rho and sp must outlive the problem. Cost O(P*(S*A + |Y|)) ball operations. */
typedef struct {
    const ae_space_struct *sp;
    const ae_data_struct *rho;
    slong prec;
    arb_ptr mass;       /* P*S certified prefix masses rho(x,s); mass[p*S] = rho(x) */
    arb_ptr rstar;      /* P*|Y|: R*(x,y) = log rho(y|x) */
    arb_t ent;          /* H_rho(Y|X) = -sum rho(x,y) log rho(y|x) */
    ae_table_t qstar;   /* M(r*) */
    double *mass_d;     /* float64 training data: prefix masses (nearest doubles) ... */
    double *rho_sa_d;   /* ... rho(s.a) per table entry ... */
    double *xmass_d;    /* ... and rho(x) */
    arb_ptr work;       /* scratch for ae_train_eval */
} ae_train_problem_struct;
typedef ae_train_problem_struct ae_train_problem_t[1];

void ae_train_problem_init(ae_train_problem_t pb, const ae_data_t rho, const ae_space_t sp, slong prec);
void ae_train_problem_clear(ae_train_problem_t pb);

/* What is recorded at one logged iterate (q_k, R_k). Upper bounds are the upper ends of
   certified enclosures rounded up to double, lower bounds rounded down, so both stay
   certified; a gap is never reported negative (the true gap L - H_rho = KL(rho||p) >= 0). */
typedef struct {
    slong step;          /* k: updates done (0 = the initial iterate, all zeros) */
    double lr;           /* learning rate of the update that produced q_k (0 at k = 0) */
    double gap_arm;      /* upper bound on L_ARM(q_k) - H_rho(Y|X) */
    double gap_ebm;      /* upper bound on L_EBM(R_k) - H_rho(Y|X) */
    double dist_before;  /* upper bound on max_x ||c(sum_t q_k(s_t,y_t)) - c(R*)||_inf over y,
                            c centring by the mean over the responses of x */
    double dist_after;   /* upper bound on ||c_{-1}(q_k) - c_{-1}(M(r*))||_inf, c_{-1} centring
                            each state's row over its allowed actions */
    double kl;           /* upper bound on max_x KL(p_R*(.|x) || p_q_k(.|x)) */
    double bound;        /* lower bound on 2T ||M(r*) - q_k||_inf (finite entries, no centring) */
    double bound_c;      /* lower bound on 2T ||c_{-1}(M(r*)) - c_{-1}(q_k)||_inf (rows centred,
                            as dist_after): an equally valid bound, softmax being shift-invariant */
    double ratio;        /* certified upper bound on max_x KL_x / (2T eps_c,x) (inf when a
                            bound's lower end is 0) */
    ae_verdict verdict;  /* KL_x <= 2T eps_x and KL_x <= 2T eps_c,x certified for every prompt x
                            (eps_x, eps_c,x: x's entries) */
} ae_train_point;

/* Certified evaluation of one iterate (q: P*S*A doubles, R: P*|Y| doubles) at pb->prec; sets
   every field of pt but step and lr. Cost O(P*(S*A + |Y|)) ball operations. */
void ae_train_eval(ae_train_point *pt, const double *q, const double *R, ae_train_problem_t pb);

/* The logged iterates: 0, 1, 2, 5, 10, 20, 50, ... (1-2-5 per decade) below steps, steps
   itself, and the multiples of every (every > 0), sorted without repeats. Writes them into
   log when log != NULL; returns how many there are. */
slong ae_train_log_steps(slong *log, slong steps, slong every);

typedef struct {
    slong steps;                  /* updates */
    slong warmup, decay;          /* schedule (AE_TRAIN_WARMUP, AE_TRAIN_DECAY) */
    double lr;                    /* peak learning rate */
    const slong *log;             /* logged iterates, increasing, within [0, steps] */
    slong nlog;
    void (*progress)(void *ctx, slong done); /* called every 64 updates and at the end, or NULL */
    void *progress_ctx;
    double *area_ebm; /* if not NULL: set to the mean of the float64 L_EBM(R_t) over t = 0..steps
                         (the area under the EBM training curve per step; the paper picks the
                         rate with the least), informational, not certified */
} ae_train_opts;

/* Trains q and R from 0 for o->steps Adam updates on the schedule and evaluates the logged
   iterates certified into pts[0..o->nlog-1]. Returns the meet of their verdicts.
   Deterministic: the same inputs give the same bytes. Cost O(steps*P*(S*A + |Y|)) float64
   operations plus nlog certified evaluations. */
ae_verdict ae_train_run(ae_train_point *pts, ae_train_problem_t pb, const ae_train_opts *o);

/* Results of a grid of runs and their tables. */
typedef struct {
    char space[24];        /* "F(8,4)", "F(8,4) P=2" */
    char target[64];       /* "zipf(s=1)" */
    double lr;
    uint64_t seed;         /* seed of the target distribution */
    slong steps, prec;
    slong key[4];          /* sort key: space, target, lr, seed positions in the grid */
    ae_train_point *pts;   /* npts logged points, owned */
    slong npts;
    double area_ebm;       /* see ae_train_opts */
} ae_train_result;

typedef struct {
    ae_train_result *v;
    slong n, alloc;
} ae_train_results_struct;
typedef ae_train_results_struct ae_train_results_t[1];

void ae_train_results_init(ae_train_results_t res);
void ae_train_results_clear(ae_train_results_t res);
/* Appends a zeroed result with room for npts points (valid until the next append). */
ae_train_result *ae_train_results_add(ae_train_results_t res, slong npts);
/* Meet of every point's verdict (VERIFIED when empty). */
ae_verdict ae_train_results_verdict(const ae_train_results_t res);
/* One row per (space, target, lr, seed, logged step), in that order (sorted by key). */
void ae_train_write_table(FILE *out, const ae_train_results_t res, ae_format fmt);
/* One row per (space, target, lr): final gaps and distances, max over seeds; the largest
   KL/bound ratio and the meet of the verdicts over every logged step and seed. */
void ae_train_write_summary(FILE *out, const ae_train_results_t res, ae_format fmt);
/* dir/train.{csv,jsonl,md,tex}, dir/train-summary.{...} (temporary files renamed on success)
   and dir/figures/train-{gaps,dist,kl}.{dat,gp}, rendered to SVG when gnuplot is on the PATH. */
int ae_train_write_all(const char *dir, const ae_train_results_t res, ae_err_t err);
/* The same files added to a set (committed by the caller). */
int ae_train_add(ae_outset_t set, const char *dir, const ae_train_results_t res, ae_err_t err);

/* ---------------------------------------------------------------- streaming (src/stream) */
/* The C1 distribution check on a generated instance without storing any table: one post-order
   walk per subtree keeps O(T*A) numbers. With psi = exp r and beta the backward variables, the
   logits are phi(s,a) = psi(s,a) beta(s.a); p_q(y) = prod phi/sum_b phi(s,b) from those rows,
   Psi(y) = prod psi along y, Z = sum_y Psi(y) by direct summation at the leaves (for dyadic
   instances Psi(y) = exp(K(y)/256) with K(y) an integer, so leaves are counted by K exactly and
   Z = sum_K n_K exp(K/256); integer potentials multiply top-down).
   p_q(y) = Psi(y)/Z for every y iff the ratio p_q(y)/Psi(y), tracked bottom-up as an interval
   hull over the subtree's leaves (with the extreme leaves as witnesses), is 1/Z. The tree is
   split at a depth fixed by the space (not the thread count) into independent subtrees run on
   `threads` OpenMP threads and combined in index order: output bytes never depend on threads. */
typedef void (*ae_phi_fn)(arb_t phi, const arb_t psi, const arb_t beta_child, slong depth, slong prec);

typedef struct {
    arb_t z;            /* Z(x) by direct summation */
    arb_t beta;         /* beta(x) = exp V_q(x), by the recursion */
    arb_t hull;         /* encloses p_q(y)/Psi(y) for every y */
    arb_t lo, hi;       /* the ratio of the leaves with the smallest / largest midpoint */
    slong lo_rank, hi_rank;
    slong responses;
    int witness;        /* input: track lo/hi witnesses (1 after init; 0 skips them, faster) */
} ae_stream_struct;
typedef ae_stream_struct ae_stream_t[1];

void ae_stream_init(ae_stream_t st);
void ae_stream_clear(ae_stream_t st);
/* One prompt of generated instance g (DYADIC or POTENTIAL); phi NULL for the true map. */
void ae_stream_walk(ae_stream_t st, const ae_gen_struct *g, const ae_space_t sp, slong p, int threads,
                    ae_phi_fn phi, slong prec);
/* Progress of long walks: when set to a terminal stream, walks running over a second draw a bar
   with an ETA there. Process-wide, set once by the program (the library never sets it). */
void ae_stream_set_progress(FILE *tty);
/* The bar those walks and `armebm train` draw: "\r  [###...] PCT%  E s elapsed, ETA R s  WHAT",
   the ETA extrapolated from the rate so far; a newline when done == n. */
void ae_progress_draw(FILE *tty, slong done, slong n, double elapsed, const char *what);
/* Seconds on a monotonic clock, for elapsed times. */
double ae_wall_seconds(void);
/* MPI builds (--enable-mpi): when on, every rank of MPI_COMM_WORLD must call the same walks;
   rank 0 hands subtrees out from a dynamic queue and their results are exchanged exactly (Arb's
   serialised balls), so every rank combines the same numbers in the same order and the result
   is byte-identical to one process. Off by default; a no-op without MPI. */
void ae_stream_use_mpi(int on);
/* This process's rank and the number of ranks (0 and 1 without MPI or when it is off). */
void ae_stream_mpi_rank(int *rank, int *size);
/* The same walk in float64: max_y |log p_q(y) - log p_R(y)|, and the response count. */
double ae_stream_walk_d(slong *responses, const ae_gen_struct *g, const ae_space_t sp, slong p, int threads);
/* Streaming sums for C2 and C3, on a generated dyadic instance g and a random dyadic logit
   table q' (generator gq), one prompt, no table stored. q* = M(r) is formed in the walk,
   bottom-up; q' rows are known before their children, so its sums are response-level (a
   top-down product and log-sum per path, summed at the leaves). Each quantity has its own
   route:
   - logz:    log sum_y exp R(y), direct summation (leaves counted by path sum, as above)
   - pent:    E_pR[R - log p_R] = sum_y p_R(y) (R(y) - log p_R(y)) with p_R(y) = exp R(y) / Z from
              those counts and Z, from r alone
   - logbeta: V_q*(x) = log beta(x), the recursion
   - mass:    sum_y p_q*(y), and elbo: sum_y p_q*(y) (R(y) - log p_q*(y)), nested over states
   - rmass:   sum_y p_q'(y), and relbo: sum_y p_q'(y) (R(y) - log p_q'(y)), over responses
   - rkl:     sum_s p_q'(s) KL(pi_q'(.|s) || pi_q*(.|s)), the chain rule over states
   - rent:    H(p_q') = -sum_y p_q'(y) log p_q'(y), over responses
   - sent:    sum_s p_q'(s) H(pi_q'(.|s)), the chain rule over states */
typedef struct {
    arb_t logz, pent, logbeta, mass, elbo, rmass, relbo, rkl, rent, sent;
    slong responses;
} ae_stream_elbo_struct;
typedef ae_stream_elbo_struct ae_stream_elbo_t[1];

void ae_stream_elbo_init(ae_stream_elbo_t out);
void ae_stream_elbo_clear(ae_stream_elbo_t out);
void ae_stream_elbo(ae_stream_elbo_t out, const ae_gen_struct *g, const ae_gen_struct *gq, const ae_space_t sp,
                    slong p, int threads, slong prec);

/* C2 rows (E_pR[R - log p_R] = log Z, the ELBO identity, ELBO < log Z), C3 rows (both
   masses = 1) and the C4 entropy chain rule from ae_stream_elbo on every prompt, for the
   claims in the mask (AE_CLAIM_C2, _C3, _C4); q' is the random table of the table-based C2
   (aux_seed, stream 4). */
void ae_claim_stream_sums(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, int claims, int threads,
                         slong prec, slong max_prec);
/* Rows "p_R(y) = p_M(r)(y) all y" and "A(x) = V_q(x)" (streaming), escalating precision. */
void ae_claim_c1_stream(ae_rows_t rows, const ae_instance *in, int threads, ae_phi_fn phi, slong prec,
                        slong max_prec);

/* ---------------------------------------------------------------- suite (src/suite) */
enum { AE_CLAIM_C1 = 1, AE_CLAIM_C2 = 2, AE_CLAIM_C3 = 4, AE_CLAIM_DISTILL = 8, AE_CLAIM_C4 = 16,
       AE_CLAIM_C5 = 32, AE_CLAIM_C6 = 64, AE_CLAIM_ALL = 127 };

typedef struct {
    ae_space_kind kind;
    slong V, T;
} ae_suite_space;

/* The default grid: F(8,4), F(4,8), E(8,4), E(2,12), E(3,8). */
extern const ae_suite_space ae_suite_default_spaces[];
extern const slong ae_suite_default_nspaces;

typedef struct {
    int claims;             /* AE_CLAIM_* bits */
    const uint64_t *seeds;
    slong nseeds;
    slong prompts;
    slong prec, max_prec;
    const fmpz *max_work;
    FILE *progress;         /* one line per instance, or NULL */
    const char *cex_dir;    /* where violated generated instances are written, or NULL */
    int threads;            /* of the streaming walks */
} ae_suite_opts;

/* Runs the selected claims on every seed of one generated space: exact checks (C1, C3) on
   integer potentials, certified checks (C1, C2, C4, C5) on dyadic rewards, and C6 for the data
   distributions zipf(s=1), softmax-normal(t=0.1), uniform and random (seeded). An instance with a violated
   check has its reward table written to o->cex_dir (40 digits, csv). Fails only on a refused or
   invalid space. */
int ae_suite_run_space(ae_rows_t rows, const ae_suite_opts *o, ae_space_kind kind, slong V, slong T,
                       ae_err_t err);
/* The distillation grid on one space: for every seed, students of every family (explicit,
   value noise, adversarial both ways) at eps in {1e-6, 1e-3, 0.1, 1, 10}, the C11 identities,
   lookahead students k = 0..T-1 on the first seed's rewards and on end-signal rewards. */
extern const ae_suite_space ae_distill_default_spaces[];
/* The distillation grid's eps values and adversary restarts (armebm export rebuilds its students). */
#define AE_DISTILL_NEPS 5
#define AE_DISTILL_ADV_RESTARTS 16
extern const double ae_distill_eps_grid[AE_DISTILL_NEPS];
extern const slong ae_distill_default_nspaces;
int ae_suite_run_distill(ae_rows_t rows, const ae_suite_opts *o, ae_space_kind kind, slong V, slong T,
                         ae_err_t err);
/* The streaming checks (C1-C4 among o->claims, by the table-free walks) on every seed of one
   generated dyadic space; and the default streaming spaces, E(2,20) and F(16,5), run by the
   default suite with one prompt. */
extern const ae_suite_space ae_stream_default_spaces[];
extern const slong ae_stream_default_nspaces;
int ae_suite_run_stream(ae_rows_t rows, const ae_suite_opts *o, ae_space_kind kind, slong V, slong T,
                        ae_err_t err);
/* The distillation checks on a user teacher table r: every student family, lookahead and C11;
   or, when `student` is given, that one student. */
void ae_suite_run_distill_table(ae_rows_t rows, const ae_suite_opts *o, const ae_space_t sp,
                                const ae_table_t r, const char *path, const ae_table_t student,
                                const char *student_path);
/* One summary row per (bound, student family): worst measured/bound ratio and where. */
void ae_distill_summary(ae_rows_t out, const ae_rows_t rows);

/* Runs the certified checks (C1, C2) on a user reward table. */
int ae_suite_run_table(ae_rows_t rows, const ae_suite_opts *o, const ae_space_t sp,
                       const ae_table_t r, const char *path);

/* ---------------------------------------------------------------- Flat float64 API (for bindings) */
/* Plain C types only, for foreign-function interfaces (the Python package calls these through
   ctypes). space_kind is an ae_space_kind: 0 = fixed F(V,T), 1 = eos E(V,T).
   Arrays are prompts x S x A float64 in the canonical layout, C order, masked entries -inf.
   Each returns 0, or a nonzero AE_E_* code with one line "what:where: reason" in err (errlen
   bytes, NUL-terminated; err may be NULL); the output array is written only on success.
   ae_map_d: logits = M(rewards); ae_unmap_d: rewards = M^{-1}(logits); every output value is
   the correctly rounded float64 of the exact one (certified maps, precision raised from 128
   up to 4096 bits), as `armebm map` writes to .npy. Input and output may be the same array. */
int ae_map_d(int space_kind, long vocab, long horizon, long prompts, const double *rewards,
             double *logits, char *err, size_t errlen);
int ae_unmap_d(int space_kind, long vocab, long horizon, long prompts, const double *logits,
               double *rewards, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
