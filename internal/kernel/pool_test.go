package kernel

import (
	"sync/atomic"
	"testing"
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
