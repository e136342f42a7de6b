/* Running the streaming walk's subtrees on OpenMP threads and MPI ranks. Work is handed out
   dynamically (threads: schedule(dynamic); ranks: a queue served by rank 0), but every
   result is a pure function of its task index, results are combined by index, and the
   histograms are exact integers: output never depends on who ran what. */
#include "stream-impl.h"
#include <time.h>
#ifdef AE_HAVE_MPI
#include <mpi.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

static FILE *progress_tty; /* set by the program only; read-only during walks */
static int mpi_on;         /* likewise */

void ae_stream_use_mpi(int on)
{
    mpi_on = on;
}

void ae_stream_mpi_rank(int *rank, int *size)
{
    *rank = 0;
    *size = 1;
#ifdef AE_HAVE_MPI
    if (mpi_on) {
        int init = 0, fin = 0;
        MPI_Initialized(&init);
        MPI_Finalized(&fin);
        if (init && !fin) {
            MPI_Comm_rank(MPI_COMM_WORLD, rank);
            MPI_Comm_size(MPI_COMM_WORLD, size);
        }
    }
#endif
}

void ae_stream_set_progress(FILE *tty)
{
    progress_tty = tty;
}

double ae_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ae_progress_draw(FILE *tty, slong done, slong n, double elapsed, const char *what)
{
    double eta = done > 0 ? elapsed * (double)(n - done) / (double)done : 0;
    int w = 30, k;
    fprintf(tty, "\r  [");
    for (k = 0; k < w; k++)
        fputc(k < w * done / n ? '#' : '.', tty);
    fprintf(tty, "] %3ld%%  %.0f s elapsed, ETA %.0f s  %-48.48s", (long)(100 * done / n), elapsed, eta, what);
    if (done == n)
        fputc('\n', tty);
    fflush(tty);
}

/* called after task `done` of n finished; serialised by the caller */
static void progress(slong done, slong n, double t0, slong responses)
{
    double el = ae_wall_seconds() - t0;
    char what[48];
    if (progress_tty == NULL || el < 1.0 || done <= 0)
        return;
    snprintf(what, sizeof what, "(%ld responses)", (long)responses);
    ae_progress_draw(progress_tty, done, n, el, what);
}

typedef struct {
    void *tasks;
    const ae_stream_payload *pl;
    ae_stream_task_fn run;
    void *arg;
    ulong *hists;
    slong hlen, ntask, responses;
    int threads;
    double t0;
    slong done;   /* tasks this rank finished */
    slong others; /* tasks granted to other ranks (rank 0; counted as done by the bar) */
    int show;     /* this rank draws the progress bar */
    slong shown;  /* the count it last drew */
    char *mine;   /* tasks this rank ran */
} dctx;

/* tasks [t0, t1) on this rank's threads */
static void run_range(dctx *c, slong t0, slong t1)
{
    slong t;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(c->threads)
#endif
    for (t = t0; t < t1; t++) {
        int th = 0;
#ifdef _OPENMP
        th = omp_get_thread_num();
#endif
        c->run(c->tasks, t, th, c->hists ? c->hists + th * c->hlen : NULL, c->arg);
        c->mine[t] = 1;
#ifdef _OPENMP
#pragma omp critical(ae_stream_progress)
#endif
        {
            c->done++;
            if (c->show)
                progress(c->shown = c->done + c->others, c->ntask, c->t0, c->responses);
        }
    }
}

#ifdef AE_HAVE_MPI
enum { TAG_REQUEST = 7101, TAG_GRANT };

/* Rank 0 hands out chunks [next, next + want) in order; a grant of length 0 means "no more".
   Rank 0 answers between chunks of its own, and a request can miss the next such moment
   (Open MPI may need more than one probe to see it), so each worker keeps AE_QUEUE_AHEAD
   requests outstanding while it computes: a grant is then waiting when it finishes. */
