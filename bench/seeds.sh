#!/bin/sh
# Test-set quality of rbm and PyTorch CD-1 (784×64 unless HIDDEN says
# otherwise) after the same number of epochs, over several seeds, scored by the same NumPy function
# (bench/peers.py evaluate). Run after bench/run.sh, whose binaries it uses:
#
#   bench/seeds.sh            # seeds 1 2 3, 10 epochs
#   HIDDEN=500 EPOCHS=3 EVAL_LIMIT=1000 bench/seeds.sh   # run.sh's 784×500 setting
#
# Settings: MNIST_DIR, OUT (as run.sh), SEEDS, EPOCHS, HIDDEN, EVAL_LIMIT
# (test rows scored, 0 for all).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
MNIST_DIR=${MNIST_DIR:-../shared/data/mnist}
OUT=${OUT:-/tmp/rbm-bench}
SEEDS=${SEEDS:-1 2 3}
EPOCHS=${EPOCHS:-10}
HIDDEN=${HIDDEN:-64}
EVAL_LIMIT=${EVAL_LIMIT:-0}
PY=/usr/bin/python3
train="$MNIST_DIR/train-images-idx3-ubyte.gz"
test="$MNIST_DIR/t10k-images-idx3-ubyte.gz"
[ -x "$OUT/rbm" ] && [ -x "$OUT/rbmbench" ] || { echo "seeds.sh: run bench/run.sh first (no $OUT/rbm)" >&2; exit 1; }

pll() { $PY -c 'import json,sys; print("%.2f" % json.load(sys.stdin)["pseudo_log_lik"])'; }
rbm_row="| rbm |" torch_row="| PyTorch (1 thread) |"
for s in $SEEDS; do
	echo "== seed $s" >&2
	"$OUT/rbm" train --recipe hinton -hidden "$HIDDEN" --epochs "$EPOCHS" --seed "$s" --monitor 0 -o "$OUT/seed-rbm-$s.rbm" "$train" 2>/dev/null
	"$OUT/rbmbench" export "$OUT/seed-rbm-$s.rbm" "$OUT/seed-rbm-$s"
	rbm_row="$rbm_row $($PY "$here/peers.py" evaluate --model "$OUT/seed-rbm-$s" --test "$test" --limit "$EVAL_LIMIT" | pll) |"
	OMP_NUM_THREADS=1 $PY "$here/peers.py" torch --train "$train" --hidden "$HIDDEN" --epochs "$EPOCHS" --threads 1 --seed "$s" \
		--out "$OUT/seed-torch-$s" --log "$OUT/seed-torch-$s.log" 2>/dev/null
	torch_row="$torch_row $($PY "$here/peers.py" evaluate --model "$OUT/seed-torch-$s" --test "$test" --limit "$EVAL_LIMIT" | pll) |"
done
echo "| tool |$(for s in $SEEDS; do printf ' seed %s |' "$s"; done)"
echo "|---|$(for s in $SEEDS; do printf -- '---|'; done)"
echo "$rbm_row"
echo "$torch_row"
