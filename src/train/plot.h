/* plot.h - training curves as a standalone SVG image.
 *
 * The history is what train records in m->train_info["history"]: an array
 * of objects {"epoch": N, "loss": x, "accuracy": y} with "val_loss" and
 * "val_accuracy" when there was validation data.  The picture has two
 * panels side by side, loss by epoch and accuracy by epoch; training is a
 * solid line, validation a dashed one, with points marked, axes with ticks
 * and labels, a legend and a title.  Plain SVG 1.1 (no scripts, styles or
 * external fonts), viewable in any browser; the same history and title
 * always give the same bytes.
 */
#ifndef SEQSENT_PLOT_H
#define SEQSENT_PLOT_H

#include <cJSON.h>

/* Write the SVG to path atomically ("-" = stdout).  title may be NULL (a
 * default is used); it is escaped for XML.  An entry without "epoch" is
 * taken as epoch (index + 1); a missing, null or non-finite value leaves a
 * gap in its line.  Returns 0, or -1 with err_set() when history is not an
 * array, is empty, has a non-object entry, or holds no finite loss or
 * accuracy at all, or when the file cannot be written. */
int plot_history_svg(const cJSON *history, const char *title, const char *path);

#endif
