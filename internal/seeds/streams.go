package seeds

// Stream names one consumer of random numbers. The constants below are
// every stream of the toolkit, with the code that uses each; their values
// are the tags the code used before they were gathered here, kept so that
// every seed gives the bits it always gave. A new consumer takes a new
// constant, distinct from all of these (TestStreamsDistinct checks) and
// at least MinStream, above the small numbers counters use.
type Stream uint64

// MinStream bounds the named streams from below: the row, draw and chain
// numbers that Row, Draw and Indexed take count up from 0 or 1, and a
// named stream must not be one of them.
const MinStream Stream = 1 << 12

// Streams of Rand: one sequential source each.
const (
	// Shuffle orders the mini-batches of every epoch: rbm.RBM.Train and
	// rbm.Machine.Train (rbm/train.go, rbm/machine_train.go).
	Shuffle Stream = 0x5_4f_ff1e
	// Init draws the initial weights: rbm.RBM.Init and rbm.Machine.Init
	// (rbm/init.go, rbm/machine.go).
	Init Stream = 0x5eed_0f_1417
	// BaseRate draws the visible states of rbm.RBM.BaseRateStates
	// (rbm/pseudo.go), the starting states of rbm sample.
	BaseRate Stream = 0x1417
	// Monitor picks the rows the per-epoch statistics of training use
	// (rbm/stats.go subset): the training rows from the seed, the held-out
	// rows from Next(seed).
	Monitor Stream = 0x3_0_417
	// Tempering is the stream of the parallel-tempering chains of
	// training: rbm.RBM.Train and rbm.Machine.Train hand the tempering
	// Split(seed, Tempering), and rbm.NewMachineTempering draws its swaps
	// from Rand(its seed, Tempering) (rbm/train.go, rbm/machine_train.go,
	// rbm/machine_tempering.go).
	Tempering Stream = 0x7e_3b_e7
	// MachineCD is the stream of the Gibbs chains of machine training
	// (rbm/machine_train.go newMachineStepper): they draw from
	// Rand(Split(seed, MachineCD), MachineCDRand).
	MachineCD Stream = 0x6d_61_63
	// MachineCDRand: see MachineCD.
	MachineCDRand Stream = 0x68_69_6e
	// ReverseRows picks the data rows that reverse annealing (RAISE)
	// starts its chains from (rbm/ais/ais.go chainRows).
	ReverseRows Stream = 0x7e7e75e
	// Recognize draws the random binary rows on which export.Recognize
	// checks a foreign graph against the model it rebuilt
	// (export/recognize.go).
	Recognize Stream = 0x5eed
	// Binarize draws the pixels of --binarize stochastic in the rbm
	// command (cmd/rbm/data.go).
	Binarize Stream = 0xb1_7a_7e
	// DequantizeTrain, DequantizeVal and DequantizeScore draw the noise of
	// --dequantize in the rbm command for the training data, the held-out
	// data and data scored with a model, one stream per role so that
	// training and held-out rows never share draws
	// (cmd/rbm/train_machine.go, cmd/rbm/machine_model.go).
	DequantizeTrain Stream = 0xde_9a_01
	// DequantizeVal: see DequantizeTrain.
	DequantizeVal Stream = 0xde_9a_02
	// DequantizeScore: see DequantizeTrain.
	DequantizeScore Stream = 0xde_9a_03
)

// Streams of Row: one source per row or chain.
const (
	// GibbsChains seeds the chains of the single-unit samplers:
	// gibbs.NewChainRand (gibbs/run.go), which gibbs.Run and
	// ais.RunDiscrete use; fvbm.TrainPCD shuffles with row -1, which no
	// chain has (gibbs/fvbm/train.go).
	GibbsChains Stream = 0x6_1bb5
	// MachineDenoise seeds the rows of denoise.Machine
	// (rbm/denoise/machine.go).
	MachineDenoise Stream = 0xde_70_15
	// Corrupt seeds the rows of denoise.Corrupt (rbm/denoise/denoise.go).
	Corrupt Stream = 0xc0_77_a9
)

// Tags of Xor and Reseed, the two derivations that mix a tag into the seed
// itself.
const (
	// AISTempering gives the tempering that draws reverse AIS's starting
	// samples its seed, Xor(seed, AISTempering): ais.ReverseFromTempering
	// and ais.ReverseMachineFromTempering (rbm/ais/ais.go,
	// rbm/ais/machine.go).
	AISTempering Stream = 0x7e_3b_e7_5a
	// TemperingSwaps reseeds the swap source of rbm.Tempering every sweep,
	// Reseed(seed, TemperingSwaps, sweep) (rbm/tempering.go).
	TemperingSwaps Stream = 0x5a_a9_7e_3b
)
