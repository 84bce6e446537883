/* t2s.c - OpenCC's t2s conversion (see t2s.h).  One converter per process,
 * opened on first use, with the library itself (base/dynlib.h: OpenCC and
 * the C++ runtime it brings are not loaded by commands that never convert);
 * conversions are serialised by a mutex, as OpenCC does not promise that
 * one converter may be used by several threads. */
#include "text/t2s.h"
#include "base/dynlib.h"
#include "base/err.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SEQSENT_HAVE_OPENCC
#include <opencc.h>

/* the functions used, looked up when the library is opened */
#define OPENCC_FUNCS(X) X(opencc_open) X(opencc_error) X(opencc_convert_utf8) X(opencc_convert_utf8_free)
static union { struct { OPENCC_FUNCS(DYNLIB_SLOT) } f; void *slot[4]; } cc;
static const char *const cc_names[] = { OPENCC_FUNCS(DYNLIB_NAME) NULL };
_Static_assert(sizeof cc.f == sizeof cc.slot, "one slot per function");
static const dynlib_spec cc_lib = { "OpenCC", SEQSENT_OPENCC_SONAME, SEQSENT_OPENCC_PATH, "libopencc1.1", 0, cc_names };

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static opencc_t conv = (opencc_t)-1;
static char open_error[640];

static void open_conv(void)
{
    if (dynlib_load(&cc_lib, cc.slot) < 0) {
        snprintf(open_error, sizeof open_error, "%s", err_msg());
        return;
    }
    conv = cc.f.opencc_open("t2s.json");
    if (conv == (opencc_t)-1)
        snprintf(open_error, sizeof open_error, "OpenCC cannot open t2s.json: %s", cc.f.opencc_error());
}

int t2s_ready(void)
{
    pthread_once(&once, open_conv);
    return conv == (opencc_t)-1 ? err_set("%s", open_error) : 0;
}

char *t2s_convert(const char *text, size_t len, size_t *outlen)
{
    if (t2s_ready() < 0) return NULL;
    pthread_mutex_lock(&lock);
    char *r = cc.f.opencc_convert_utf8(conv, text, len);
    pthread_mutex_unlock(&lock);
    if (!r) return NULL;
    size_t n = strlen(r);
    char *out = xmalloc(n + 1);   /* ours to free() */
    memcpy(out, r, n + 1);
    cc.f.opencc_convert_utf8_free(r);
    *outlen = n;
    return out;
}

#else

int t2s_ready(void)
{
    return err_set("seqsent was built without OpenCC: install libopencc-dev (scripts/install-deps.sh "
                   "installs it) and rebuild");
}

char *t2s_convert(const char *text, size_t len, size_t *outlen)
{
    (void)text; (void)len; (void)outlen;
    return NULL;
}

#endif
