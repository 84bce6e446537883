/* serve.c - `seqsent serve`: an HTTP/1.1 JSON prediction service.
 *
 * libmicrohttpd (MHD) speaks HTTP: a pool of --threads threads polls the
 * connections, and the thread that owns a connection calls handle() for its
 * requests.  This file routes them, collects and checks request bodies and
 * answers in JSON.  Texts are classified through the public API
 * (include/seqsent.h) on that MHD thread: the model is loaded once and
 * shared read-only by all of them (seqsent_predict is thread-safe on one
 * model), so the server takes the path a library user's call takes, and a
 * request gives what `seqsent predict --threads 1` gives for its texts.
 *
 * The listening socket is bound here and handed to MHD, for a plain message
 * when the port is taken and for the port --port 0 got.  Shutdown: the
 * signal handler only writes to a pipe; the main thread, waiting on it,
 * quiesces MHD (no thread accepts any more) and shuts the socket down (new
 * connections are refused rather than left in the backlog), waits up to
 * --drain seconds for the requests in progress (counted from their first
 * handle() call to MHD's completion callback), then stops MHD, which closes
 * the idle keep-alive connections.
 */
#include "cli/serve.h"

#ifdef SEQSENT_HAVE_MHD

#include "cli/cli.h"
#include "base/dynlib.h"
#include "base/err.h"
#include "cli/opts.h"
#include "seqsent.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* libmicrohttpd is opened when serve starts (base/dynlib.h: it and GnuTLS
 * are not loaded by the other commands); its functions, looked up then: */
#define MHD_FUNCS(X)                                                                            \
    X(MHD_start_daemon) X(MHD_stop_daemon) X(MHD_quiesce_daemon) X(MHD_create_response_from_buffer) \
    X(MHD_add_response_header) X(MHD_queue_response) X(MHD_destroy_response)                     \
    X(MHD_lookup_connection_value) X(MHD_get_connection_info)
static union { struct { MHD_FUNCS(DYNLIB_SLOT) } f; void *slot[9]; } mhd;
static const char *const mhd_names[] = { MHD_FUNCS(DYNLIB_NAME) NULL };
_Static_assert(sizeof mhd.f == sizeof mhd.slot, "one slot per function");
static const dynlib_spec mhd_lib = { "libmicrohttpd", SEQSENT_MHD_SONAME, SEQSENT_MHD_PATH, "libmicrohttpd12", 0,
                                     mhd_names };

typedef struct server {
    const serve_config *cfg;
    seqsent_model *model;
    char **labels;            /* [nlabels] the label names as valid UTF-8, for JSON */
    int nlabels;
    char *info;               /* GET /info: the metadata, valid UTF-8, with a line end */
    pthread_mutex_t lock;     /* guards active and stopping */
    pthread_cond_t idle;      /* broadcast when active drops to 0 */
    int active;               /* requests begun (first handle() call) and not completed */
    int stopping;             /* a signal came: answers close their connection */
} server;

struct route;

/* One request, from its first handle() call to request_done(). */
typedef struct request {
    const struct route *route;   /* NULL: no such path (404) */
    int allowed;              /* the method is the route's (else 405) */
    char *body;               /* the body so far, NUL-terminated */
    size_t len, cap;
    int too_big;              /* the body passed --max-body: the rest is read and dropped, then 413 */
    unsigned status;          /* the answer's status, for the log (0: none queued) */
    int ntexts;               /* texts classified, for the log */
    char *line;               /* "METHOD PATH", control characters replaced, for the log */
    struct timespec t0;
} request;

typedef enum MHD_Result (*answer_fn)(server *s, struct MHD_Connection *c, request *r);

/* ---- answers -------------------------------------------------------------- */

