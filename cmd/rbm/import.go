package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/rbmkit/rbm/export"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
)

func init() {
	register(&command{
		name:  "import",
		usage: "[flags] FILE.onnx -o MODEL",
		summary: "Rebuild a model from an ONNX file. A file written by rbm export comes back bit for bit with its metadata " +
			"(a machine of other unit types as a version 2 model file, exactly from a float64 export); " +
			"any other binary-RBM free-energy graph (from torch.onnx.export, say) is recognised by its structure and accepted only if " +
			"the rebuilt model's free energy matches the graph's own output, run through onnx-go, on random binary rows.",
		example: "  rbm import mnist64.onnx -o mnist64.rbm\n  rbm import --shape 28x28 torch_rbm.onnx -o torch.rbm",
		run:     runImport,
	})
}

// importResult is the JSON form of rbm import.
type importResult struct {
	onnxFileResult
	// Foreign describes how a graph rbm export did not write was read.
	Foreign *foreignResult `json:"foreign,omitempty"`
}

type foreignResult struct {
	Output      string  `json:"output"`
	Weights     string  `json:"weights"`
	Transposed  bool    `json:"transposed"`
	VisibleBias string  `json:"visible_bias"`
	HiddenBias  string  `json:"hidden_bias"`
	Rows        int     `json:"rows_checked"`
	MaxError    float64 `json:"max_error"`
}

func runImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, lookup("import"))
	out := fs.StringP("output", "o", "", "model file to write (required)")
	asJSON := fs.Bool("json", false, "print one JSON object describing the model")
	shapeF := fs.String("shape", "", "image shape HxW to record in the model (default: the file's, if it has one)")
	binarize := fs.String("binarize", "", "how data for this model is binarised, recorded in the model: threshold, stochastic or prob (default: the file's, or threshold)")
	output := fs.String("free-energy", "", "the graph output holding the free energy (default: found by checking every output of one value per row)")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("-o MODEL is required")
	}
	var shape dataset.Shape
	if *shapeF != "" {
		if shape, err = parseShape(*shapeF); err != nil {
			return usagef("--shape: %v", err)
		}
	}
	if *binarize != "" {
		if _, err := dataset.ParseBinarize(*binarize); err != nil {
			return usagef("--binarize: %v", err)
		}
	}
	if err := checkFiles(pos, []string{*out}); err != nil {
		return err
	}
	imm, err := export.ImportMachineFile(ctx, pos[0], export.RecognizeConfig{Output: *output})
	if err != nil {
		return err
	}
	if imm.Machine != nil {
		return saveImportedMachine(e, imm, *out, shapeF, shape, *binarize, *asJSON)
	}
	im := imm.Imported
	m, meta := im.Model, im.Meta
	if *shapeF != "" {
		if shape.Height*shape.Width != m.Visible {
			return usagef("--shape %s has %d pixels, the model %d visible units", *shapeF, shape.Height*shape.Width, m.Visible)
		}
		meta.ImageRows, meta.ImageCols = shape.Height, shape.Width
	}
	if *binarize != "" {
		meta.Binarize = *binarize
	}
	if err := rbm.SaveFile(*out, m, meta); err != nil {
		return err
	}
	res := importResult{onnxFileResult: onnxFileResult{Path: *out, Visible: m.Visible, Hidden: m.Hidden, DType: im.Options.DType.String(), Outputs: im.Options.Outputs}}
	if f := im.Foreign; f != nil {
		res.Outputs = []string{f.Output}
		res.Foreign = &foreignResult{Output: f.Output, Weights: f.Weights, Transposed: f.Transposed, VisibleBias: f.VisibleBias, HiddenBias: f.HiddenBias, Rows: f.Rows, MaxError: f.MaxError}
	}
	if st, err := os.Stat(*out); err == nil {
		res.Bytes = st.Size()
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	if f := im.Foreign; f != nil {
		stored := fmt.Sprintf("[%d, %d]", m.Visible, m.Hidden)
		if f.Transposed {
			stored = fmt.Sprintf("[%d, %d] read transposed", m.Hidden, m.Visible)
		}
		_, err = fmt.Fprintf(e.stdout, "wrote %s: %d×%d RBM from output %q of a %s graph (weights %q %s, biases %q and %q); free energies agree on %d random binary rows within %.2g of their terms' scale\n",
			res.Path, m.Visible, m.Hidden, f.Output, res.DType, f.Weights, stored, f.VisibleBias, f.HiddenBias, f.Rows, f.MaxError)
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "wrote %s: %d×%d RBM from a %s export with outputs %s\n",
		res.Path, res.Visible, res.Hidden, res.DType, strings.Join(res.Outputs, ", "))
	return err
}

// saveImportedMachine writes the machine of a machine export (of unit types
// other than two binary layers) as a version 2 model file.
func saveImportedMachine(e *env, im *export.ImportedMachine, out string, shapeF *string, shape dataset.Shape, binarize string, asJSON bool) error {
	m, meta := im.Machine, im.Meta
	if *shapeF != "" {
		if shape.Height*shape.Width != m.Visible.Width() {
			return usagef("--shape %s has %d pixels, the model %d visible columns", *shapeF, shape.Height*shape.Width, m.Visible.Width())
		}
		meta.ImageRows, meta.ImageCols = shape.Height, shape.Width
	}
	if binarize != "" {
		meta.Binarize = binarize
	}
	if err := rbm.SaveMachine(out, m, meta); err != nil {
		return err
	}
	res := importResult{onnxFileResult: onnxFileResult{Path: out, DType: im.Options.DType.String(), Outputs: im.Options.Outputs}}
	what := describeMachine(&res.onnxFileResult, m)
	if st, err := os.Stat(out); err == nil {
		res.Bytes = st.Size()
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	_, err := fmt.Fprintf(e.stdout, "wrote %s: %s from a %s export with outputs %s\n",
		res.Path, what, res.DType, strings.Join(res.Outputs, ", "))
	return err
}
