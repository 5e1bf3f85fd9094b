// Command rbm trains, inspects and uses restricted Boltzmann machines and
// other discrete energy-based models.
//
// Usage:
//
//	rbm COMMAND [flags] ARGS
//
// The commands:
//
//	train      train an RBM by CD-k or persistent CD: binary units, or spin,
//	           Potts, Gaussian, ReLU or dReLU layers (--visible, --hidden-type)
//	info       shapes, training settings and parameter statistics of a model
//	features   E[h|v] for every row of a data file, as .npy, .csv or .idx
//	sample     fantasy particles by block Gibbs sampling (PNG grid or data)
//	filters    each hidden unit's weights as a tiled PNG
//	score      per-row free energy, from a model file or an ONNX graph
//	classify   softmax regression on features or pixels, with test accuracy
//	logz       exact or AIS log partition function (RBMs, Ising lattices, specs)
//	eval       mean log-likelihood per row with its uncertainty
//	gradcheck  CD-k gradient against the exact gradient, per block
//	denoise    restore or inpaint binary images with a model as prior
//	export     write a model as ONNX
//	import     read a model back from ONNX
//
// Long flags may be written -name, --name or --name=value (-k 5 too, where
// k has no one-letter shorthand). Every command prints its flags, their
// defaults and an example with --help, to standard output; rbm --version
// names the build. Results go to standard output, progress and errors to
// standard error; a failure exits with status 1 and a usage error with
// status 2, after one line that names the file and the problem.
//
// Nothing given is lost: flags are checked before any file is read, and
// every output before any work, which refuses an output that is one of
// the inputs or another output (by file identity, links included) or that
// cannot be created. Files are written atomically. Commands whose memory
// grows with sizes given on the command line estimate it first and refuse
// above --max-memory. Ctrl-C and SIGTERM stop a command cleanly: training
// saves the last complete update, marked interrupted.
package main
