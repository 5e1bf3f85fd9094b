package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/rbmkit/rbm/export"
)

func init() {
	register(&command{
		name:    "export",
		usage:   "[flags] MODEL -o FILE.onnx",
		summary: "Write a model as ONNX (input v [N, V]; outputs free_energy [N, 1], hidden p(h|v) [N, H], reconstruction p(v|h) [N, V]) for ONNX Runtime and other ONNX tools.",
		example: "  rbm export mnist64.rbm -o mnist64.onnx\n  rbm export mnist64.rbm -o fe.onnx --outputs free_energy --dtype float64",
		run:     runExport,
	})
}

// onnxFileResult is the JSON form of rbm export and rbm import.
type onnxFileResult struct {
	Path    string   `json:"path"`
	Visible int      `json:"visible"`
	Hidden  int      `json:"hidden"`
	DType   string   `json:"dtype"`
	Outputs []string `json:"outputs"`
	Bytes   int64    `json:"bytes"`
}

func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, lookup("export"))
	out := fs.StringP("output", "o", "", "ONNX file to write (required)")
	dtype := fs.String("dtype", "float32", "element type of the parameters and the computation: float32 or float64")
	outputs := fs.StringSlice("outputs", export.AllOutputs, "outputs to include, comma-separated: some of free_energy, hidden, reconstruction")
	asJSON := fs.Bool("json", false, "print one JSON object describing the file")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("-o FILE.onnx is required")
	}
	dt, err := export.ParseDType(*dtype)
	if err != nil {
		return usagef("--dtype: %v", err)
	}
	opt := export.Options{DType: dt, Outputs: *outputs}
	for _, name := range *outputs {
		if !contains(export.AllOutputs, name) {
			return usagef("--outputs: unknown output %q (want some of %s)", name, strings.Join(export.AllOutputs, ", "))
		}
	}
	if err := checkFiles(pos, []string{*out}); err != nil {
		return err
	}
	m, meta, err := loadModel(pos[0])
	if err != nil {
		return err
	}
	if err := export.WriteFile(*out, m, meta, opt); err != nil {
		return err
	}
	res := onnxFileResult{Path: *out, Visible: m.Visible, Hidden: m.Hidden, DType: dt.String(), Outputs: orderedOutputs(*outputs)}
	if st, err := os.Stat(*out); err == nil {
		res.Bytes = st.Size()
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	_, err = fmt.Fprintf(e.stdout, "wrote %s: %d×%d RBM, %s, outputs %s (%d bytes)\n",
		res.Path, res.Visible, res.Hidden, res.DType, strings.Join(res.Outputs, ", "), res.Bytes)
	return err
}

// orderedOutputs returns the selected outputs in the graph's order.
func orderedOutputs(selected []string) []string {
	var outs []string
	for _, name := range export.AllOutputs {
		if len(selected) == 0 || contains(selected, name) {
			outs = append(outs, name)
		}
	}
	return outs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