static int stopping(server *s)
{
    pthread_mutex_lock(&s->lock);
    int stop = s->stopping;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

/* Queue body (JSON text) as the answer; mode says whether MHD frees it.
 * Allow (405) when given; once stopping, the connection closes after it. */
static enum MHD_Result reply(server *s, struct MHD_Connection *c, request *r, unsigned status, const char *body,
                             enum MHD_ResponseMemoryMode mode, const char *allow)
{
    struct MHD_Response *resp = mhd.f.MHD_create_response_from_buffer(strlen(body), (void *)body, mode);
    if (!resp) {
        if (mode == MHD_RESPMEM_MUST_FREE) free((void *)body);
        return MHD_NO;
    }
    mhd.f.MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (allow) mhd.f.MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (stopping(s)) mhd.f.MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = mhd.f.MHD_queue_response(c, status, resp);
    mhd.f.MHD_destroy_response(resp);   /* MHD keeps its own reference until it is sent */
    if (ok == MHD_YES) r->status = status;
    return ok;
}

/* obj as one line of JSON text (malloc'd; obj is deleted). */
static char *json_line(cJSON *obj)
{
    char *text = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (!text) die_oom(0);
    size_t n = strlen(text);
    text = xrealloc(text, n + 2);
    memcpy(text + n, "\n", 2);
    return text;
}

/* {"error": message}: one line, valid UTF-8 whatever the client sent. */
static enum MHD_Result reply_error(server *s, struct MHD_Connection *c, request *r, unsigned status,
                                   const char *allow, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static enum MHD_Result reply_error(server *s, struct MHD_Connection *c, request *r, unsigned status,
                                   const char *allow, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20) *p = ' ';   /* one line */
    char *clean = cli_utf8_clean(msg);   /* also mends a character cut by the truncation */
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", clean);
    free(clean);
    return reply(s, c, r, status, json_line(o), MHD_RESPMEM_MUST_FREE, allow);
}

static enum MHD_Result answer_health(server *s, struct MHD_Connection *c, request *r)
{
    return reply(s, c, r, MHD_HTTP_OK, "{\"status\":\"ok\"}\n", MHD_RESPMEM_PERSISTENT, NULL);
}

static enum MHD_Result answer_info(server *s, struct MHD_Connection *c, request *r)
{
    return reply(s, c, r, MHD_HTTP_OK, s->info, MHD_RESPMEM_PERSISTENT, NULL);
}

/* A POST /predict body, read: the texts point into the parsed JSON. */
typedef struct predict_req {
    const char **texts;
    int n;
    int top_k;                /* 0: no "top" */
    double threshold;         /* < 0: the model's default decision */
} predict_req;

/* The texts, top_k and threshold of root; 0, or the HTTP status (400,
 * 413) with why in msg. */
static unsigned read_predict(const server *s, const cJSON *root, predict_req *q, char *msg, size_t len)
{
    const cJSON *texts = NULL;
    if (!cJSON_IsObject(root))
        return snprintf(msg, len, "expected a JSON object {\"texts\": [\"...\", ...]}"), 400;
    for (const cJSON *it = root->child; it; it = it->next) {
        double v = it->valuedouble;
        if (!strcmp(it->string, "texts")) {
            texts = it;
        } else if (!strcmp(it->string, "top_k")) {
            if (!cJSON_IsNumber(it) || v != floor(v) || v < 1 || v > 1e6)
                return snprintf(msg, len, "\"top_k\" must be a whole number from 1 to 1000000"), 400;
            q->top_k = (int)v;
        } else if (!strcmp(it->string, "threshold")) {
            if (!cJSON_IsNumber(it) || !(v >= 0 && v <= 1))
                return snprintf(msg, len, "\"threshold\" must be a number from 0 to 1"), 400;
            if (s->nlabels != 2 && !seqsent_multilabel(s->model))
                return snprintf(msg, len, "\"threshold\" needs a binary model or a multi-label one; this one has %d labels",
                                s->nlabels), 400;
            q->threshold = v;
        } else {
            return snprintf(msg, len, "unknown key \"%.100s\" (expected texts, top_k, threshold)", it->string), 400;
        }
    }
    if (!texts) return snprintf(msg, len, "no \"texts\": expected {\"texts\": [\"...\", ...]}"), 400;
    if (!cJSON_IsArray(texts)) return snprintf(msg, len, "\"texts\" must be an array of strings"), 400;
    int n = cJSON_GetArraySize(texts);
    if (n > s->cfg->max_batch)
        return snprintf(msg, len, "%d texts; at most %d in one request (--max-batch)", n, s->cfg->max_batch), 413;
    q->texts = xmalloc(sizeof *q->texts * (size_t)(n + 1));
    q->n = 0;
    for (const cJSON *t = texts->child; t; t = t->next) {
        if (!cJSON_IsString(t)) return snprintf(msg, len, "texts[%d] is not a string", q->n), 400;
        q->texts[q->n++] = t->valuestring;
    }
    return 0;
}

/* Parse the body as one JSON value (nothing but white space after it); NULL
 * with why in msg when it is not. */
static cJSON *parse_body(const request *r, char *msg, size_t len)
{
    const char *nul = memchr(r->body, '\0', r->len);
    if (!r->len) return snprintf(msg, len, "empty body: expected {\"texts\": [\"...\", ...]}"), NULL;
    if (!cli_utf8_valid(r->body, r->len)) return snprintf(msg, len, "the body is not valid UTF-8"), NULL;
    if (nul) return snprintf(msg, len, "malformed JSON: a NUL byte at byte %zu", (size_t)(nul - r->body)), NULL;
    const char *end = NULL, *e = r->body + r->len;
    cJSON *root = cJSON_ParseWithLengthOpts(r->body, r->len, &end, 0);
    if (root)
        while (end < e && strchr(" \t\r\n", *end)) end++;
    if (!root || end != e) {
        cJSON_Delete(root);
        snprintf(msg, len, "malformed JSON at byte %zu", (size_t)((end ? end : r->body) - r->body));
        return NULL;
    }
    return root;
}

/* {"predictions": [...]}: one object per text, as `predict --output-format jsonl`
 * (a multi-label model: every label with p >= the threshold, 0.5 unless given). */
static cJSON *predictions_json(const server *s, const predict_req *q, const int *labels, const double *probs)
{
    int L = s->nlabels, *top = xmalloc(sizeof *top * (size_t)L), multi = seqsent_multilabel(s->model);
    double threshold = q->threshold < 0 ? 0.5 : q->threshold;
    cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "predictions");
    for (int i = 0; i < q->n; i++) {
        const double *row = probs + (size_t)i * L;
        if (multi) {   /* labels by probability: the chosen ones first, then "top" */
            seqsent_top_k(s->model, row, L, top);
            int chosen = 0, ntop = q->top_k < L ? q->top_k : L;
            while (chosen < L && row[top[chosen]] >= threshold) chosen++;
            cJSON_AddItemToArray(arr, cli_multilabel_json(s->labels, L, row, top, chosen, ntop));
            continue;
        }
        int ntop = q->top_k ? seqsent_top_k(s->model, row, q->top_k, top) : 0;
        cJSON_AddItemToArray(arr, cli_prediction_json(s->labels, L, row, labels[i], top, ntop));
    }
    free(top);
    return out;
}

