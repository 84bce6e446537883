/* cmd_serve.c - `seqsent serve -m MODEL [--host H] [--port P]`: the options
 * of the HTTP prediction service; the service itself is serve.c.
 *
 * The options are parsed (and --help answered) whether or not this build has
 * libmicrohttpd, so the command and its manual stay the same; without it the
 * command stops with how to get it.
 */
#include "cli/commands.h"
#include "base/err.h"
#include "cli/opts.h"
#include "cli/serve.h"

#include <stdio.h>
#include <string.h>

enum { O_HOST = 400, O_PORT, O_MAX_BODY, O_MAX_BATCH, O_TIMEOUT, O_DRAIN, O_QUIET };

static const cmd_opt options[] = {
    { "model", 'm', 1, "MODEL", "trained model file (required)" },
    { "host", O_HOST, 1, "ADDR", "address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 or :: for every interface)" },
    { "port", O_PORT, 1, "N", "TCP port (default 8080; 0: a free port, printed when ready)" },
    { "threads", OPT_THREADS, 1, "N", "requests handled at once, one per thread (default: all cores)" },
    { "max-body", O_MAX_BODY, 1, "SIZE", "largest request body, bytes or with K/M/G (default 1M); larger: 413" },
    { "max-batch", O_MAX_BATCH, 1, "N", "most texts in one request (default 1000); more: 413" },
    { "timeout", O_TIMEOUT, 1, "SECONDS", "close a connection idle this long (default 30)" },
    { "drain", O_DRAIN, 1, "SECONDS", "on SIGINT/SIGTERM, the longest wait for requests in progress (default 30)" },
    { "quiet", O_QUIET, 0, NULL, "no access log (by default one line per request on stderr)" },
    { 0 }
};

static const cmd_spec spec = {
    .name = "serve", .usage = "-m MODEL [--host ADDR] [--port N] [options]", .opts = options,
    .summary = "Serve the model's predictions over HTTP/1.1 as JSON, until SIGINT or SIGTERM.",
    .notes =
    "POST /predict {\"texts\": [\"...\", ...], \"top_k\": K, \"threshold\": P} (top_k and threshold optional)\n"
    "  -> {\"predictions\": [{\"label\", \"probability\", \"probabilities\", \"top\"}, ...]}, the objects of\n"
    "  predict --output-format jsonl, one per text, in order.\n"
    "GET /health -> {\"status\": \"ok\"};  GET /info -> the model's metadata (as info prints it).\n"
    "Errors are {\"error\": MESSAGE}: 400 bad JSON or values, 404 unknown path, 405 wrong method,\n"
    "413 over --max-body or --max-batch.  'seqsent serve: listening on http://HOST:PORT' on stderr\n"
    "when ready; on SIGINT/SIGTERM no new connection is accepted, the requests in progress are\n"
    "answered (up to --drain seconds) and the exit status is 0.\n",
};

int cmd_serve(int argc, char **argv)
{
    serve_config c = {
        .host = "127.0.0.1", .port = 8080, .max_body = 1 << 20, .max_batch = 1000, .timeout = 30, .drain = 30,
    };
    const char *arg;
    int opt;
    while ((opt = opt_next(&spec, argc, argv, &arg)) != -1) {
        switch (opt) {
        case 'm': c.model_path = arg; break;
        case O_HOST: c.host = arg; break;
        case O_PORT: c.port = (int)opt_long(&spec, "port", arg, 0, 65535); break;
        case OPT_THREADS: c.threads = (int)opt_long(&spec, "threads", arg, 1, 256); break;
        case O_MAX_BODY: c.max_body = opt_size(&spec, "max-body", arg, 1, (size_t)1 << 30); break;
        case O_MAX_BATCH: c.max_batch = (int)opt_long(&spec, "max-batch", arg, 1, 1000000); break;
        case O_TIMEOUT: c.timeout = (unsigned)opt_long(&spec, "timeout", arg, 1, 86400); break;
        case O_DRAIN: c.drain = (unsigned)opt_long(&spec, "drain", arg, 0, 86400); break;
        case O_QUIET: c.quiet = 1; break;
        }
    }
    if (opt_operands() < argc) usage_error(&spec, "unexpected argument '%s'", argv[opt_operands()]);
    if (!c.model_path) usage_error(&spec, "no model given: use -m MODEL");
    if (!*c.host) usage_error(&spec, "--host: empty address");
    return serve_run(&c);
}
