package kernel

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

type countJob struct{ hits []atomic.Int32 }

func (c *countJob) Do(t int) { c.hits[t].Add(1) }

func TestRunCallsEveryTaskOnce(t *testing.T) {
	for _, w := range []int{0, 1, 2, 3, 8} {
		p := NewPool(w)
		for _, n := range []int{0, 1, 2, 3, 17, 1000} {
			for range 3 { // reuse the pool across batches
				job := &countJob{hits: make([]atomic.Int32, n)}
				p.Run(job, n)
				for i := range job.hits {
					if h := job.hits[i].Load(); h != 1 {
						t.Fatalf("workers %d, n %d: task %d ran %d times", w, n, i, h)
					}
				}
			}
		}
		p.Close()
		p.Close()
	}
	var nilPool *Pool
	job := &countJob{hits: make([]atomic.Int32, 4)}
	nilPool.Run(job, 4)
	if nilPool.Workers() != 1 || job.hits[3].Load() != 1 {
		t.Fatal("nil pool does not run serially")
	}
}

// stallJob records which goroutine ran each task; task 0 waits until
// every other task has run (or ten seconds have passed, so that a pool
// that does not balance fails the test instead of hanging it).
type stallJob struct {
	ran  []atomic.Int32 // worker+1 of the goroutine that ran the task
	done atomic.Int32
}

func (s *stallJob) Do(int) { panic("stallJob runs through doOn") }

func (s *stallJob) doOn(worker, task int) {
	if task == 0 {
		deadline := time.Now().Add(10 * time.Second)
		for int(s.done.Load()) < len(s.ran)-1 && time.Now().Before(deadline) {
			runtime.Gosched()
		}
	} else {
		s.done.Add(1)
	}
	s.ran[task].Store(int32(worker + 1))
}

// TestRunBalancesShares checks that the shares are only a first choice:
// while the caller is held up by the first task of its share, the helper
// runs its own share and then the rest of the caller's.
func TestRunBalancesShares(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	const n = 40
	job := &stallJob{ran: make([]atomic.Int32, n)}
	p.Run(job, n)
	for task := range n {
		want := int32(2) // the helper
		if task == 0 {
			want = 1 // the caller, stalled
		}
		if got := job.ran[task].Load(); got != want {
			t.Errorf("task %d ran on goroutine %d, want %d", task, got-1, want-1)
		}
	}
}
