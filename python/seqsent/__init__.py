"""seqsent - classify text with a trained seqsent model from Python.

Pure Python over the shared library libseqsent.so (the C API in
include/seqsent.h) with ctypes: no compiler needed.

    import seqsent
    m = seqsent.Model("m.ssm")
    m.predict(["great film", "dull"])        # [(label, probability), ...]
    m.predict(texts, top_k=2)                # [[(label, p), (label, p)], ...]
    m.predict(texts, all=True)               # [{label: p, ...}, ...]
    m.encode(texts)                          # sentence vectors [n, m.dim]
    m.labels, m.info, m.kind, m.maxlen, m.dim, m.multilabel

A multi-label model (trained on rows with several labels) gives every label
its own probability (independent sigmoids: a row need not sum to 1), and
predict() returns the list of (label, probability) with probability >=
threshold (0.5) per text.

Vectors are numpy arrays (float32) when numpy can be imported, lists of
lists of floats otherwise.  Failures raise seqsent.Error with the library's
message.  The library is found through the SEQSENT_LIB environment variable
(a path to libseqsent.so), next to this package, or by the system loader.
A Model may be used from several threads at once (the C calls release the
GIL).
"""

import ctypes
import ctypes.util
import json
import os

__all__ = ["Model", "Error", "version", "library_path"]

try:
    import numpy as _np
except ImportError:  # numpy is optional
    _np = None


class Error(Exception):
    """A failure reported by libseqsent (the message is the library's)."""


_ERRLEN = 1024


def _candidates():
    env = os.environ.get("SEQSENT_LIB")
    if env:
        yield env
        return
    try:   # installed by make install: the library installed with it
        from . import _installed
        yield _installed.LIBRARY
    except ImportError:
        pass
    here = os.path.dirname(os.path.abspath(__file__))
    for d in (here, os.path.dirname(here)):
        for name in ("libseqsent.so", "libseqsent.so.0"):
            p = os.path.join(d, name)
            if os.path.exists(p):
                yield p
    found = ctypes.util.find_library("seqsent")
    if found:
        yield found
    yield "libseqsent.so.0"
    yield "libseqsent.so"


def _load():
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            errors.append("%s: %s" % (path, e))
    raise ImportError("seqsent: cannot load libseqsent.so (set SEQSENT_LIB): " + "; ".join(errors))


_lib, library_path = _load()

_c = ctypes
_texts_t = _c.POINTER(_c.c_char_p)
_sigs = {
    "seqsent_version": (_c.c_char_p, []),
    "seqsent_api_version": (_c.c_int, []),
    "seqsent_open": (_c.c_void_p, [_c.c_char_p, _c.c_char_p, _c.c_size_t]),
    "seqsent_close": (None, [_c.c_void_p]),
    "seqsent_num_labels": (_c.c_int, [_c.c_void_p]),
    "seqsent_label": (_c.c_char_p, [_c.c_void_p, _c.c_int]),
    "seqsent_kind": (_c.c_char_p, [_c.c_void_p]),
    "seqsent_multilabel": (_c.c_int, [_c.c_void_p]),
    "seqsent_maxlen": (_c.c_int, [_c.c_void_p]),
    "seqsent_dim": (_c.c_int, [_c.c_void_p]),
    "seqsent_metadata": (_c.c_char_p, [_c.c_void_p]),
    "seqsent_predict_threshold": (_c.c_int, [_c.c_void_p, _texts_t, _c.c_size_t, _c.c_double,
                                             _c.POINTER(_c.c_int), _c.POINTER(_c.c_double),
                                             _c.c_char_p, _c.c_size_t]),
    "seqsent_encode": (_c.c_int, [_c.c_void_p, _texts_t, _c.c_size_t, _c.POINTER(_c.c_float),
                                  _c.c_char_p, _c.c_size_t]),
}
for _name, (_res, _args) in _sigs.items():
    _f = getattr(_lib, _name)
    _f.restype = _res
    _f.argtypes = _args


def _str(b):
    return b.decode("utf-8", "replace") if b is not None else None


def version():
    """The library's version string."""
    return _str(_lib.seqsent_version())


def _as_bytes(t):
    if isinstance(t, bytes):
        return t
    if isinstance(t, str):
        return t.encode("utf-8", "surrogateescape")
    raise TypeError("seqsent: texts must be str or bytes, not %s" % type(t).__name__)


