"""Export RBM free-energy graphs from PyTorch, as a PyTorch user writes them.

Usage: /usr/bin/python3 torch_rbm.py OUTDIR DATA [--hidden H] [--rows N] [--seed S]

DATA is an IDX file of images (gzip or not), such as
testdata/mnist-test-500-images-idx3-ubyte.gz; its pixels are binarised as
rbm does by default (value/255 >= 1/2). One random binary RBM (seeded) is
written with torch.onnx.export, batch dimension dynamic, in each of the
spellings below at opsets 11, 13 and 17, as OUTDIR/SPELLING_opsetK.onnx.
OUTDIR/torch_outputs.json then holds PyTorch's own outputs on the first N
rows of DATA: {"rows": N, "visible": V, "hidden": H, "graphs": {FILE:
{"outputs": {NAME: [row-major values]}}}}.
"""

import argparse
import gzip
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from torch import nn

OPSETS = (11, 13, 17)


def read_idx_images(path):
    """Return the images of an unsigned-byte IDX file as an [N, rows*cols] array."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[:3] != b"\x00\x00\x08":
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    return data.reshape(dims[0], -1)


def binarise(images):
    """Threshold at one half of the range, as rbm's default --binarize."""
    return (images.astype(np.float64) / 255.0 >= 0.5).astype(np.float32)


class MatMulSoftplus(nn.Module):
    """F = -(v@b)[:,None] - softplus(v@W + c).sum(1, keepdim=True), W [V,H]."""

    def __init__(self, W, b, c):
        super().__init__()
        self.W, self.b, self.c = nn.Parameter(W), nn.Parameter(b), nn.Parameter(c)

    def forward(self, v):
        return -(v @ self.b)[:, None] - F.softplus(v @ self.W + self.c).sum(1, keepdim=True)


class LinearLog1p(nn.Module):
    """linear(v, W, h_bias), log1p(exp(.)) and v.mv(v_bias), W [H,V]."""

    def __init__(self, W, b, c):
        super().__init__()
        self.W = nn.Parameter(W.t().contiguous())
        self.v_bias, self.h_bias = nn.Parameter(b), nn.Parameter(c)

    def forward(self, v):
        hidden_term = torch.log1p(torch.exp(F.linear(v, self.W, self.h_bias))).sum(1, keepdim=True)
        return -v.mv(self.v_bias)[:, None] - hidden_term


class StableWithProbs(nn.Module):
    """nn.Linear, softplus as relu(x) + log1p(exp(-|x|)), a free energy of
    shape [N], and p(h|v) and a reconstruction p(v|h) as further outputs."""

    def __init__(self, W, b, c):
        super().__init__()
        self.linear = nn.Linear(W.shape[0], W.shape[1])
        with torch.no_grad():
            self.linear.weight.copy_(W.t())
            self.linear.bias.copy_(c)
        self.b = nn.Parameter(b)

    def forward(self, v):
        pre = self.linear(v)
        softplus = torch.relu(pre) + torch.log1p(torch.exp(-torch.abs(pre)))
        free_energy = -(v * self.b).sum(dim=1) - softplus.sum(dim=1)
        hidden = torch.sigmoid(pre)
        reconstruction = torch.sigmoid(hidden @ self.linear.weight + self.b)
        return free_energy, hidden, reconstruction


class TransposedReshaped(nn.Module):
    """Transposes, a reshaped bias, Squeeze, Mul, Div and Reshape, W [V,H]."""

    def __init__(self, W, b, c):
        super().__init__()
        self.W, self.b, self.c = nn.Parameter(W), nn.Parameter(b), nn.Parameter(c)

    def forward(self, v):
        act = (self.W.t() @ v.t()).t() + self.c
        visible_term = (v @ self.b.reshape(-1, 1)).squeeze(1)
        free_energy = -(visible_term + F.softplus(act).sum(1)) * 2.0 / 2.0
        return free_energy.reshape(-1, 1)


# Each spelling: its module, its input's name and its outputs' names (None:
# PyTorch's own, such as "13").
SPELLINGS = {
    "matmul_softplus": (MatMulSoftplus, ["v"], ["free_energy"]),
    "linear_log1p": (LinearLog1p, ["input"], None),
    "stable_with_probs": (StableWithProbs, ["v"], ["free_energy", "hidden", "reconstruction"]),
    "transposed_reshaped": (TransposedReshaped, ["x"], ["energy"]),
}


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("outdir")
    p.add_argument("data")
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--rows", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)

    v = torch.from_numpy(binarise(read_idx_images(args.data))[: args.rows])
    visible = v.shape[1]
    torch.manual_seed(args.seed)
    W = 0.05 * torch.randn(visible, args.hidden)
    b = -1.0 + 0.5 * torch.randn(visible)
    c = 0.5 * torch.randn(args.hidden)

    os.makedirs(args.outdir, exist_ok=True)
    report = {"rows": int(v.shape[0]), "visible": visible, "hidden": args.hidden, "graphs": {}}
    for name, (cls, input_names, output_names) in SPELLINGS.items():
        model = cls(W.clone(), b.clone(), c.clone()).eval()
        with torch.no_grad():
            outs = model(v)
        if not isinstance(outs, tuple):
            outs = (outs,)
        for opset in OPSETS:
            path = os.path.join(args.outdir, f"{name}_opset{opset}.onnx")
            names = output_names or []
            torch.onnx.export(
                model,
                (v[:2],),
                path,
                opset_version=opset,
                input_names=input_names,
                output_names=output_names,
                dynamic_axes={n: {0: "batch"} for n in input_names + names},
            )
            # The names PyTorch gave the outputs it was not told to name.
            written = [o.name for o in onnx.load(path).graph.output]
            report["graphs"][os.path.basename(path)] = {
                "opset": opset,
                "outputs": {written[i]: o.double().flatten().tolist() for i, o in enumerate(outs)},
            }
    with open(os.path.join(args.outdir, "torch_outputs.json"), "w") as f:
        json.dump(report, f)
    print(f"wrote {len(report['graphs'])} graphs ({len(SPELLINGS)} spellings at opsets {', '.join(map(str, OPSETS))}) "
          f"of a {visible}x{args.hidden} RBM to {args.outdir}, PyTorch's outputs on {report['rows']} rows to torch_outputs.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
