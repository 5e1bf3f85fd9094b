package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/rbmkit/rbm/export"
	"github.com/rbmkit/rbm/rbm"
)

func init() {
	register(&command{
		name:    "score",
		usage:   "[flags] MODEL DATA  |  rbm score --onnx MODEL.onnx [flags] DATA",
		summary: "Print the free energy F(v) of every row of DATA, one per line: the anomaly score that needs no partition function (higher is less likely). With --onnx, run an ONNX scoring graph through onnx-go instead.",
		example: "  rbm score mnist64.rbm t10k-images-idx3-ubyte.gz > scores.txt\n  rbm score --onnx mnist64.onnx --outputs free_energy,hidden t10k-images-idx3-ubyte.gz",
		run:     runScore,
	})
}

// scoreResult is the JSON form of rbm score.
type scoreResult struct {
	Rows       int       `json:"rows"`
	Mean       float64   `json:"mean"`
	FreeEnergy []float64 `json:"free_energy"`
}

func runScore(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, lookup("score"))
	asJSON := fs.Bool("json", false, "print one JSON object")
	onnxPath := fs.String("onnx", "", "score with this ONNX model (run by onnx-go) instead of an rbm model file")
	outputs := fs.StringSlice("outputs", []string{export.OutputFreeEnergy}, "with --onnx: the graph outputs to print, comma-separated")
	var data dataFlags
	fs.Uint64Var(&data.seed, "seed", 1, "seed of --binarize stochastic")
	data.register(fs)
	if hasFlag(args, "onnx") {
		pos, err := parse(fs, args, 1, 1)
		if err != nil {
			return err
		}
		v, err := loadONNXData(&data, *onnxPath, pos[0])
		if err != nil {
			return err
		}
		return scoreONNX(ctx, e, *onnxPath, pos[0], v, *outputs, *asJSON)
	}
	pos, err := parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	var f []float64
	m, meta, err := loadModel(pos[0])
	switch {
	case errors.Is(err, rbm.ErrMachine):
		mm, meta, err := loadMachineModel(pos[0])
		if err != nil {
			return err
		}
		v, err := loadMachineDataFor(&data, pos[1], mm, meta)
		if err != nil {
			return err
		}
		for _, row := range rowsOfMatrix(v) {
			f = append(f, mm.FreeEnergy(row))
		}
	case err != nil:
		return err
	default:
		v, err := data.loadFor(pos[1], m, meta)
		if err != nil {
			return err
		}
		f = make([]float64, v.Rows)
		m.FreeEnergies(f, v)
	}
	if *asJSON {
		res := scoreResult{Rows: len(f), FreeEnergy: f}
		for _, x := range f {
			res.Mean += x / float64(len(f))
		}
		return json.NewEncoder(e.stdout).Encode(res)
	}
	w := bufio.NewWriter(e.stdout)
	var buf []byte
	for _, x := range f {
		buf = strconv.AppendFloat(buf[:0], x, 'g', 10, 64)
		w.Write(append(buf, '\n'))
	}
	return w.Flush()
}
