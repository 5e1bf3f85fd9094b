#!/bin/sh
# A Potts RBM on a real protein family: the Pfam seed alignment of the
# fibronectin type III domain (fn3, 98 sequences) that HMMER's tutorial
# ships, from Debian's hmmer-doc package. The Stockholm alignment becomes
# aligned FASTA in which every column is a match column (a seed alignment
# has no insert states: '.' is a gap like '-', and the residues are
# upper-cased), the sequences
# are split into training and held-out ones, and Potts RBMs of a few sizes
# are scored exactly (the hidden layer is enumerated) on both, in nats per
# sequence, beside the independent-site model (a machine with no hidden
# influence: -hidden 1 and no epochs is not trainable, so the RBM with one
# hidden unit stands for it) and the uniform model.
#
#   bench/protein.sh
#
# Settings (environment variables):
#   OUT      results directory (default /tmp/rbm-protein)
#   HELD     held-out sequences, every HELD-th one (default 5: 20 of 98)
#   EPOCHS   training epochs (default 200)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

OUT=${OUT:-/tmp/rbm-protein}
HELD=${HELD:-5}
EPOCHS=${EPOCHS:-200}
mkdir -p "$OUT"
go build -o "$OUT/rbm" ./cmd/rbm
rbm="$OUT/rbm"

sto="$OUT/fn3.sto"
if [ ! -s "$sto" ]; then
	(cd "$OUT" && apt-get download hmmer-doc >/dev/null 2>&1) || {
		echo "bench/protein.sh: cannot download Debian's hmmer-doc (apt-get download hmmer-doc)" >&2
		exit 1
	}
	dpkg-deb --fsys-tarfile "$OUT"/hmmer-doc_*.deb | tar -xO ./usr/share/doc/hmmer/tutorial/fn3.sto >"$sto"
fi

# Stockholm → aligned FASTA: each "name sequence" line appends to that
# record; '.' gaps become '-' and lowercase residues uppercase, so that
# every column counts.
awk -v held="$HELD" -v train="$OUT/fn3-train.afa" -v test="$OUT/fn3-test.afa" '
	/^#/ || /^\/\// || NF < 2 { next }
	!($1 in seq) { order[n++] = $1 }
	{ s = toupper($2); gsub(/\./, "-", s); seq[$1] = seq[$1] s }
	END {
		for (i = 0; i < n; i++) {
			out = (i % held == held - 1) ? test : train
			printf(">%s\n%s\n", order[i], seq[order[i]]) > out
		}
	}' "$sto"
echo "fn3: $(grep -c '>' "$OUT/fn3-train.afa") training and $(grep -c '>' "$OUT/fn3-test.afa") held-out sequences"

for hidden in 1 5 10; do
	model="$OUT/fn3-$hidden.rbm"
	"$rbm" train --visible potts -hidden "$hidden" --epochs "$EPOCHS" --batch 10 --weight-decay 0.001 \
		--monitor 0 -o "$model" "$OUT/fn3-train.afa" 2>"$OUT/train$hidden.log"
	for set in train test; do
		"$rbm" eval --json "$model" "$OUT/fn3-$set.afa" >"$OUT/eval$hidden-$set.json"
	done
	python3 -c '
import json, sys
tr, te = (json.load(open(p)) for p in sys.argv[1:3])
print("Potts(%s)×binary(%s): log-likelihood %.2f nats per training sequence, %.2f per held-out one (exact)" % (
    sys.argv[3], sys.argv[4], tr["log_lik"], te["log_lik"]))
' "$OUT/eval$hidden-train.json" "$OUT/eval$hidden-test.json" \
		"$("$rbm" info --json "$model" | python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"]["layers"]["visible"]["units"])')" "$hidden"
done
