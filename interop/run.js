// run.js runs an ONNX model in ONNX Runtime (onnxruntime-node, CPU) on one
// batch and prints every output as JSON, for the Go interop tests.
//
// Usage: node run.js MODEL.onnx INPUT.bin ROWS COLS DTYPE
//
// INPUT.bin holds ROWS×COLS little-endian values of DTYPE (float32 or
// float64), row-major; they feed the model's only input. The output is one
// JSON object {"outputs": {NAME: {"dims": [...], "data": [...]}}} on stdout.
"use strict";

const fs = require("fs");
const ort = require("onnxruntime-node");

async function main(argv) {
  if (argv.length !== 5) {
    throw new Error("usage: node run.js MODEL.onnx INPUT.bin ROWS COLS DTYPE");
  }
  const [modelPath, inputPath, rowsArg, colsArg, dtype] = argv;
  const rows = Number(rowsArg);
  const cols = Number(colsArg);
  const buf = fs.readFileSync(inputPath);
  const arrayType = { float32: Float32Array, float64: Float64Array }[dtype];
  if (!arrayType) {
    throw new Error(`unknown dtype ${dtype} (want float32 or float64)`);
  }
  if (buf.length !== rows * cols * arrayType.BYTES_PER_ELEMENT) {
    throw new Error(`${inputPath}: ${buf.length} bytes, want ${rows}×${cols} ${dtype}`);
  }
  // Copy into an aligned buffer: Buffer's storage may start at any offset.
  const data = new arrayType(rows * cols);
  new Uint8Array(data.buffer).set(buf);

  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ["cpu"] });
  if (session.inputNames.length !== 1) {
    throw new Error(`${modelPath}: ${session.inputNames.length} inputs, want 1`);
  }
  const feeds = { [session.inputNames[0]]: new ort.Tensor(dtype, data, [rows, cols]) };
  const results = await session.run(feeds);
  const outputs = {};
  for (const name of session.outputNames) {
    const t = results[name];
    outputs[name] = { dims: t.dims, type: t.type, data: Array.from(t.data) };
  }
  process.stdout.write(JSON.stringify({ outputs }) + "\n");
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`run.js: ${err.message}\n`);
  process.exit(1);
});
