/* dynlib.h - optional shared libraries, opened when a command first needs
 * them.
 *
 * Why: every library linked into the binary is mapped, relocated and
 * initialised at every start, whether the command uses it or not.  Open MPI
 * (used by `mpirun ... seqsent train` only), libmicrohttpd with GnuTLS
 * (`serve` only) and OpenCC with libstdc++ (`--t2s` only) cost about 15 ms
 * of each start (BENCHMARKS.md, "Start-up"), most of `predict`'s budget for
 * one line.  So they are not linked: the Makefile still finds them with
 * pkg-config at build time (their headers give every prototype, checked by
 * the compiler through __typeof__) and records each one's soname and path;
 * the code that needs one opens it here and looks its functions up by name.
 *
 * A library that cannot be opened gives an error (err_set) that names it
 * and says which Debian package provides it; nothing is retried.
 */
#ifndef SEQSENT_DYNLIB_H
#define SEQSENT_DYNLIB_H

#include <stddef.h>

/* One optional library and the functions wanted from it. */
typedef struct dynlib_spec {
    const char *what;           /* for messages: "libmicrohttpd" */
    const char *soname;         /* tried first: "libmicrohttpd.so.12" */
    const char *path;           /* then: the file the build linked against (may be NULL) */
    const char *package;        /* the Debian package that provides it */
    int global;                 /* RTLD_GLOBAL: the library opens plug-ins of its own (Open MPI) */
    const char *const *names;   /* function names, NULL-terminated */
} dynlib_spec;

/* A table of a library's functions, from an X-macro list FUNCS(X) of their
 * names (each declared by the library's header):
 *     static union { struct { FUNCS(DYNLIB_SLOT) } f; void *slot[N]; } lib;
 *     static const char *const names[] = { FUNCS(DYNLIB_NAME) NULL };
 * dynlib_load(&spec, lib.slot) fills it; calls read lib.f.name(...). */
#define DYNLIB_SLOT(f) __typeof__(f) *f;
#define DYNLIB_NAME(f) #f,

/* Open the library and fill slots[i] with the address of names[i]: 0, or
 * -1 (err_set) when the library or one of the functions is missing (slots
 * are then left NULL).  The library stays open for the process's life. */
int dynlib_load(const dynlib_spec *spec, void **slots);

/* The address of a data object of an open library (Open MPI's predefined
 * handles are such objects), NULL when absent. */
void *dynlib_object(const dynlib_spec *spec, const char *name);

#endif
