#!/usr/bin/python3
"""bench_torch.py - the PyTorch twin of seqsent's stacked-LSTM classifier, for `make bench`.

    /usr/bin/python3 scripts/bench_torch.py train -m MODEL.ssm --train TRAIN.csv [--test TEST.csv]
        [--maxlen 100] [--batch 32] [--epochs 1] [--max-batches N] [--threads 1] [--seed 1]
        [--trainable]
    /usr/bin/python3 scripts/bench_torch.py infer -m MODEL.ssm --data FILE.csv [--batch 256] [--threads 1]
    /usr/bin/python3 scripts/bench_torch.py check -m MODEL.ssm --data FILE.csv
        (seqsent's trained weights in the twin: accuracy and loss must match `seqsent eval`)

The work is made identical to seqsent's: the token ids come from seqsent itself
(`seqsent tokenize -m MODEL FILE | seqsent pad -m MODEL --maxlen N`), so vocabulary,
segmentation, pre-padding and pre-truncation are seqsent's; the frozen embedding
matrix is read from MODEL (a .ssm file, see man/seqsent-model.5: the "embedding"
tensor, f32 [V, E]); the labels are mapped in the model's label order.

Network (Keras semantics, every step computed, no masking):
    nn.Embedding.from_pretrained(freeze=True) -> nn.LSTM(E,128) -> nn.LSTM(128,128)
    -> last step -> nn.Linear(128,1), BCEWithLogitsLoss (mean over the batch),
    Adam(lr=1e-3, betas=(.9,.999), eps=1e-7).
Initialisation as Keras / seqsent: glorot-uniform input kernels, orthogonal recurrent
kernels, zero biases with forget-gate bias 1 (b_ih; b_hh is zero), glorot-uniform dense
kernel, zero dense bias.  PyTorch's gate order (i, f, g, o) is Keras's (i, f, c, o).
The one documented difference: PyTorch's Adam adds eps to the bias-corrected sqrt(v_hat),
Keras (and seqsent) to the uncorrected sqrt(v); with eps = 1e-7 this changes nothing visible.
Shuffling uses torch's RNG, so batch composition differs from seqsent's (same size).
With --trainable (no pretrained vectors, e.g. English mr) the embedding is trainable and
initialised uniform(-0.05, 0.05) as Keras does.

Output: one JSON object per line on stdout.  Times cover only the training loop
(or the forward passes), not Python start-up, tokenization or data loading.
"""
import argparse
import csv
import json
import os
import struct
import subprocess
import time

import numpy as np

torch = nn = None   # imported in main(), after OPENBLAS_NUM_THREADS is set


def read_ssm(path):
    """Return (meta, {name: numpy array}) for the tensors of a seqsent .ssm file."""
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:8] != b"SEQSENT\x1a":
        raise SystemExit("%s: not a seqsent model file" % path)
    _ver, _flags, joff, jlen, doff, _dlen = struct.unpack_from("<IIQQQQ", buf, 8)
    meta = json.loads(buf[joff:joff + jlen].decode("utf-8"))
    dt = {"f32": np.float32, "i32": np.int32, "i64": np.int64, "u8": np.uint8}
    tensors = {}
    for t in meta.get("tensors", []):
        if t["name"].startswith(("adam.", "vocab.", "tokenizer.", "dict")):
            continue
        a = np.frombuffer(buf, dtype=dt[t["dtype"]], count=t["nbytes"] // np.dtype(dt[t["dtype"]]).itemsize,
                          offset=doff + t["offset"])
        tensors[t["name"]] = a.reshape(t["shape"]).copy()
    return meta, tensors


def seqsent_ids(seqsent, model, path, maxlen):
    """Padded id matrix [N, maxlen] for the text column of path, exactly as seqsent encodes it."""
    tok = subprocess.Popen([seqsent, "tokenize", "-m", model, path], stdout=subprocess.PIPE)
    pad = subprocess.run([seqsent, "pad", "-m", model, "--maxlen", str(maxlen)], stdin=tok.stdout,
                         stdout=subprocess.PIPE, check=True)
    tok.stdout.close()
    if tok.wait() != 0:
        raise SystemExit("seqsent tokenize failed on %s" % path)
    ids = np.array(pad.stdout.split(), dtype=np.int64)
    if ids.size % maxlen:
        raise SystemExit("seqsent pad printed %d ids, not a multiple of maxlen %d" % (ids.size, maxlen))
    return ids.reshape(-1, maxlen)


