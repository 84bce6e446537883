/* english.c - the English tokenizer's rules: where a unit that starts at a
 * given character ends (see english.h).
 *
 * The rules follow the Penn Treebank conventions where they exist (clitics
 * split off, "u.s." whole) and add what review and tweet text needs: URLs
 * with balanced brackets, emoticons, @mentions and #hashtags.  Each rule
 * looks only at code points (normalised or not: letters are compared
 * ASCII-case-insensitively), never at bytes, and allocates nothing.
 */
#include "text/english.h"
#include "text/chars.h"

#include <stddef.h>
#include <stdint.h>

/* Length of a Penn-Treebank clitic at the end of w[0..L): n't 's 'm 'd 'll
 * 're 've (the apostrophe may be U+2019); 0 if none. */
size_t en_clitic_len(const uint32_t *w, size_t L)
{
    if (L >= 4 && is_apos(w[L - 2]) && lower_ascii(w[L - 1]) == 't' && lower_ascii(w[L - 3]) == 'n' &&
        (char_class(w[L - 4]) == K_LETTER || char_class(w[L - 4]) == K_MARK))
        return 3;
    if (L >= 3 && is_apos(w[L - 2])) {
        uint32_t s = lower_ascii(w[L - 1]);
        if ((s == 's' || s == 'm' || s == 'd') && (char_class(w[L - 3]) == K_LETTER || char_class(w[L - 3]) == K_MARK))
            return 2;
    }
    if (L >= 4 && is_apos(w[L - 3])) {
        uint32_t a = lower_ascii(w[L - 2]), b = lower_ascii(w[L - 1]);
        if (((a == 'l' && b == 'l') || (a == 'r' && b == 'e') || (a == 'v' && b == 'e')) &&
            (char_class(w[L - 4]) == K_LETTER || char_class(w[L - 4]) == K_MARK))
            return 3;
    }
    return 0;
}

/* Word / number starting at i (a letter or digit): letters, digits, marks;
 * apostrophes between letters, '.' ',' ':' between digits, '-' '_' between
 * letters/digits; a '%' after a digit. */
size_t en_scan_word(uint32_t *c, size_t i, size_t e, int normalize)
{
    size_t j = i;
    for (;;) {
        while (j < e && is_word_k(char_class(c[j]))) j++;
        if (j + 1 >= e) break;
        uint32_t y = c[j];
        int kp = char_class(c[j - 1]), kn = char_class(c[j + 1]);
        if (is_apos(y) && (kp == K_LETTER || kp == K_MARK) && kn == K_LETTER) {
            if (y != '\'' && normalize) c[j] = '\'';
            j++;
            continue;
        }
        if ((y == '.' || y == ',' || y == ':') && kp == K_DIGIT && kn == K_DIGIT) { j++; continue; }
        if ((y == '-' || y == '_') && (is_alnum_k(kp) || kp == K_MARK) && is_alnum_k(kn)) { j++; continue; }
        break;
    }
    if (j < e && c[j] == '%' && char_class(c[j - 1]) == K_DIGIT) j++;
    return j;
}

/* Abbreviation like "u.s." / "e.g.": (letter '.'){2,}, not followed by a
 * letter or digit.  Returns the end or 0. */
size_t en_scan_abbrev(const uint32_t *c, size_t i, size_t e)
{
    size_t j = i;
    while (j + 1 < e && char_class(c[j]) == K_LETTER && c[j + 1] == '.') j += 2;
    if (j - i < 4) return 0;
    if (j < e && is_word_k(char_class(c[j]))) return 0;
    return j;
}

static int match_ci(const uint32_t *c, size_t i, size_t e, const char *s)
{
    size_t k = 0;
    for (; s[k]; k++)
        if (i + k >= e || lower_ascii(c[i + k]) != (unsigned char)s[k]) return 0;
    return (int)k;
}

