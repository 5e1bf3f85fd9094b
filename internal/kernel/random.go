package kernel

import (
	"math"
	"math/rand/v2"

	"github.com/rbmkit/rbm/internal/seeds"
)

// uniform24 turns 24 random bits into a float32 uniform on [0, 1): every
// such value is exactly representable, so the comparison u < p is exact.
const uniform24 = 1.0 / (1 << 24)

// below returns 1 if u < p and 0 otherwise, for u in [0, 1), without a
// branch: the comparison of two random floats mispredicts half the time.
// Non-negative float32 values order like their bit patterns; a negative p
// has a negative int32 pattern and yields 0, as u < p would.
func below(u, p float32) float32 {
	d := int64(math.Float32bits(u)) - int64(int32(math.Float32bits(p)))
	return float32(uint64(d) >> 63)
}

// Bernoulli sets dst[i] to 1 with probability p[i] and to 0 otherwise,
// drawing from rng. It consumes one 64-bit output per two elements.
func Bernoulli(dst, p []float32, rng *rand.PCG) {
	p = p[:len(dst)]
	i := 0
	for ; i+1 < len(dst); i += 2 {
		x := rng.Uint64()
		dst[i] = below(float32(x>>40)*uniform24, p[i])
		dst[i+1] = below(float32((x>>8)&(1<<24-1))*uniform24, p[i+1])
	}
	if i < len(dst) {
		dst[i] = below(float32(rng.Uint64()>>40)*uniform24, p[i])
	}
}

// lanes is the state of eight independent xoshiro128+ generators (Blackman
// and Vigna), one per 32-bit lane of an AVX2 register: words s0, s1, s2, s3
// of lane l are lanes[l], lanes[8+l], lanes[16+l], lanes[24+l]. Sampling
// uses the top 24 bits of each output, which pass the statistical tests
// that the weak low bits of the "+" scrambler fail.
type lanes [32]uint32

// seed fills the state from a seed pair by SplitMix64, the seeding its
// authors recommend.
func (s *lanes) seed(a, b uint64) {
	x := a ^ seeds.Mix(b)
	for i := 0; i < len(s); i += 2 {
		x += 0x9e3779b97f4a7c15
		w := seeds.Mix(x)
		s[i], s[i+1] = uint32(w), uint32(w>>32)
	}
	// An all-zero lane would stay zero forever.
	for l := range 8 {
		if s[l]|s[8+l]|s[16+l]|s[24+l] == 0 {
			s[l] = 1
		}
	}
}

// step advances every lane once and returns the eight outputs.
func (s *lanes) step() (out [8]uint32) {
	for l := range 8 {
		s0, s1, s2, s3 := s[l], s[8+l], s[16+l], s[24+l]
		out[l] = s0 + s3
		t := s1 << 9
		s2 ^= s0
		s3 ^= s1
		s1 ^= s2
		s0 ^= s3
		s2 ^= t
		s3 = s3<<11 | s3>>21
		s[l], s[8+l], s[16+l], s[24+l] = s0, s1, s2, s3
	}
	return out
}

// bernoulliLanes sets dst[j] to 1 with probability p[j], element j taking
// the output of lane j%8, one generator step per eight elements (a final
// partial block uses the first lanes of a full step). The assembly kernel
// computes the same values.
func bernoulliLanes(dst, p []float32, s *lanes) {
	p = p[:len(dst)]
	n8 := len(dst) &^ 7
	j := 0
	if haveAVX2FMA && n8 > 0 {
		bernoulliAVX2(&dst[0], &p[0], n8, (*[32]uint32)(s))
		j = n8
	}
	for ; j < len(dst); j += 8 {
		out := s.step()
		for l := 0; l < 8 && j+l < len(dst); l++ {
			dst[j+l] = below(float32(out[l]>>8)*uniform24, p[j+l])
		}
	}
}

// SampleRows draws a Bernoulli sample of every element of the row-major
// matrix p (rows of length cols) into dst, seeding row r from
// seeds.Row(seed, seeds.Draw(draw), r): callers count their draws from 1,
// so that every draw has a stream of its own. p must hold probabilities in
// [0, 1].
func (pl *Pool) SampleRows(dst, p []float32, cols int, seed, draw uint64) {
	if cols <= 0 || len(dst) == 0 {
		return
	}
	var job *sampleJob
	if pl != nil {
		job = &pl.sample
	} else {
		job = new(sampleJob)
	}
	*job = sampleJob{dst: dst, p: p[:len(dst)], cols: cols, seed: seed, draw: draw}
	rows := len(dst) / cols
	pl.runSized(job, min(rows, rowChunks), len(dst))
	job.dst, job.p = nil, nil
}

type sampleJob struct {
	dst, p     []float32
	cols       int
	seed, draw uint64
}

func (s *sampleJob) Do(task int) {
	rows := len(s.dst) / s.cols
	lo, hi := chunk(rows, task, min(rows, rowChunks))
	var st lanes
	for r := lo; r < hi; r++ {
		st.seed(seeds.Row(s.seed, seeds.Draw(s.draw), r))
		off := r * s.cols
		bernoulliLanes(s.dst[off:off+s.cols], s.p[off:off+s.cols], &st)
	}
}
