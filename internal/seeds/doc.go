// Package seeds owns the one way the toolkit derives random streams from a
// user's seed. Every source that training, sampling, annealing, denoising
// and the rbm command's data loading make from a seed is made here, so
// that a seed reproduces a result bit for bit and two consumers of one
// seed never read the same numbers. (Test fixtures draw from sources of
// their own, and dataset.Options takes its caller's source.)
//
// A consumer is named by a Stream constant, all of them declared in
// streams.go with the code that uses each. The derivations are:
//
//   - Rand(seed, s), and PCG for callers that want the bare source: one
//     sequential consumer, such as the shuffle of the mini-batches. Its
//     source is PCG seeded with the pair (seed, s).
//   - Row(seed, s, row), and RowRand: a source per row or per chain.
//     Seeding each row from (seed, s, row) through SplitMix64 makes a draw
//     independent of how rows are split among workers, which keeps
//     results bit-identical for any worker count. Samplers that count
//     their draws use Draw(n) as the stream of the n-th draw.
//   - Split(seed, s): a seed of its own for a component that derives its
//     own streams in turn, such as the tempering chains inside training.
//
// State and Advance jump a PCG stream ahead by n values in O(log n)
// steps, so that the rows of a batch that draw from one sequential stream
// can draw in parallel with the serial loop's bits (each row a fixed
// number of values: layer.FixedDraws).
//
// The remaining forms, Indexed, Nth, Xor, Reseed and Next, each reproduce
// a derivation that some part of the toolkit used before this package
// existed. They are kept, named, because changing them would change the
// model files, samples and estimates every earlier seed produced — the
// recorded hashes of the tests, the README transcripts and users' saved
// results. New code uses Rand, Row and Split with a new Stream.
package seeds
