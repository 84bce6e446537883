/* normalize.h - cleaning and Unicode normalisation of text, as code points.
 *
 * The first two steps of tokenizing (see tokenize.h): the bytes are
 * decoded and cleaned (text_decode_clean: invalid UTF-8 -> U+FFFD, BOM /
 * zero-width / format characters dropped, controls -> space or dropped),
 * then brought to NFKC + case folding (text_nfkc_casefold), or normalised
 * with a map back to the original characters for tokens that keep them
 * (text_nfkc_map, tok_config.normalize = 0).  text_normalize does both for
 * a string, to bring words from other sources (vectors, dictionaries) to
 * the form of tokens.  Working memory is scratch slots of a toklist (see
 * toklist.h), so nothing is allocated per call.
 */
#ifndef SEQSENT_NORMALIZE_H
#define SEQSENT_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>
#include "text/toklist.h"

/* Decode and clean text[0..len) into d (room for len code points); returns
 * how many.  A run of invalid bytes (including encoded surrogates,
 * overlong forms and truncated sequences) becomes one U+FFFD.  Format
 * characters (Cf: BOM, zero-width space / joiners, word joiner, soft
 * hyphen, bidi marks ...) are dropped; \t \n \v \f \r and U+0085 become
 * spaces, other controls are dropped. */
size_t text_decode_clean(const char *text, size_t len, uint32_t *d);

/* NFKC + case folding of src[0..n) into scratch slot 1 of sc; *out gets the
 * array, the return value its length. */
size_t text_nfkc_casefold(toklist *sc, const uint32_t *src, size_t n, uint32_t **out);

/* NFKC + case folding of src[0..n) with a map back to src, for tokens that
 * keep the original characters (normalize = 0): the text is normalised in
 * chunks (a character with the combining marks after it), and every output
 * character k gets the chunk it came from, src[os[k]..oe[k]).  Output in
 * scratch slot 1, the map in slots 4 (os) and 6 (oe). */
size_t text_nfkc_map(toklist *sc, const uint32_t *src, size_t n, uint32_t **out, size_t **os,
                     size_t **oe);

/* The normalisation tokenize() applies with normalize = 1, as a string:
 * invalid UTF-8 -> U+FFFD, BOM / zero-width / format characters dropped,
 * control characters -> ' ' (\t \n \r ...) or dropped, NFKC + case folding.
 * Returns a malloc'ed NUL-terminated string; *outlen (if not NULL) gets its
 * length.  Use it to bring words from other sources (vectors, dictionaries)
 * to the form of tokens. */
char *text_normalize(const char *s, size_t len, size_t *outlen);

/* What two copies of a text keep in common when one was re-typed, pasted
 * or cut short: text_normalize's form with only letters, marks and digits
 * kept (Unicode categories L, M, N: white space, punctuation and symbols
 * dropped), as a malloc'ed NUL-terminated string.  *nchars gets its length
 * in characters, *prefix_bytes (if not NULL) the bytes of its first
 * prefix_chars characters (all of them when fewer), *outlen (if not NULL)
 * its length in bytes.  --exclude compares texts by it. */
char *text_match_key(const char *s, size_t len, size_t prefix_chars, size_t *nchars, size_t *prefix_bytes,
                     size_t *outlen);

#endif
