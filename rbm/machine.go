package rbm

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/rbmkit/rbm/internal/kernel"
	"github.com/rbmkit/rbm/internal/seeds"
	"github.com/rbmkit/rbm/rbm/layer"
)

// Machine is a restricted Boltzmann machine over any pair of unit types:
// a visible layer, a hidden layer and the weights that couple them, with
// energy
//
//	E(v, h) = E_v(v) + E_h(h) - vᵀWh.
//
// Each layer's energy term, conditional distribution and log-partition Γ
// come from package layer, so the machine's free energy is
// F(v) = E_v(v) - Γ_h(Wᵀv), and the same few lines serve every pair of
// types. The binary RBM is the special case RBM, which keeps batched
// float32 kernels of its own; AsMachine converts it.
type Machine struct {
	Visible, Hidden layer.Layer
	// W holds the weights, Visible.Width()×Hidden.Width() row-major: for
	// Potts units, column a of unit i is row i·q+a.
	W []float64
}

// NewMachine returns a machine coupling the two layers with zero weights.
func NewMachine(visible, hidden layer.Layer) *Machine {
	return &Machine{Visible: visible, Hidden: hidden, W: make([]float64, visible.Width()*hidden.Width())}
}

// AsMachine returns the binary RBM m as a Machine of two binary layers,
// its parameters converted to float64.
func AsMachine(m *RBM) *Machine {
	toFloat64 := func(x []float32) []float64 {
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = float64(v)
		}
		return y
	}
	return &Machine{
		Visible: layer.NewBinary(toFloat64(m.B)),
		Hidden:  layer.NewBinary(toFloat64(m.C)),
		W:       toFloat64(m.W),
	}
}

// Validate reports weights that do not fit the layers or are not finite,
// and invalid layer parameters.
func (m *Machine) Validate() error {
	if m.Visible == nil || m.Hidden == nil {
		return fmt.Errorf("%w: a machine needs two layers", ErrInvalid)
	}
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	if len(m.W) != vw*hw {
		return fmt.Errorf("%w: W has %d values, want %d×%d", ErrInvalid, len(m.W), vw, hw)
	}
	for i, w := range m.W {
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return fmt.Errorf("%w: W[%d] is %v", ErrInvalid, i, w)
		}
	}
	for _, l := range []layer.Layer{m.Visible, m.Hidden} {
		if err := layer.Validate(l); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	}
	var g gaussianCheck
	if err := g.check(m); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// Clone returns a deep copy of m.
func (m *Machine) Clone() *Machine {
	return &Machine{Visible: m.Visible.Clone(), Hidden: m.Hidden.Clone(), W: append([]float64(nil), m.W...)}
}

// Transpose returns the machine with its layers swapped: its visible layer
// is m's hidden layer.
func (m *Machine) Transpose() *Machine {
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	t := &Machine{Visible: m.Hidden.Clone(), Hidden: m.Visible.Clone(), W: make([]float64, len(m.W))}
	for i := range vw {
		for j := range hw {
			t.W[j*vw+i] = m.W[i*hw+j]
		}
	}
	return t
}

// weights returns W as a Visible.Width()×Hidden.Width() matrix sharing
// m's storage.
func (m *Machine) weights() *mat.Dense {
	return mat.NewDense(m.Visible.Width(), m.Hidden.Width(), m.W)
}

// HiddenInput sets dst to Wᵀv, the input the hidden layer receives from
// the visible state v.
func (m *Machine) HiddenInput(dst, v []float64) {
	m.checkLen("v", v, m.Visible.Width())
	m.checkLen("hidden input", dst, m.Hidden.Width())
	m.hiddenInputCols(dst, v, 0, m.Hidden.Width())
}

