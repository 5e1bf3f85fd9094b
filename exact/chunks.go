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
	// anchorEvery is the period, in steps, at which the enumerators
	// recompute their running energy or inputs from scratch.
	anchorEvery = 1 << 12
	// checkEvery is the period, in steps, of context checks inside a chunk.
	checkEvery = 1 << 14
)

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
type chunkJob struct {
	ctx      context.Context
	n        int
	size     uint64 // states per chunk
	body     func(ctx context.Context, chunk int, lo, hi uint64) error
	progress func(done, total uint64)
	done     uint64 // guarded by mu
	mu       sync.Mutex
	errs     []error
}

func (j *chunkJob) Do(c int) {
	if j.ctx.Err() != nil {
		j.errs[c] = j.ctx.Err()
		return
	}
	lo := uint64(c) * j.size
	if err := j.body(j.ctx, c, lo, lo+j.size); err != nil {
		j.errs[c] = err
		return
	}
	if j.progress != nil {
		j.mu.Lock()
		j.done += j.size
		j.progress(j.done, uint64(1)<<j.n)
		j.mu.Unlock()
	}
}

// forChunks calls body(ctx, c, lo, hi) for every chunk c of the 2ⁿ
// positions [lo, hi), on opt's workers, and returns the number of chunks.
// It returns the first error by chunk order, or the context's error.
func forChunks(ctx context.Context, n int, opt *Options, body func(ctx context.Context, chunk int, lo, hi uint64) error) (int, error) {
	chunks := 1 << chunkBits(n)
	j := &chunkJob{ctx: ctx, n: n, size: (uint64(1) << n) / uint64(chunks), body: body,
		progress: opt.progress(), errs: make([]error, chunks)}
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
	return chunks, nil
}
