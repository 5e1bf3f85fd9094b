"""Write a fitted scikit-learn BernoulliRBM as an ONNX file rbm can import.

skl2onnx has no converter for BernoulliRBM. This script writes one in rbm's
own convention (see the README's ONNX section): input v [N, V] with a
symbolic batch dimension; initializers W [V, H] = components_.T, b [1, V] =
intercept_visible_ and c [1, H] = intercept_hidden_, in float32; outputs
free_energy [N, 1], hidden = p(h|v) [N, H] and reconstruction [N, V]; opset
13. `rbm import` recognises the graph and checks it numerically before
writing a model.

As a library:

    from sklearn_rbm import bernoulli_rbm_to_onnx
    bernoulli_rbm_to_onnx(fitted_rbm, "model.onnx", image_shape=(28, 28))

From the command line, it trains a BernoulliRBM on an IDX image file
(binarised as rbm does by default: value/255 >= 1/2) and converts it:

    /usr/bin/python3 sklearn_rbm.py --train DATA.idx.gz -o MODEL.onnx
        [--hidden 16] [--epochs 10] [--learning-rate 0.05] [--batch 10]
        [--seed 0] [--free-energy DATA.idx.gz OUT.txt] [--log-z OUT.txt]

--free-energy writes scikit-learn's own free energies (_free_energy, one
per line) of another IDX file's rows; --log-z writes the exact log Z by
enumerating the 2^H hidden states (H <= 24), for comparison with rbm.
"""

import argparse
import gzip
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.neural_network import BernoulliRBM


def bernoulli_rbm_to_onnx(rbm, path, image_shape=None):
    """Write the fitted BernoulliRBM rbm to path as an ONNX model."""
    W = np.asarray(rbm.components_, dtype=np.float64).T  # [V, H]
    b = np.asarray(rbm.intercept_visible_, dtype=np.float64)
    c = np.asarray(rbm.intercept_hidden_, dtype=np.float64)
    V, H = W.shape
    f32 = lambda name, x: numpy_helper.from_array(np.ascontiguousarray(x, dtype=np.float32), name)
    inits = [
        f32("W", W),
        f32("b", b.reshape(1, V)),
        f32("c", c.reshape(1, H)),
        f32("ones_hidden", np.ones((H, 1))),
    ]
    n = helper.make_node
    nodes = [
        # hidden input c + vW, and softplus as Relu(x) - Log(Sigmoid(|x|)),
        # which never overflows
        n("MatMul", ["v", "W"], ["v_W"]),
        n("Add", ["v_W", "c"], ["hidden_input"]),
        n("Abs", ["hidden_input"], ["softplus_abs"]),
        n("Sigmoid", ["softplus_abs"], ["softplus_sigmoid_abs"]),
        n("Log", ["softplus_sigmoid_abs"], ["softplus_log_sigmoid_abs"]),
        n("Relu", ["hidden_input"], ["softplus_relu"]),
        n("Sub", ["softplus_relu", "softplus_log_sigmoid_abs"], ["hidden_softplus"]),
        # F = -(b'v) - sum_j softplus
        n("MatMul", ["hidden_softplus", "ones_hidden"], ["hidden_softplus_sum"]),
        n("Transpose", ["b"], ["b_transposed"], perm=[1, 0]),
        n("MatMul", ["v", "b_transposed"], ["v_b"]),
        n("Add", ["v_b", "hidden_softplus_sum"], ["negative_free_energy"]),
        n("Neg", ["negative_free_energy"], ["free_energy"]),
        # p(h|v) and p(v|h) at h = p(h|v)
        n("Sigmoid", ["hidden_input"], ["hidden"]),
        n("Transpose", ["W"], ["W_transposed"], perm=[1, 0]),
        n("MatMul", ["hidden", "W_transposed"], ["h_W_transposed"]),
        n("Add", ["h_W_transposed", "b"], ["visible_input"]),
        n("Sigmoid", ["visible_input"], ["reconstruction"]),
    ]
    value = lambda name, cols: helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", cols])
    graph = helper.make_graph(
        nodes,
        "sklearn_bernoulli_rbm",
        [value("v", V)],
        [value("free_energy", 1), value("hidden", H), value("reconstruction", V)],
        initializer=inits,
    )
    model = helper.make_model(
        graph,
        producer_name="sklearn_rbm.py",
        opset_imports=[helper.make_opsetid("", 13)],
        doc_string=f"scikit-learn BernoulliRBM, {V} visible x {H} hidden units.",
    )
    model.ir_version = 8
    props = {"rbm.visible": str(V), "rbm.hidden": str(H)}
    if image_shape:
        props["rbm.image_shape"] = f"{image_shape[0]}x{image_shape[1]}"
    helper.set_model_props(model, props)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)


def read_idx_images(path):
    """Return the images of an unsigned-byte IDX file as [N, pixels] and their shape."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[:3] != b"\x00\x00\x08":
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    return data.reshape(dims[0], -1), tuple(dims[1:])


def binarise(images):
    """Threshold at one half of the range, as rbm's default --binarize."""
    return (images.astype(np.float64) / 255.0 >= 0.5).astype(np.float64)


def exact_log_z(rbm):
    """log Z of a BernoulliRBM by enumerating its hidden states, in float64."""
    W = rbm.components_.T
    b, c = rbm.intercept_visible_, rbm.intercept_hidden_
    H = W.shape[1]
    if H > 24:
        raise ValueError(f"{H} hidden units: too many states to enumerate")
    total = []
    for start in range(0, 1 << H, 1 << 14):
        codes = np.arange(start, min(start + (1 << 14), 1 << H))
        h = ((codes[:, None] >> np.arange(H)) & 1).astype(np.float64)
        total.append(h @ c + np.logaddexp(0, h @ W.T + b).sum(axis=1))
    s = np.concatenate(total)
    m = s.max()
    return m + np.log(np.exp(s - m).sum())


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", required=True, help="IDX image file to fit on")
    p.add_argument("-o", "--output", required=True, help="ONNX file to write")
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--learning-rate", type=float, default=0.05)
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--free-energy", nargs=2, metavar=("DATA", "OUT"))
    p.add_argument("--log-z", metavar="OUT")
    args = p.parse_args(argv)

    images, shape = read_idx_images(args.train)
    rbm = BernoulliRBM(
        n_components=args.hidden,
        learning_rate=args.learning_rate,
        batch_size=args.batch,
        n_iter=args.epochs,
        random_state=args.seed,
    )
    rbm.fit(binarise(images))
    image_shape = shape if len(shape) == 2 else None
    bernoulli_rbm_to_onnx(rbm, args.output, image_shape)
    print(f"wrote {args.output}: {rbm.components_.shape[1]}x{args.hidden} BernoulliRBM, {args.epochs} epochs")
    if args.free_energy:
        data, _ = read_idx_images(args.free_energy[0])
        fe = rbm._free_energy(binarise(data))
        np.savetxt(args.free_energy[1], fe, fmt="%.17g")
        print(f"wrote {args.free_energy[1]}: scikit-learn's free energies of {len(fe)} rows, mean {fe.mean():.4f}")
    if args.log_z:
        log_z = exact_log_z(rbm)
        with open(args.log_z, "w") as f:
            f.write(f"{log_z:.17g}\n")
        print(f"wrote {args.log_z}: exact log Z = {log_z:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
