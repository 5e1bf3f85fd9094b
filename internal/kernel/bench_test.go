package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchPaths runs a benchmark on the assembly path (when the CPU has it)
// and the portable one, with one and two workers.
func benchPaths(b *testing.B, f func(b *testing.B, p *Pool)) {
	for _, path := range []string{"avx2", "portable"} {
		if path == "avx2" && !haveAVX2FMA {
			continue
		}
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", path, w), func(b *testing.B) {
				if path == "portable" {
					saved := haveAVX2FMA
					haveAVX2FMA = false
					defer func() { haveAVX2FMA = saved }()
				}
				p := NewPool(w)
				defer p.Close()
				f(b, p)
			})
		}
	}
}

func BenchmarkGemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range rbmShapes[:3] {
		for _, batch := range []int{100, 1000} {
			m, n, k := s.m, s.n, s.k
			switch {
			case m == 100:
				m = batch
			case k == 100:
				k = batch
			}
			lda, ldb := k, n
			if s.tA {
				lda = m
			}
			if s.tB {
				ldb = k
			}
			a, bm, c := randSlice(rng, m*k), randSlice(rng, k*n), make([]float32, m*n)
			b.Run(fmt.Sprintf("%s/batch=%d", s.name[:strings3(s.name)], batch), func(b *testing.B) {
				benchPaths(b, func(b *testing.B, p *Pool) {
					for b.Loop() {
						p.Gemm(s.tA, s.tB, m, n, k, 1, a, lda, bm, ldb, 0, c, n)
					}
					b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			})
		}
	}
}

// strings3 returns the length of the first word of a shape's name.
func strings3(name string) int {
	for i, r := range name {
		if r == ' ' {
			return i + 3
		}
	}
	return len(name)
}

func BenchmarkSigmoidRows(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	x, bias := randSlice(rng, 100*784), randSlice(rng, 784)
	benchPaths(b, func(b *testing.B, p *Pool) {
		for b.Loop() {
			p.SigmoidRows(x, bias)
			for i := range x[:784] {
				x[i] -= bias[i] // keep the inputs in a useful range
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/element")
	})
}

func BenchmarkSampleRows(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	p, dst := make([]float32, 100*784), make([]float32, 100*784)
	for i := range p {
		p[i] = rng.Float32()
	}
	benchPaths(b, func(b *testing.B, pl *Pool) {
		var stream uint64
		for b.Loop() {
			stream++
			pl.SampleRows(dst, p, 784, 1, stream)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(p)), "ns/element")
	})
}

// BenchmarkCD1Step times the kernel calls of one CD-1 update at batch 100
// and 784 visible units, the shapes of the training benchmark: the five
// products, three sigmoids and two samples of rbm's stepper (without its
// elementwise parameter update).
func BenchmarkCD1Step(b *testing.B) {
	for _, hid := range []int{64, 500} {
		b.Run(fmt.Sprintf("hidden=%d", hid), func(b *testing.B) { benchCD1Step(b, hid) })
	}
}

func benchCD1Step(b *testing.B, hid int) {
	const batch, vis = 100, 784
	rng := rand.New(rand.NewPCG(4, 4))
	w := randSlice(rng, vis*hid)
	for i := range w {
		w[i] *= 0.01
	}
	bv, ch := make([]float32, vis), make([]float32, hid)
	v0 := make([]float32, batch*vis)
	for i := range v0 {
		v0[i] = float32(rng.IntN(2))
	}
	h0, hs, hp := make([]float32, batch*hid), make([]float32, batch*hid), make([]float32, batch*hid)
	vp, vs := make([]float32, batch*vis), make([]float32, batch*vis)
	grad := make([]float32, vis*hid)
	benchPaths(b, func(b *testing.B, p *Pool) {
		var stream uint64
		for b.Loop() {
			p.Gemm(false, false, batch, hid, vis, 1, v0, vis, w, hid, 0, h0, hid)
			p.SigmoidRows(h0, ch)
			stream++
			p.SampleRows(hs, h0, hid, 1, stream)
			p.Gemm(false, true, batch, vis, hid, 1, hs, hid, w, hid, 0, vp, vis)
			p.SigmoidRows(vp, bv)
			stream++
			p.SampleRows(vs, vp, vis, 1, stream)
			p.Gemm(false, false, batch, hid, vis, 1, vs, vis, w, hid, 0, hp, hid)
			p.SigmoidRows(hp, ch)
			p.Gemm(true, false, vis, hid, batch, 1, v0, vis, h0, hid, 0, grad, hid)
			p.Gemm(true, false, vis, hid, batch, -1, vs, vis, hp, hid, 1, grad, hid)
		}
		// 600 steps make an epoch of 60,000 rows.
		b.ReportMetric(600*b.Elapsed().Seconds()/float64(b.N), "s/epoch")
		b.ReportMetric(10*batch*vis*float64(hid)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// BenchmarkGemm500 times the products of a CD step with 500 hidden units
// at batch 100: p(h|v) (NN), p(v|h) = h·Wᵀ (NT) and the gradient of the
// stacked positive and negative phases, k = 2·batch (TN).
func BenchmarkGemm500(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{{"NN", false, false, 100, 500, 784}, {"NT", false, true, 100, 784, 500}, {"TN", true, false, 784, 500, 200}} {
		lda, ldb := s.k, s.n
		if s.tA {
			lda = s.m
		}
		if s.tB {
			ldb = s.k
		}
		a, bm, c := randSlice(rng, s.m*s.k), randSlice(rng, s.k*s.n), make([]float32, s.m*s.n)
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", s.name, w), func(b *testing.B) {
				p := NewPool(w)
				defer p.Close()
				for b.Loop() {
					p.Gemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkGemmSparseA times the products of a CD step whose A is binary
// with a fifth of its entries ones (a little denser than MNIST binarised
// at ½, 13%), by GemmSparseA and by the dense Gemm, on two workers: p(h|v)
// (NN) and the stacked gradient (TN, k = 2·batch).
func BenchmarkGemmSparseA(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, hid := range []int{64, 500} {
		for _, s := range []struct {
			name    string
			tA      bool
			m, n, k int
		}{{"NN", false, 100, hid, 784}, {"TN", true, 784, hid, 200}} {
			lda := s.k
			if s.tA {
				lda = s.m
			}
			a, bm, c := sparseSlice(rng, s.m*s.k, 0.19, true), randSlice(rng, s.k*s.n), make([]float32, s.m*s.n)
			p := NewPool(2)
			for _, sparse := range []bool{false, true} {
				b.Run(fmt.Sprintf("%s/hidden=%d/sparse=%v", s.name, hid, sparse), func(b *testing.B) {
					for b.Loop() {
						if sparse {
							p.GemmSparseA(s.tA, s.m, s.n, s.k, a, lda, bm, s.n, c, s.n)
						} else {
							p.Gemm(s.tA, false, s.m, s.n, s.k, 1, a, lda, bm, s.n, 0, c, s.n)
						}
					}
				})
			}
			p.Close()
		}
	}
}

// BenchmarkDgemm times the float64 products of a training step of a
// 784×500 model whose layers are not binary, at batch 100.
func BenchmarkDgemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"hidden NN 100x500x784", false, false, 100, 500, 784},
		{"visible NT 100x784x500", false, true, 100, 784, 500},
		{"gradient TN 784x500x100", true, false, 784, 500, 100},
	} {
		lda, ldb := s.k, s.n
		if s.tA {
			lda = s.m
		}
		if s.tB {
			ldb = s.k
		}
		a, bm, c := randSlice64(rng, s.m*s.k), randSlice64(rng, s.k*s.n), make([]float64, s.m*s.n)
		b.Run(s.name[:strings3(s.name)], func(b *testing.B) {
			benchPaths(b, func(b *testing.B, p *Pool) {
				for b.Loop() {
					p.Dgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
				}
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		})
	}
}

// BenchmarkPackDgemmB times the packing of the weights of a 784×500
// model for the products of a training step: W for x·W and Wᵀ for h·Wᵀ.
func BenchmarkPackDgemmB(b *testing.B) {
	w := randSlice64(rand.New(rand.NewPCG(1, 1)), 784*500)
	for _, tB := range []bool{false, true} {
		b.Run(map[bool]string{false: "W", true: "WT"}[tB], func(b *testing.B) {
			var d DPacked
			k, n := 784, 500
			if tB {
				k, n = n, k
			}
			for b.Loop() {
				(*Pool)(nil).PackDgemmB(&d, tB, k, n, w, 500)
			}
			b.ReportMetric(float64(8*len(w))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
}
