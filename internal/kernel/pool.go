package kernel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Job is a unit of parallel work split into numbered tasks. Callers pass a
// pointer to a long-lived value so that dispatching it allocates nothing.
type Job interface {
	Do(task int)
}

// Pool runs the tasks of a Job on a fixed set of goroutines. A nil *Pool,
// or one with a single worker, runs every task on the calling goroutine.
//
// Tasks are handed out dynamically: every participating goroutine,
// including the caller, takes the next task number from a shared counter
// until none is left, which balances the load when a core is busy with
// something else. Which goroutine runs a task never changes what the task
// computes, so results do not depend on the number of workers.
//
// A Pool is used by one goroutine at a time: Run and the product methods
// are not safe for concurrent use on the same Pool.
type Pool struct {
	workers int
	wake    chan struct{}
	close   sync.Once

	// The current batch, written by Run before it wakes any helper (the
	// channel send orders the writes before the helper's reads) and left
	// alone until every woken helper has reported done.
	job  Job
	n    int64
	next atomic.Int64
	done sync.WaitGroup

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
	p := &Pool{workers: workers}
	if workers > 1 {
		p.wake = make(chan struct{}, workers-1)
		// The calling goroutine runs tasks too, so workers-1 helpers suffice.
		for range workers - 1 {
			go p.serve()
		}
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
	if p == nil || p.wake == nil {
		return
	}
	p.close.Do(func() { close(p.wake) })
}

func (p *Pool) serve() {
	for range p.wake {
		p.work()
		p.done.Done()
	}
}

// work runs tasks of the current batch until none is left.
func (p *Pool) work() {
	for {
		t := p.next.Add(1) - 1
		if t >= p.n {
			return
		}
		p.job.Do(int(t))
	}
}

// Run calls job.Do(t) for t in [0, n) and returns when all calls have
// returned. Tasks may run concurrently and in any order.
func (p *Pool) Run(job Job, n int) {
	if p == nil || p.wake == nil || n <= 1 {
		for t := range n {
			job.Do(t)
		}
		return
	}
	p.job, p.n = job, int64(n)
	p.next.Store(0)
	helpers := min(p.workers-1, n-1)
	p.done.Add(helpers)
	for range helpers {
		p.wake <- struct{}{}
	}
	p.work()
	p.done.Wait()
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
