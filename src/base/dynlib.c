/* dynlib.c - optional shared libraries opened on first use (see dynlib.h). */
#include "base/dynlib.h"
#include "base/err.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* Open by soname (the loader's search path, LD_LIBRARY_PATH included), else
 * by the path the build saw (a library outside the default directories,
 * such as a private Open MPI).  The last dlerror() in err. */
static void *open_lib(const dynlib_spec *spec, char *err, size_t errlen)
{
    int flags = RTLD_NOW | (spec->global ? RTLD_GLOBAL : RTLD_LOCAL);
    const char *cand[2] = { spec->soname, spec->path };
    for (int i = 0; i < 2; i++) {
        if (!cand[i] || !*cand[i]) continue;
        void *h = dlopen(cand[i], flags);
        if (h) return h;
        const char *e = dlerror();
        snprintf(err, errlen, "%s", e ? e : "not found");
    }
    return NULL;
}

int dynlib_load(const dynlib_spec *spec, void **slots)
{
    char err[512] = "not found";
    void *h = open_lib(spec, err, sizeof err);
    if (!h)
        return err_set("%s cannot be loaded (%s): install it (Debian: apt-get install %s, or sh "
                       "scripts/install-deps.sh)", spec->what, err, spec->package);
    for (size_t i = 0; spec->names[i]; i++) {
        slots[i] = dlsym(h, spec->names[i]);
        if (!slots[i]) {
            for (size_t j = 0; j <= i; j++) slots[j] = NULL;
            return err_set("%s (%s) has no function %s: it is not the version seqsent was built with "
                           "(rebuild seqsent)", spec->what, spec->soname, spec->names[i]);
        }
    }
    return 0;
}

void *dynlib_object(const dynlib_spec *spec, const char *name)
{
    char err[512];
    void *h = open_lib(spec, err, sizeof err);   /* already open: only a reference more */
    return h ? dlsym(h, name) : NULL;
}
