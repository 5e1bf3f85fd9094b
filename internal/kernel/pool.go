package kernel

import (
	"runtime"
	"sync"
)

// Job is a unit of parallel work split into numbered tasks. Callers pass a
// pointer to a long-lived value so that dispatching it allocates nothing.
type Job interface {
	Do(task int)
}

type dispatch struct {
	job  Job
	task int
}

// Pool runs the tasks of a Job on a fixed set of goroutines. A nil *Pool,
// or one with a single worker, runs every task on the calling goroutine.
//
// A Pool is used by one goroutine at a time: Run and the product methods
// are not safe for concurrent use on the same Pool.
type Pool struct {
	workers int
	tasks   chan dispatch
	wg      sync.WaitGroup
	gemm    gemmJob
	sample  sampleJob
	sigmoid sigmoidJob
	close   sync.Once
}

// NewPool starts a pool of the given number of workers; workers ≤ 0 means
// runtime.GOMAXPROCS(0). Close releases its goroutines.
func NewPool(workers int) *Pool {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := &Pool{workers: workers}
	if workers > 1 {
		p.tasks = make(chan dispatch, workers)
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
	if p == nil || p.tasks == nil {
		return
	}
	p.close.Do(func() { close(p.tasks) })
}

func (p *Pool) serve() {
	for d := range p.tasks {
		d.job.Do(d.task)
		p.wg.Done()
	}
}

// Run calls job.Do(t) for t in [0, n) and returns when all calls have
// returned. Tasks may run concurrently and in any order.
func (p *Pool) Run(job Job, n int) {
	if p == nil || p.tasks == nil || n <= 1 {
		for t := range n {
			job.Do(t)
		}
		return
	}
	p.wg.Add(n)
	next := 0
	for next < n {
		select {
		case p.tasks <- dispatch{job, next}:
			next++
		default:
			// All helpers are busy: do a task here rather than wait.
			job.Do(next)
			p.wg.Done()
			next++
		}
	}
	p.wg.Wait()
}