static enum MHD_Result answer_predict(server *s, struct MHD_Connection *c, request *r)
{
    if (r->too_big)
        return reply_error(s, c, r, MHD_HTTP_CONTENT_TOO_LARGE, NULL, "the body is over %zu bytes (--max-body)",
                           s->cfg->max_body);
    char msg[512];
    cJSON *root = parse_body(r, msg, sizeof msg);
    if (!root) return reply_error(s, c, r, MHD_HTTP_BAD_REQUEST, NULL, "%s", msg);
    predict_req q = { .threshold = -1 };
    unsigned status = read_predict(s, root, &q, msg, sizeof msg);
    int *labels = xmalloc(sizeof *labels * (size_t)(q.n + 1));
    double *probs = xmalloc(sizeof *probs * ((size_t)q.n * s->nlabels + 1));
    if (!status) {
        int rc = q.threshold < 0 ? seqsent_predict(s->model, q.texts, (size_t)q.n, labels, probs, msg, sizeof msg)
                                 : seqsent_predict_threshold(s->model, q.texts, (size_t)q.n, q.threshold, labels,
                                                             probs, msg, sizeof msg);
        status = rc < 0 ? MHD_HTTP_INTERNAL_SERVER_ERROR : MHD_HTTP_OK;
    }
    enum MHD_Result ok;
    if (status == MHD_HTTP_OK) {
        r->ntexts = q.n;
        ok = reply(s, c, r, status, json_line(predictions_json(s, &q, labels, probs)), MHD_RESPMEM_MUST_FREE, NULL);
    } else {
        ok = reply_error(s, c, r, status, NULL, "%s", msg);
    }
    free(probs);
    free(labels);
    free(q.texts);
    cJSON_Delete(root);
    return ok;
}

