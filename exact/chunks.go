package exact

import (
	"context"
	"math/bits"
	"sync"

	"github.com/rbmkit/rbm/internal/kernel"
)

// The 2ⁿ states, numbered by their position k in Gray-code order, are split
// into 2^chunkBits(n) chunks of consecutive positions. Within a chunk the
// high-order bits of k are fixed, so every step flips one of the low bits
// and a chunk can be enumerated incrementally from its first state.
const (
	maxChunkBits = 8  // at most 256 chunks: enough to balance two or more workers
	minChunkLog  = 10 // chunks hold at least 2¹⁰ states unless n is smaller
	// checkEvery is the period, in steps, of context checks inside a chunk.
	checkEvery = 1 << 14
)

// AnchorEvery is the period, in Gray-code positions, at which Walk has its
// Walker recompute the running quantities from scratch, so that the
// rounding of incremental updates never accumulates over more than
// AnchorEvery steps.
const AnchorEvery = 1 << 12

// chunkBits returns how many high-order bits of the position select a
// chunk; it depends on n only, which keeps results independent of the
// number of workers.
func chunkBits(n int) int {
	return min(max(n-minChunkLog, 0), maxChunkBits)
}

// gray returns the state at position k of the binary reflected Gray code:
// bit i of the result is unit i.
func gray(k uint64) uint64 { return k ^ (k >> 1) }

// flipAt returns the unit that changes between positions k and k+1.
func flipAt(k uint64) int { return bits.TrailingZeros64(k + 1) }

// chunkJob runs body on every chunk of an n-unit enumeration through a
// kernel.Pool, stopping early when the context is cancelled, and reports
// progress after each chunk.
type chunkJob[P any] struct {
	ctx      context.Context
	n        int
	size     uint64 // states per chunk
	body     func(ctx context.Context, lo, hi uint64) (P, error)
	progress func(done, total uint64)
	done     uint64 // guarded by mu
	mu       sync.Mutex
	parts    []P
	errs     []error
}

func (j *chunkJob[P]) Do(c int) {
	if j.ctx.Err() != nil {
		j.errs[c] = j.ctx.Err()
		return
	}
	lo := uint64(c) * j.size
	part, err := j.body(j.ctx, lo, lo+j.size)
	if err != nil {
		j.errs[c] = err
		return
	}
	j.parts[c] = part
	if j.progress != nil {
		j.mu.Lock()
		j.done += j.size
		j.progress(j.done, uint64(1)<<j.n)
		j.mu.Unlock()
	}
}

// ForChunks splits the 2ⁿ Gray-code positions of an enumeration of n units
// into chunks of consecutive positions, calls body(ctx, lo, hi) for each
// chunk [lo, hi) on opt's workers, and returns the parts body computed, in
// chunk order. The chunks depend on n alone, never on the number of
// workers, so a caller that combines the parts in order gets the same bits
// whatever Options.Workers says. Options.Progress is called after each
// chunk.
//
// ForChunks does not check n against the options' limit: callers do so
// first with Options.CheckSize. It returns the error of the first failed
// chunk in chunk order, or the context's error when it was cancelled.
func ForChunks[P any](ctx context.Context, n int, opt Options, body func(ctx context.Context, lo, hi uint64) (P, error)) ([]P, error) {
	chunks := 1 << chunkBits(n)
	j := &chunkJob[P]{ctx: ctx, n: n, size: (uint64(1) << n) / uint64(chunks), body: body,
		progress: opt.Progress, parts: make([]P, chunks), errs: make([]error, chunks)}
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

// A Walker carries the quantities that an enumeration updates from state
// to state along the Gray code, such as a model's energy or the inputs of
// an RBM's other layer, and the state itself. Walk drives it.
type Walker interface {
	// Reset computes the quantities from scratch for state g, in which
	// unit i is on exactly when bit i of g is set.
	Reset(g uint64)
	// Flip updates the state and the quantities for the flip of unit i.
	Flip(i int)
}

// Walk visits the states at Gray-code positions [lo, hi) in order, calling
// visit(g) at each with g its bits (unit i on when bit i is set), while w
// follows along: w is Reset to the first state and at every AnchorEvery-th
// position, and flipped one unit at a time in between, so consecutive
// visits differ in one unit. visit reads the quantities from w. Walk checks
// the context every few thousand steps and returns its error when it is
// cancelled.
func Walk(ctx context.Context, lo, hi uint64, w Walker, visit func(g uint64)) error {
	g := gray(lo)
	w.Reset(g)
	for k := lo; ; k++ {
		visit(g)
		if k+1 == hi {
			return nil
		}
		i := flipAt(k)
		g ^= 1 << i
		if (k+1)%AnchorEvery == 0 {
			w.Reset(g)
			if (k+1)%checkEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			continue
		}
		w.Flip(i)
	}
}
