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
typedef enum { AE_VIOLATED = -1, AE_UNDECIDED = 0, AE_VERIFIED = 1 } ae_verdict;

const char *ae_verdict_name(ae_verdict v);
/* Combine verdicts of sub-checks: VIOLATED beats UNDECIDED beats VERIFIED. */
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
/* "F(8,4)" or "E(8,4)" into buf (at least 64 bytes). */
void ae_space_name(char *buf, size_t n, const ae_space_t sp);
/* Parse "fixed" or "eos". */
int ae_space_kind_parse(ae_space_kind *kind, const char *s);

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

/* A P x S x A table of exact rationals: potentials psi = exp r or phi = exp q; masked = 0. */
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
int ae_table_read(ae_table_t t, const ae_space_t sp, const char *path, slong prec, ae_err_t err);
int ae_table_write(const char *path, const ae_table_t t, const ae_space_t sp, slong digits,
                   ae_err_t err);

/* ---------------------------------------------------------------- sources (src/source) */
/* Counter-based hash: the value of a generator is a pure function of (seed, stream, prompt,
   state, action), independent of visiting order. */
uint64_t ae_hash(uint64_t seed, uint64_t stream, uint64_t prompt, uint64_t state, uint64_t action);

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
/* One entry of the generator as a double (exact for DYADIC, rounded log for POTENTIAL). */
double ae_gen_get_d(const ae_gen_struct *g, const ae_space_t sp, slong p, slong s, slong a);

/* ---------------------------------------------------------------- the maps (src/bellman) */
/* q = M(r): soft Bellman backward pass, q(s,a) = r(s,a) (+ V_q(s.a) when a does not end the
   response), deepest states first. Precondition: r is finite at every unmasked entry (the
   table readers enforce it); masked entries of q are set to -inf. q and r may alias.
   Cost O(P*S*A). */
void ae_bellman_map(ae_table_t q, const ae_table_t r, const ae_space_t sp, slong prec);
/* r = M^{-1}(q): r(s,a) = q(s,a) - V_q(s.a) for non-ending a. Same precondition on q.
   q and r must not alias. */
void ae_bellman_unmap(ae_table_t r, const ae_table_t q, const ae_space_t sp, slong prec);
/* V_q(s) = LSE of the unmasked entries of row (p,s). */
void ae_bellman_value(arb_t v, const ae_table_t q, const ae_space_t sp, slong p, slong s, slong prec);
/* Exact multiplicative forms on potentials: phi = M(psi), phi(s,a) = psi(s,a)*beta(s.a),
   beta(s) = sum_a phi(s,a); and psi = M^{-1}(phi). No aliasing. */
void ae_bellman_map_exact(ae_qtable_t phi, const ae_qtable_t psi, const ae_space_t sp);
void ae_bellman_unmap_exact(ae_qtable_t psi, const ae_qtable_t phi, const ae_space_t sp);
/* Plain float64 maps, what a double implementation computes (stable LSE). */
void ae_bellman_map_d(double *q, const double *r, const ae_space_t sp);
/* Stable float64 LSE of the entries of row[0..n-1] that are not -inf. */
double _ae_lse_d(const double *row, slong n);

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
    char check[40];      /* short identifier of the check */
    char space[24];      /* "F(8,4)" */
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
/* Worst verdict over all rows (VERIFIED when empty). */
ae_verdict ae_rows_verdict(const ae_rows_t rows);
/* Formatting helpers for rows: an upper bound in "%.3Re" rounded up, a ball as Arb prints it. */
void ae_fmt_ubound(char *buf, size_t n, const arf_t x);
void ae_fmt_arb(char *buf, size_t n, const arb_t x, slong digits);
void ae_fmt_fmpq(char *buf, size_t n, const fmpq_t x);

/* Writers: CSV, JSON Lines, Markdown, LaTeX (booktabs). Deterministic bytes. */
typedef enum { AE_FMT_CSV, AE_FMT_JSONL, AE_FMT_MD, AE_FMT_TEX } ae_format;
void ae_rows_write(FILE *out, const ae_rows_t rows, ae_format fmt);
/* Writes dir/base.{csv,jsonl,md,tex}, each via a temporary file renamed on success. */
int ae_rows_write_all(const char *dir, const char *base, const ae_rows_t rows, ae_err_t err);

