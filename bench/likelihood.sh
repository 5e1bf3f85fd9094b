#!/bin/sh
# Held-out log-likelihood of each training method on the full MNIST
# (threshold ½): 784×16 scored exactly, 784×500 by forward AIS (optimistic)
# and reverse AIS from tempering samples (the upper side of log Z,
# conservative), each method at equal epochs and at the wall time of the
# density recipe. See bench/README.md.
#
#   bench/likelihood.sh                                  # the full run (quiet machine; about an hour and a half)
#   SMALL_EPOCHS=2 BIG_EPOCHS=1 LIMIT=2000 SCHEDULE=500 SWEEPS=50 UPDATE=0 bench/likelihood.sh   # smoke test
#
# Settings (environment variables):
#   RBM_MNIST_DIR  the four MNIST .gz files (default ../shared/data/mnist)
#   OUT            results directory (default /tmp/rbm-likelihood)
#   SMALL_EPOCHS   epochs at 784×16 (default: the density recipe's, 100)
#   BIG_EPOCHS     epochs at 784×500 (default: the density recipe's, 100)
#   SMALL, BIG     1 runs the 784×16 and the 784×500 rows (default 1 and 1);
#                  a run with one of them off adds its rows to OUT's table
#   SCHEDULE       AIS schedule (default: rbm's, 14,500 steps); RUNS AIS runs (100)
#   SWEEPS         tempering sweeps before the reverse chains start (1000)
#   THREADS        --workers (default 2)
#   LIMIT          training rows (0: all 60,000)
#   ONLY           method names to run (default: all), e.g. ONLY="pcd density"
#   UPDATE         1 rewrites the table in BENCHMARKS.md (default 1)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

MNIST_DIR=${RBM_MNIST_DIR:-../shared/data/mnist}
OUT=${OUT:-/tmp/rbm-likelihood}
SMALL_EPOCHS=${SMALL_EPOCHS:-100}
BIG_EPOCHS=${BIG_EPOCHS:-100}
SMALL=${SMALL:-1}
BIG=${BIG:-1}
SCHEDULE=${SCHEDULE:-0.5/500,0.9/4000,1/10000}
RUNS=${RUNS:-100}
SWEEPS=${SWEEPS:-1000}
THREADS=${THREADS:-2}
LIMIT=${LIMIT:-0}
UPDATE=${UPDATE:-1}
ONLY=${ONLY:-}
PY=/usr/bin/python3

train="$MNIST_DIR/train-images-idx3-ubyte.gz"
test="$MNIST_DIR/t10k-images-idx3-ubyte.gz"
for f in "$train" "$test"; do
	[ -f "$f" ] || { echo "likelihood.sh: $f not found (set RBM_MNIST_DIR)" >&2; exit 1; }
done
mkdir -p "$OUT"
say() { echo "== $(date -u +%H:%M:%S) $*" >&2; }

say "building rbm"
CGO_ENABLED=0 go build -o "$OUT/rbm" ./cmd/rbm
rbm="$OUT/rbm"
limit_flag=""
[ "$LIMIT" -gt 0 ] && limit_flag="--limit $LIMIT"

# The methods, each a name and the flags that select it. Every method
# starts from a recipe, so the settings it does not name are the recipe's.
methods() {
	while IFS='|' read -r name flags; do
		case " ${ONLY:-$name} " in *" $name "*) echo "$name|$flags" ;; esac
	done <<'EOF'
cd1|--recipe hinton
cd10|--recipe hinton --k 10
pcd|--recipe hinton --persistent
pcd-centered|--recipe density --lr-schedule constant --lr 0.01
pt|--recipe density --replicas 10
density|--recipe density
EOF
}

# train_eval SHAPE NAME EPOCHS FLAGS...: trains, scores the test set, and
# leaves NAME.rbm, NAME.log (per-epoch JSON) and NAME-eval.json in OUT.
train_eval() {
	h=$1 name=$2 epochs=$3; shift 3
	say "784×$h $name: $epochs epochs ($*)"
	start=$(date +%s.%N)
	# shellcheck disable=SC2086
	"$rbm" train -hidden "$h" --epochs "$epochs" --workers "$THREADS" --monitor 0 $limit_flag \
		--log "$OUT/$name.log" -o "$OUT/$name.rbm" "$@" "$train" 2>"$OUT/$name.train.err" ||
		{ say "training failed: $(tail -1 "$OUT/$name.train.err")"; return 0; }
	end=$(date +%s.%N)
	echo "$start $end" >"$OUT/$name.wall"
	if [ "$h" -le 25 ]; then
		"$rbm" eval "$OUT/$name.rbm" "$test" --method exact --pll-rows 100 --workers "$THREADS" --json >"$OUT/$name-eval.json"
	else
		"$rbm" eval "$OUT/$name.rbm" "$test" --method ais --schedule "$SCHEDULE" --runs "$RUNS" --sweeps "$SWEEPS" \
			--pll-rows 100 --workers "$THREADS" --json >"$OUT/$name-eval.json" 2>"$OUT/$name.eval.err"
	fi
}

# run_shape HIDDEN EPOCHS: every method at EPOCHS, then again at the
# density recipe's wall time for each method whose epochs take more than
# 10% longer or shorter than the recipe's.
run_shape() {
	h=$1 epochs=$2
	methods | while IFS='|' read -r name flags; do
		# shellcheck disable=SC2086
		train_eval "$h" "$h-$name" "$epochs" $flags
	done
	methods | while IFS='|' read -r name flags; do
		[ "$name" = density ] && continue
		[ -f "$OUT/$h-$name.log" ] || continue
		eq=$($PY - "$OUT/$h-density.log" "$OUT/$h-$name.log" <<'EOF'
import json, statistics, sys
def total(path):
    return sum(json.loads(l)["seconds"] for l in open(path) if l.strip())
def per_epoch(path):
    return statistics.median(json.loads(l)["seconds"] for l in open(path) if l.strip())
budget, mine = total(sys.argv[1]), per_epoch(sys.argv[2])
epochs = sum(1 for l in open(sys.argv[2]) if l.strip())
eq = max(1, round(budget / mine))
print(eq if abs(eq - epochs) > 0.1 * epochs else 0)
EOF
)
		if [ "$eq" -gt 0 ]; then
			# shellcheck disable=SC2086
			train_eval "$h" "$h-$name-eqtime" "$eq" $flags
		fi
	done
}

[ "$SMALL" = 1 ] && run_shape 16 "$SMALL_EPOCHS"
[ "$BIG" = 1 ] && run_shape 500 "$BIG_EPOCHS"

cat >"$OUT/meta.json" <<EOF
{"date": "$(date -u +%Y-%m-%d)", "commit": "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)",
 "cpu": "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')", "threads": $THREADS,
 "schedule": "$SCHEDULE", "runs": $RUNS, "sweeps": $SWEEPS, "limit": $LIMIT}
EOF
$PY "$here/likelihood_table.py" "$OUT" >"$OUT/likelihood.md"
cat "$OUT/likelihood.md"
if [ "$UPDATE" = 1 ]; then
	$PY "$here/likelihood_table.py" --splice BENCHMARKS.md "$OUT/likelihood.md"
	say "table written to BENCHMARKS.md"
fi
say "results in $OUT"
