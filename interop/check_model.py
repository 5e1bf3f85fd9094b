"""Check ONNX files with the official ONNX checker.

Usage: /usr/bin/python3 check_model.py MODEL.onnx...

Runs onnx.checker.check_model(model, full_check=True) (which includes
strict shape inference) on each file, prints "ok PATH" per accepted file,
and exits with status 1 after the first rejected one.
"""

import sys

import onnx


def main(paths):
    if not paths:
        print("usage: check_model.py MODEL.onnx...", file=sys.stderr)
        return 2
    for path in paths:
        try:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
        except Exception as err:  # the checker raises several types
            print(f"{path}: rejected by onnx {onnx.__version__} checker: {err}", file=sys.stderr)
            return 1
        print(f"ok {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
