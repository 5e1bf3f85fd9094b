#!/bin/sh
# Side-by-side benchmark of rbm against scikit-learn's BernoulliRBM and a
# PyTorch CD-1 loop on MNIST. See bench/README.md. Run from anywhere:
#
#   bench/run.sh                      # the full run (quiet machine!)
#   LIMIT=2000 EPOCHS=1 bench/run.sh  # a smoke test on a slice
#
# Settings (environment variables):
#   MNIST_DIR   directory with the four MNIST .gz files (default ../shared/data/mnist)
#   OUT         results directory (default /tmp/rbm-bench)
#   EPOCHS      epochs per tool at 784×64 (default 10); the table shows the median
#   BATCH       mini-batch size (default 100)
#   THREADS     cores each tool may use: rbm --workers, torch threads, BLAS threads (default 2)
#   LIMIT       training rows (0: all 60,000)
#   EVAL_LIMIT  test rows scored at 784×64 (0: all 10,000)
#   BIG         1 runs the 784×500 rows too (default 1); BIG_EPOCHS (default 3),
#               BIG_EVAL_LIMIT test rows scored at 784×500 (default 1000)
#   SKLEARN_BIG 1 also trains scikit-learn at 784×500 (default 0: slow)
#   LOGZ        1 runs exact log Z (784×20) and AIS (784×500) through rbm logz (default 1)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

MNIST_DIR=${MNIST_DIR:-../shared/data/mnist}
OUT=${OUT:-/tmp/rbm-bench}
EPOCHS=${EPOCHS:-10}
BATCH=${BATCH:-100}
THREADS=${THREADS:-2}
LIMIT=${LIMIT:-0}
EVAL_LIMIT=${EVAL_LIMIT:-0}
BIG=${BIG:-1}
BIG_EPOCHS=${BIG_EPOCHS:-3}
BIG_EVAL_LIMIT=${BIG_EVAL_LIMIT:-1000}
SKLEARN_BIG=${SKLEARN_BIG:-0}
LOGZ=${LOGZ:-1}
PY=/usr/bin/python3

train="$MNIST_DIR/train-images-idx3-ubyte.gz"
test="$MNIST_DIR/t10k-images-idx3-ubyte.gz"
for f in "$train" "$test"; do
	[ -f "$f" ] || { echo "run.sh: $f not found (set MNIST_DIR)" >&2; exit 1; }
done
mkdir -p "$OUT"
say() { echo "== $*" >&2; }

# The peers come from Debian (PyPI is not reachable here).
need() { # module package [apt options]
	if ! $PY -c "import $1" 2>/dev/null; then
		pkg=$2; shift 2
		say "$pkg is missing: installing it with apt-get"
		apt-get update -qq && apt-get install -y -qq "$@" "$pkg" >&2
	fi
}
need sklearn python3-sklearn
need torch python3-torch --no-install-recommends

# Every tool gets the same cores.
export OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS

say "building rbm and rbmbench"
CGO_ENABLED=0 go build -o "$OUT/rbm" ./cmd/rbm
CGO_ENABLED=0 go build -o "$OUT/rbmbench" ./bench/rbmbench
rbm="$OUT/rbm"

limit_flag=""
[ "$LIMIT" -gt 0 ] && limit_flag="--limit $LIMIT"
train_rows=$LIMIT
[ "$LIMIT" -gt 0 ] || train_rows=60000

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
hidden_sizes="64"
[ "$BIG" = 1 ] && hidden_sizes="64, 500"
cat >"$OUT/meta.json" <<EOF
{"date": "$(date -u +%Y-%m-%dT%H:%MZ)", "cpu": "$cpu", "cores": $(nproc), "threads": $THREADS,
 "train_rows": $train_rows, "epochs": $EPOCHS, "big_epochs": $BIG_EPOCHS, "batch": $BATCH,
 "hidden_sizes": [$hidden_sizes], "peak_gflops_per_core": 97.0,
 "go": "$(go version | cut -d' ' -f3)", "python": "$($PY -c 'import platform; print(platform.python_version())')",
 "numpy": "$($PY -c 'import numpy; print(numpy.__version__)')",
 "sklearn": "$($PY -c 'import sklearn; print(sklearn.__version__)')",
 "torch": "$($PY -c 'import torch; print(torch.__version__)')"}
EOF