/* ---- requests ------------------------------------------------------------- */

static const struct route {
    const char *path;
    int post;                 /* POST with a body; else GET or HEAD */
    answer_fn answer;
} routes[] = {
    { "/predict", 1, answer_predict },
    { "/health", 0, answer_health },
    { "/info", 0, answer_info },
};

static request *request_begin(server *s, const char *method, const char *url)
{
    request *r = xcalloc(1, sizeof *r);
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    size_t n = strlen(method) + strlen(url) + 2;
    r->line = xmalloc(n);
    snprintf(r->line, n, "%s %s", method, url);
    for (char *p = r->line; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"') *p = '?';   /* one log line, quotes balanced */
    pthread_mutex_lock(&s->lock);
    s->active++;
    pthread_mutex_unlock(&s->lock);
    return r;
}

/* The route of method url, or NULL; *allowed says whether the method is one of its own. */
static const struct route *route_find(const char *method, const char *url, int *allowed)
{
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        const struct route *rt = &routes[i];
        if (strcmp(url, rt->path)) continue;
        *allowed = rt->post ? !strcmp(method, MHD_HTTP_METHOD_POST)
                            : !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
        return rt;
    }
    *allowed = 0;
    return NULL;
}

/* Keep a piece of the body, unless the whole would pass --max-body (a body
 * of no declared length, chunked): then it is dropped, and so is the rest. */
static void body_add(const server *s, request *r, const char *data, size_t n)
{
    if (r->too_big) return;
    if (n > s->cfg->max_body - r->len) {
        r->too_big = 1;
        free(r->body);
        r->body = NULL;
        r->len = r->cap = 0;
        return;
    }
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 4096;
        while (cap < r->len + n + 1) cap *= 2;
        if (cap > s->cfg->max_body + 1) cap = s->cfg->max_body + 1;
        r->body = xrealloc(r->body, r->cap = cap);
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
}

/* MHD's access handler: called when the headers are in, for each piece of
 * the body, and once more when the request is complete.  Answers wait for
 * that last call (an answer queued earlier makes MHD close the connection),
 * except a body declared over --max-body: 413 before any of it is read. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    server *s = cls;
    request *r = *con_cls;
    if (!r) {
        *con_cls = r = request_begin(s, method, url);
        r->route = route_find(method, url, &r->allowed);
        const char *declared = mhd.f.MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (r->allowed && r->route->post && declared && strtoull(declared, NULL, 10) > s->cfg->max_body) {
            r->too_big = 1;
            return r->route->answer(s, c, r);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->allowed && r->route->post) body_add(s, r, upload, *upload_size);   /* others' bodies are dropped */
        *upload_size = 0;
        return MHD_YES;
    }
    if (!r->route)
        return reply_error(s, c, r, MHD_HTTP_NOT_FOUND, NULL, "no such path: %.200s (there are POST /predict, "
                           "GET /health, GET /info)", url);
    if (!r->allowed)
        return reply_error(s, c, r, MHD_HTTP_METHOD_NOT_ALLOWED, r->route->post ? "POST" : "GET, HEAD",
                           "%.20s %s: method not allowed (use %s)", method, url, r->route->post ? "POST" : "GET");
    if (!r->body) r->body = xstrdup("");
    return r->route->answer(s, c, r);
}

