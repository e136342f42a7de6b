/* Internal: the walks shared by the claim checkers. */
#ifndef AE_CLAIM_H
#define AE_CLAIM_H
#include "ae-impl.h"

/* Certified sums over every response of one prompt, from a reward table r and a logit table q
   (and optionally a reference logit table qstar), each computed by its own route:
   - logz  = log sum_y exp R_r(y)                 (direct summation, not the recursion)
   - dlo, dhi: bounds enclosing log p_q(y) - R_r(y) for every y  (p_q from q alone)
   - lmax, umin: the largest lower end and the smallest upper end of those enclosures, so that
     whether every single y's enclosure (plus logz) contains 0 can be decided after the walk
   - mass  = sum_y p_q(y)
   - elbo  = sum_y p_q(y) (R_r(y) - log p_q(y))
   - klchain = sum_s p_q(s) KL(pi_q(.|s) || pi_qstar(.|s))   (only when qstar != NULL)
   Allowed entries may be -inf (banned tokens): terms of zero probability are left out (never
   0 * inf); a response with p_q(y) = p_R(y) = 0 is out of dlo..umin; klchain is +inf when p_q
   puts mass where pi_qstar has none, and kl_inf the first such entry (index into the table),
   else -1. */
typedef struct {
    arb_t logz, mass, elbo, klchain;
    arf_t dlo, dhi, lmax, umin;
    slong responses, kl_inf;
    slong positive; /* responses with p_R(y) > 0 (R(y) > -inf) */
} ae_paths_struct;
typedef ae_paths_struct ae_paths_t[1];

void ae_paths_init(ae_paths_t ps);
void ae_paths_clear(ae_paths_t ps);
void ae_paths_walk(ae_paths_t ps, const ae_table_t r, const ae_table_t q, const ae_table_t qstar,
                   const ae_space_t sp, slong p, slong prec);
/* Rank of a response y with log p_q(y) - R_r(y) + logz certainly nonzero, or -1. */
slong ae_paths_counterexample(const ae_table_t r, const ae_table_t q, const arb_t logz,
                              const ae_space_t sp, slong p, slong prec);

/* max over prompts and responses of |log p_q(y) - log p_R(y)| as float64 computes it, with
   q = M(r) built in float64 from the midpoints of r. */
double ae_paths_double_error(const ae_table_t r, const ae_space_t sp);

/* Appends the row of a "for every response, p_q(y) = p_R(y)" check from a paths walk per
   prompt (ps[p], p < P); looks for a certified counterexample when not verified. */
void ae_paths_row(ae_rows_t rows, const char *claim, const char *check, const ae_instance *in,
                  const ae_table_t r, const ae_table_t q, ae_paths_struct *ps, slong prec);

/* Exact sums over the responses of one prompt from rational potentials psi (rewards) and phi
   (logits): Z = sum_y prod psi, mass = sum_y p_phi(y); p_phi(y)/Psi(y) must be one constant
   `ratio` for every y: mismatch is the rank of the first y where it is not (else -1). */
typedef struct {
    fmpq_t Z, mass, ratio;
    slong responses, mismatch;
} ae_qpaths_struct;
typedef ae_qpaths_struct ae_qpaths_t[1];

void ae_qpaths_init(ae_qpaths_t ps);
void ae_qpaths_clear(ae_qpaths_t ps);
void ae_qpaths_walk(ae_qpaths_t ps, const ae_qtable_t psi, const ae_qtable_t phi,
                    const ae_space_t sp, slong p);
/* 1 when p_phi(y) = Psi(y)/Z for every y, exactly. */
int ae_qpaths_same_distribution(const ae_qpaths_t ps);

/* Entrywise certified comparison of two tables over unmasked entries: verdict, max deviation
   (upper bound), the tolerance of the worst entry, and where the worst entry is. */
ae_verdict ae_table_compare(arf_t maxdev, arf_t tol, slong *where, const ae_table_t a,
                            const ae_table_t b, const ae_space_t sp, slong prec);

/* Appends a row for the identities lhs[i] = rhs[i], i < n (certified, within tolerance). */
void ae_eq_row(ae_rows_t rows, const char *claim, const char *check, const ae_instance *in, slong prec,
               arb_srcptr lhs, arb_srcptr rhs, slong n, slong items);

/* Appends a row for the strict inequalities lhs[i] < rhs[i], i < n: verified when the upper end
   of lhs is at most the lower end of rhs and the balls do not touch; measured is the smallest
   gap, as "min GAP = [ball]". */
void ae_lt_row(ae_rows_t rows, const char *claim, const char *check, const ae_instance *in, slong prec,
               arb_srcptr lhs, arb_srcptr rhs, slong n, const char *gap);

/* Fills the common fields of a row. */
ae_row *ae_row_new(ae_rows_t rows, const char *claim, const char *check, const ae_instance *in,
                   const char *arith, slong prec);
/* Appends the row of the entrywise identity x = y on every unmasked entry (certified). */
void ae_table_compare_row(ae_rows_t rows, const char *claim, const char *check, const ae_instance *in,
                          const ae_table_t x, const ae_table_t y, slong prec);

/* V_q(s) = log sum_a exp q(s,a) over the allowed entries of row (p,s) at depth d, written apart
   from the maps' LSE (src/bellman), for checks that must not share it with the map they check. */
void ae_value_apart(arb_t v, const ae_table_t q, const ae_space_t sp, slong p, slong s, slong d, slong prec);

/* Describes entry k of a table as "prompt p, prefix (..), action a" into buf. */
void ae_entry_name(char *buf, size_t n, const ae_space_t sp, slong k);

#endif
