/* err.h - error reporting shared by the library and the CLI.
 *
 * Library functions never print and never exit: on failure they return -1
 * (or NULL), after recording a one-line message with err_set().  The CLI
 * layer prints it as "seqsent: <message>" and picks the exit code.  Messages
 * about input data name the place: "file:line: what is wrong".
 */
#ifndef SEQSENT_ERR_H
#define SEQSENT_ERR_H

#include <stddef.h>

/* Exit codes, documented in man/seqsent.1. */
enum {
    EXIT_OK = 0,
    EXIT_FAIL = 1,      /* bad input data, unreadable/corrupt file, I/O error */
    EXIT_USAGE = 2,     /* bad command line */
    EXIT_SIGINT = 130,  /* interrupted by SIGINT (checkpoint written) */
    EXIT_SIGTERM = 143  /* interrupted by SIGTERM (checkpoint written) */
};

/* Record the current error (printf-style).  Always returns -1 so callers can
 * write `return err_set(...)`. */
int err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prefix the current error with more context: "ctx: old message". */
int err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The last recorded message ("" when none). */
const char *err_msg(void);
void err_clear(void);

/* Allocation that never returns NULL: on out-of-memory it prints a message
 * and exits with EXIT_FAIL (there is nothing sensible to recover). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Report that n bytes could not be allocated and exit with EXIT_FAIL. */
void die_oom(size_t n) __attribute__((noreturn));

#endif