static const char *termination(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK: return "";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return " (timed out)";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return " (cut off by the shutdown)";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT: return " (the client closed the connection)";
    default: return " (connection error)";
    }
}

/* The access log line: time (UTC), client, request, status, duration. */
static void log_request(struct MHD_Connection *c, const request *r, enum MHD_RequestTerminationCode toe)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - r->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e6;
    char host[NI_MAXHOST] = "-", when[32], texts[32] = "", status[16] = "-";
    const union MHD_ConnectionInfo *ci = mhd.f.MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *a = ci->client_addr;
        socklen_t alen = a->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
        getnameinfo(a, alen, host, sizeof host, NULL, 0, NI_NUMERICHOST);
    }
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    if (r->status) snprintf(status, sizeof status, "%u", r->status);   /* "-": no answer was queued */
    if (r->ntexts) snprintf(texts, sizeof texts, " %d text%s", r->ntexts, r->ntexts == 1 ? "" : "s");
    fprintf(stderr, "seqsent serve: %s %s \"%s\" %s %.1f ms%s%s\n", when, host, r->line, status, ms, texts,
            termination(toe));
}

/* MHD's completion callback: the answer is sent, or the request was cut off. */
static void request_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    server *s = cls;
    request *r = *con_cls;
    if (!r) return;
    if (!s->cfg->quiet) log_request(c, r, toe);
    free(r->body);
    free(r->line);
    free(r);
    *con_cls = NULL;
    pthread_mutex_lock(&s->lock);
    if (--s->active == 0) pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->lock);
}

/* libmicrohttpd's own messages (a client's broken request, a failed send). */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    const server *s = cls;
    if (s->cfg->quiet) return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    fprintf(stderr, "seqsent serve: libmicrohttpd: %s\n", msg);
}

/* ---- startup and shutdown ------------------------------------------------- */

/* A non-blocking listening socket on host:port (MHD's pool threads race to
 * accept on it); dies with one line when it cannot be had.  Sets where to
 * "ADDRESS:PORT" as a URL writes it. */
static int listen_socket(const char *host, int port, char *where, size_t len)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
    struct addrinfo *res, *ai;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(host, service, &hints, &res), fd = -1, e = 0;
    if (rc) die(EXIT_FAIL, "serve: --host %s: %s", host, gai_strerror(rc));
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) { e = errno; continue; }
        int one = 1;   /* a restarted server binds while its old connections linger in TIME_WAIT */
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) break;
        e = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        die(EXIT_FAIL, "serve: cannot listen on %s port %d: %s%s", host, port, strerror(e),
            e == EADDRINUSE ? " (another server has it; --port 0 picks a free port)" : "");
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char addr[NI_MAXHOST], serv[NI_MAXSERV];
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0
        || getnameinfo((struct sockaddr *)&ss, sl, addr, sizeof addr, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV))
        die(EXIT_FAIL, "serve: %s port %d: cannot read the bound address", host, port);
    snprintf(where, len, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", addr, serv);
    return fd;
}

/* The write end of the pipe the signal handler reports to: file-static, as
 * a handler has no other way to reach it. */
static int signal_pipe = -1;

static void on_signal(int sig)
{
    int e = errno;
    unsigned char b = (unsigned char)sig;
    if (write(signal_pipe, &b, 1) < 0) { /* full: a signal is already waiting */ }
    errno = e;
}

/* The read end of a pipe that gets a byte per SIGINT/SIGTERM.  The first
 * signal is reported; the handler is then reset (SA_RESETHAND), so a second
 * one stops the process at once, as during training. */
static int signal_channel(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) die(EXIT_FAIL, "serve: pipe: %s", strerror(errno));
    fcntl(p[0], F_SETFL, 0);   /* the main thread blocks on it */
    signal_pipe = p[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return p[0];
}

