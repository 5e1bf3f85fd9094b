package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/rbmkit/rbm/rbm"
	"github.com/spf13/pflag"
)

// The commands whose memory grows with sizes the user gives (hidden
// units, chains, sweeps, rows) estimate what they will allocate before
// they allocate it, and refuse with one line above --max-memory, rather
// than be killed by the system or die with Go's out-of-memory fatal error
// minutes in.

// byteSize is a --max-memory value: a number of bytes, written with an
// optional binary suffix (K, M, G, T, P, E; "KiB" and "KB" mean K).
type byteSize struct{ p *float64 }

// registerMaxMemory adds --max-memory to fs, defaulting to the memory this
// machine (or container) has available now.
func registerMaxMemory(fs *pflag.FlagSet, p *float64) {
	*p = defaultMaxMemory()
	fs.Var(byteSize{p}, "max-memory", "refuse work estimated to need more memory than this, e.g. 512M or 8G; the default is the memory available as the command starts")
}

func (b byteSize) Set(s string) error {
	x, err := parseByteSize(s)
	if err != nil {
		return err
	}
	*b.p = x
	return nil
}

func (b byteSize) String() string { return formatBytes(*b.p) }
func (b byteSize) Type() string   { return "size" }

func parseByteSize(s string) (float64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "IB"), "B")
	mult := 1.0
	if n := len(t); n > 0 {
		if i := strings.IndexByte("KMGTPE", t[n-1]); i >= 0 {
			mult = math.Pow(1024, float64(i+1))
			t = t[:n-1]
		}
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || !(x*mult >= 1) || math.IsInf(x*mult, 0) {
		return 0, fmt.Errorf("want a positive size such as 512M or 8G")
	}
	return x * mult, nil
}

// formatBytes writes n in the largest binary unit that keeps it ≥ 1.
func formatBytes(n float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f%s", n, units[i])
	}
	return fmt.Sprintf("%.3g%s", n, units[i])
}

// fallbackMemory is the default limit where the system does not say how
// much memory there is.
const fallbackMemory = 4 << 30

// defaultMaxMemory is the memory available to this process: the system's
// MemAvailable (or MemTotal) from /proc/meminfo, lowered to a cgroup's
// memory limit when one is set, or fallbackMemory where neither is known.
func defaultMaxMemory() float64 {
	avail := meminfo("MemAvailable")
	if avail == 0 {
		avail = meminfo("MemTotal")
	}
	if avail == 0 {
		avail = fallbackMemory
	}
	for _, path := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		// "max", or an absurd number when there is no limit.
		if limit, err := strconv.ParseFloat(string(bytes.TrimSpace(b)), 64); err == nil && limit > 0 && limit < avail {
			avail = limit
		}
	}
	return avail
}

// meminfo returns a field of /proc/meminfo in bytes, or 0.
func meminfo(field string) float64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
		if err != nil {
			return 0
		}
		return kb * 1024
	}
	return 0
}

// checkMemory refuses work whose estimated need, in bytes, exceeds limit;
// what says what would need it.
func checkMemory(need, limit float64, what string) error {
	if need <= limit {
		return nil
	}
	return fmt.Errorf("%s would need about %s of memory, more than --max-memory %s", what, formatBytes(need), formatBytes(limit))
}

// The estimates below count the large arrays a command allocates, in
// bytes, computed in float64 so that absurd sizes cannot overflow.

// trainBytes is what rbm train holds: the training and held-out data
// (packed when their rows are bits); the weights, their gradient and
// momentum, and the encoding buffer of the saved model (four
// visible×hidden arrays); the mini-batch buffers of
// rbm.Trainer (three batch×visible and four batch×hidden matrices, and a
// batch×visible persistent chain); and the monitor's rows.
func trainBytes(rows, valRows, visible, hidden, batch, monitor int, packed bool, cfg *rbm.Config) float64 {
	v, h, b := float64(visible), float64(hidden), float64(min(batch, rows))
	data := float64(rows+valRows) * v
	if packed {
		// Binary rows are bits in whole 64-bit words, two float32s each
		// (rbm.BitMatrix).
		data = float64(rows+valRows) * 2 * math.Ceil(v/64)
	}
	// The parameters twice over (the trainer double-buffers them), the
	// gradient, and one (momentum) or two (Adam) arrays of optimiser state.
	arrays := 4.0
	if cfg.Optimizer == rbm.Adam {
		arrays = 5
	}
	model := arrays * (v*h + v + h)
	batches := 4*b*v + 4*b*h
	// Parallel tempering keeps states, probabilities and inputs of both
	// layers for every chain of every replica.
	batches += 3 * float64(cfg.Replicas) * b * (v + h)
	mon := 2 * float64(min(monitor, rows)) * (v + h)
	return 4 * (data + model + batches + mon)
}

// sampleBytes is what rbm sample holds for n chains: the states, the
// sampler's hidden states and both layers' probabilities, and a copy of
// the result for the output format, besides the model and any --from data.
func sampleBytes(n, fromRows, visible, hidden int) float64 {
	v, h, c := float64(visible), float64(hidden), float64(n)
	return 4 * (3*c*v + 2*c*h + v*h + float64(fromRows)*v)
}

// aisBytes is what annealing holds for runs chains of an RBM, forward and
// in reverse: per run two visible and three hidden float32 vectors and a
// float64 weight.
func aisBytes(runs, visible, hidden int) float64 {
	return 2 * float64(runs) * (4*float64(2*visible+3*hidden) + 8)
}

// temperingBytes is what the upper side's parallel tempering holds: for
// each of runs chains in each of rungs replicas, the states, inputs and
// probabilities of both layers.
func temperingBytes(rungs, runs, visible, hidden int) float64 {
	return 4 * float64(rungs) * float64(runs) * float64(3*visible+2*hidden)
}

// traceBytes is what a discrete sampler's recorded statistics take: the
// trace of chains×sweeps×stats float64 values and the diagnostics' copy.
func traceBytes(chains, sweeps, stats int) float64 {
	return 2 * 8 * float64(chains) * float64(sweeps) * float64(stats)
}