# run_tools HIDDEN EPOCHS EVAL_LIMIT WITH_SKLEARN
run_tools() {
	h=$1 epochs=$2 elimit=$3 with_sk=$4
	say "rbm: 784×$h, $epochs epochs"
	# --monitor 0: the per-epoch statistics would otherwise be in the timing.
	"$rbm" train --recipe hinton -hidden "$h" --epochs "$epochs" --batch "$BATCH" --k 1 --lr 0.1 --seed 1 \
		--workers "$THREADS" --monitor 0 $limit_flag --log "$OUT/rbm-$h.log" -o "$OUT/rbm-$h.rbm" "$train"
	"$OUT/rbmbench" export "$OUT/rbm-$h.rbm" "$OUT/rbm-$h"
	# PyTorch's OpenMP threads thrash on this 2-vCPU machine (measured: 0.85 s
	# per 784×64 epoch on one thread, 1.9–3.5 s on two), so it runs with one
	# thread and with THREADS, and the table keeps the faster run.
	for tt in $(printf '%s\n' 1 "$THREADS" | sort -un); do
		say "torch: 784×$h, $epochs epochs, $tt thread(s)"
		OMP_NUM_THREADS=$tt $PY "$here/peers.py" torch --train "$train" --hidden "$h" --epochs "$epochs" \
			--batch "$BATCH" --threads "$tt" --limit "$LIMIT" --out "$OUT/torch-$h-t$tt" --log "$OUT/torch-$h-t$tt.log"
	done
	best=$($PY -c 'import json,statistics,sys
runs = {}
for arg in sys.argv[1:]:
    t, log = arg.split("=", 1)
    runs[t] = statistics.median(json.loads(l)["seconds"] for l in open(log) if l.strip())
print(min(runs, key=runs.get))' $(for tt in $(printf '%s\n' 1 "$THREADS" | sort -un); do echo "$tt=$OUT/torch-$h-t$tt.log"; done))
	say "torch: keeping the $best-thread run"
	rm -rf "$OUT/torch-$h"
	cp -r "$OUT/torch-$h-t$best" "$OUT/torch-$h"
	cp "$OUT/torch-$h-t$best.log" "$OUT/torch-$h.log"
	echo "$best" >"$OUT/torch-$h.threads"
	tools="rbm torch"
	if [ "$with_sk" = 1 ]; then
		say "sklearn: 784×$h, $epochs epochs"
		$PY "$here/peers.py" sklearn --train "$train" --hidden "$h" --epochs "$epochs" --batch "$BATCH" \
			--limit "$LIMIT" --out "$OUT/sklearn-$h" --log "$OUT/sklearn-$h.log"
		tools="$tools sklearn"
	fi
	for t in $tools; do
		say "scoring $t 784×$h on the test set"
		$PY "$here/peers.py" evaluate --model "$OUT/$t-$h" --test "$test" --limit "$elimit" >"$OUT/$t-$h-eval.json"
	done
}

run_tools 64 "$EPOCHS" "$EVAL_LIMIT" 1

say "feature extraction on the test set"
# A pass over the test set takes milliseconds, so each tool reports the
# fastest of 20 (a single slow pass on a shared host says nothing).
"$OUT/rbmbench" features -workers "$THREADS" -repeat 20 "$OUT/rbm-64.rbm" "$test" >"$OUT/rbm-features.json"
$PY "$here/peers.py" features --tool torch --model "$OUT/torch-64" --test "$test" --repeat 20 \
	--threads "$(cat "$OUT/torch-64.threads")" >"$OUT/torch-features.json"
$PY "$here/peers.py" features --tool sklearn --model "$OUT/sklearn-64" --test "$test" --repeat 20 --threads "$THREADS" >"$OUT/sklearn-features.json"

[ "$BIG" = 1 ] && run_tools 500 "$BIG_EPOCHS" "$BIG_EVAL_LIMIT" "$SKLEARN_BIG"

if [ "$LOGZ" = 1 ]; then
	# logz_json NAME MODEL ARGS...: times rbm logz and adds wall_seconds.
	logz_json() {
		name=$1 model=$2; shift 2
		start=$(date +%s.%N)
		if "$rbm" logz "$model" "$@" --json >"$OUT/$name.raw" 2>"$OUT/$name.err"; then
			end=$(date +%s.%N)
			$PY -c "import json,sys; r=json.load(open(sys.argv[1])); r['wall_seconds']=float(sys.argv[3])-float(sys.argv[2]); json.dump(r, open(sys.argv[4],'w'))" \
				"$OUT/$name.raw" "$start" "$end" "$OUT/$name.json"
		else
			say "rbm logz $* failed or is not available: $(head -c 300 "$OUT/$name.err")"
			rm -f "$OUT/$name.json"
		fi
	}
	say "exact log Z of a 784×20 RBM (1 epoch of training first)"
	"$rbm" train --recipe hinton -hidden 20 --epochs 1 --batch "$BATCH" --seed 1 --workers "$THREADS" --monitor 0 $limit_flag \
		-o "$OUT/rbm-20.rbm" "$train"
	logz_json logz-exact "$OUT/rbm-20.rbm" --method exact --workers "$THREADS"
	if [ -f "$OUT/rbm-500.rbm" ]; then
		say "AIS log Z of the 784×500 RBM (default schedule)"
		logz_json logz-ais "$OUT/rbm-500.rbm" --method ais --workers "$THREADS"
	fi
fi

$PY "$here/peers.py" report "$OUT" | tee "$OUT/report.md"
say "results in $OUT (report.md, *.log, *-eval.json)"
