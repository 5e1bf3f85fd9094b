#!/bin/sh
# Gaussian-binary RBMs on grey-level MNIST: held-out log-likelihood in nats
# per test image, exact at 784×20 and by AIS at 784×500: forward AIS (the
# optimistic side) and reverse AIS from parallel-tempering samples of the
# model (the conservative side).
#
# The data's scaling: each byte v of an image becomes (v + u)/256 with u
# uniform on [0, 1) (--dequantize), so that the images have a density on
# the unit cube [0, 1]^784; the figures are log-densities there (a model
# uniform on the cube scores 0). Add 784·log 256 = 4347.4 nats for the
# log-probability of the bytes themselves. σ is learned per pixel.
#
#   bench/gaussian.sh                               # the full run (about 18 minutes on two cores)
#   EPOCHS=1 LIMIT=2000 SCHEDULE=500 bench/gaussian.sh   # smoke test
#
# Settings (environment variables):
#   RBM_MNIST_DIR  the four MNIST .gz files (default ../shared/data/mnist)
#   OUT            results directory (default /tmp/rbm-gaussian)
#   EPOCHS         epochs of each model (default 20)
#   SCHEDULE       AIS schedule at 784×500 (default: rbm's, 14,500 steps)
#   LIMIT          training rows (0: all 60,000)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

MNIST_DIR=${RBM_MNIST_DIR:-../shared/data/mnist}
OUT=${OUT:-/tmp/rbm-gaussian}
EPOCHS=${EPOCHS:-20}
SCHEDULE=${SCHEDULE:-0.5/500,0.9/4000,1/10000}
LIMIT=${LIMIT:-0}
train="$MNIST_DIR/train-images-idx3-ubyte.gz"
test="$MNIST_DIR/t10k-images-idx3-ubyte.gz"
mkdir -p "$OUT"
go build -o "$OUT/rbm" ./cmd/rbm
rbm="$OUT/rbm"

for hidden in 20 500; do
	model="$OUT/gauss$hidden.rbm"
	start=$(date +%s)
	"$rbm" train --visible gaussian --learn-scale --dequantize -hidden "$hidden" --epochs "$EPOCHS" \
		--limit "$LIMIT" --monitor 0 -o "$model" "$train" 2>"$OUT/train$hidden.log"
	end=$(date +%s)
	echo "784×$hidden: trained in $((end - start)) s ($EPOCHS epochs)"
	if [ "$hidden" -le 25 ]; then
		"$rbm" eval --method exact --json "$model" "$test" >"$OUT/eval$hidden.json"
	else
		"$rbm" eval --method ais --schedule "$SCHEDULE" --json "$model" "$test" >"$OUT/eval$hidden.json"
	fi
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
z = r["log_z"]
side = "exact" if z["method"] == "exact" else "forward AIS, ±3σ [%.2f, %s], ESS %.1f of %d runs" % (
    r["log_lik_lower"], "%.2f" % r["log_lik_upper"] if r["log_lik_upper"] is not None else "+inf", z["ess"], z["runs"])
print("784×%s: test log-likelihood %.2f ± %.2f nats per image (%s); log Z %.4f" % (sys.argv[2], r["log_lik"], r["log_lik_std_err"], side, z["log_z"]))
u = z.get("upper_side")
if u:
    print("784×%s: conservative side %.2f ± %.2f nats per image (reverse AIS from %d tempering samples, %d replicas × %d sweeps, lowest swap rate %.3f, ESS %.1f); log Z %.4f" % (
        sys.argv[2], r["log_lik_conservative"], r["log_lik_conservative_std_err"], z["runs"], u["replicas"], u["sweeps"], u["min_swap_rate"], u["ess"], u["log_z"]))
' "$OUT/eval$hidden.json" "$hidden"
done