def read_labels(path, labels):
    """Labels of the rows seqsent keeps (rows with an empty text are skipped, as seqsent does)."""
    index = {l: i for i, l in enumerate(labels)}
    with open(path, newline="", encoding="utf-8-sig") as f:
        r = csv.reader(f)
        head = [h.strip().lower() for h in next(r)]
        li = head.index("label") if "label" in head else 0
        ti = head.index("text") if "text" in head else len(head) - 1
        y = [index[row[li].strip()] for row in r if row and row[ti] != ""]
    return np.array(y, dtype=np.float32)


def load(args, path, meta):
    ids = seqsent_ids(args.seqsent, args.model, path, args.maxlen)
    y = read_labels(path, meta["labels"])
    if len(y) != len(ids):
        raise SystemExit("%s: %d labels but seqsent gave %d token lines" % (path, len(y), len(ids)))
    return torch.from_numpy(ids), torch.from_numpy(y)


def make_twin_class():
    class Twin(nn.Module):
        def __init__(self, emb, hidden=128, trainable=False, vocab=None, dim=300):
            super().__init__()
            if emb is not None and not trainable:
                self.emb = nn.Embedding.from_pretrained(torch.from_numpy(emb), freeze=True)
            else:
                v, e = (emb.shape if emb is not None else (vocab, dim))
                self.emb = nn.Embedding(v, e)
                with torch.no_grad():
                    self.emb.weight.uniform_(-0.05, 0.05)
            e = self.emb.weight.shape[1]
            self.l1 = nn.LSTM(e, hidden, batch_first=True)
            self.l2 = nn.LSTM(hidden, hidden, batch_first=True)
            self.out = nn.Linear(hidden, 1)
            for lstm in (self.l1, self.l2):
                nn.init.xavier_uniform_(lstm.weight_ih_l0)      # [4H, C]: fans C and 4H as Keras's [C, 4H]
                nn.init.orthogonal_(lstm.weight_hh_l0)
                nn.init.zeros_(lstm.bias_ih_l0)
                nn.init.zeros_(lstm.bias_hh_l0)
                with torch.no_grad():
                    lstm.bias_ih_l0[hidden:2 * hidden] = 1.0     # unit_forget_bias
            nn.init.xavier_uniform_(self.out.weight)
            nn.init.zeros_(self.out.bias)

        def forward(self, ids):
            x = self.emb(ids)
            x, _ = self.l1(x)
            x, _ = self.l2(x)
            return self.out(x[:, -1, :]).squeeze(1)
    return Twin


def emit(**kw):
    print(json.dumps(kw), flush=True)


def accuracy(net, X, y, batch=256):
    net.eval()
    correct, loss, lf = 0, 0.0, nn.BCEWithLogitsLoss(reduction="sum")
    with torch.no_grad():
        for s in range(0, len(X), batch):
            z = net(X[s:s + batch])
            loss += lf(z, y[s:s + batch]).item()
            correct += ((z >= 0).float() == y[s:s + batch]).sum().item()
    net.train()
    return correct / max(1, len(X)), loss / max(1, len(X))


def cmd_train(args):
    meta, t = read_ssm(args.model)
    Xtr, ytr = load(args, args.train, meta)
    Xte = yte = None
    if args.test:
        Xte, yte = load(args, args.test, meta)
    torch.manual_seed(args.seed)
    emb = t.get("embedding")
    net = Twin(emb, trainable=args.trainable)
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=1e-3,
                           betas=(0.9, 0.999), eps=1e-7)
    lossf = nn.BCEWithLogitsLoss()
    g = torch.Generator().manual_seed(args.seed)
    n, B = len(Xtr), args.batch
    total_samples, total_secs, done_batches = 0, 0.0, 0
    for ep in range(1, args.epochs + 1):
        order = torch.randperm(n, generator=g)
        sum_loss, correct, seen = 0.0, 0, 0
        t0 = time.perf_counter()
        for s in range(0, n, B):
            if args.max_batches and done_batches >= args.max_batches:
                break
            idx = order[s:s + B]
            xb, yb = Xtr[idx], ytr[idx]
            opt.zero_grad(set_to_none=True)
            z = net(xb)
            loss = lossf(z, yb)
            loss.backward()
            opt.step()
            sum_loss += loss.item() * len(idx)
            correct += ((z.detach() >= 0).float() == yb).sum().item()
            seen += len(idx)
            done_batches += 1
        secs = time.perf_counter() - t0
        total_samples += seen
        total_secs += secs
        rec = dict(mode="train", epoch=ep, samples=seen, seconds=round(secs, 4),
                   samples_per_second=round(seen / secs, 2) if secs > 0 else None,
                   loss=round(sum_loss / max(1, seen), 5), accuracy=round(correct / max(1, seen), 5),
                   threads=torch.get_num_threads(), batch=B, maxlen=args.maxlen)
        emit(**rec)
        if args.max_batches and done_batches >= args.max_batches:
            break
    summary = dict(mode="train_summary", samples=total_samples, seconds=round(total_secs, 4),
                   samples_per_second=round(total_samples / total_secs, 2) if total_secs > 0 else None,
                   epochs=ep, threads=torch.get_num_threads(),
                   blas_threads=int(os.environ["OPENBLAS_NUM_THREADS"]), torch=torch.__version__)
    if Xte is not None:
        acc, tl = accuracy(net, Xte, yte)
        summary.update(test_accuracy=round(acc, 5), test_loss=round(tl, 5), test_n=len(Xte))
    emit(**summary)


