"""Score an rbm machine export with NumPy, from its initializers and
metadata alone, following the conventions export/doc.go pins (not the
file's graph): a reference implementation of the file format.

Usage: /usr/bin/python3 machine_reference.py MODEL.onnx INPUT.bin ROWS COLS

INPUT.bin holds ROWS×COLS little-endian float64 values, row-major. The
output is one JSON object {"outputs": {NAME: {"dims": [...], "data": [...]}}}
on stdout, like run.js, with free_energy, hidden and (unless the visible
units are relu or drelu) reconstruction, computed in float64.
"""

import json
import math
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def logsumexp_units(x, q):
    """Σ over units of log Σ_a exp(x_a), per row, for one-hot units of q states."""
    n = x.shape[0]
    z = x.reshape(n, -1, q)
    m = z.max(axis=2, keepdims=True)
    return (np.log(np.exp(z - m).sum(axis=2)) + m[:, :, 0]).sum(axis=1)


def softmax_units(x, q):
    n = x.shape[0]
    z = x.reshape(n, -1, q)
    e = np.exp(z - z.max(axis=2, keepdims=True))
    return (e / e.sum(axis=2, keepdims=True)).reshape(n, -1)


def softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def log2cosh(x):
    a = np.abs(x)
    return a + np.log1p(np.exp(-2 * a))


def main(argv):
    if len(argv) != 4:
        print("usage: machine_reference.py MODEL.onnx INPUT.bin ROWS COLS", file=sys.stderr)
        return 2
    path, inp, rows, cols = argv[0], argv[1], int(argv[2]), int(argv[3])
    model = onnx.load(path)
    props = {p.key: p.value for p in model.metadata_props}
    # A binary RBM's export is the binary one, without the layer keys.
    vk, hk = props.get("rbm.visible_layer", "binary"), props.get("rbm.hidden_layer", "binary")
    p = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer
         if t.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE)}
    v = np.fromfile(inp, dtype="<f8").reshape(rows, cols)
    W, b, c = p["W"], p["b"][0], p["c"][0]
    qv, qh = int(props.get("rbm.states", "0")), int(props.get("rbm.hidden_states", "0"))

    # Visible energy and the hidden field Wᵀv.
    if vk == "gaussian":
        sigma = p["sigma"][0]
        energy = (((v - b) / sigma) ** 2).sum(axis=1) / 2
        field = (v / sigma**2) @ W  # Cho, Raiko & Ilin: W holds diag(σ²)·W
    elif vk == "relu":
        energy = (p["precision"][0] * v**2).sum(axis=1) / 2 - v @ b
        field = v @ W
    elif vk == "drelu":
        pos, neg = np.maximum(v, 0), np.minimum(v, 0)
        quad = p["precision_pos"][0] * pos**2 + p["precision_neg"][0] * neg**2
        energy = quad.sum(axis=1) / 2 - v @ b + np.abs(v) @ p["kink"][0]
        field = v @ W
    else:  # binary, spin (±1), potts (one-hot)
        energy = -(v @ b)
        field = v @ W

    # Hidden log-partition and means.
    if hk == "gaussian":
        s = p["sigma_hidden"][0]
        gamma = (c * field + s**2 * field**2 / 2 + np.log(s) + 0.5 * math.log(2 * math.pi)).sum(axis=1)
        hidden = c + s**2 * field
    else:
        x = c + field
        if hk == "binary":
            gamma, hidden = softplus(x).sum(axis=1), 1 / (1 + np.exp(-x))
        elif hk == "spin":
            gamma, hidden = log2cosh(x).sum(axis=1), np.tanh(x)
        elif hk == "potts":
            gamma, hidden = logsumexp_units(x, qh), softmax_units(x, qh)
        else:
            raise ValueError(f"{path}: hidden units {hk!r} have no reference")
    out = {"free_energy": (energy - gamma).reshape(rows, 1), "hidden": hidden}

    # Reconstruction E[v|h] at h = E[h|v].
    y = hidden @ W.T + b
    if vk == "binary":
        out["reconstruction"] = 1 / (1 + np.exp(-y))
    elif vk == "spin":
        out["reconstruction"] = np.tanh(y)
    elif vk == "potts":
        out["reconstruction"] = softmax_units(y, qv)
    elif vk == "gaussian":
        out["reconstruction"] = y  # b + σ²(W h) = b + W'h

    res = {name: {"dims": list(a.shape), "data": a.reshape(-1).tolist()} for name, a in out.items()}
    json.dump({"outputs": res}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
