package denoise

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/rbm/layer"
)

// blockTestRows is more rows than two blocks hold, so that the last
// block is partial.
const blockTestRows = 2*machineBlockRows + 37

// randomSpinRows returns n rows of k random ±1 values.
func randomSpinRows(n, k int, seed uint64) [][]int8 {
	rng := rand.New(rand.NewPCG(seed, 7))
	rows := make([][]int8, n)
	for r := range rows {
		rows[r] = make([]int8, k)
		for i := range rows[r] {
			rows[r][i] = int8(2*rng.IntN(2) - 1)
		}
	}
	return rows
}

// TestMachineBlocksIgnoreWorkersAndNeighbours checks that Machine's
// result, denoising and inpainting, over several blocks of rows is the
// same bit for bit on 1, 2 and 3 workers, and that a row's restoration
// does not depend on the rows beside it in its block: the first rows
// restored alone (a block of 5) are the first rows of the whole run.
func TestMachineBlocksIgnoreWorkersAndNeighbours(t *testing.T) {
	m := scaledMachine(t, layer.NewSpin(make([]float64, 6)), layer.NewReLU(make([]float64, 4), make([]float64, 4), false), 1, 8)
	rows := randomSpinRows(blockTestRows, 6, 3)
	ctx := context.Background()
	for _, hidden := range [][]bool{nil, {true, false, true, true, false, false}} {
		var first *Result
		for _, workers := range []int{1, 2, 3} {
			s := Settings{Noise: 0.15, Hidden: hidden, Sweeps: 3, Burnin: 2, Seed: 4, Workers: workers}
			res, err := Machine(ctx, m, rows, s)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = res
				continue
			}
			if !slices.Equal(res.Mean.Data, first.Mean.Data) {
				t.Errorf("hidden %v: %d workers changed the result", hidden, workers)
			}
		}
		few, err := Machine(ctx, m, rows[:5], Settings{Noise: 0.15, Hidden: hidden, Sweeps: 3, Burnin: 2, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(few.Mean.Data, first.Mean.Data[:len(few.Mean.Data)]) {
			t.Errorf("hidden %v: rows restored in a smaller block changed", hidden)
		}
	}
}

// TestInpaintBlocksIgnoreWorkersAndNeighbours is the same check for
// Inpaint, on Gaussian units.
func TestInpaintBlocksIgnoreWorkersAndNeighbours(t *testing.T) {
	v := layer.NewGaussian(make([]float64, 5), make([]float64, 5), false)
	m := scaledMachine(t, v, layer.NewBinary(make([]float64, 3)), 0.5, 9)
	rng := rand.New(rand.NewPCG(2, 2))
	x := mat.NewDense(blockTestRows, 5, nil)
	for i := range blockTestRows * 5 {
		x.RawMatrix().Data[i] = rng.NormFloat64()
	}
	missing := []bool{false, true, true, false, true}
	ctx := context.Background()
	var first *mat.Dense
	for _, workers := range []int{1, 2, 3} {
		got, err := Inpaint(ctx, m, x, missing, Settings{Sweeps: 3, Burnin: 2, Seed: 5, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = got
			continue
		}
		if !mat.Equal(got, first) {
			t.Errorf("%d workers changed the result", workers)
		}
	}
	few, err := Inpaint(ctx, m, x.Slice(0, 5, 0, 5).(*mat.Dense), missing, Settings{Sweeps: 3, Burnin: 2, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(few, first.Slice(0, 5, 0, 5)) {
		t.Error("rows restored in a smaller block changed")
	}
	for r := range blockTestRows {
		for c, u := range missing {
			if !u && first.At(r, c) != x.At(r, c) {
				t.Fatalf("row %d: known unit %d changed from %v to %v", r, c, x.At(r, c), first.At(r, c))
			}
		}
	}
}

// TestMachineProgressAndCancel checks that Machine and Inpaint report
// every block sweep in order, ending at the total, and stop with ctx's
// error when it is cancelled part way.
func TestMachineProgressAndCancel(t *testing.T) {
	m := scaledMachine(t, layer.NewSpin(make([]float64, 4)), layer.NewBinary(make([]float64, 3)), 1, 10)
	rows := randomSpinRows(machineBlockRows+1, 4, 1)
	x := mat.NewDense(len(rows), 4, nil)
	for r, y := range rows {
		for i, v := range y {
			x.Set(r, i, float64(v))
		}
	}
	missing := []bool{true, false, false, true}
	runs := map[string]func(context.Context, Settings) error{
		"Machine": func(ctx context.Context, s Settings) error {
			_, err := Machine(ctx, m, rows, s)
			return err
		},
		"Inpaint": func(ctx context.Context, s Settings) error {
			_, err := Inpaint(ctx, m, x, missing, s)
			return err
		},
	}
	for name, run := range runs {
		// Two blocks of 2 burn-in and 3 recorded sweeps: 10 block sweeps.
		var calls []int
		s := Settings{Noise: 0.1, Sweeps: 3, Burnin: 2, Seed: 1, Workers: 2,
			Progress: func(done, total int) {
				if total != 10 {
					t.Errorf("%s: total %d, want 10", name, total)
				}
				calls = append(calls, done)
			}}
		if err := run(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		if want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; !slices.Equal(calls, want) {
			t.Errorf("%s: progress %v, want %v", name, calls, want)
		}
		ctx, cancel := context.WithCancel(context.Background())
		s.Progress = func(done, total int) {
			if done == 3 {
				cancel()
			}
		}
		if err := run(ctx, s); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: cancelled: error %v", name, err)
		}
		cancel()
	}
}

// TestInpaintRefusesBadRows checks that rows Inpaint cannot take give an
// error naming the row, and that unknown units may hold anything, NaN
// included: their values are never read.
func TestInpaintRefusesBadRows(t *testing.T) {
	ctx := context.Background()
	g := scaledMachine(t, layer.NewGaussian(make([]float64, 3), make([]float64, 3), false), layer.NewBinary(make([]float64, 2)), 1, 11)
	x := mat.NewDense(2, 3, []float64{0, 1, 2, 3, math.NaN(), 5})
	if _, err := Inpaint(ctx, g, x, []bool{false, false, true}, Settings{}); err == nil || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("a known NaN: error %v", err)
	}
	got, err := Inpaint(ctx, g, x, []bool{false, true, false}, Settings{Sweeps: 2})
	if err != nil {
		t.Fatalf("an unknown NaN: %v", err)
	}
	for _, v := range got.RawMatrix().Data {
		if math.IsNaN(v) {
			t.Fatal("an unknown NaN came through")
		}
	}
	potts, _ := layer.NewPotts(2, make([]float64, 4))
	p := scaledMachine(t, potts, layer.NewBinary(make([]float64, 2)), 1, 12)
	if _, err := Inpaint(ctx, p, mat.NewDense(1, 4, []float64{1, 1, 0, 1}), []bool{false, true}, Settings{}); err == nil || !strings.Contains(err.Error(), "row 0") {
		t.Errorf("a known Potts unit that is not one-hot: error %v", err)
	}
	if _, err := Inpaint(ctx, g, &mat.Dense{}, []bool{true, false, false}, Settings{}); err == nil {
		t.Error("no rows accepted")
	}
	res, err := Machine(ctx, scaledMachine(t, layer.NewSpin(make([]float64, 3)), layer.NewBinary(make([]float64, 2)), 1, 13), nil, Settings{Noise: 0.1})
	if err != nil || res.Mean.Rows != 0 {
		t.Errorf("Machine on no rows: %v rows, error %v", res, err)
	}
}