static int wait_signal(int fd)
{
    unsigned char b;
    ssize_t n;
    while ((n = read(fd, &b, 1)) < 0 && errno == EINTR) {}
    return n == 1 ? b : SIGTERM;
}

/* Stop taking connections, finish the requests in progress (up to --drain
 * seconds), stop MHD. */
static void stop_serving(server *s, struct MHD_Daemon *d, int sig)
{
    MHD_socket fd = mhd.f.MHD_quiesce_daemon(d);
    if (fd != MHD_INVALID_SOCKET) shutdown(fd, SHUT_RDWR);   /* closed after MHD_stop_daemon, as MHD asks */
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    int n = s->active;
    pthread_mutex_unlock(&s->lock);
    fprintf(stderr, "seqsent serve: %s: no new connections; finishing %d request%s in progress\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM", n, n == 1 ? "" : "s");
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += s->cfg->drain;
    pthread_mutex_lock(&s->lock);
    while (s->active > 0 && pthread_cond_timedwait(&s->idle, &s->lock, &deadline) != ETIMEDOUT) {}
    n = s->active;
    pthread_mutex_unlock(&s->lock);
    if (n)
        fprintf(stderr, "seqsent serve: %d request%s still in progress after --drain %u: cut off\n", n,
                n == 1 ? "" : "s", s->cfg->drain);
    mhd.f.MHD_stop_daemon(d);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    fprintf(stderr, "seqsent serve: stopped\n");
}

/* The model, its labels and metadata as JSON can carry. */
static void server_open(server *s, const serve_config *cfg)
{
    char err[512];
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    s->model = seqsent_open(cfg->model_path, err, sizeof err);
    if (!s->model) die(EXIT_FAIL, "%s", err);
    s->nlabels = seqsent_num_labels(s->model);
    s->labels = xmalloc(sizeof *s->labels * (size_t)s->nlabels);
    for (int k = 0; k < s->nlabels; k++) s->labels[k] = cli_utf8_clean(seqsent_label(s->model, k));
    char *meta = cli_utf8_clean(seqsent_metadata(s->model));
    size_t n = strlen(meta);
    s->info = xrealloc(meta, n + 2);
    memcpy(s->info + n, "\n", 2);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);   /* --drain is not moved by clock changes */
    pthread_cond_init(&s->idle, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&s->lock, NULL);
}

static void server_close(server *s)
{
    for (int k = 0; k < s->nlabels; k++) free(s->labels[k]);
    free(s->labels);
    free(s->info);
    seqsent_close(s->model);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->lock);
}

int serve_run(const serve_config *cfg)
{
    if (dynlib_load(&mhd_lib, mhd.slot) < 0) die(EXIT_FAIL, "serve: %s", err_msg());
    server s;
    server_open(&s, cfg);
    char where[NI_MAXHOST + 16];
    int fd = listen_socket(cfg->host, cfg->port, where, sizeof where);
    unsigned threads = (unsigned)cfg->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    int sigfd = signal_channel();   /* before the threads start: no signal is lost */
    struct MHD_Daemon *d = mhd.f.MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, &s,
        MHD_OPTION_EXTERNAL_LOGGER, (MHD_LogCallback)mhd_log, &s,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout,
        MHD_OPTION_NOTIFY_COMPLETED, (MHD_RequestCompletedCallback)request_done, &s,
        MHD_OPTION_END);
    if (!d) die(EXIT_FAIL, "serve: libmicrohttpd could not start on %s", where);
    fprintf(stderr, "seqsent serve: listening on http://%s\n", where);
    stop_serving(&s, d, wait_signal(sigfd));
    close(sigfd);
    close(signal_pipe);
    server_close(&s);
    return EXIT_OK;
}

#else /* no libmicrohttpd */

#include "base/err.h"
#include "cli/opts.h"

int serve_run(const serve_config *cfg)
{
    (void)cfg;
    die(EXIT_FAIL, "serve: this seqsent was built without libmicrohttpd; install it (Debian: apt-get install "
        "libmicrohttpd-dev, or sh scripts/install-deps.sh) and rebuild (make)");
}

#endif
