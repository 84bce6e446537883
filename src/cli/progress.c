/* progress.c - training progress on stderr and the signals that stop a run
 * (see progress.h). */
#include "cli/progress.h"
#include "train/train.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The signal that asked training to stop (0: none).  File-static, written
 * only by the handler; the loop reads it through train_opts.stop. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
    signal(sig, SIG_DFL);   /* a second signal stops at once */
}

int progress_signal(void) { return stop_signal; }

/* " - acc 0.8123" for a classifier (" - micro_f1 0.7012" multi-label); nothing for a language model's
 * training loss (a sampled softmax's: no perplexity), " - val_ppl 123.4"
 * for its held-out loss (the full softmax's) */
static const char *second(const train_event *ev, int val, double v, char *buf, size_t size)
{
    if (ev->lm && !val) buf[0] = '\0';
    else snprintf(buf, size, ev->lm ? " - %sppl %.1f" : ev->multi ? " - %smicro_f1 %.4f" : " - %sacc %.4f",
                  val ? "val_" : "", v);
    return buf;
}

/* A line rewritten in place per batch on a terminal, one line per epoch,
 * and why a run ended early. */
static void report(const train_event *ev, void *ctx)
{
    const progress *p = ctx;
    char a[32], b[32];
    switch (ev->kind) {
    case TRAIN_EV_BATCH: {
        if (!p->tty) break;
        double el = ev->seconds, rate = el > 0 ? ev->done / el : 0;
        double eta = rate > 0 ? (ev->total - ev->done) / rate : 0;
        fprintf(stderr, "\repoch %d/%d [%zu/%zu] loss %.4f%s %.0f samples/s ETA %.0fs   ", ev->epoch, ev->epochs,
                ev->done, ev->total, ev->loss, second(ev, 0, ev->accuracy, a, sizeof a), rate, eta);
        break;
    }
    case TRAIN_EV_BREAK:
        if (p->tty) fputc('\n', stderr);
        break;
    case TRAIN_EV_EPOCH: {
        char vbuf[128] = "";
        if (ev->have_val)
            snprintf(vbuf, sizeof vbuf, " - val_loss %.4f%s", ev->val_loss, second(ev, 1, ev->val_accuracy, b, sizeof b));
        fprintf(stderr, "%sepoch %d/%d - loss %.4f%s%s - %.1fs (%.0f %s/s)%s\n", p->tty ? "\r" : "",
                ev->epoch, ev->epochs, ev->loss, second(ev, 0, ev->accuracy, a, sizeof a), vbuf, ev->seconds,
                ev->lm ? ev->tokens_per_second : ev->samples_per_second, ev->lm ? "tokens" : "samples",
                p->tty ? "          " : "");
        break;
    }
    case TRAIN_EV_EARLY_STOP:
        fprintf(stderr, "%s: early stop: validation %s has not improved for %d epochs; "
                "keeping the weights of epoch %d\n", p->cmd, ev->monitor_accuracy ? "accuracy" : "loss", ev->patience,
                ev->best_epoch);
        break;
    case TRAIN_EV_INTERRUPTED:
        if (ev->done < ev->total)
            fprintf(stderr, "%s: interrupted in epoch %d at %zu/%zu; checkpoint written to %s "
                    "(continue with --resume %s)\n", p->cmd, ev->epoch, ev->done, ev->total, ev->checkpoint,
                    ev->checkpoint);
        else
            fprintf(stderr, "%s: interrupted after epoch %d; checkpoint written to %s "
                    "(continue with --resume %s)\n", p->cmd, ev->epoch, ev->checkpoint, ev->checkpoint);
        break;
    }
}

void progress_attach(progress *p, const char *cmd, train_opts *o)
{
    p->cmd = cmd;
    p->tty = isatty(2);
    o->report = report;
    o->report_ctx = p;
    o->stop = &stop_signal;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
