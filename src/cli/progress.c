/* progress.c — the progress bar long commands draw on stderr (reindex, import): redrawn in
 * place on a terminal, only the finished bar otherwise (logs stay short). */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

void cli_progress_bar(void *label, size_t done, size_t total)
{
    if (!isatty(STDERR_FILENO) && done != total) return;
    int width = 40, filled = total ? (int)((double)done / (double)total * width) : width;
    if (filled > width) filled = width;
    fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu", label ? (const char *)label : "", filled,
            "========================================", width - filled, "", done, total);
    if (done == total) fputc('\n', stderr);
}
