package exact

import (
	"context"
	"fmt"
	"math"
	"sync"

	"github.com/rbmkit/rbm/internal/kernel"
)

// A StateVisitor returns the log-weight of state s of an enumeration. It
// is called on consecutive states in odometer order (unit 0 changes
// fastest), with changed the highest unit whose value differs from the
// previous call's; changed is len(s)-1 on the first call and periodically
// after, so a visitor may keep running sums, update them for units
// 0..changed only, and still not drift.
type StateVisitor func(s []int, changed int) float64

// LogSumStates returns log Σₛ exp(f(s)) over the qⁿ states s of n units
// that take q values each (s[i] ∈ [0, q)), f being a visitor made by
// newVisitor. The states are split into chunks by their highest units and
// the chunks shared among opt's workers; each chunk gets a visitor of its
// own, so visitors may keep scratch space unguarded. The result does not
// depend on the number of workers. The enumeration is refused when qⁿ
// exceeds 2 to the power opt's MaxUnits.
func LogSumStates(ctx context.Context, n, q int, opt Options, newVisitor func() StateVisitor) (float64, error) {
	if err := checkStates(n, q, opt); err != nil {
		return 0, fmt.Errorf("exact: %w", err)
	}
	parts, err := forStates(ctx, n, q, opt, func(_ uint64, walk func(func(s []int, changed int)) error) (LogSumExp, error) {
		visit := newVisitor()
		var acc LogSumExp
		err := walk(func(s []int, changed int) { acc.Add(visit(s, changed)) })
		return acc, err
	})
	if err != nil {
		return 0, err
	}
	return total(parts), nil
}

// checkStates reports an enumeration of n units of q values that the
// options do not allow.
func checkStates(n, q int, opt Options) error {
	if n < 1 || q < 2 {
		return fmt.Errorf("enumeration of %d units with %d values each", n, q)
	}
	if bits := float64(n) * math.Log2(float64(q)); bits > float64(opt.maxUnits())+1e-9 {
		return fmt.Errorf("%w: %d units of %d values make %d^%d ≈ 2^%.1f states; the limit is 2^%d (at most 2^%d)",
			ErrTooLarge, n, q, q, n, bits, opt.maxUnits(), HardMaxUnits)
	}
	return nil
}

// forStates enumerates the qⁿ states of n units of q values each in
// chunks, as LogSumStates describes, and returns one part per chunk, in
// chunk order. body is called once per chunk, on opt's workers, with the
// number of the chunk's first state (Σᵢ s[i]·qⁱ; the chunk's states are
// consecutive numbers) and walk, which calls its visit on each state of
// the chunk in odometer order with the arguments of a StateVisitor and
// returns the context's error when it is cancelled. The caller checks the
// size first (checkStates).
func forStates[P any](ctx context.Context, n, q int, opt Options, body func(first uint64, walk func(visit func(s []int, changed int)) error) (P, error)) ([]P, error) {
	// The top units select a chunk: as many as keep at most 256 chunks
	// and at least 2¹⁰ states in each, as forChunks does for binary units.
	top := 0
	for c := q; top < n && c <= 1<<maxChunkBits && math.Pow(float64(q), float64(n-top-1)) >= 1<<minChunkLog; c *= q {
		top++
	}
	chunks := 1
	for range top {
		chunks *= q
	}
	j := &statesJob[P]{ctx: ctx, n: n, q: q, top: top, body: body,
		parts: make([]P, chunks), errs: make([]error, chunks),
		progress: opt.Progress, total: uint64(math.Pow(float64(q), float64(n)))}
	pool := kernel.NewPool(min(opt.workers(), chunks))
	defer pool.Close()
	pool.Run(j, chunks)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range j.errs {
		if err != nil {
			return nil, err
		}
	}
	return j.parts, nil
}

type statesJob[P any] struct {
	ctx       context.Context
	n, q, top int
	body      func(first uint64, walk func(visit func(s []int, changed int)) error) (P, error)
	parts     []P
	errs      []error
	progress  func(done, total uint64)
	total     uint64
	mu        sync.Mutex
	done      uint64
}

// Do enumerates chunk c: its top units hold the digits of c, the others
// run through every combination.
func (j *statesJob[P]) Do(c int) {
	if j.ctx.Err() != nil {
		j.errs[c] = j.ctx.Err()
		return
	}
	s := make([]int, j.n)
	low := j.n - j.top
	for i, r := low, c; i < j.n; i, r = i+1, r/j.q {
		s[i] = r % j.q
	}
	var steps uint64
	walk := func(visit func(s []int, changed int)) error {
		changed := j.n - 1
		for {
			visit(s, changed)
			steps++
			if steps%checkEvery == 0 && j.ctx.Err() != nil {
				return j.ctx.Err()
			}
			// Advance the odometer over the low units.
			i := 0
			for ; i < low; i++ {
				s[i]++
				if s[i] < j.q {
					break
				}
				s[i] = 0
			}
			if i == low {
				return nil
			}
			changed = i
			if steps%AnchorEvery == 0 {
				changed = j.n - 1
			}
		}
	}
	perChunk := j.total / uint64(len(j.parts))
	part, err := j.body(uint64(c)*perChunk, walk)
	if err != nil {
		j.errs[c] = err
		return
	}
	j.parts[c] = part
	if j.progress != nil {
		j.mu.Lock()
		j.done += steps
		j.progress(j.done, j.total)
		j.mu.Unlock()
	}
}