def cmd_check(args):
    """Load seqsent's trained weights into the twin and score a file: the same accuracy and
    loss as `seqsent eval` shows that ids, layout and arithmetic of the two sides agree."""
    meta, t = read_ssm(args.model)
    X, y = load(args, args.data, meta)
    net = Twin(t["embedding"])
    H = net.l1.hidden_size
    with torch.no_grad():
        for l, lstm in enumerate((net.l1, net.l2)):
            lstm.weight_ih_l0.copy_(torch.from_numpy(t["lstm.%d.W" % l]).t())   # [C,4H] -> [4H,C]
            lstm.weight_hh_l0.copy_(torch.from_numpy(t["lstm.%d.U" % l]).t())
            lstm.bias_ih_l0.copy_(torch.from_numpy(t["lstm.%d.b" % l]))
            lstm.bias_hh_l0.zero_()
        net.out.weight.copy_(torch.from_numpy(t["dense.W"]).t())
        net.out.bias.copy_(torch.from_numpy(t["dense.b"]))
    acc, loss = accuracy(net, X, y)
    emit(mode="check", samples=len(X), accuracy=round(acc, 6), loss=round(loss, 6), hidden=H)


def cmd_infer(args):
    meta, t = read_ssm(args.model)
    X, y = load(args, args.data, meta)
    torch.manual_seed(args.seed)
    net = Twin(t.get("embedding"))   # weights do not matter for speed: same shapes
    net.eval()
    best = None
    with torch.no_grad():
        net(X[:args.batch])          # warm-up
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            for s in range(0, len(X), args.batch):
                net(X[s:s + args.batch])
            secs = time.perf_counter() - t0
            best = secs if best is None or secs < best else best
    emit(mode="infer", samples=len(X), seconds=round(best, 4), samples_per_second=round(len(X) / best, 2),
         batch=args.batch, threads=torch.get_num_threads(), maxlen=args.maxlen, repeats=args.repeat)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("train", "infer", "check"):
        p = sub.add_parser(name)
        p.add_argument("-m", "--model", required=True, help="seqsent model (.ssm): vocabulary + embedding")
        p.add_argument("--seqsent", default=os.environ.get("SEQSENT", "./seqsent"))
        p.add_argument("--maxlen", type=int, default=None, help="default: the model's")
        p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--blas-threads", type=int, default=0,
                       help="OPENBLAS_NUM_THREADS for torch's BLAS calls (default: --threads)")
    p = sub.choices["train"]
    p.add_argument("--train", required=True)
    p.add_argument("--test")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--max-batches", type=int, default=0, help="stop after this many batches (0: whole epochs)")
    p.add_argument("--trainable", action="store_true", help="trainable, randomly initialised embedding")
    p = sub.choices["infer"]
    p.add_argument("--data", required=True)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--repeat", type=int, default=1, help="time this many passes, report the fastest")
    sub.choices["check"].add_argument("--data", required=True)
    args = ap.parse_args()
    # torch.set_num_threads does not reach the OpenBLAS that Debian's torch calls for its
    # GEMMs; its pthreads pool would run beside torch's own threads (measured ~20% slower
    # at set_num_threads(1)), so it gets the same thread count unless told otherwise.
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.blas_threads or args.threads)
    global torch, nn, Twin
    import torch as _torch
    import torch.nn as _nn
    torch, nn = _torch, _nn
    Twin = make_twin_class()
    torch.set_num_threads(args.threads)
    if args.maxlen is None:
        args.maxlen = read_ssm(args.model)[0]["sequence"]["maxlen"]
    {"train": cmd_train, "infer": cmd_infer, "check": cmd_check}[args.cmd](args)


if __name__ == "__main__":
    main()
