#!/bin/sh
# setup.sh installs the ONNX tooling the interop tests need: Debian's
# python3-onnx (the official ONNX checker), python3-torch and python3-sklearn
# (the exporters of other tools, for torch_rbm.py and sklearn_rbm.py), and
# onnxruntime-node from npm, pinned by package-lock.json. It needs root (or sudo) for apt-get on a
# machine lacking the packages; .ci/run and check.sh call it.
set -eu
cd "$(dirname "$0")"

apt_install() {
	sudo=
	if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
	if [ -z "${apt_updated:-}" ]; then
		$sudo apt-get update -qq
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}

if ! /usr/bin/python3 -c 'import onnx' 2>/dev/null; then
	echo "setup.sh: installing python3-onnx" >&2
	apt_install python3-onnx
fi
if ! /usr/bin/python3 -c 'import torch, sklearn' 2>/dev/null; then
	echo "setup.sh: installing python3-torch and python3-sklearn" >&2
	apt_install --no-install-recommends python3-torch python3-sklearn
fi
if ! command -v npm >/dev/null 2>&1; then
	echo "setup.sh: installing nodejs and npm" >&2
	apt_install nodejs npm
fi

# onnxruntime-node's install script would fetch GPU libraries from outside
# npm; the CPU build the tests use ships inside the npm package.
echo "setup.sh: npm ci (onnxruntime-node)" >&2
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error

