/* suggest.c - "did you mean": the closest name to a mistyped one.
 *
 * Distance is optimal-string-alignment (Damerau-Levenshtein with adjacent
 * transpositions: "trian" -> "train" is 1), as git's help.c does for
 * commands.  A candidate is offered only when it is close relative to the
 * length of what was typed, so "--x" never suggests "--mask".
 */
#include "cli/suggest.h"

#include <stdlib.h>
#include <string.h>

int edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) return 99;   /* not a typo of an option name */
    int d[65][65];
    for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

const char *suggest_closest(const char *typed, const char *const *names, size_t n)
{
    size_t len = strlen(typed);
    int limit = len < 4 ? 1 : len < 8 ? 2 : 3;
    const char *best = NULL;
    int best_d = limit + 1, ties = 0;
    for (size_t i = 0; i < n; i++) {
        int dist = edit_distance(typed, names[i]);
        if (dist < best_d) { best_d = dist; best = names[i]; ties = 0; }
        else if (dist == best_d) ties++;
    }
    return ties ? NULL : best;   /* two equally close names: no guess */
}
