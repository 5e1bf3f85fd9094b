#!/bin/sh
# Start-up benchmark: the whole process of a one-epoch `rbm train` on the
# full, gzipped MNIST (loading, training, monitoring, saving), timed from
# outside with its peak memory, beside PyTorch's time for one epoch of
# its CD-1 loop (bench/peers.py torch) measured in the same run. See
# bench/README.md; the results go into BENCHMARKS.md.
#
#   bench/startup.sh             # RUNS rounds, interleaved; needs a quiet machine
#   RUNS=1 bench/startup.sh      # a smoke test
#
# Settings (environment variables):
#   MNIST_DIR  directory with train-images-idx3-ubyte.gz (default ../shared/data/mnist)
#   OUT        results directory (default /tmp/rbm-startup)
#   RUNS       rounds; each runs every command once, in turn (default 7)
#   THREADS    rbm --workers and PyTorch's threads (default 2); PyTorch also
#              runs on one thread, and the faster of its medians is compared
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

MNIST_DIR=${MNIST_DIR:-../shared/data/mnist}
OUT=${OUT:-/tmp/rbm-startup}
RUNS=${RUNS:-7}
THREADS=${THREADS:-2}
PY=/usr/bin/python3
TIME=/usr/bin/time

train="$MNIST_DIR/train-images-idx3-ubyte.gz"
[ -f "$train" ] || { echo "startup.sh: $train not found (set MNIST_DIR)" >&2; exit 1; }
[ -x "$TIME" ] || { echo "startup.sh: $TIME not found (apt-get install time)" >&2; exit 1; }
mkdir -p "$OUT"
rm -f "$OUT"/*.times "$OUT"/torch-*.log
say() { echo "== $*" >&2; }

say "build: go build -o $OUT/rbm ./cmd/rbm"
CGO_ENABLED=0 go build -o "$OUT/rbm" ./cmd/rbm

torch=1
if ! $PY -c 'import torch' 2>/dev/null; then
	say "PyTorch is missing (apt-get install -y --no-install-recommends python3-torch): its rows are skipped"
	torch=0
fi

# timed NAME CMD...: runs CMD once, appending "wall-seconds max-RSS-KiB"
# to $OUT/NAME.times; its output goes to $OUT/NAME.out.
timed() {
	name=$1
	shift
	$TIME -f '%e %M' -o "$OUT/time.tmp" "$@" >"$OUT/$name.out" 2>&1 || {
		echo "startup.sh: $name failed:" >&2
		cat "$OUT/$name.out" >&2
		exit 1
	}
	cat "$OUT/time.tmp" >>"$OUT/$name.times"
}

threads=$(printf '%s\n' 1 "$THREADS" | sort -un)
i=0
while [ "$i" -lt "$RUNS" ]; do
	i=$((i + 1))
	say "round $i of $RUNS"
	for recipe in density hinton; do
		timed "rbm-$recipe" "$OUT/rbm" train -hidden 64 --epochs 1 --recipe "$recipe" --workers "$THREADS" \
			-o "$OUT/rbm-$recipe.rbm" "$train"
	done
	if [ "$torch" = 1 ]; then
		for t in $threads; do
			timed "torch-t$t" env OMP_NUM_THREADS="$t" $PY "$here/peers.py" torch --train "$train" --hidden 64 --epochs 1 \
				--threads "$t" --out "$OUT/torch-t$t" --log "$OUT/torch-t$t.log.tmp"
			cat "$OUT/torch-t$t.log.tmp" >>"$OUT/torch-t$t.log"
		done
	fi
done

$PY - "$OUT" "$THREADS" "$RUNS" <<'EOF'
import glob, json, os, statistics, sys

out, threads, runs = sys.argv[1], sys.argv[2], sys.argv[3]

def times(name):
    with open(os.path.join(out, name + ".times")) as f:
        rows = [line.split() for line in f if line.strip()]
    return [float(r[0]) for r in rows], [int(r[1]) / 1024 for r in rows]

print(f"{runs} rounds, medians (min–max); rbm --workers {threads}\n")
print("| command | whole process, s | peak memory, MiB |")
print("|---|---|---|")
rbm = {}
for recipe in ("density", "hinton"):
    wall, rss = times("rbm-" + recipe)
    rbm[recipe] = statistics.median(wall)
    print(f"| `rbm train -hidden 64 --epochs 1 --recipe {recipe}` | {statistics.median(wall):.3f} ({min(wall):.3f}–{max(wall):.3f}) "
          f"| {statistics.median(rss):.1f} ({min(rss):.1f}–{max(rss):.1f}) |")
best = None
for log in sorted(glob.glob(os.path.join(out, "torch-t*.log"))):
    name = os.path.basename(log)[:-4]
    with open(log) as f:
        epoch = [json.loads(line)["seconds"] for line in f if line.strip()]
    wall, rss = times(name)
    e = statistics.median(epoch)
    print(f"| PyTorch CD-1, {name[7:]} thread(s): one epoch (its own clock) | {e:.3f} ({min(epoch):.3f}–{max(epoch):.3f}) | |")
    print(f"| PyTorch CD-1, {name[7:]} thread(s): whole process | {statistics.median(wall):.3f} ({min(wall):.3f}–{max(wall):.3f}) "
          f"| {statistics.median(rss):.1f} ({min(rss):.1f}–{max(rss):.1f}) |")
    if best is None or e < best[1]:
        best = (name[7:], e)
if best:
    print()
    for recipe, t in rbm.items():
        print(f"rbm ({recipe}), whole process / PyTorch's fastest epoch ({best[0]} thread(s)): {t / best[1]:.2f}")
EOF