// hiddenInputCols sets dst[lo:hi] to columns [lo, hi) of Wᵀv, each a sum
// over v's units in order: a split of the columns gives HiddenInput's
// bits.
func (m *Machine) hiddenInputCols(dst, v []float64, lo, hi int) {
	if !kernel.RoundsSeparately() {
		m.hiddenInputColsLoop(dst, v, lo, hi)
		return
	}
	hw := m.Hidden.Width()
	dst = dst[lo:hi]
	clear(dst)
	// The rows of units that are on (v[i] ≠ 0), four at a time: each
	// element takes the four terms in order, as four passes would add
	// them, with one load and store of it instead of four.
	var on [4]int
	k := 0
	for i, vi := range v {
		if vi == 0 {
			continue
		}
		on[k] = i
		if k++; k < len(on) {
			continue
		}
		k = 0
		a, b, c, d := v[on[0]], v[on[1]], v[on[2]], v[on[3]]
		r0, r1 := m.W[on[0]*hw+lo:][:len(dst)], m.W[on[1]*hw+lo:][:len(dst)]
		r2, r3 := m.W[on[2]*hw+lo:][:len(dst)], m.W[on[3]*hw+lo:][:len(dst)]
		for j, x := range dst {
			dst[j] = x + a*r0[j] + b*r1[j] + c*r2[j] + d*r3[j]
		}
	}
	for _, i := range on[:k] {
		vi, row := v[i], m.W[i*hw+lo:i*hw+hi]
		for j, w := range row {
			dst[j] += vi * w
		}
	}
}

// hiddenInputColsLoop is hiddenInputCols one row at a time, the loop whose
// bits it keeps: where the compiler fuses multiply-adds (kernel.
// RoundsSeparately), it may fuse the unrolled form's differently, and
// this runs instead.
func (m *Machine) hiddenInputColsLoop(dst, v []float64, lo, hi int) {
	hw := m.Hidden.Width()
	dst = dst[lo:hi]
	clear(dst)
	for i, vi := range v {
		if vi == 0 {
			continue
		}
		row := m.W[i*hw+lo : i*hw+hi]
		for j, w := range row {
			dst[j] += vi * w
		}
	}
}

// VisibleInput sets dst to Wh, the input the visible layer receives from
// the hidden state h.
func (m *Machine) VisibleInput(dst, h []float64) {
	m.checkLen("h", h, m.Hidden.Width())
	m.checkLen("visible input", dst, m.Visible.Width())
	m.visibleInputRows(dst, h, 0, m.Visible.Width())
}

// visibleInputRows sets dst[lo:hi] to elements [lo, hi) of Wh.
func (m *Machine) visibleInputRows(dst, h []float64, lo, hi int) {
	if !kernel.RoundsSeparately() {
		m.visibleInputRowsLoop(dst, h, lo, hi)
		return
	}
	hw := m.Hidden.Width()
	h = h[:hw]
	i := lo
	// Four rows at a time: four sums, each over h in order as one row's
	// loop adds it, run side by side rather than each waiting on its own
	// previous addition.
	for ; i+4 <= hi; i += 4 {
		r0, r1, r2, r3 := m.W[i*hw:][:hw], m.W[(i+1)*hw:][:hw], m.W[(i+2)*hw:][:hw], m.W[(i+3)*hw:][:hw]
		var s0, s1, s2, s3 float64
		for j, hj := range h {
			s0 += r0[j] * hj
			s1 += r1[j] * hj
			s2 += r2[j] * hj
			s3 += r3[j] * hj
		}
		dst[i], dst[i+1], dst[i+2], dst[i+3] = s0, s1, s2, s3
	}
	for ; i < hi; i++ {
		row := m.W[i*hw : (i+1)*hw]
		var s float64
		for j, hj := range h {
			s += row[j] * hj
		}
		dst[i] = s
	}
}

// visibleInputRowsLoop is visibleInputRows one row at a time, run where
// the compiler fuses multiply-adds (see hiddenInputColsLoop).
func (m *Machine) visibleInputRowsLoop(dst, h []float64, lo, hi int) {
	hw := m.Hidden.Width()
	for i := lo; i < hi; i++ {
		row := m.W[i*hw : (i+1)*hw]
		var s float64
		for j, hj := range h {
			s += row[j] * hj
		}
		dst[i] = s
	}
}