/* A certified check run at one precision; ae_escalate reruns it with doubled precision while
   any row is undecided and prec <= max_prec, then appends the last attempt's rows. */
typedef void (*ae_check_fn)(ae_rows_t rows, const void *arg, slong prec);
void ae_escalate(ae_rows_t rows, ae_check_fn fn, const void *arg, slong prec, slong max_prec);

/* Writes dir/figures/kl-vs-eps.{dat,gp} and kl-vs-k.{dat,gp} from distillation rows of
   `space` (e.g. "E(3,4)") and renders SVGs when gnuplot is on the PATH. */
int ae_figures_distill(const char *dir, const ae_rows_t rows, const char *space, ae_err_t err);

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

/* The certified C1 checker with the map under test supplied by the caller (a test double:
   tests pass a deliberately broken M and expect VIOLATED). */
typedef void (*ae_map_fn)(ae_table_t q, const ae_table_t r, const ae_space_t sp, slong prec);
void _ae_claim_c1_certified_map(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec,
                                slong max_prec, ae_map_fn map);

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
/* q = r + V^(k)(s.a): V^(0) = 0, V^(j)(s) = LSE_a (r(s,a) + [a does not end] V^(j-1)(s.a)).
   k = 0 is the myopic student q = r; k >= T - 1 gives M(r). Cost O(k*P*S*A). */
void ae_student_lookahead(ae_table_t q, const ae_table_t r, slong k, const ae_space_t sp, slong prec);
/* Projected sign-gradient ascent in float64 over |delta| <= eps maximising KL(p_q || p_q*)
   (reverse = 0) or KL(p_q* || p_q) (reverse = 1), `restarts` random starts of `steps` steps;
   sets delta to the best point found (exact doubles). Deterministic in seed. */
void ae_student_adversarial(ae_table_t delta, const ae_table_t qstar, int reverse, double eps,
                            uint64_t seed, slong restarts, slong steps, const ae_space_t sp);

/* ---------------------------------------------------------------- distillation (src/measure) */
/* Certified measurements of a student q = q* + delta against the teacher q* = M(r), one prompt.
   KL values use the chain rule over states (weights from the first argument); p_q* = p_R by
   Proposition 1 (C1). */
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
    ae_verdict perpath;   /* |log p_q(y) - log p_R(y)| <= 2 |y| eps, every y */
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

/* C11: reference measure. With a normalised random reference q_ref, checks the residual map
   (p_{q+q_ref} = p_{R_r + R_ref} on every y) and E_q[R] - KL(p_q||p_ref) = log Z' - KL(p_q||p_R').*/
void ae_claim_c11_certified(ae_rows_t rows, const ae_instance *in, uint64_t aux_seed, slong prec, slong max_prec);

/* ---------------------------------------------------------------- suite (src/suite) */
enum { AE_CLAIM_C1 = 1, AE_CLAIM_C2 = 2, AE_CLAIM_C3 = 4, AE_CLAIM_DISTILL = 8, AE_CLAIM_ALL = 15 };

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
} ae_suite_opts;

/* Runs the selected claims on every seed of one generated space: exact checks (C1, C3) on
   integer potentials, certified checks (C1, C2) on dyadic rewards. An instance with a violated
   check has its reward table written to o->cex_dir (40 digits, csv). Fails only on a refused or
   invalid space. */
int ae_suite_run_space(ae_rows_t rows, const ae_suite_opts *o, ae_space_kind kind, slong V, slong T,
                       ae_err_t err);
/* The distillation grid on one space: for every seed, students of every family (explicit,
   value noise, adversarial both ways) at eps in {1e-6, 1e-3, 0.1, 1, 10}, the C11 identities,
   lookahead students k = 0..T-1 on the first seed's rewards and on end-signal rewards. */
extern const ae_suite_space ae_distill_default_spaces[];
extern const slong ae_distill_default_nspaces;
int ae_suite_run_distill(ae_rows_t rows, const ae_suite_opts *o, ae_space_kind kind, slong V, slong T,
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

#ifdef __cplusplus
}
#endif
#endif
