/* Replays files through a harness's LLVMFuzzerTestOneInput without libFuzzer, so that the
   committed corpus and the inputs that once crashed run in `make check` with the ordinary
   compiler (and under --enable-sanitizers or valgrind). Arguments: files or directories
   (their regular files, in name order); a missing directory counts as empty. */
#include "fuzz.h"
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

static long replayed;

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0, got;
    if (f == NULL) {
        fprintf(stderr, "replay: %s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    do {
        if (cap - n < 4096) {
            cap = cap ? 2 * cap : 65536;
            buf = ae_realloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    replayed++;
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    int i, k, n, rc = 0;
    for (i = 1; i < argc; i++) {
        struct stat st;
        struct dirent **names;
        if (stat(argv[i], &st) != 0)
            continue;
        if (!S_ISDIR(st.st_mode)) {
            rc |= replay_file(argv[i]);
            continue;
        }
        n = scandir(argv[i], &names, NULL, by_name);
        for (k = 0; k < n; k++) {
            char path[4096];
            struct stat fs;
            snprintf(path, sizeof path, "%s/%s", argv[i], names[k]->d_name);
            if (stat(path, &fs) == 0 && S_ISREG(fs.st_mode) && names[k]->d_name[0] != '.')
                rc |= replay_file(path);
            free(names[k]);
        }
        free(names);
    }
    printf("replay: %ld inputs, none crashed\n", replayed);
    flint_cleanup(); /* FLINT's pool of integers, so valgrind sees no block lost */
    mpfr_free_cache();
    return rc ? 1 : 0;
}