// Energy returns E(v, h) = E_v(v) + E_h(h) - vᵀWh.
func (m *Machine) Energy(v, h []float64) float64 {
	in := make([]float64, m.Hidden.Width())
	m.HiddenInput(in, v)
	var coupling float64
	for j, hj := range h {
		coupling += in[j] * hj
	}
	return m.Visible.Energy(v) + m.Hidden.Energy(h) - coupling
}

// FreeEnergy returns F(v) = E_v(v) - Γ_h(Wᵀv) = -log Σ_h exp(-E(v, h)):
// the single definition of the free energy of a visible state, which the
// exact enumeration, sampling and training all use.
func (m *Machine) FreeEnergy(v []float64) float64 {
	in := make([]float64, m.Hidden.Width())
	m.HiddenInput(in, v)
	return m.Visible.Energy(v) - m.Hidden.LogPartition(in)
}

// HiddenFreeEnergy returns F(h) = E_h(h) - Γ_v(Wh), the free energy of a
// hidden state with the visible layer summed or integrated out.
func (m *Machine) HiddenFreeEnergy(h []float64) float64 {
	in := make([]float64, m.Visible.Width())
	m.VisibleInput(in, h)
	return m.Hidden.Energy(h) - m.Visible.LogPartition(in)
}

// Gibbs holds the scratch space of block Gibbs sampling on a machine; one
// Gibbs serves one goroutine.
type Gibbs struct {
	m        *Machine
	inV, inH []float64
	Rng      *rand.Rand
}

// NewGibbs returns a block Gibbs sampler on m drawing from rng.
func (m *Machine) NewGibbs(rng *rand.Rand) *Gibbs {
	return &Gibbs{m: m, inV: make([]float64, m.Visible.Width()), inH: make([]float64, m.Hidden.Width()), Rng: rng}
}

// SampleHidden draws h from p(h | v).
func (g *Gibbs) SampleHidden(h, v []float64) {
	g.m.HiddenInput(g.inH, v)
	g.m.Hidden.Sample(h, g.inH, g.Rng)
}

// SampleVisible draws v from p(v | h).
func (g *Gibbs) SampleVisible(v, h []float64) {
	g.m.VisibleInput(g.inV, h)
	g.m.Visible.Sample(v, g.inV, g.Rng)
}

// Step takes one sweep v → h → v in place.
func (g *Gibbs) Step(v, h []float64) {
	g.SampleHidden(h, v)
	g.SampleVisible(v, h)
}

// HiddenMeans returns E[h | v] for every row of data: the features of
// each row.
func (m *Machine) HiddenMeans(data *mat.Dense) *mat.Dense { return m.hiddenMeans(nil, data) }

// hiddenMeans is HiddenMeans on the pool p (nil: the calling goroutine);
// the products and the rows' means are the same whatever p.
func (m *Machine) hiddenMeans(p *kernel.Pool, data *mat.Dense) *mat.Dense {
	rows, _ := data.Dims()
	in := mat.NewDense(rows, m.Hidden.Width(), nil)
	p.MulDense(in, data, false, m.weights(), false)
	out := mat.NewDense(rows, m.Hidden.Width(), nil)
	p.Run(rowJob(func(r int) { m.Hidden.Mean(out.RawRowView(r), in.RawRowView(r)) }), rows)
	return out
}

// Reconstruct returns E[v | h] at h = E[h | v] for every row of data.
func (m *Machine) Reconstruct(data *mat.Dense) *mat.Dense { return m.reconstruct(nil, data) }

// reconstruct is Reconstruct on the pool p, as hiddenMeans.
func (m *Machine) reconstruct(p *kernel.Pool, data *mat.Dense) *mat.Dense {
	h := m.hiddenMeans(p, data)
	rows, _ := data.Dims()
	in := mat.NewDense(rows, m.Visible.Width(), nil)
	p.MulDense(in, h, false, m.weights(), true)
	out := mat.NewDense(rows, m.Visible.Width(), nil)
	p.Run(rowJob(func(r int) { m.Visible.Mean(out.RawRowView(r), in.RawRowView(r)) }), rows)
	return out
}

