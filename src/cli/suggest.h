/* suggest.h - "did you mean": the closest of a set of names to a typo. */
#ifndef SEQSENT_SUGGEST_H
#define SEQSENT_SUGGEST_H

#include <stddef.h>

/* Optimal-string-alignment distance (insert, delete, substitute, swap two
 * neighbours); 99 for strings over 64 bytes. */
int edit_distance(const char *a, const char *b);
/* The one name closest to typed, or NULL when none is close enough (1 edit
 * for up to 3 characters, 2 up to 7, 3 beyond) or two are equally close. */
const char *suggest_closest(const char *typed, const char *const *names, size_t n);

#endif
