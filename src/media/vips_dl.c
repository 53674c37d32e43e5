/* vips_dl.c — libvips opened with dlopen at the first image, not linked. Linking it made the
 * dynamic loader map and relocate 62 more shared libraries (libvips, its format libraries,
 * GIO, HDF5, OpenEXR, librsvg, cairo, ...) at every start of every gazette command: about 12 MB of
 * resident memory in a server nobody uploads to (bench/RESULTS.md, memory at 100k stories).
 * This file owns the process-wide table of the functions the media files call (vips_dl.h):
 * filled once, under pthread_once, then only read. */
#include "vips_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

/* The library's file name: the ABI the headers describe (checked here, and at run time by
 * media_start against the library itself). */
static const char library_name[] = "libvips.so.42";
_Static_assert(VIPS_LIBRARY_CURRENT - VIPS_LIBRARY_AGE == 42,
               "libvips ABI changed: update library_name in vips_dl.c");

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static vips_dl functions;
static atomic_bool loaded; /* set after every member of functions */
static char load_error[256];

static void load(void)
{
    /* RTLD_LOCAL: the symbols serve this table only; the library stays open for the process
     * (libvips keeps threads and types registered with GObject: it is never unloaded) */
    void *lib = dlopen(library_name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(load_error, sizeof load_error, "cannot load %s: %s", library_name, dlerror());
        return;
    }
#define VIPS_DL_LOOKUP(name)                                                                       \
    *(void **)&functions.name = dlsym(lib, #name);                                                 \
    if (!functions.name) {                                                                         \
        snprintf(load_error, sizeof load_error, "%s has no %s", library_name, #name);              \
        return;                                                                                    \
    }
    VIPS_DL_FUNCTIONS(VIPS_DL_LOOKUP)
#undef VIPS_DL_LOOKUP
    atomic_store_explicit(&loaded, true, memory_order_release);
}

const vips_dl *vips_dl_load(char *err, size_t errlen)
{
    pthread_once(&load_once, load);
    if (vips_dl_get()) return &functions;
    snprintf(err, errlen, "%s", load_error);
    return NULL;
}

const vips_dl *vips_dl_get(void)
{
    return atomic_load_explicit(&loaded, memory_order_acquire) ? &functions : NULL;
}
