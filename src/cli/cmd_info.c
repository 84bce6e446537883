/* cmd_info.c - `seqsent info MODEL`: metadata as JSON. */
#include "cli/commands.h"
#include "base/err.h"
#include "model/modelfile.h"
#include "cli/opts.h"

#include <stdio.h>
#include <stdlib.h>

static const cmd_opt options[] = {
    { "tensors", 't', 0, NULL, "also list every tensor (name, dtype, shape, bytes)" },
    { 0 }
};
static const cmd_spec spec = { "info", "[options] MODEL", "Print a model file's metadata as one JSON object.", options, NULL };

int cmd_info(int argc, char **argv)
{
    const char *arg;
    int c, tensors = 0;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1)
        if (c == 't') tensors = 1;
    int first = opt_operands();
    if (argc - first != 1) usage_error(&spec, "expected one model file");
    const char *path = argv[first];
    mfile *m = mf_read(path);
    if (!m) die_err(EXIT_FAIL);
    cJSON *out = cJSON_Duplicate(m->meta, 1);
    size_t bytes = 0;
    cJSON *tl = tensors ? cJSON_AddArrayToObject(out, "tensors") : NULL;
    for (size_t i = 0; i < m->n; i++) {
        bytes += m->t[i].nbytes;
        if (!tl) continue;
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "name", m->t[i].name);
        cJSON_AddStringToObject(t, "dtype", mf_dtype_name(m->t[i].dtype));
        cJSON *sh = cJSON_AddArrayToObject(t, "shape");
        for (int d = 0; d < m->t[i].ndim; d++) cJSON_AddItemToArray(sh, cJSON_CreateNumber((double)m->t[i].shape[d]));
        cJSON_AddNumberToObject(t, "nbytes", (double)m->t[i].nbytes);
        cJSON_AddItemToArray(tl, t);
    }
    cJSON *f = cJSON_AddObjectToObject(out, "file");
    cJSON_AddStringToObject(f, "path", path);
    cJSON_AddNumberToObject(f, "bytes", (double)m->maplen);
    const unsigned char *h = m->map;   /* the file's own version (header bytes 8..11, LE) */
    cJSON_AddNumberToObject(f, "format_version", h[8] | h[9] << 8 | h[10] << 16 | (uint32_t)h[11] << 24);
    cJSON_AddNumberToObject(f, "tensor_count", (double)m->n);
    cJSON_AddNumberToObject(f, "tensor_bytes", (double)bytes);
    char *s = cJSON_Print(out);
    printf("%s\n", s);
    free(s);
    cJSON_Delete(out);
    mf_free(m);
    finish_stdout();   /* write errors: exit 1 with a message; EPIPE: quiet exit 0 */
    return EXIT_OK;
}
