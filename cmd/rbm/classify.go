package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/classify"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/idx"
)

func init() {
	register(&command{
		name:  "classify",
		usage: "[flags] --train-labels LABELS --test-labels LABELS TRAIN TEST",
		summary: "Fit a softmax (multinomial logistic-regression) classifier with an L2 penalty on the rows of TRAIN and report its accuracy on TEST. " +
			"TRAIN and TEST are .npy, CSV or float IDX files (as rbm features writes them), whose values are taken as they are, or image IDX files, binarised as rbm train reads them (--binarize); the classes are 0 to the largest training label.",
		example: "  rbm features mnist64.rbm train-images-idx3-ubyte.gz -o train64.npy\n" +
			"  rbm features mnist64.rbm t10k-images-idx3-ubyte.gz -o test64.npy\n" +
			"  rbm classify --train-labels train-labels-idx1-ubyte.gz --test-labels t10k-labels-idx1-ubyte.gz train64.npy test64.npy",
		run: runClassify,
	})
}

// classifyResult is the JSON form of rbm classify.
type classifyResult struct {
	Train         string  `json:"train"`
	Test          string  `json:"test"`
	TrainRows     int     `json:"train_rows"`
	TestRows      int     `json:"test_rows"`
	Features      int     `json:"features"`
	Classes       int     `json:"classes"`
	L2            float64 `json:"l2"`
	Iterations    int     `json:"iterations"`
	Converged     bool    `json:"converged"`
	Loss          float64 `json:"loss"`
	TrainAccuracy float64 `json:"train_accuracy"`
	TestAccuracy  float64 `json:"test_accuracy"`
	TestCorrect   int     `json:"test_correct"`
	Seconds       float64 `json:"seconds"`
}

func runClassify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, lookup("classify"))
	def := classify.DefaultSettings()
	s := def
	var (
		trainLabelPath, testLabelPath string
		data                          dataFlags
	)
	fs.StringVar(&trainLabelPath, "train-labels", "", "IDX label file of TRAIN, one integer class per row (required)")
	fs.StringVar(&testLabelPath, "test-labels", "", "IDX label file of TEST (required)")
	fs.Float64Var(&s.L2, "l2", def.L2, "L2 penalty λ: the fit minimises the mean cross-entropy + (λ/2)‖W‖²")
	fs.IntVar(&s.MaxIterations, "max-iter", def.MaxIterations, "most L-BFGS iterations")
	fs.Float64Var(&s.GradientTolerance, "tol", def.GradientTolerance, "stop once no gradient component exceeds this")
	asJSON := fs.Bool("json", false, "print one JSON object")
	fs.Uint64Var(&data.seed, "seed", 1, "seed of --binarize stochastic (IDX inputs)")
	data.register(fs)
	pos, err := parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	if trainLabelPath == "" || testLabelPath == "" {
		return usagef("--train-labels and --test-labels are required")
	}
	if s.MaxIterations <= 0 {
		return usagef("--max-iter %d must be positive", s.MaxIterations)
	}
	if !(s.L2 >= 0) || !(s.GradientTolerance > 0) {
		return usagef("--l2 must not be negative and --tol must be positive")
	}
	trainPath, testPath := pos[0], pos[1]
	train, trainLabels, err := loadLabelled(&data, trainPath, trainLabelPath)
	if err != nil {
		return err
	}
	test, testLabels, err := loadLabelled(&data, testPath, testLabelPath)
	if err != nil {
		return err
	}
	if test.Cols != train.Cols {
		return fmt.Errorf("%s: rows have %d values, those of %s %d", testPath, test.Cols, trainPath, train.Cols)
	}
	// Labels are class indices from 0, so a training set cannot show more
	// classes than it has rows; a larger label is a mislabelled file, and
	// taken at its word it could ask for any amount of memory.
	classes := slices.Max(trainLabels) + 1
	if classes > train.Rows {
		return fmt.Errorf("%s: label %d implies %d classes, more than the %d training rows (labels must number the classes from 0)", trainLabelPath, classes-1, classes, train.Rows)
	}

	fmt.Fprintf(e.stderr, "fitting softmax on %d×%d rows of %s (%d classes, L2 %g)\n", train.Rows, train.Cols, trainPath, classes, s.L2)
	bar := newProgress(e.stderr)
	s.Progress = func(it int, loss float64) {
		bar.update(fmt.Sprintf("iteration %d  loss %.5f", it, loss), it, s.MaxIterations)
	}
	start := time.Now()
	model, err := classify.Fit(ctx, train, trainLabels, classes, s)
	bar.clear()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return errors.New("interrupted")
		}
		return fmt.Errorf("%s: %w", trainPath, err)
	}
	seconds := time.Since(start).Seconds()
	status := "converged"
	if !model.Converged {
		status = "not converged"
	}
	fmt.Fprintf(e.stderr, "%d iterations (%s) in %.1fs, training loss %.5f\n", model.Iterations, status, seconds, model.Loss)

	trainAcc, _, err := score(model, train, trainLabels)
	if err != nil {
		return fmt.Errorf("%s: %w", trainPath, err)
	}
	testAcc, correct, err := score(model, test, testLabels)
	if err != nil {
		return fmt.Errorf("%s: %w", testPath, err)
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(classifyResult{
			Train: trainPath, Test: testPath, TrainRows: train.Rows, TestRows: test.Rows,
			Features: train.Cols, Classes: classes, L2: s.L2,
			Iterations: model.Iterations, Converged: model.Converged, Loss: model.Loss,
			TrainAccuracy: trainAcc, TestAccuracy: testAcc, TestCorrect: correct, Seconds: seconds,
		})
	}
	fmt.Fprintf(e.stdout, "train accuracy %.4f  (%d rows)\n", trainAcc, train.Rows)
	fmt.Fprintf(e.stdout, "test accuracy  %.4f  (%d/%d correct)\n", testAcc, correct, test.Rows)
	return nil
}

