#!/usr/bin/python3
"""Python side of the rbm benchmark harness (see bench/README.md).

Subcommands:
  sklearn   train scikit-learn's BernoulliRBM, timing each epoch
  torch     train a PyTorch CD-1 loop that mirrors rbm's trainer
  evaluate  score a model (W.npy, b.npy, c.npy) on the test set
  features  time feature extraction p(h|v) of a peer on the test set
  report    print the results table from the JSON files of a run

Every trainer writes its parameters as W.npy (V×H), b.npy, c.npy, so that
`evaluate` scores all three tools with the same NumPy code, and a JSON-lines
log with one {"epoch", "seconds"} object per epoch.
"""

import argparse
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np


def load_images(path, limit=0):
    """Read an IDX image file (gzipped or not) as rows of 0/1 float32,
    thresholded like rbm's default: value/255 >= 0.5."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    if magic != 0x803:
        sys.exit(f"{path}: not an IDX file of unsigned bytes with 3 dimensions (magic {magic:#x})")
    n, rows, cols = (int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
    x = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows * cols)
    if limit:
        x = x[:limit]
    return (x.astype(np.float64) / 255.0 >= 0.5).astype(np.float32)


def write_log(path, epoch_seconds):
    with open(path, "w") as f:
        for e, s in enumerate(epoch_seconds, 1):
            f.write(json.dumps({"epoch": e, "seconds": s}) + "\n")


def save_params(out, W, b, c):
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "W.npy"), np.asarray(W, dtype=np.float32))
    np.save(os.path.join(out, "b.npy"), np.asarray(b, dtype=np.float32))
    np.save(os.path.join(out, "c.npy"), np.asarray(c, dtype=np.float32))


def train_sklearn(a):
    from sklearn.neural_network import BernoulliRBM
    x = load_images(a.train, a.limit).astype(a.dtype)
    model = BernoulliRBM(n_components=a.hidden, learning_rate=a.lr, batch_size=a.batch,
                         n_iter=1, random_state=a.seed)
    # fit() re-initialises the model, so an epoch is a pass of partial_fit
    # over the same even slices fit() uses (it does not shuffle either).
    n_batches = int(np.ceil(x.shape[0] / a.batch))
    bounds = np.linspace(0, x.shape[0], n_batches + 1).astype(int)
    times = []
    for epoch in range(a.epochs):
        start = time.perf_counter()
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            model.partial_fit(x[lo:hi])
        times.append(time.perf_counter() - start)
        print(f"sklearn epoch {epoch + 1}/{a.epochs}: {times[-1]:.3f} s", file=sys.stderr)
    save_params(a.out, model.components_.T, model.intercept_visible_, model.intercept_hidden_)
    write_log(a.log, times)


def require_fast_blas(torch):
    """Exits unless PyTorch's products run on an optimised BLAS. Debian's
    python3-torch is built with BLAS_INFO=generic and calls whatever
    libblas.so.3 the alternatives system points to: the reference BLAS
    unless OpenBLAS (or BLIS, MKL) is installed, which made a CD-1 epoch
    6.4 times slower here (5.50 s against 0.86 s, 2026-12-02) and would
    turn any comparison into one against a crippled peer."""
    torch.rand(2, 2) @ torch.rand(2, 2)  # loads the BLAS
    with open("/proc/self/maps") as f:
        maps = f.read()
    if not any(lib in maps for lib in ("openblas", "blis", "mkl")):
        sys.exit("peers.py: PyTorch would multiply with the reference BLAS, several times slower than "
                 "an optimised one: apt-get install -y libopenblas0-pthread (python3-sklearn pulls it in)")


def train_torch(a):
    """CD-1 with the settings of rbm train's defaults: weights from
    N(0, 0.01²), visible biases at the data's smoothed log-odds, momentum
    0.5 for 5 epochs then 0.9, weight decay 2e-4 on W, gradients averaged
    over the batch, rows shuffled every epoch."""
    import torch
    require_fast_blas(torch)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x = torch.from_numpy(load_images(a.train, a.limit))
    n, v = x.shape
    h = a.hidden
    p = (x.sum(0).double() + 1) / (n + 2)
    W = torch.randn(v, h) * 0.01
    b = torch.log(p / (1 - p)).float()
    c = torch.zeros(h)
    vW, vb, vc = torch.zeros_like(W), torch.zeros_like(b), torch.zeros_like(c)
    gen = torch.Generator().manual_seed(a.seed)
    times = []
    with torch.no_grad():
        for epoch in range(a.epochs):
            mom = 0.5 if epoch < 5 else 0.9
            start = time.perf_counter()
            perm = torch.randperm(n, generator=gen)
            for lo in range(0, n, a.batch):
                v0 = x[perm[lo:lo + a.batch]]
                rows = v0.shape[0]
                h0 = torch.sigmoid(torch.addmm(c, v0, W))
                hs = torch.bernoulli(h0, generator=gen)
                vp = torch.sigmoid(torch.addmm(b, hs, W.t()))
                vs = torch.bernoulli(vp, generator=gen)
                hp = torch.sigmoid(torch.addmm(c, vs, W))
                gW = torch.mm(v0.t(), h0).sub_(torch.mm(vs.t(), hp))
                vW.mul_(mom).add_(gW.div_(rows).sub_(W, alpha=a.weight_decay), alpha=a.lr)
                vb.mul_(mom).add_((v0 - vs).sum(0), alpha=a.lr / rows)
                vc.mul_(mom).add_((h0 - hp).sum(0), alpha=a.lr / rows)
                W.add_(vW)
                b.add_(vb)
                c.add_(vc)
            times.append(time.perf_counter() - start)
            print(f"torch epoch {epoch + 1}/{a.epochs}: {times[-1]:.3f} s", file=sys.stderr)
    save_params(a.out, W.numpy(), b.numpy(), c.numpy())
    write_log(a.log, times)


def softplus(z):
    return np.logaddexp(0.0, z)


def evaluate_params(W, b, c, x):
    """Mean pseudo-log-likelihood (the full sum over every visible unit,
    as rbm's PseudoLogLikelihood defines it: Σᵢ -softplus(F(v) - F(ṽᵢ)))
    and mean squared reconstruction error ‖v - σ(σ(vW+c)Wᵀ+b)‖², in float64."""
    W, b, c, x = (np.asarray(t, dtype=np.float64) for t in (W, b, c, x))
    v, h = W.shape
    chunk = max(1, 4_000_000 // (v * h))
    pll = 0.0
    for lo in range(0, x.shape[0], chunk):
        xc = x[lo:lo + chunk]
        act = xc @ W + c                                   # B×H
        base = softplus(act).sum(1)                        # B
        d = 1.0 - 2.0 * xc                                 # ṽᵢ - vᵢ, B×V
        flipped = act[:, None, :] + d[:, :, None] * W[None, :, :]
        diff = b[None, :] * d + softplus(flipped).sum(2) - base[:, None]
        pll -= softplus(diff).sum()
    hid = 1 / (1 + np.exp(-(x @ W + c)))
    rec = 1 / (1 + np.exp(-(hid @ W.T + b)))
    recon = ((x - rec) ** 2).sum(1).mean()
    return pll / x.shape[0], recon


def evaluate(a):
    x = load_images(a.test, a.limit)
    W, b, c = (np.load(os.path.join(a.model, f)) for f in ("W.npy", "b.npy", "c.npy"))
    start = time.perf_counter()
    pll, recon = evaluate_params(W, b, c, x)
    res = {"rows": int(x.shape[0]), "pseudo_log_lik": pll, "recon_error": recon,
           "eval_seconds": time.perf_counter() - start}
    print(json.dumps(res))


def features(a):
    x = load_images(a.test)
    W, b, c = (np.load(os.path.join(a.model, f)) for f in ("W.npy", "b.npy", "c.npy"))
    best = float("inf")
    if a.tool == "torch":
        import torch
        require_fast_blas(torch)
        torch.set_num_threads(a.threads)
        xt, Wt, ct = torch.from_numpy(x), torch.from_numpy(W), torch.from_numpy(c)
        with torch.no_grad():
            for _ in range(a.repeat):
                start = time.perf_counter()
                torch.sigmoid(torch.addmm(ct, xt, Wt))
                best = min(best, time.perf_counter() - start)
    else:
        from sklearn.neural_network import BernoulliRBM
        model = BernoulliRBM(n_components=W.shape[1])
        model.components_ = W.T.astype(np.float64)
        model.intercept_hidden_ = c.astype(np.float64)
        model.intercept_visible_ = b.astype(np.float64)
        xd = x.astype(np.float64)
        for _ in range(a.repeat):
            start = time.perf_counter()
            model.transform(xd)
            best = min(best, time.perf_counter() - start)
    print(json.dumps({"rows": int(x.shape[0]), "seconds": best, "rows_per_second": x.shape[0] / best}))


def read_log(path):
    with open(path) as f:
        return [json.loads(line)["seconds"] for line in f if line.strip()]


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def report(a):
    """Print the side-by-side tables of one run directory as Markdown."""
    d = a.dir
    meta = read_json(os.path.join(d, "meta.json")) or {}
    print(f"Run: {meta.get('date', '?')}, {meta.get('train_rows', '?')} training rows, "
          f"{meta.get('epochs', '?')} epochs, batch {meta.get('batch', '?')}, "
          f"{meta.get('threads', '?')} threads per tool (PyTorch: the faster of 1 and "
          f"{meta.get('threads', '?')}); CPU: {meta.get('cpu', '?')}")
    print()
    for hidden in meta.get("hidden_sizes", [64]):
        # The FLOP limit: five products of 2·batch·V·H flops per step, at
        # the peak float32 FMA rate the BENCHMARKS.md machine section states.
        rows = meta.get("train_rows", 60000)
        flops = 5 * 2 * rows * 784 * hidden
        peak = meta.get("peak_gflops_per_core", 97.0) * meta.get("threads", 2)
        limit = flops / (peak * 1e9)
        print(f"### CD-1 epoch, 784×{hidden}, batch {meta.get('batch', 100)}")
        print()
        print("| tool | s/epoch (median) | ratio to rbm | × FLOP limit | test pseudo-log-lik | test recon error |")
        print("|---|---|---|---|---|---|")
        base = None
        for tool in ("rbm", "torch", "sklearn"):
            log = os.path.join(d, f"{tool}-{hidden}.log")
            if not os.path.exists(log):
                continue
            secs = read_log(log)
            med = statistics.median(secs)
            if tool == "rbm":
                base = med
            ratio = f"{med / base:.2f}" if base else "–"
            q = read_json(os.path.join(d, f"{tool}-{hidden}-eval.json")) or {}
            pll = f"{q['pseudo_log_lik']:.2f}" if "pseudo_log_lik" in q else "not run"
            rec = f"{q['recon_error']:.2f}" if "recon_error" in q else "not run"
            label = tool
            threads = os.path.join(d, f"{tool}-{hidden}.threads")
            if os.path.exists(threads):
                n = open(threads).read().strip()
                label += f" ({n} thread{'' if n == '1' else 's'})"
            print(f"| {label} | {med:.3f} | {ratio} | {med / limit:.2f} | {pll} | {rec} |")
        print()
        print(f"FLOP limit at {peak:.0f} GFLOP/s: {limit:.3f} s per epoch ({flops / 1e9:.1f} GFLOP).")
        print()
    feats = [(t, read_json(os.path.join(d, f"{t}-features.json"))) for t in ("rbm", "torch", "sklearn")]
    if any(r for _, r in feats):
        print("### Feature extraction p(h|v), test set, 784×64")
        print()
        print("| tool | rows/s |")
        print("|---|---|")
        for t, r in feats:
            if r:
                print(f"| {t} | {r['rows_per_second']:,.0f} |")
        print()
    for name, title in (("logz-exact", "Exact log Z, 784×20"), ("logz-ais", "AIS log Z, 784×500")):
        r = read_json(os.path.join(d, f"{name}.json"))
        print(f"### {title}")
        print()
        if r is None:
            print("not run (see the harness output)")
        else:
            extra = f", {r.get('runs')} runs × {r.get('steps')} β" if r.get("runs") else ""
            print(f"log Z = {r.get('log_z')}{extra}; {r.get('wall_seconds', r.get('seconds')):.2f} s")
        print()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("sklearn", "torch"):
        s = sub.add_parser(name)
        s.add_argument("--train", required=True)
        s.add_argument("--hidden", type=int, default=64)
        s.add_argument("--epochs", type=int, default=10)
        s.add_argument("--batch", type=int, default=100)
        s.add_argument("--lr", type=float, default=0.1)
        s.add_argument("--weight-decay", type=float, default=0.0002)
        s.add_argument("--seed", type=int, default=1)
        s.add_argument("--limit", type=int, default=0)
        s.add_argument("--threads", type=int, default=2)
        s.add_argument("--dtype", default="float64", help="sklearn: data type of X")
        s.add_argument("--out", required=True)
        s.add_argument("--log", required=True)
    e = sub.add_parser("evaluate")
    e.add_argument("--model", required=True)
    e.add_argument("--test", required=True)
    e.add_argument("--limit", type=int, default=0)
    f = sub.add_parser("features")
    f.add_argument("--tool", choices=("torch", "sklearn"), required=True)
    f.add_argument("--model", required=True)
    f.add_argument("--test", required=True)
    f.add_argument("--threads", type=int, default=2)
    f.add_argument("--repeat", type=int, default=5)
    r = sub.add_parser("report")
    r.add_argument("dir")
    a = ap.parse_args()
    {"sklearn": train_sklearn, "torch": train_torch, "evaluate": evaluate,
     "features": features, "report": report}[a.cmd](a)


if __name__ == "__main__":
    main()
