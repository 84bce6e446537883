/* utf8.h - encoding and decoding one code point as UTF-8.
 *
 * Header-only and inline: the tokenizer decodes every input byte and
 * encodes every output character through these, so a call per character
 * would show in its speed.  The decoder is strict (RFC 3629): overlong
 * forms, surrogates and code points above U+10FFFF are invalid, so that
 * they become U+FFFD like any other invalid byte (text_decode_clean).
 */
#ifndef SEQSENT_UTF8_H
#define SEQSENT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Write code point c (<= U+10FFFF) to p: the number of bytes (1 to 4). */
static inline size_t enc_utf8(uint32_t c, char *p)
{
    unsigned char *q = (unsigned char *)p;
    if (c < 0x80) { q[0] = (unsigned char)c; return 1; }
    if (c < 0x800) {
        q[0] = (unsigned char)(0xC0 | (c >> 6));
        q[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        q[0] = (unsigned char)(0xE0 | (c >> 12));
        q[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        q[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    q[0] = (unsigned char)(0xF0 | (c >> 18));
    q[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    q[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    q[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

/* Decode the UTF-8 sequence at s[0..rem), s[0] >= 0x80: its length, or 0
 * when it is invalid (overlong, surrogate, > U+10FFFF, truncated). */
static inline size_t dec_utf8(const unsigned char *s, size_t rem, uint32_t *cp)
{
    unsigned c = s[0];
    if (c < 0xC2) return 0;
    if (c < 0xE0) {
        if (rem < 2 || (s[1] & 0xC0) != 0x80) return 0;
        *cp = ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
        return 2;
    }
    if (c < 0xF0) {
        if (rem < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        uint32_t x = ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        if (x < 0x800 || (x >= 0xD800 && x <= 0xDFFF)) return 0;
        *cp = x;
        return 3;
    }
    if (c < 0xF5) {
        if (rem < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
        uint32_t x = ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
        if (x < 0x10000 || x > 0x10FFFF) return 0;
        *cp = x;
        return 4;
    }
    return 0;
}

#endif