#define AE_QUEUE_AHEAD 2
static void serve(dctx *c, slong *next, int *stopped, int block)
{
    for (;;) {
        int flag = 1;
        long want, grant[2];
        MPI_Status stt;
        if (!block)
            MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQUEST, MPI_COMM_WORLD, &flag, &stt);
        if (!flag)
            return;
        MPI_Recv(&want, 1, MPI_LONG, MPI_ANY_SOURCE, TAG_REQUEST, MPI_COMM_WORLD, &stt);
        grant[0] = (long)*next;
        grant[1] = (long)FLINT_MIN((slong)want, c->ntask - *next);
        *next += grant[1];
        c->others += grant[1];
        if (grant[1] == 0)
            (*stopped)++;
        MPI_Send(grant, 2, MPI_LONG, stt.MPI_SOURCE, TAG_GRANT, MPI_COMM_WORLD);
        if (block)
            return;
    }
}

static void queue(dctx *c, int rank, int size)
{
    long want = c->threads; /* one task per thread per chunk */
    if (rank == 0) {
        slong next = 0;
        int stopped = 0;
        while (next < c->ntask) {
            slong t0;
            serve(c, &next, &stopped, 0);
            if (next >= c->ntask)
                break;
            t0 = next;
            next = FLINT_MIN(c->ntask, next + want);
            run_range(c, t0, next);
        }
        while (stopped < AE_QUEUE_AHEAD * (size - 1)) /* every outstanding request answered */
            serve(c, &next, &stopped, 1);
        if (c->show && c->shown < c->ntask)
            progress(c->ntask, c->ntask, c->t0, c->responses);
    } else {
        /* grants arrive in request order (MPI does not overtake between two ranks), so the
           slots are used round-robin; after the first empty grant the others are empty too */
        long grant[AE_QUEUE_AHEAD][2];
        MPI_Request req[AE_QUEUE_AHEAD];
        int k, cur = 0;
        for (k = 0; k < AE_QUEUE_AHEAD; k++) {
            MPI_Send(&want, 1, MPI_LONG, 0, TAG_REQUEST, MPI_COMM_WORLD);
            MPI_Irecv(grant[k], 2, MPI_LONG, 0, TAG_GRANT, MPI_COMM_WORLD, req + k);
        }
        for (;;) {
            long t0, len;
            MPI_Wait(req + cur, MPI_STATUS_IGNORE);
            t0 = grant[cur][0];
            len = grant[cur][1];
            if (len == 0)
                break;
            MPI_Send(&want, 1, MPI_LONG, 0, TAG_REQUEST, MPI_COMM_WORLD); /* refill the slot */
            MPI_Irecv(grant[cur], 2, MPI_LONG, 0, TAG_GRANT, MPI_COMM_WORLD, req + cur);
            run_range(c, t0, t0 + len);
            cur = (cur + 1) % AE_QUEUE_AHEAD;
        }
        for (k = 1; k < AE_QUEUE_AHEAD; k++) /* the other slots' (empty) grants */
            MPI_Wait(req + (cur + k) % AE_QUEUE_AHEAD, MPI_STATUS_IGNORE);
    }
}

/* One task as a line: "t i1 i2 ... x1 x2 ...|ball1|ball2...", the doubles in C's hexadecimal
   form and the balls in Arb's text form, both exact. */
static void dump_task(FILE *f, const dctx *c, slong t)
{
    slong k;
    fprintf(f, "%ld", (long)t);
    for (k = 0; k < c->pl->nints; k++)
        fprintf(f, " %ld", (long)*c->pl->integer(c->tasks, t, k));
    for (k = 0; k < c->pl->nreals; k++)
        fprintf(f, " %a", *c->pl->real(c->tasks, t, k));
    for (k = 0; k < c->pl->nballs; k++) {
        char *str = arb_dump_str(c->pl->ball(c->tasks, t, k));
        fprintf(f, "|%s", str);
        flint_free(str);
    }
    fputc('\n', f);
}

/* Reads one line written by dump_task (line is NUL-terminated and may be modified). Another
   rank's output of the same build: a malformed line is an internal error. */
