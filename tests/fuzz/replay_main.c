/* replay_main.c — runs a fuzz target without libFuzzer, for make test: calls the target's
 * LLVMFuzzerTestOneInput once on each file named on the command line (after the target's
 * name) and prints TAP, "ok N - fuzz/NAME/FILE". Linked with a target in the gcc ASan build,
 * it replays the seed corpus and the crash regressions in tests/fuzz/corpus/NAME/, so a bug
 * the fuzzer found stays fixed; a crash or sanitizer report ends the run. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads the whole file into an exactly sized heap block (so ASan sees any read past its end),
 * as libFuzzer does; false when it cannot be read. */
static bool read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) buf = realloc(buf, cap *= 2);
    }
    bool ok = buf && !ferror(f);
    fclose(f);
    uint8_t *exact = ok ? malloc(len ? len : 1) : NULL;
    if (exact) memcpy(exact, buf, len);
    free(buf);
    *data = exact;
    *size = len;
    return exact != NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s NAME [FILE...]\n", argv[0]);
        return 2;
    }
    int failed = 0;
    printf("1..%d\n", argc - 2);
    for (int i = 2; i < argc; i++) {
        const char *base = strrchr(argv[i], '/');
        base = base ? base + 1 : argv[i];
        uint8_t *data;
        size_t size;
        if (!read_file(argv[i], &data, &size)) {
            printf("not ok %d - fuzz/%s/%s # cannot read %s\n", i - 1, argv[1], base, argv[i]);
            failed++;
            continue;
        }
        fflush(stdout); /* what came before survives a crash in the target */
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        printf("ok %d - fuzz/%s/%s\n", i - 1, argv[1], base);
    }
    return failed ? 1 : 0;
}
