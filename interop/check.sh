#!/bin/sh
# check.sh installs the ONNX tooling (setup.sh) and runs the Go tests that
# use it with RBM_REQUIRE_INTEROP=1, so that a missing tool fails the run
# instead of skipping the tests.
set -eu
cd "$(dirname "$0")"
sh ./setup.sh
cd ..
echo "check.sh: go test ./export/... and the PyTorch and scikit-learn imports with RBM_REQUIRE_INTEROP=1" >&2
RBM_REQUIRE_INTEROP=1 go test -count=1 ./export/...
RBM_REQUIRE_INTEROP=1 go test -count=1 -run 'PyTorch|ScikitLearn' ./cmd/rbm/
