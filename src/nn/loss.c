/* loss.c - sigmoid + binary cross-entropy, softmax + categorical cross-entropy,
 * one sigmoid per label (multi-label). */
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
            /* not exp(l - logz): with |mx| near FLT_MAX, mx + log z rounds
             * to mx and two tied logits would each get p = 1 */
            double p = exp(l[k] - mx) / z;
            if (probs) probs[(size_t)b * K + k] = (float)p;
            if (dlogits) dlogits[(size_t)b * K + k] = (float)((p - (k == y[b])) / B);
        }
    }
    return B ? sum / B : 0;
}

/* One row's loss (B = 1), for the unlabelled and the weighted case. */
static double row_loss(int K, const float *logits, const int32_t *y, float *probs, float *dlogits)
{
    return K == 1 ? bce_loss(1, logits, y, probs, dlogits) : softmax_ce_loss(1, K, logits, y, probs, dlogits);
}

double output_loss(int B, int K, const float *logits, const int32_t *y, const float *class_w,
                   float *probs, float *dlogits)
{
    if (!y) {
        const int32_t z = 0;   /* any label: only the probabilities are kept */
        for (int b = 0; b < B; b++) row_loss(K, logits + (size_t)b * K, &z, probs + (size_t)b * K, NULL);
        return 0;
    }
    if (!class_w)
        return K == 1 ? bce_loss(B, logits, y, probs, dlogits) : softmax_ce_loss(B, K, logits, y, probs, dlogits);
    double loss = 0;
    for (int b = 0; b < B; b++) {
        float wt = class_w[y[b]];
        float *dl = dlogits + (size_t)b * K;
        loss += wt * row_loss(K, logits + (size_t)b * K, y + b, probs + (size_t)b * K, dl) / B;
        for (int k = 0; k < K; k++) dl[k] *= wt / B;
    }
    return loss;
}

/* log(1 + e^x) without overflow */
static double softplus(double x) { return (x > 0 ? x : 0) + log1p(exp(-fabs(x))); }

double ova_loss(int K, const float *logits, const float *t, const float *pos_w, float *probs, float *dlogits)
{
    double sum = 0;
    for (int k = 0; k < K; k++) {
        double l = logits[k], tk = t[k], w = pos_w ? pos_w[k] : 1.0;
        double p = 1.0 / (1.0 + exp(-l));
        /* -[w t log p + (1-t) log(1-p)], log p = -softplus(-l), log(1-p) = -softplus(l) */
        sum += w * tk * softplus(-l) + (1 - tk) * softplus(l);
        if (probs) probs[k] = (float)p;
        if (dlogits) dlogits[k] = (float)((w * tk + 1 - tk) * p - w * tk);
    }
    return sum;
}

void ova_probs(int K, const float *logits, float *probs)
{
    for (int k = 0; k < K; k++) probs[k] = (float)(1.0 / (1.0 + exp(-(double)logits[k])));
}

double soft_loss(int K, const float *logits, const float *q, double T, double scale, float *probs, float *dlogits)
{
    if (K == 1) {
        double l = logits[0] / T, t = q[0];
        double pT = 1.0 / (1.0 + exp(-l));
        if (probs) probs[0] = (float)(1.0 / (1.0 + exp(-(double)logits[0])));
        if (dlogits) dlogits[0] = (float)(T * (pT - t) * scale);
        return T * T * ((l > 0 ? l : 0) - l * t + log1p(exp(-fabs(l))));
    }
    double mx = logits[0], z = 0, z1 = 0;
    for (int k = 1; k < K; k++) if (logits[k] > mx) mx = logits[k];
    for (int k = 0; k < K; k++) {
        z += exp((logits[k] - mx) / T);
        z1 += exp(logits[k] - mx);
    }
    double logz = mx / T + log(z), loss = 0;
    for (int k = 0; k < K; k++) {
        double lp = logits[k] / T - logz;   /* log p_T */
        loss -= q[k] * lp;
        if (dlogits) dlogits[k] = (float)(T * (exp(lp) - q[k]) * scale);
        if (probs) probs[k] = (float)(exp(logits[k] - mx) / z1);
    }
    return T * T * loss;
}
