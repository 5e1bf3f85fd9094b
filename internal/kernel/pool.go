package kernel

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Job is a unit of parallel work split into numbered tasks. Callers pass a
// pointer to a long-lived value so that dispatching it allocates nothing.
type Job interface {
	Do(task int)
}

// Pool runs the tasks of a Job on a fixed set of goroutines. A nil *Pool,
// or one with a single worker, runs every task on the calling goroutine.
//
// Each participating goroutine, the caller included, owns a contiguous
// share of the task numbers and runs its own share first, then takes what
// is left of the others' shares, which balances the load when a core is
// busy with something else. The jobs number their tasks along the rows of
// their output, so a goroutine works on the same rows in consecutive
// products of a training step and finds their data in its own core's
// cache; with one shared counter instead, half of every product's input
// came from the other core's cache, and a step at 784×64 took 15–20% longer
// on two workers. Which goroutine runs a task never changes what the task
// computes, so results do not depend on the number of workers.
//
// A Pool is used by one goroutine at a time: Run and the product methods
// are not safe for concurrent use on the same Pool.
type Pool struct {
	workers int

	// The current batch, written by Run before it publishes a new
	// generation (the atomic increment orders the writes before the
	// helpers' reads) and left alone until every helper has reported done.
	job     Job
	n       int64
	share   []taskShare  // one per goroutine, the caller's first
	pending atomic.Int64 // helpers still working on the batch

	// gen counts batches; helpers wait for it to change, first spinning,
	// then asleep on cond. closed ends them.
	gen      atomic.Uint64
	closed   atomic.Bool
	mu       sync.Mutex
	cond     *sync.Cond
	sleepers int

	// Long-lived jobs and scratch space of the product methods, so that
	// they allocate nothing per call once the buffers have grown.
	gemm    gemmJob
	sample  sampleJob
	sigmoid sigmoidJob
}

// NewPool starts a pool of the given number of workers; workers ≤ 0 means
// runtime.GOMAXPROCS(0). Close releases its goroutines.
func NewPool(workers int) *Pool {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := &Pool{workers: workers, share: make([]taskShare, workers)}
	p.cond = sync.NewCond(&p.mu)
	// The calling goroutine runs tasks too, so workers-1 helpers suffice.
	for w := range workers - 1 {
		go p.serve(w + 1)
	}
	return p
}

// Workers reports how many goroutines share the work, including the caller.
func (p *Pool) Workers() int {
	if p == nil {
		return 1
	}
	return p.workers
}

// Close stops the pool's goroutines. It is safe to call more than once.
func (p *Pool) Close() {
	if p == nil || p.workers == 1 {
		return
	}
	p.mu.Lock()
	p.closed.Store(true)
	p.cond.Broadcast()
	p.mu.Unlock()
}

// spinTime is how long an idle helper polls for the next batch before it
// goes to sleep. A training step issues its products tens of microseconds
// apart; waking a sleeping goroutine costs about as much as a small
// product, so without the spin the caller finishes most batches alone.
const spinTime = 200 * time.Microsecond

func (p *Pool) serve(worker int) {
	var seen uint64
	for {
		g, ok := p.await(seen)
		if !ok {
			return
		}
		seen = g
		p.work(worker)
		p.pending.Add(-1)
	}
}

// await returns the first generation after seen, or false once the pool
// is closed.
func (p *Pool) await(seen uint64) (uint64, bool) {
	start := time.Now()
	for i := 0; ; i++ {
		if g := p.gen.Load(); g != seen {
			return g, true
		}
		if p.closed.Load() {
			return 0, false
		}
		if i%256 == 255 {
			if time.Since(start) > spinTime {
				break
			}
			runtime.Gosched()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if g := p.gen.Load(); g != seen {
			return g, true
		}
		if p.closed.Load() {
			return 0, false
		}
		p.sleepers++
		p.cond.Wait()
		p.sleepers--
	}
}

// workerJob is a Job whose tasks use per-worker scratch space: doOn runs
// task on the goroutine numbered worker (0 is the caller of Run, helpers
// are 1 to workers-1), and no two tasks run at once on one worker.
type workerJob interface {
	Job
	doOn(worker, task int)
}

// A taskShare is the next unclaimed task of one goroutine's share, alone
// on its cache line so that claiming tasks in one share does not slow the
// others.
type taskShare struct {
	next atomic.Int64
	_    [56]byte
}

// shareEnd returns the end of the share of goroutine w: shares split the
// batch's n tasks into contiguous ranges of nearly equal length.
func (p *Pool) shareEnd(w int) int64 { return p.n * int64(w+1) / int64(p.workers) }

// work runs tasks of the current batch until none is left: first its own
// share, then what is left of the others', in turn.
func (p *Pool) work(worker int) {
	wj, indexed := p.job.(workerJob)
	for i := range p.workers {
		owner := (worker + i) % p.workers
		end := p.shareEnd(owner)
		for {
			t := p.share[owner].next.Add(1) - 1
			if t >= end {
				break
			}
			if indexed {
				wj.doOn(worker, int(t))
			} else {
				p.job.Do(int(t))
			}
		}
	}
}

// Run calls job.Do(t) for t in [0, n) and returns when all calls have
// returned. Tasks may run concurrently and in any order.
func (p *Pool) Run(job Job, n int) {
	if p == nil || p.workers == 1 || n <= 1 {
		for t := range n {
			job.Do(t)
		}
		return
	}
	p.job, p.n = job, int64(n)
	p.share[0].next.Store(0)
	for w := 1; w < p.workers; w++ {
		p.share[w].next.Store(p.shareEnd(w - 1))
	}
	// Every helper takes part in every batch (those that find no task
	// left report done at once), so each sees each generation once.
	p.pending.Store(int64(p.workers - 1))
	p.gen.Add(1)
	p.mu.Lock()
	if p.sleepers > 0 {
		p.cond.Broadcast()
	}
	p.mu.Unlock()
	p.work(0)
	// The helpers are at most one task behind: wait for them without
	// sleeping, since a goroutine woken from sleep costs more than the
	// task it waits for.
	for i := 1; p.pending.Load() != 0; i++ {
		if i%64 == 0 {
			runtime.Gosched()
		}
	}
	p.job = nil
}

// serialWork is the amount of work (multiply-adds, or elements for the
// elementwise kernels) below which waking a helper costs more than it
// saves; smaller jobs run their tasks on the caller. The split never
// changes a result, so neither does this threshold.
const serialWork = 1 << 15

// runSized runs job like Run, but on the calling goroutine alone when the
// job's total work is below serialWork.
func (p *Pool) runSized(job Job, n, work int) {
	if work < serialWork {
		p = nil
	}
	p.Run(job, n)
}