static void load_task(dctx *c, char *line)
{
    char *field = line, *end;
    long t, v;
    slong k;
    t = strtol(field, &end, 10);
    AE_ASSERT(end != field && t >= 0 && t < c->ntask);
    AE_ASSERT(!c->mine[t]); /* each task ran exactly once */
    c->mine[t] = 2;
    for (k = 0; k < c->pl->nints; k++) {
        field = end;
        v = strtol(field, &end, 10);
        AE_ASSERT(end != field);
        *c->pl->integer(c->tasks, t, k) = v;
    }
    for (k = 0; k < c->pl->nreals; k++) {
        double x;
        field = end;
        x = strtod(field, &end);
        AE_ASSERT(end != field);
        *c->pl->real(c->tasks, t, k) = x;
    }
    for (k = 0; k < c->pl->nballs; k++) {
        char *next;
        AE_ASSERT(*end == '|');
        field = end + 1;
        next = strchr(field, '|');
        if (next)
            *next = '\0';
        AE_ASSERT(arb_load_str(c->pl->ball(c->tasks, t, k), field) == 0);
        if (next)
            *next = '|';
        end = next ? next : field + strlen(field);
    }
}

/* Every rank ends with every task's result: each serialises the tasks it ran and all
   buffers are gathered everywhere; the histograms are summed as integers. */
static void exchange(dctx *c, int rank, int size)
{
    char *buf = NULL, *all;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int *counts = ae_malloc((size_t)size * sizeof(int)), *displs = ae_malloc((size_t)size * sizeof(int)), n, r;
    slong i, total = 0;
    AE_ASSERT(f != NULL);
    for (i = 0; i < c->ntask; i++)
        if (c->mine[i])
            dump_task(f, c, i);
    fclose(f);
    AE_ASSERT(len < (size_t)1 << 30);
    n = (int)len;
    MPI_Allgather(&n, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
    for (r = 0; r < size; r++) {
        displs[r] = (int)total;
        total += counts[r];
    }
    all = ae_malloc((size_t)total + 1);
    MPI_Allgatherv(buf, n, MPI_CHAR, all, counts, displs, MPI_CHAR, MPI_COMM_WORLD);
    all[total] = '\0';
    for (r = 0; r < size; r++) {
        char *line = all + displs[r], *end = all + displs[r] + counts[r];
        if (r == rank)
            continue;
        while (line < end) {
            char *nl = memchr(line, '\n', (size_t)(end - line));
            AE_ASSERT(nl != NULL);
            *nl = '\0';
            load_task(c, line);
            line = nl + 1;
        }
    }
    for (i = 0; i < c->ntask; i++)
        AE_ASSERT(c->mine[i]); /* and every task ran */
    if (c->hlen > 0)
        MPI_Allreduce(MPI_IN_PLACE, c->hists, (int)c->hlen, MPI_UNSIGNED_LONG, MPI_SUM, MPI_COMM_WORLD);
    free(all);
    free(buf);
    free(counts);
    free(displs);
}
#endif

void _ae_stream_distribute(void *tasks, const ae_stream_payload *pl, slong ntask, int threads, ae_stream_task_fn run,
                           void *arg, ulong *hists, slong hlen, slong responses)
{
    dctx c;
    int rank, size, th;
    slong i;
    c.tasks = tasks;
    c.pl = pl;
    c.run = run;
    c.arg = arg;
    c.hists = hists;
    c.hlen = hlen;
    c.ntask = ntask;
    c.responses = responses;
    c.threads = threads > 0 ? threads : 1;
    c.t0 = ae_wall_seconds();
    c.done = c.others = c.shown = 0;
    c.mine = ae_calloc((size_t)(ntask > 0 ? ntask : 1), 1);
    ae_stream_mpi_rank(&rank, &size);
    c.show = rank == 0;
#ifdef AE_HAVE_MPI
    if (size > 1)
        queue(&c, rank, size);
    else
#endif
        run_range(&c, 0, ntask);
    /* this rank's threads' histograms into the first, exactly */
    for (th = 1; th < c.threads; th++)
        for (i = 0; i < hlen; i++)
            hists[i] += hists[th * hlen + i];
#ifdef AE_HAVE_MPI
    if (size > 1)
        exchange(&c, rank, size);
#endif
    free(c.mine);
}
