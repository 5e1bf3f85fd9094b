package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/rbmexact"
)

func init() {
	register(&command{
		name:  "gradcheck",
		usage: "[flags] MODEL DATA",
		summary: "Compare the CD-k estimate of the log-likelihood gradient on DATA (averaged over the rows and many chains) with the " +
			"exact gradient, per parameter block: relative error and cosine similarity, for each k. This shows the bias of CD-k. " +
			"Models of any unit types (version 2 files) are compared block by block (W, then each trained parameter of the visible " +
			"and the hidden layer) when one layer is discrete and small enough to enumerate; data is read as for rbm eval.",
		example: "  rbm gradcheck mnist20.rbm train-images-idx3-ubyte.gz --limit 1000 --k 1,5,25",
		run:     runGradcheck,
	})
}

// blockError compares one block of the CD-k gradient with the exact one.
type blockError struct {
	// RelErr is ‖g_cd - g‖ / ‖g‖ (Euclidean norms), null when the exact
	// block is zero; Cosine is the cosine of the angle between g_cd and g
	// (0 when either is zero).
	RelErr *float64 `json:"rel_err"`
	Cosine float64  `json:"cosine"`
}

// gradcheckK is the comparison for one k.
type gradcheckK struct {
	K      int        `json:"k"`
	W      blockError `json:"W"`
	B      blockError `json:"b"`
	C      blockError `json:"c"`
	All    blockError `json:"all"`
	Chains int        `json:"chains"`
}

// gradcheckResult is the --json output of rbm gradcheck.
type gradcheckResult struct {
	Model   string       `json:"model"`
	Data    string       `json:"data"`
	Rows    int          `json:"rows"`
	LogLik  float64      `json:"log_lik"`
	Norm    float64      `json:"exact_norm"`
	Results []gradcheckK `json:"results"`
	Seconds float64      `json:"seconds"`
}

func runGradcheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, lookup("gradcheck"))
	var (
		data     dataFlags
		ks       string
		chains   int
		seed     uint64
		workers  int
		maxUnits int
		asJSON   bool
	)
	fs.StringVar(&ks, "k", "1,5,25", "comma-separated Gibbs step counts of the CD-k estimates")
	fs.IntVar(&chains, "chains", 20, "independent CD chains started at each data row")
	fs.Uint64Var(&seed, "seed", 1, "random seed")
	nonNegativeIntVar(fs, &workers, "workers", 0, "goroutines sharing the work (0: one per core); never changes the result")
	fs.IntVar(&maxUnits, "max-units", autoExactUnits, "refuse models whose smaller layer exceeds this many units, or 2^this many states for other unit types (the exact gradient enumerates it)")
	data.register(fs)
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	pos, err := parse(fs, args, 2, 2)
	if err != nil {
		return err
	}
	data.seed = seed
	kList, err := parseKList(ks)
	if err != nil {
		return err
	}
	if chains < 1 {
		return usagef("--chains %d must be positive", chains)
	}
	if maxUnits < 1 {
		return usagef("--max-units %d must be positive", maxUnits)
	}
	m, meta, err := loadModel(pos[0])
	if errors.Is(err, rbm.ErrMachine) {
		return runGradcheckMachine(ctx, e, pos, &data, kList, chains, seed, workers, maxUnits, asJSON)
	}
	if err != nil {
		return err
	}
	v, err := data.loadFor(pos[1], m, meta)
	if err != nil {
		return err
	}
	start := time.Now()
	bar := newProgress(e.stderr)
	opt := exact.Options{Workers: workers, MaxUnits: maxUnits,
		Progress: func(done, total uint64) { bar.update("exact gradient", int(done>>10), int(total>>10)) }}
	g, logZ, err := rbmexact.Gradient(ctx, m, v, opt)
	bar.clear()
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], maxUnitsHint(err))
	}
	ll := -rbmexact.MeanFreeEnergy(m, v) - logZ
	res := gradcheckResult{Model: pos[0], Data: pos[1], Rows: v.Rows, LogLik: ll, Norm: norm(g.W, g.B, g.C)}
	for i, k := range kList {
		if err := ctx.Err(); err != nil {
			return err
		}
		bar.update(fmt.Sprintf("CD-%d", k), i, len(kList))
		cd, err := m.CDGradient(v, k, chains, seed, workers)
		if err != nil {
			return err
		}
		res.Results = append(res.Results, gradcheckK{
			K: k, Chains: chains,
			W: compare(cd.W, g.W), B: compare(cd.B, g.B), C: compare(cd.C, g.C),
			All: compare(concat(cd), concat(g)),
		})
	}
	bar.clear()
	res.Seconds = time.Since(start).Seconds()
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	fmt.Fprintf(e.stdout, "model: %s (%d×%d), data: %s (%d rows), exact log-lik %.4f, ‖∇‖ = %.4g\n",
		pos[0], m.Visible, m.Hidden, pos[1], v.Rows, ll, res.Norm)
	fmt.Fprintf(e.stdout, "%6s  %-17s  %-17s  %-17s  %-17s\n", "", "W", "b", "c", "all")
	fmt.Fprintf(e.stdout, "%6s  %8s %8s  %8s %8s  %8s %8s  %8s %8s\n", "k", "rel err", "cosine", "rel err", "cosine", "rel err", "cosine", "rel err", "cosine")
	for _, r := range res.Results {
		fmt.Fprintf(e.stdout, "%6d", r.K)
		for _, b := range []blockError{r.W, r.B, r.C, r.All} {
			rel := "n/a"
			if b.RelErr != nil {
				rel = fmt.Sprintf("%.4f", *b.RelErr)
			}
			fmt.Fprintf(e.stdout, "  %8s %8.4f", rel, b.Cosine)
		}
		fmt.Fprintln(e.stdout)
	}
	return nil
}

// parseKList reads "1,5,25".
func parseKList(s string) ([]int, error) {
	var ks []int
	for f := range strings.SplitSeq(s, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 1 || k > 100000 {
			return nil, usagef("--k %q: want comma-separated step counts from 1 to 100000", s)
		}
		ks = append(ks, k)
	}
	return ks, nil
}

// compare returns the relative error and cosine similarity of est against
// the exact gradient g.
func compare(est, g []float64) blockError {
	var diff, dot, ne, ng float64
	for i, x := range g {
		d := est[i] - x
		diff += d * d
		dot += est[i] * x
		ne += est[i] * est[i]
		ng += x * x
	}
	var b blockError
	if ng > 0 {
		r := math.Sqrt(diff / ng)
		b.RelErr = &r
	}
	if ne > 0 && ng > 0 {
		b.Cosine = dot / math.Sqrt(ne*ng)
	}
	return b
}

func concat(g *rbm.Gradient) []float64 {
	return append(append(append([]float64(nil), g.W...), g.B...), g.C...)
}

func norm(xs ...[]float64) float64 {
	var s float64
	for _, x := range xs {
		for _, v := range x {
			s += v * v
		}
	}
	return math.Sqrt(s)
}