def _text_array(texts):
    enc = [_as_bytes(t) for t in texts]
    arr = (_c.c_char_p * max(len(enc), 1))(*enc)
    return arr, len(enc)


def _by_probability(row):
    """Label indices by probability, most probable first; stable: ties in
    label order, as the CLI."""
    return sorted(range(len(row)), key=lambda j: -row[j])


class Model(object):
    """A trained seqsent model file (`seqsent train` or `seqsent ensemble`)."""

    def __init__(self, path):
        self._h = None
        err = _c.create_string_buffer(_ERRLEN)
        h = _lib.seqsent_open(os.fsencode(path), err, _ERRLEN)
        if not h:
            raise Error(_str(err.value))
        self._h = h
        self.path = path
        n = _lib.seqsent_num_labels(h)
        self.labels = [_str(_lib.seqsent_label(h, i)) for i in range(n)]
        self.kind = _str(_lib.seqsent_kind(h))
        self.multilabel = bool(_lib.seqsent_multilabel(h))
        self.maxlen = _lib.seqsent_maxlen(h)
        self.dim = _lib.seqsent_dim(h)
        self.info = json.loads(_str(_lib.seqsent_metadata(h)))

    def close(self):
        """Free the model (further calls raise seqsent.Error)."""
        if self._h:
            _lib.seqsent_close(self._h)
            self._h = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _handle(self):
        if not self._h:
            raise Error("model is closed")
        return self._h

    def predict_proba(self, texts, threshold=0.5):
        """(label indices, probabilities [n][labels]) of a list of texts."""
        h = self._handle()
        arr, n = _text_array(texts)
        L = len(self.labels)
        labels = (_c.c_int * max(n, 1))()
        probs = (_c.c_double * max(n * L, 1))()
        err = _c.create_string_buffer(_ERRLEN)
        if _lib.seqsent_predict_threshold(h, arr, n, float(threshold), labels, probs, err, _ERRLEN) < 0:
            raise Error(_str(err.value))
        return list(labels[:n]), [list(probs[i * L:(i + 1) * L]) for i in range(n)]

    def predict(self, texts, top_k=None, all=False, threshold=0.5):
        """Classify texts (a list; a single str gives a single result).

        Default: (label, probability) per text, as `seqsent predict`.
        top_k=K: the K most probable (label, probability) pairs per text,
        most probable first.  all=True: {label: probability} per text.
        threshold: the decision of a binary model (second label when p >= it).

        A multi-label model (self.multilabel) gives each label an independent
        probability (a row need not sum to 1): by default a list per text of
        the (label, probability) pairs with probability >= threshold, most
        probable first (empty when none is), as `seqsent predict` prints.
        """
        single = isinstance(texts, (str, bytes))
        if single:
            texts = [texts]
        idx, probs = self.predict_proba(texts, threshold)
        L = self.labels
        if all:
            out = [dict(zip(L, row)) for row in probs]
        elif top_k:
            k = min(int(top_k), len(L))
            out = []
            for row in probs:
                out.append([(L[j], row[j]) for j in _by_probability(row)[:k]])
        elif self.multilabel:
            out = []
            for row in probs:
                out.append([(L[j], row[j]) for j in _by_probability(row) if row[j] >= threshold])
        else:
            out = [(L[i], row[i]) for i, row in zip(idx, probs)]
        return out[0] if single else out

    def encode(self, texts):
        """Sentence vectors (the encoder's pooled features) [n, self.dim]."""
        h = self._handle()
        single = isinstance(texts, (str, bytes))
        if single:
            texts = [texts]
        arr, n = _text_array(texts)
        D = self.dim
        err = _c.create_string_buffer(_ERRLEN)
        if _np is not None:
            out = _np.zeros((n, D), dtype=_np.float32)
            ptr = out.ctypes.data_as(_c.POINTER(_c.c_float))
            if _lib.seqsent_encode(h, arr, n, ptr, err, _ERRLEN) < 0:
                raise Error(_str(err.value))
            return out[0] if single else out
        buf = (_c.c_float * max(n * D, 1))()
        if _lib.seqsent_encode(h, arr, n, buf, err, _ERRLEN) < 0:
            raise Error(_str(err.value))
        out = [list(buf[i * D:(i + 1) * D]) for i in range(n)]
        return out[0] if single else out

    def __repr__(self):
        return "seqsent.Model(%r, kind=%r, labels=%r)" % (getattr(self, "path", None), getattr(self, "kind", None),
                                                         getattr(self, "labels", None))
