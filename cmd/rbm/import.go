package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/rbmkit/rbm/export"
	"github.com/rbmkit/rbm/rbm"
)

func init() {
	register(&command{
		name:    "import",
		usage:   "[flags] FILE.onnx -o MODEL",
		summary: "Rebuild a model from an ONNX file written by rbm export (parameters bit for bit, metadata restored); other ONNX graphs can be run with rbm score --onnx.",
		example: "  rbm import mnist64.onnx -o mnist64.rbm",
		run:     runImport,
	})
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, lookup("import"))
	out := fs.StringP("output", "o", "", "model file to write (required)")
	asJSON := fs.Bool("json", false, "print one JSON object describing the model")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("-o MODEL is required")
	}
	if err := checkFiles(pos, []string{*out}); err != nil {
		return err
	}
	m, meta, opt, err := export.ReadFile(pos[0])
	if err != nil {
		return err
	}
	if err := rbm.SaveFile(*out, m, meta); err != nil {
		return err
	}
	res := onnxFileResult{Path: *out, Visible: m.Visible, Hidden: m.Hidden, DType: opt.DType.String(), Outputs: opt.Outputs}
	if st, err := os.Stat(*out); err == nil {
		res.Bytes = st.Size()
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	_, err = fmt.Fprintf(e.stdout, "wrote %s: %d×%d RBM from a %s export with outputs %s\n",
		res.Path, res.Visible, res.Hidden, res.DType, strings.Join(res.Outputs, ", "))
	return err
}
