/* loss.c - sigmoid + binary cross-entropy, softmax + categorical cross-entropy. */
#include "nn/loss.h"

#include <math.h>
#include <stddef.h>

double bce_loss(int B, const float *logits, const int32_t *y, float *probs, float *dlogits)
{
    double sum = 0;
    for (int b = 0; b < B; b++) {
        double l = logits[b], t = y[b];
        double p = 1.0 / (1.0 + exp(-l));
        /* -[t log p + (1-t) log(1-p)] = max(l,0) - l t + log(1 + e^-|l|) */
        sum += (l > 0 ? l : 0) - l * t + log1p(exp(-fabs(l)));
        if (probs) probs[b] = (float)p;
        if (dlogits) dlogits[b] = (float)((p - t) / B);
    }
    return B ? sum / B : 0;
}

double softmax_ce_loss(int B, int K, const float *logits, const int32_t *y, float *probs, float *dlogits)
{
    double sum = 0;
    for (int b = 0; b < B; b++) {
        const float *l = logits + (size_t)b * K;
        double mx = l[0], z = 0;
        for (int k = 1; k < K; k++) if (l[k] > mx) mx = l[k];
        for (int k = 0; k < K; k++) z += exp(l[k] - mx);
        double logz = mx + log(z);
        sum += logz - l[y[b]];
        for (int k = 0; k < K; k++) {
            double p = exp(l[k] - logz);
            if (probs) probs[(size_t)b * K + k] = (float)p;
            if (dlogits) dlogits[(size_t)b * K + k] = (float)((p - (k == y[b])) / B);
        }
    }
    return B ? sum / B : 0;
}
