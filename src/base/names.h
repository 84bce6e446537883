/* names.h - enum value <-> name, through a table in enum order.
 *
 * A name table lists the names of the values 0, 1, 2, ... and ends with
 * NULL:
 *
 *   static const char *const pool_names[] = { "last", "max", "mean", NULL };
 *
 * A table of structs (one row per value, the name its first member, a row
 * with a NULL name last) is read the same way by the _rows variants, given
 * the size of a row.  So the option parser, the model file and the error
 * messages share one spelling, and a new value is one table entry.
 */
#ifndef SEQSENT_NAMES_H
#define SEQSENT_NAMES_H

#include <stddef.h>

/* The name of value v, or "?" when v is not in the table. */
const char *names_get(const char *const *table, int v);
/* The value named s, or -1 when no entry has that name. */
int names_parse(const char *const *table, const char *s);

const char *names_get_rows(const void *rows, size_t row_size, int v);
int names_parse_rows(const void *rows, size_t row_size, const char *s);

#endif
