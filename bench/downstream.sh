#!/bin/sh
# downstream.sh measures what RBM features are worth to a linear classifier
# on MNIST: it trains a 64-hidden and a 500-hidden RBM with each recipe on the 60000
# training images, writes p(h|v) for the training and test images, fits the
# same softmax classifier (rbm classify, L2 1e-4, L-BFGS) on each set of
# features and on the raw pixels scaled to [0,1], and prints the test
# accuracies as a Markdown table.
#
# Usage: bench/downstream.sh            (from anywhere; runs in the repository)
#
# Environment:
#   RBM_MNIST_DIR  MNIST files (train-images-idx3-ubyte.gz, ...);
#                  default ../shared/data/mnist relative to the repository
#   EPOCHS         training epochs of the hinton-recipe RBMs (default 10)
#   DENSITY_EPOCHS training epochs of the density-recipe RBMs (default 100)
#   MAX_ITER       most L-BFGS iterations of the classifier (default 2000)
#   WORK           directory for models, features and results
#                  (default ${TMPDIR:-/tmp}/rbm-downstream)
#
# The RBMs are trained with each recipe (hinton: CD-1, batch 100, learning
# rate 0.1, momentum 0.5 then 0.9, weight decay 2e-4; density: centered
# PCD-1, SGD at 0.05 falling linearly to 0), pixels thresholded at 0.5,
# seed 1, so every figure but the timings is reproducible bit for bit. Takes tens of minutes on two cores.
set -eu

cd "$(dirname "$0")/.."
MNIST=${RBM_MNIST_DIR:-../shared/data/mnist}
EPOCHS=${EPOCHS:-10}
DENSITY_EPOCHS=${DENSITY_EPOCHS:-100}
MAX_ITER=${MAX_ITER:-2000}
WORK=${WORK:-${TMPDIR:-/tmp}/rbm-downstream}
TRAIN_IMAGES=$MNIST/train-images-idx3-ubyte.gz
TRAIN_LABELS=$MNIST/train-labels-idx1-ubyte.gz
TEST_IMAGES=$MNIST/t10k-images-idx3-ubyte.gz
TEST_LABELS=$MNIST/t10k-labels-idx1-ubyte.gz
for f in "$TRAIN_IMAGES" "$TRAIN_LABELS" "$TEST_IMAGES" "$TEST_LABELS"; do
	[ -r "$f" ] || { echo "downstream.sh: $f not found (set RBM_MNIST_DIR)" >&2; exit 1; }
done
mkdir -p "$WORK"
RBM=$WORK/rbm
# The figures belong to the code the binary is built from: record it now,
# marked -dirty when the working tree differs from the commit.
VERSION=$(git describe --always --dirty 2>/dev/null || echo unknown)
CGO_ENABLED=0 go build -o "$RBM" ./cmd/rbm

# step LOGNAME COMMAND...: echoes the command, runs it and appends its
# wall time in seconds to $WORK/LOGNAME.seconds.
step() {
	name=$1
	shift
	echo "+ $*" >&2
	t0=$(date +%s)
	"$@"
	echo $(($(date +%s) - t0)) >>"$WORK/$name.seconds"
}

# field FILE NAME: a number from a one-line JSON object.
field() {
	sed -n "s/.*\"$2\":\([-0-9.eE+]*\).*/\1/p" "$1"
}

rm -f "$WORK"/*.seconds

# Each recipe with its epochs: the guide's CD-1 for EPOCHS, the density
# recipe for its own 100. Features of a density model are less linear, so
# the classifier may take more iterations to converge (MAX_ITER).
for R in hinton density; do
	epochs=$EPOCHS
	[ "$R" = density ] && epochs=$DENSITY_EPOCHS
	for H in 64 500; do
		step train$H-$R "$RBM" train --recipe "$R" --hidden "$H" --epochs "$epochs" --seed 1 -o "$WORK/mnist$H-$R.rbm" "$TRAIN_IMAGES"
		step features$H-$R "$RBM" features "$WORK/mnist$H-$R.rbm" "$TRAIN_IMAGES" -o "$WORK/train$H-$R.npy"
		step features$H-$R "$RBM" features "$WORK/mnist$H-$R.rbm" "$TEST_IMAGES" -o "$WORK/test$H-$R.npy"
		step classify$H-$R "$RBM" classify --json --max-iter "$MAX_ITER" --train-labels "$TRAIN_LABELS" --test-labels "$TEST_LABELS" \
			"$WORK/train$H-$R.npy" "$WORK/test$H-$R.npy" >"$WORK/classify$H-$R.json"
	done
done
step classify-pixels "$RBM" classify --json --binarize prob --train-labels "$TRAIN_LABELS" --test-labels "$TEST_LABELS" \
	"$TRAIN_IMAGES" "$TEST_IMAGES" >"$WORK/classify-pixels.json"

# row LABEL JSON TRAINING-SECONDS prints one table row from rbm classify's JSON.
row() {
	awk -v label="$1" -v train="$3" -v features="$(field "$2" features)" \
		-v test="$(field "$2" test_accuracy)" -v fit="$(field "$2" train_accuracy)" \
		-v iter="$(field "$2" iterations)" -v seconds="$(field "$2" seconds)" \
		-v converged="$(sed -n 's/.*"converged":\([a-z]*\).*/\1/p' "$2")" \
		'BEGIN { printf "| %s | %d | %.2f%% | %.2f%% | %d (%s) | %s | %.0f |\n", label, features, 100*test, 100*fit, iter, converged == "true" ? "converged" : "limit", train, seconds }'
}
echo
echo "MNIST: $(field "$WORK/classify-pixels.json" train_rows) training and $(field "$WORK/classify-pixels.json" test_rows) test images. Softmax classifier, L2 1e-4, L-BFGS (at most $MAX_ITER iterations on RBM features, 500 on pixels; gradient tolerance 1e-5)."
echo "$(go version | cut -d' ' -f3), $(nproc) cores, built from $VERSION"
echo
echo "| classifier input | features | test accuracy | train accuracy | L-BFGS iterations | RBM training (s) | classifier fit (s) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
row "raw pixels (--binarize prob)" "$WORK/classify-pixels.json" "–"
for R in hinton density; do
	epochs=$EPOCHS
	[ "$R" = density ] && epochs=$DENSITY_EPOCHS
	for H in 64 500; do
		row "RBM features p(h=1\\|v), $H hidden, --recipe $R, $epochs epochs" "$WORK/classify$H-$R.json" "$(cat "$WORK/train$H-$R.seconds")"
	done
done
