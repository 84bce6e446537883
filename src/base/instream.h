/* instream.h - bytes of a text input as UTF-8, whatever they were on disk.
 *
 *   file or stdin -> (gzip inflate, when the data starts with 1f 8b)
 *                 -> (iconv to UTF-8: --encoding NAME, or a UTF-16 BOM)
 *                 -> UTF-8 check -> caller
 *
 * read(2)-like: a reader (the CSV reader) pulls decoded bytes in chunks and
 * never needs to know what was decoded.  Without an encoding, data that is
 * mostly not UTF-8 (in the first 64 KiB: 8 invalid sequences, more than the
 * valid multi-byte ones so far, wherever read(2) cut the input) is an error that names the line and
 * the likely encoding
 * ("not UTF-8 (looks like GB18030); convert it or pass --encoding
 * gb18030"): such text would otherwise train a model on U+FFFD soup.  A few
 * stray invalid bytes in UTF-8 text are passed on (the tokenizer shows them
 * as U+FFFD) and counted.
 */
#ifndef SEQSENT_INSTREAM_H
#define SEQSENT_INSTREAM_H

#include <stddef.h>
#include <sys/types.h>

typedef struct instream instream;

/* Open path ("-" = stdin; err_set names it "<stdin>").  encoding: an
 * iconv(3) name such as "gb18030", "big5", "utf-16", "latin1", or NULL /
 * "" / "utf-8" for UTF-8 (checked, see above).  NULL + err_set on error. */
instream *instream_open(const char *path, const char *encoding);
/* Up to cap decoded bytes into buf: > 0 bytes, 0 at end of input, -1 +
 * err_set("path:line: problem") on error.  May block like read(2). */
ssize_t instream_read(instream *s, char *buf, size_t cap);
/* Invalid UTF-8 sequences seen so far (in the decoded bytes). */
size_t instream_bad_utf8(const instream *s);
/* Whether instream_read would return at once: bytes already buffered, the
 * end of input or an error reached, or the descriptor readable now (a
 * regular file always is; a pipe or terminal when data is waiting). */
int instream_ready(const instream *s);
/* The file descriptor read from (to poll it), and the name used in errors. */
int instream_fd(const instream *s);
const char *instream_path(const instream *s);
void instream_close(instream *s);

#endif
