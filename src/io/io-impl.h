/* Internal interface of the table readers and writers (src/io): one reader and one writer per
   format, dispatched by extension in table_io.c, plus the rules both formats share. */
#ifndef AE_IO_IMPL_H
#define AE_IO_IMPL_H

#if defined(__GNUC__)
#define AE_IO_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define AE_IO_PRINTF(f, a)
#endif

/* Largest `digits` accepted by the CSV writer. */
#define AE_IO_DIGITS_MAX 1000000

/* Room for a prefix rendered as tokens separated by spaces: T <= 64 tokens below 65536. */
#define AE_IO_PREFIX_MAX (AE_T_MAX * 7 + 1)

/* What a value read from a file is, before it is stored. */
enum { AE_IO_FINITE = 0, AE_IO_NEG_INF, AE_IO_POS_INF, AE_IO_NAN };

/* NULL when a value of class cls may stand at an entry that is masked (allowed = 0) or not
   (allowed = 1); otherwise the reason it may not, as one phrase. */
const char *_ae_io_value_error(int allowed, int cls);

/* Writes the d tokens as "1 0 3" (empty for the root) into buf (AE_IO_PREFIX_MAX bytes). */
void _ae_io_prefix(char *buf, const slong *tokens, slong d);

/* Writes the tokens of response `rank` (in E without its EOS; empty for EOS alone) into buf
   (AE_IO_PREFIX_MAX + 8 bytes: F responses have T tokens). */
void _ae_io_response(char *buf, const ae_space_t sp, slong rank);

/* Names entry (p, s, a) for messages: `prompt 0, prefix "1 0", action EOS`. */
void _ae_io_entry_name(char *buf, size_t n, const ae_space_t sp, slong p, slong s, slong a);

/* Readers: t is initialised for sp; a finite value <= mask_below (certainly, for a CSV
   decimal) at a masked entry is read as -inf (-INFINITY: no such value is accepted); path only names the file in messages. Return 0, or
   AE_E_INPUT / AE_E_IO with err set ("path:byte N: ..." / "path:line N:field F: ..."). */
int _ae_npy_read(ae_table_t t, const ae_space_t sp, FILE *in, const char *path, double mask_below,
                 ae_err_t err);
/* One finite score per response (P*Y balls, exact): shape (Y,) for one prompt, or (P, Y). */
int _ae_npy_read_scores(arb_ptr scores, const ae_space_t sp, FILE *in, const char *path, ae_err_t err);
/* One probability per response (P*Y balls, exact): finite and >= 0, shape as for scores. */
int _ae_npy_read_probs(arb_ptr probs, const ae_space_t sp, FILE *in, const char *path, ae_err_t err);
/* exact, when not NULL, also receives each finite value as the rational it denotes (masked
   entries untouched); a value whose power of ten is beyond AE_IO_EXACT_EXP_MAX is refused. */
int _ae_csv_read(ae_table_t t, ae_qtable_struct *exact, const ae_space_t sp, FILE *in,
                 const char *path, slong prec, double mask_below, ae_err_t err);

/* A .npy table memory-mapped, its header checked against sp and every value checked by the
   stream reader's rules and messages (in the same order), without reading it into balls. */
typedef struct {
    void *map;
    size_t map_len;
    const unsigned char *data; /* first value */
    int isz, big;              /* 8 or 4 bytes; big-endian */
    slong data_start;          /* byte offset of data in the file */
} ae_npy_view;
/* 0 with v mapped; AE_E_* with err set (the reader's messages); 1 (err untouched) when the
   file cannot be mapped (not a regular file) or holds -inf at an unmasked entry: the caller
   falls back to the stream reader. Release with _ae_npy_unmap. */
int _ae_npy_map(ae_npy_view *v, const ae_space_t sp, const char *path, double mask_below, ae_err_t err);
void _ae_npy_unmap(ae_npy_view *v);

/* Decimal values taken exactly only up to 10^+-this: the rationals of every float64 fit
   (their exact decimals reach 10^-1074), and no file line can make a huge integer. */
#define AE_IO_EXACT_EXP_MAX 2000

/* Probes, before any table is allocated: the npy reader with t = NULL checks the header
   (dtype, order, shape against sp) and that the file holds all the data; the CSV probe checks
   the header line. Same errors as the readers. */
int _ae_csv_probe(FILE *in, const char *path, ae_err_t err);

/* Writers: the whole table in canonical order, masked entries as -inf. Return 0, or -1 when
   a stdio call failed (errno tells why; the caller reports it and discards the file). */
int _ae_npy_write(FILE *out, const ae_table_t t, const ae_space_t sp);
int _ae_csv_write(FILE *out, const ae_table_t t, const ae_space_t sp, slong digits);
/* P*Y doubles as a float64 array of shape (Y,) when P = 1, else (P, Y). */
int _ae_npy_write_vector(FILE *out, const double *v, slong P, slong Y);

/* Shared by the CSV readers (csv.c, rho.c). Digits only in [s, e): 0 with *v < bound, 1 when
   not such an integer, 2 when >= bound. */
int _ae_csv_parse_index(slong *v, const char *s, const char *e, slong bound);
/* Strict syntax of a decimal value (or inf, -inf, nan): NULL with *cls set and, for a finite
   value, x a ball containing it at prec; else the reason it is not a number. */
const char *_ae_csv_parse_value(arb_t x, int *cls, const char *s, slong prec);
/* A decimal already accepted by _ae_csv_parse_value, as the exact rational it denotes; 1
   when its power of ten is beyond AE_IO_EXACT_EXP_MAX. */
int _ae_csv_decimal_exact(fmpq_t q, const char *s);
/* "path:line N:field F: why" (field may be NULL) as AE_E_INPUT; returns the code. */
int _ae_csv_fail(ae_err_t err, const char *path, slong line, const char *field, const char *fmt, ...)
    AE_IO_PRINTF(5, 6);

#endif
