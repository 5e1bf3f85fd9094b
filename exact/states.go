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
	if n < 1 || q < 2 {
		return 0, fmt.Errorf("exact: enumeration of %d units with %d values each", n, q)
	}
	if bits := float64(n) * math.Log2(float64(q)); bits > float64(opt.maxUnits())+1e-9 {
		return 0, fmt.Errorf("exact: %w: %d units of %d values make %d^%d ≈ 2^%.1f states; the limit is 2^%d (at most 2^%d)",
			ErrTooLarge, n, q, q, n, bits, opt.maxUnits(), HardMaxUnits)
	}
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
	j := &statesJob{ctx: ctx, n: n, q: q, top: top, newVisitor: newVisitor,
		parts: make([]LogSumExp, chunks), errs: make([]error, chunks),
		progress: opt.Progress, total: uint64(math.Pow(float64(q), float64(n)))}
	pool := kernel.NewPool(min(opt.workers(), chunks))
	defer pool.Close()
	pool.Run(j, chunks)
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	for _, err := range j.errs {
		if err != nil {
			return 0, err
		}
	}
	return total(j.parts), nil
}

type statesJob struct {
	ctx        context.Context
	n, q, top  int
	newVisitor func() StateVisitor
	parts      []LogSumExp
	errs       []error
	progress   func(done, total uint64)
	total      uint64
	mu         sync.Mutex
	done       uint64
}

// Do enumerates chunk c: its top units hold the digits of c, the others
// run through every combination.
func (j *statesJob) Do(c int) {
	if j.ctx.Err() != nil {
		j.errs[c] = j.ctx.Err()
		return
	}
	s := make([]int, j.n)
	low := j.n - j.top
	for i, r := low, c; i < j.n; i, r = i+1, r/j.q {
		s[i] = r % j.q
	}
	visit := j.newVisitor()
	var acc LogSumExp
	changed := j.n - 1
	var steps uint64
	for {
		acc.Add(visit(s, changed))
		steps++
		if steps%checkEvery == 0 && j.ctx.Err() != nil {
			j.errs[c] = j.ctx.Err()
			return
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
			break
		}
		changed = i
		if steps%AnchorEvery == 0 {
			changed = j.n - 1
		}
	}
	j.parts[c] = acc
	if j.progress != nil {
		j.mu.Lock()
		j.done += steps
		j.progress(j.done, j.total)
		j.mu.Unlock()
	}
}
