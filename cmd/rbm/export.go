package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/rbmkit/rbm/export"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
)

func init() {
	register(&command{
		name:  "export",
		usage: "[flags] MODEL -o FILE.onnx",
		summary: "Write a model as ONNX (input v [N, V]; outputs free_energy [N, 1], hidden E[h|v] [N, H], reconstruction E[v|h] [N, V]) for ONNX Runtime and other ONNX tools. " +
			"Models of any unit types are written (version 2 files) but ReLU and dReLU hidden units, and ReLU and dReLU visible units with a reconstruction, whose formulas standard ONNX operators cannot compute stably.",
		example: "  rbm export mnist64.rbm -o mnist64.onnx\n  rbm export mnist64.rbm -o fe.onnx --outputs free_energy --dtype float64\n  rbm export relu.rbm -o relu.onnx --outputs free_energy,hidden",
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
	// VisibleLayer and HiddenLayer are the unit types of a machine that is
	// not a binary RBM (Visible and Hidden are then the layers' widths),
	// States and HiddenStates their numbers of Potts states.
	VisibleLayer string `json:"visible_layer,omitempty"`
	HiddenLayer  string `json:"hidden_layer,omitempty"`
	States       int    `json:"states,omitempty"`
	HiddenStates int    `json:"hidden_states,omitempty"`
}

// describeMachine fills in the layer fields of res for a machine that is
// not a binary RBM and returns how to name the model in a sentence.
func describeMachine(res *onnxFileResult, m *rbm.Machine) string {
	res.Visible, res.Hidden = m.Visible.Width(), m.Hidden.Width()
	if m.Visible.Kind() == "binary" && m.Hidden.Kind() == "binary" {
		return fmt.Sprintf("%d×%d RBM", res.Visible, res.Hidden)
	}
	res.VisibleLayer, res.HiddenLayer = m.Visible.Kind(), m.Hidden.Kind()
	if res.VisibleLayer == "potts" {
		res.States = m.Visible.States()
	}
	if res.HiddenLayer == "potts" {
		res.HiddenStates = m.Hidden.States()
	}
	side := func(l layer.Layer) string {
		if l.Kind() == "potts" {
			return fmt.Sprintf("%d potts(%d)", l.Units(), l.States())
		}
		return fmt.Sprintf("%d %s", l.Units(), l.Kind())
	}
	return fmt.Sprintf("%s × %s machine", side(m.Visible), side(m.Hidden))
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
	m, meta, err := loadMachineModel(pos[0])
	if err != nil {
		return err
	}
	if err := export.WriteMachineFile(*out, m, meta, opt); err != nil {
		return err
	}
	res := onnxFileResult{Path: *out, DType: dt.String(), Outputs: orderedOutputs(*outputs)}
	what := describeMachine(&res, m)
	if st, err := os.Stat(*out); err == nil {
		res.Bytes = st.Size()
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	_, err = fmt.Fprintf(e.stdout, "wrote %s: %s, %s, outputs %s (%d bytes)\n",
		res.Path, what, res.DType, strings.Join(res.Outputs, ", "), res.Bytes)
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
