/* serve.h - the HTTP prediction service of `seqsent serve` (serve.c). */
#ifndef SEQSENT_SERVE_H
#define SEQSENT_SERVE_H

#include <stddef.h>

typedef struct serve_config {
    const char *model_path;
    const char *host;       /* address or name to listen on */
    int port;               /* 0: a free one */
    int threads;            /* the thread pool: requests handled at once (0: all cores) */
    size_t max_body;        /* bytes of a request body; more: 413 */
    int max_batch;          /* texts of one request; more: 413 */
    unsigned timeout;       /* seconds an idle connection stays open */
    unsigned drain;         /* seconds to finish the requests in progress after SIGINT/SIGTERM */
    int quiet;              /* no access log */
} serve_config;

/* Load the model, listen, and answer requests until SIGINT or SIGTERM;
 * then stop accepting, finish the requests in progress and return the exit
 * status (0).  Startup errors (model, address, port) die with a message.
 * In a build without libmicrohttpd it dies saying how to get it. */
int serve_run(const serve_config *c);

#endif
