/* progress.h - a training run as the commands that train show it (train,
 * pretrain): progress and per-epoch lines on stderr, and SIGINT / SIGTERM
 * turned into a checkpoint and a clean stop. */
#ifndef SEQSENT_PROGRESS_H
#define SEQSENT_PROGRESS_H

#include <signal.h>
#include "model/checkpoint.h"

typedef struct progress {
    const char *cmd;   /* "train", "pretrain": the prefix of the messages */
    int tty;           /* stderr is a terminal: a progress line rewritten in place */
} progress;

/* Report o's events on stderr as cmd, and install the signal handlers that
 * ask the run to stop (o->stop). */
void progress_attach(progress *p, const char *cmd, train_opts *o);
/* The signal that stopped the run (0: none). */
int progress_signal(void);

#endif