// score returns the accuracy of model on x and the number of rows it
// classifies correctly.
func score(model *classify.Softmax, x *rbm.Matrix, labels []int) (float64, int, error) {
	pred, err := model.Predict(x)
	if err != nil {
		return 0, 0, err
	}
	acc, err := classify.Accuracy(pred, labels)
	if err != nil {
		return 0, 0, err
	}
	correct := 0
	for i, p := range pred {
		if p == labels[i] {
			correct++
		}
	}
	return acc, correct, nil
}

// idxHoldsReals reports whether path is an IDX file of float32 or float64
// elements (false when it cannot be read: the load that follows says why).
func idxHoldsReals(path string) bool {
	t, ok := idxType(path)
	return ok && (t == idx.Float32 || t == idx.Float64)
}

// idxHoldsBytes reports whether path is an IDX file of unsigned or signed
// bytes, which real-valued units read scaled to [0, 1].
func idxHoldsBytes(path string) bool {
	t, ok := idxType(path)
	return ok && (t == idx.UByte || t == idx.SByte)
}

// idxType returns the element type of the IDX file at path, and false
// when it is not one that can be opened.
func idxType(path string) (idx.Type, bool) {
	if f := dataFormat(path); f != "" {
		return 0, false // .npy, CSV or sequences
	}
	r, err := idx.Open(path)
	if err != nil {
		return 0, false
	}
	defer r.Close()
	return r.Type, true
}

// loadLabelled reads a data file (.npy, or IDX as data.load reads it) and
// its IDX label file, both cut to --limit rows, and checks that they
// match.
func loadLabelled(data *dataFlags, path, labelPath string) (*rbm.Matrix, []int, error) {
	var x *rbm.Matrix
	var err error
	if f := dataFormat(path); f == "npy" || f == "csv" {
		// Features, which rbm features writes as .npy or CSV, are taken
		// as they are, not binarized as data for binary units would be.
		if f == "npy" {
			x, err = dataset.ReadNPY(path)
		} else {
			x, _, err = dataset.LoadCSV(path)
		}
		if err != nil {
			return nil, nil, err
		}
		if data.limit > 0 && data.limit < x.Rows {
			x = x.Slice(0, data.limit)
		}
	} else {
		read := *data
		if read.fs != nil && !read.fs.Changed("binarize") && idxHoldsReals(path) {
			// Features (rbm features writes float32 IDX) are real values to
			// classify as they are, not grey levels to binarise.
			read.binarize = "prob"
		}
		if x, _, err = read.load(path); err != nil {
			return nil, nil, err
		}
	}
	a, err := idx.ReadFile(labelPath)
	if err != nil {
		return nil, nil, err
	}
	labels, err := dataset.Labels(a)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", labelPath, err)
	}
	if data.limit > 0 && data.limit < len(labels) {
		labels = labels[:data.limit]
	}
	switch {
	case len(labels) != x.Rows:
		return nil, nil, fmt.Errorf("%s: %d labels for the %d rows of %s", labelPath, len(labels), x.Rows, path)
	case x.Rows == 0:
		return nil, nil, fmt.Errorf("%s: no rows", path)
	}
	if i := slices.IndexFunc(labels, func(y int) bool { return y < 0 }); i >= 0 {
		return nil, nil, fmt.Errorf("%s: label %d of row %d is negative", labelPath, labels[i], i)
	}
	return x, labels, nil
}
