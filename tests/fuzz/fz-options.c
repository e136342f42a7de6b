/* libFuzzer harness of the command-line option parser: the input is split at NUL bytes into
   the arguments after the command name. */
#include "fuzz.h"
#include "cli/cli.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The parser reports on stderr; libFuzzer keeps its own copy of the stream and sanitizers
   write to the descriptor, so only the parser's lines are silenced. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    FILE *null = fopen("/dev/null", "w");
    (void)argc;
    (void)argv;
    if (null != NULL)
        stderr = null;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), **argv;
    int argc = 1, k, rc;
    size_t i;
    ae_cli_opts o;

    if (buf == NULL)
        abort();
    memcpy(buf, data, size);
    buf[size] = '\0';
    for (i = 0; i < size; i++)
        argc += buf[i] == '\0';
    argv = malloc((size_t)(argc + 2) * sizeof *argv);
    if (argv == NULL)
        abort();
    argv[0] = (char *)"fuzz";
    argv[1] = buf;
    for (i = 0, k = 2; i < size; i++)
        if (buf[i] == '\0')
            argv[k++] = buf + i + 1;
    argc++; /* argv[0] and the pieces */
    argv[argc] = NULL;
    rc = ae_cli_parse(&o, "fuzz", argc, argv);
    if (rc != 0 && rc != -1 && rc != 2)
        abort();
    if (rc == 0 && (o.nargs < 0 || o.nargs > argc || o.args + o.nargs != argv + argc))
        abort();
    ae_cli_opts_clear(&o);
    {
        /* whatever came before, the next parse starts afresh (getopt keeps state between
           calls: a scan stopped inside "-xy" must not leak into it) */
        char a0[] = "fuzz", a1[] = "--vocab", a2[] = "3", *good[] = {a0, a1, a2, NULL};
        if (ae_cli_parse(&o, "fuzz", 3, good) != 0 || o.V != 3 || o.nargs != 0)
            abort();
        ae_cli_opts_clear(&o);
    }
    free(argv);
    free(buf);
    return 0;
}