// rowJob is a kernel.Job of one task per row of a batch method whose rows
// are independent of each other.
type rowJob func(r int)

func (f rowJob) Do(r int) { f(r) }

func (m *Machine) checkLen(name string, x []float64, want int) {
	if len(x) != want {
		panic(fmt.Sprintf("rbm: %s has length %d, machine %s(%d)×%s(%d) wants %d",
			name, len(x), m.Visible.Kind(), m.Visible.Units(), m.Hidden.Kind(), m.Hidden.Units(), want))
	}
}

// Init sets the parameters as RBM.Init does for any unit types: weights
// drawn from N(0, 0.01²) with a source seeded by seed, the hidden layer at
// its defaults, and the visible layer fitted to the data's base rates
// (layer.Layer's Fit): a binary machine starts where the binary RBM does.
// It reports data that does not fit the visible layer.
func (m *Machine) Init(data Data, seed uint64) error {
	rng := seeds.Rand(seed, seeds.Init)
	for i := range m.W {
		m.W[i] = 0.01 * rng.NormFloat64()
	}
	if noData(data) {
		return nil
	}
	rows, cols := data.Dims()
	if cols != m.Visible.Width() {
		return fmt.Errorf("rbm: data has %d columns, the %s visible layer takes %d", cols, m.Visible.Kind(), m.Visible.Width())
	}
	sum, sq := columnMoments(data)
	m.Visible.Fit(sum, sq, rows)
	return nil
}

// columnMoments returns the sums and the sums of squares of data's
// columns, accumulated in float64 in row order.
func columnMoments(data Data) (sum, sq []float64) {
	rows, cols := data.Dims()
	sum, sq = make([]float64, cols), make([]float64, cols)
	const chunk = 1024
	buf := NewMatrix(min(chunk, rows), cols)
	idx := make([]int32, min(chunk, rows))
	for lo := 0; lo < rows; lo += chunk {
		n := min(chunk, rows-lo)
		for r := range n {
			idx[r] = int32(lo + r)
		}
		data.Gather(buf, idx[:n])
		for r := range n {
			for j, x := range buf.Row(r) {
				v := float64(x)
				sum[j] += v
				sq[j] += v * v
			}
		}
	}
	return sum, sq
}

// Sample draws n visible states by block Gibbs sampling. Each chain starts
// at a draw from the visible layer alone (at zero input: for a layer
// fitted by Init, the data's base rates), or at the corresponding row of
// start when start is not nil, and takes steps sweeps v → h → v. Chain r
// draws from a source seeded by (seed, r), so the result depends on the
// seed only. It returns the final states and the means E[v|h] of the last
// sweep, one row per chain.
func (m *Machine) Sample(ctx context.Context, n, steps int, seed uint64, start *mat.Dense) (states, means *mat.Dense, err error) {
	if n <= 0 || steps < 0 {
		return nil, nil, fmt.Errorf("rbm: sample: %d chains of %d steps", n, steps)
	}
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	if start != nil {
		if r, c := start.Dims(); r < n || c != vw {
			return nil, nil, fmt.Errorf("rbm: sample: start is %d×%d, want at least %d rows of %d values", r, c, n, vw)
		}
	}
	states, means = mat.NewDense(n, vw, nil), mat.NewDense(n, vw, nil)
	h, in := make([]float64, hw), make([]float64, vw)
	for r := range n {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		g := m.NewGibbs(seeds.Indexed(seed, r))
		v := states.RawRowView(r)
		if start != nil {
			copy(v, start.RawRowView(r))
		} else {
			m.Visible.Sample(v, make([]float64, vw), g.Rng)
		}
		for range steps {
			g.Step(v, h)
		}
		m.VisibleInput(in, h)
		m.Visible.Mean(means.RawRowView(r), in)
	}
	return states, means, nil
}
