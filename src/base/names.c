/* names.c - enum value <-> name tables (see names.h). */
#include "base/names.h"

#include <string.h>

/* The name member of row i: the first member of the row, so a plain name
 * table is the case row_size = sizeof(char *). */
static const char *row_name(const void *rows, size_t row_size, int i)
{
    return *(const char *const *)((const char *)rows + (size_t)i * row_size);
}

const char *names_get_rows(const void *rows, size_t row_size, int v)
{
    for (int i = 0; row_name(rows, row_size, i); i++)
        if (i == v) return row_name(rows, row_size, i);
    return "?";
}

int names_parse_rows(const void *rows, size_t row_size, const char *s)
{
    for (int i = 0; row_name(rows, row_size, i); i++)
        if (!strcmp(row_name(rows, row_size, i), s)) return i;
    return -1;
}

const char *names_get(const char *const *table, int v) { return names_get_rows(table, sizeof *table, v); }

int names_parse(const char *const *table, const char *s) { return names_parse_rows(table, sizeof *table, s); }
