package main

import (
	"fmt"

	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/spf13/pflag"
)

// dataFlags are the flags every command that reads IDX data shares: how
// grey levels become visible-unit values.
type dataFlags struct {
	fs        *pflag.FlagSet
	binarize  string
	threshold float64
	seed      uint64
	limit     int
	alphabet  string // Potts units: the states of aligned sequences ("": the amino acids)
	spins     bool   // load reads ±1 data too, as bits (for spin units)
}

func (d *dataFlags) register(fs *pflag.FlagSet) {
	d.fs = fs
	d.binarize, d.threshold = "threshold", dataset.DefaultThreshold
	fs.Var(binarization{&d.binarize}, "binarize", "how grey levels become units: threshold, stochastic (each pixel on with probability value/range, seeded by --seed) or prob (keep the scaled values)")
	fs.Var(fraction{&d.threshold}, "threshold", "cut-off for --binarize threshold, as a fraction of the value range")
	nonNegativeIntVar(fs, &d.limit, "limit", 0, "use only the first N rows of each data file (0: all)")
}

// notef writes a note about the data read, such as ambiguous residues
// read as gaps, to the command's standard error: its flag set's output,
// which newFlags sets to it, so that every command that reads data can
// report without a writer passed down to each loader.
func (d *dataFlags) notef(format string, args ...any) {
	if d.fs != nil {
		fmt.Fprintf(d.fs.Output(), format+"\n", args...)
	}
}

// load reads a data file of binary units into a matrix: an IDX file
// (gzipped or not), or a .npy or CSV file of bits or probabilities
// (dataset.LoadBits, which binarizes them as IDX probabilities are).
func (d *dataFlags) load(path string) (*rbm.Matrix, dataset.Shape, error) {
	opt, err := d.options()
	if err != nil {
		return nil, dataset.Shape{}, err
	}
	var (
		m     *rbm.Matrix
		shape dataset.Shape
	)
	switch format := dataFormat(path); {
	case format == "alignment":
		err = alignmentError(path, "binary")
	case format != "" || d.spins:
		m, shape, err = dataset.LoadBits(path, opt, d.spins)
	default:
		m, shape, err = dataset.Load(path, opt)
	}
	if err != nil {
		return nil, shape, err
	}
	if d.limit > 0 && d.limit < m.Rows {
		m = m.Slice(0, d.limit)
	}
	return m, shape, nil
}

// loadCompact reads a data file as load does, but binarized data into a
// bit matrix streamed from the file (dataset.LoadCompact): the same values
// for training, in a thirty-second of the memory.
func (d *dataFlags) loadCompact(path string) (rbm.Data, dataset.Shape, error) {
	opt, err := d.options()
	if err != nil {
		return nil, dataset.Shape{}, err
	}
	var (
		data  rbm.Data
		shape dataset.Shape
	)
	switch dataFormat(path) {
	case "csv", "npy": // small enough as they are
		data, shape, err = dataset.LoadBits(path, opt, false)
	case "alignment":
		err = alignmentError(path, "binary")
	default:
		data, shape, err = dataset.LoadCompact(path, opt)
	}
	if err != nil {
		return nil, shape, err
	}
	if rows, _ := data.Dims(); d.limit > 0 && d.limit < rows {
		switch x := data.(type) {
		case *rbm.Matrix:
			data = x.Slice(0, d.limit)
		case *rbm.BitMatrix:
			data = x.Slice(0, d.limit)
		}
	}
	return data, shape, nil
}

// alignmentError refuses aligned sequences for units of the given kind,
// saying what they read instead of failing on the IDX magic number.
func alignmentError(path, kind string) error {
	return fmt.Errorf("%s: aligned sequences are read by Potts units (--visible potts); %s units read IDX, .npy or CSV files", path, kind)
}

// options returns the dataset options the flags give.
func (d *dataFlags) options() (dataset.Options, error) {
	mode, err := dataset.ParseBinarize(d.binarize)
	if err != nil {
		return dataset.Options{}, err // checked as a flag and in the model's metadata
	}
	opt := dataset.Options{Binarize: mode, Threshold: d.threshold}
	if mode == dataset.Stochastic {
		opt.Rand = seeds.Rand(d.seed, seeds.Binarize)
	}
	return opt, nil
}

// followModel makes data read for a model default to the binarisation the
// model was trained with, so that features and scores see the same kind of
// input as training did; an explicit --binarize still wins.
func (d *dataFlags) followModel(meta *rbm.Meta) {
	if meta != nil && meta.Binarize != "" && d.fs != nil && !d.fs.Changed("binarize") {
		d.binarize = meta.Binarize
	}
}

// loadFor reads data for model m: with the model's binarisation unless
// --binarize overrides it, and checked against its visible layer.
func (d *dataFlags) loadFor(path string, m *rbm.RBM, meta *rbm.Meta) (*rbm.Matrix, error) {
	d.followModel(meta)
	v, _, err := d.load(path)
	if err != nil {
		return nil, err
	}
	if err := checkWidth(path, v, m); err != nil {
		return nil, err
	}
	if v.Rows == 0 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	return v, nil
}

// checkWidth reports data whose rows do not fit the model's visible layer.
func checkWidth(path string, data *rbm.Matrix, m *rbm.RBM) error {
	if data.Cols != m.Visible {
		return fmt.Errorf("%s: rows have %d values, the model has %d visible units", path, data.Cols, m.Visible)
	}
	return nil
}

// loadModel reads a model file, naming it in any error, and checks the
// binarisation its metadata records, which data read for it follows.
func loadModel(path string) (*rbm.RBM, *rbm.Meta, error) {
	m, meta, err := rbm.LoadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if err := checkBinarization(path, meta); err != nil {
		return nil, nil, err
	}
	return m, meta, nil
}

// checkBinarization reports a model whose metadata names a binarisation
// this build does not know (package rbm leaves that check to dataset).
func checkBinarization(path string, meta *rbm.Meta) error {
	if meta.Binarize != "" {
		if _, err := dataset.ParseBinarize(meta.Binarize); err != nil {
			return fmt.Errorf("%s: %w: metadata: binarize %q is not a binarization this build knows", path, rbm.ErrFormat, meta.Binarize)
		}
	}
	return nil
}
