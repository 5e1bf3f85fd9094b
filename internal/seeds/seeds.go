package seeds

import "math/rand/v2"

// golden is 2⁶⁴/φ, the increment of SplitMix64's Weyl sequence: odd, with
// well-spread bits, so that its multiples spread nearby counts apart.
const golden = 0x9e3779b97f4a7c15

// PCG returns the source of stream s of seed: PCG seeded with (seed, s).
func PCG(seed uint64, s Stream) *rand.PCG { return rand.NewPCG(seed, uint64(s)) }

// Rand returns a generator drawing from PCG(seed, s).
func Rand(seed uint64, s Stream) *rand.Rand { return rand.New(PCG(seed, s)) }

// Row returns the PCG seed pair of row (or chain) row of stream s of seed.
// Seeding each row from (seed, s, row) makes a row's draws independent of
// how rows are split among workers, which keeps results bit-identical for
// any worker count; SplitMix64 decorrelates nearby seeds, streams and rows.
func Row(seed uint64, s Stream, row int) (uint64, uint64) {
	return Mix(seed ^ Mix(uint64(s))), Mix(uint64(row) + golden*uint64(s))
}

// RowRand returns a generator drawing from PCG seeded with Row(seed, s, row).
func RowRand(seed uint64, s Stream, row int) *rand.Rand {
	return rand.New(rand.NewPCG(Row(seed, s, row)))
}

// Draw returns the stream of the n-th draw of a sampler that counts its
// draws from 1 and seeds every row of every draw by Row(seed, Draw(n),
// row): a fresh stream per draw, so that no two draws repeat numbers.
// Draws take the small stream numbers, the named streams large ones
// (MinStream).
func Draw(n uint64) Stream { return Stream(n) }

// Split returns a seed of its own for the consumer named s: the first word
// of Row(seed, s, 0). A component handed Split(seed, s) derives its
// streams from it without meeting those of seed.
func Split(seed uint64, s Stream) uint64 {
	a, _ := Row(seed, s, 0)
	return a
}

// Indexed returns a generator drawing from PCG seeded with (seed, i): the
// source of chain or row i in rbm.Machine.Sample, the machine annealing of
// package ais (forward and reverse) and denoise.Inpaint. Unlike RowRand it
// does not decorrelate nearby seeds (seeds 1 and 2 give chains that
// differ only in PCG's state) and its chains occupy the small second
// words; it is kept because those results were recorded under it.
func Indexed(seed uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(i)))
}

// Nth returns seed ^ k·(2⁶⁴/φ), the seed of the k-th of a sequence of
// runs that each derive their streams from a seed: the PCD updates of
// fvbm.TrainPCD, the batches of denoise.RBM and the rows of
// denoise.Model. Nth(seed, 0) is seed itself. Kept for the bits; new code
// uses Split or Row.
func Nth(seed, k uint64) uint64 { return seed ^ k*golden }

// Xor returns seed ^ s, the seed ais hands the tempering that draws reverse
// AIS's starting samples (AISTempering). Kept for the bits; new code uses
// Split.
func Xor(seed uint64, s Stream) uint64 { return seed ^ uint64(s) }

// Reseed returns the PCG seed pair (seed ^ s, n) with which rbm.Tempering
// reseeds its swap source before sweep n (TemperingSwaps). Kept for the
// bits; new code uses Row.
func Reseed(seed uint64, s Stream, n uint64) (uint64, uint64) { return seed ^ uint64(s), n }

// Next returns seed + 1: the held-out rows of training's monitor are
// picked by Rand(Next(seed), Monitor), the training rows by
// Rand(seed, Monitor). Kept for the bits; new code uses a Stream of its
// own.
func Next(seed uint64) uint64 { return seed + 1 }

// Mix is the SplitMix64 finaliser (Steele, Lea and Flood), which turns
// nearby inputs into unrelated outputs. Row uses it; so does the kernel's
// vectorised Bernoulli sampler to fill its generators' state from a pair.
func Mix(x uint64) uint64 {
	x += golden
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
