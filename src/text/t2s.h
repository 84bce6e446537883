/* t2s.h - traditional to simplified Chinese before segmentation, through
 * OpenCC (config "t2s.json"): an optional component, built in when the
 * Makefile finds opencc with pkg-config (SEQSENT_HAVE_OPENCC). */
#ifndef SEQSENT_T2S_H
#define SEQSENT_T2S_H

#include <stddef.h>

/* Open the converter (once per process; later calls return the first
 * answer): 0, or -1 + err_set (built without OpenCC, or its config not
 * found). */
int t2s_ready(void);
/* text[0..len) converted, NUL-terminated, *outlen bytes; free() it.  NULL
 * when the converter is not ready or failed on this text.  Thread-safe. */
char *t2s_convert(const char *text, size_t len, size_t *outlen);

#endif