/* URL starting at i ("http://", "https://", "ftp://", "www."); end or 0. */
size_t en_scan_url(const uint32_t *c, size_t i, size_t e)
{
    int p = match_ci(c, i, e, "http://");
    if (!p) p = match_ci(c, i, e, "https://");
    if (!p) p = match_ci(c, i, e, "ftp://");
    if (!p && (p = match_ci(c, i, e, "www.")) && !(i + 4 < e && is_alnum_k(char_class(c[i + 4])))) p = 0;
    if (!p) return 0;
    size_t j = i + (size_t)p;
    while (j < e) {
        uint32_t y = c[j];
        if (y < 0x80) {
            if (y <= ' ' || y == 0x7F || y == '<' || y == '>' || y == '"' || y == '`') break;
        } else if (!is_word_k(char_class(y))) {
            break;
        }
        j++;
    }
    long bal[3] = {0, 0, 0};    /* ( ) [ ] { } balance */
    for (size_t k = i; k < j; k++) {
        uint32_t y = c[k];
        if (y == '(' || y == ')') bal[0] += y == '(' ? 1 : -1;
        else if (y == '[' || y == ']') bal[1] += y == '[' ? 1 : -1;
        else if (y == '{' || y == '}') bal[2] += y == '{' ? 1 : -1;
    }
    for (;;) {                  /* trailing punctuation belongs to the sentence */
        if (j <= i + (size_t)p) break;
        uint32_t y = c[j - 1];
        if (y == '.' || y == ',' || y == ';' || y == ':' || y == '!' || y == '?' || y == '\'') { j--; continue; }
        int b = y == ')' ? 0 : y == ']' ? 1 : y == '}' ? 2 : -1;
        if (b >= 0 && bal[b] < 0) {     /* unbalanced closing bracket */
            bal[b]++;
            j--;
            continue;
        }
        break;
    }
    return j > i + (size_t)p ? j : 0;
}

/* Emoticons, lower case (matched ASCII-case-insensitively).  '=' entries
 * need a space (or the start) before them. */
static const char *const emoticons[] = {
    ":)", ":-)", ":(", ":-(", ";)", ";-)", ";(", ":d", ":-d", ";d", ";-d",
    ":p", ":-p", ";p", ";-p", ":o", ":-o", ":/", ":-/", ":\\", ":-\\", ":|", ":-|",
    ":*", ":-*", ":'(", ":'-(", ":')", ":'-)", ":]", ":[", ":}", ":{", ":>", ":<",
    ":3", ":s", ":$", ":@", ":x", ":-x", ":^)", ">:(", ">:-(", ">:)", ">:-)",
    "=)", "=(", "=d", "=p", "=]", "=[", "=/",
    "<3", "</3", "^_^", "^^", "^.^", "^-^", "-_-", "-.-", ">_<", ">.<", ";_;", "o.o",
    NULL
};

size_t en_scan_emoticon(const uint32_t *c, size_t i, size_t e)
{
    uint32_t f = lower_ascii(c[i]);
    if (!(f == ':' || f == ';' || f == '=' || f == '<' || f == '>' || f == '^' || f == '-' || f == 'o'))
        return 0;
    size_t best = 0;
    for (const char *const *em = emoticons; *em; em++) {
        size_t k = (size_t)match_ci(c, i, e, *em);
        if (k <= best) continue;
        if ((*em)[0] == '=' && i > 0 && char_class(c[i - 1]) != K_SPACE) continue;
        best = k;
    }
    if (!best) return 0;
    size_t j = i + best;
    uint32_t last = lower_ascii(c[j - 1]);
    if (last == ')' || last == '(' || last == ']' || last == '[' || last == 'd' || last == 'p')
        while (j < e && c[j] == c[j - 1]) j++;          /* ":)))" */
    if (j < e) {                /* ":p" in ":people" is no emoticon, nor ":(" in ":(1)" */
        int k = char_class(c[j]);
        if (k == K_LETTER || k == K_DIGIT) return 0;
    }
    return j;
}

/* @mention / #hashtag at i; end or 0. */
size_t en_scan_tag(const uint32_t *c, size_t i, size_t e)
{
    if (i > 0 && is_word_k(char_class(c[i - 1]))) return 0;  /* e-mail, C# */
    size_t j = i + 1;
    int letters = 0;
    while (j < e) {
        int k = char_class(c[j]);
        if (k == K_LETTER) letters = 1;
        else if (!(k == K_DIGIT || k == K_MARK || c[j] == '_')) break;
        j++;
    }
    if (j == i + 1) return 0;
    if (c[i] == '#' && !letters) return 0;            /* "#1" */
    return j;
}
