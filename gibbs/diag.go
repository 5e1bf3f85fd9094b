package gibbs

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Trace holds recorded statistics: value s of draw d of chain c is
// Data[(c*Draws+d)*Stats+s].
type Trace struct {
	Chains, Draws, Stats int
	Data                 []float64
}

// Series returns the draws of statistic s on chain c.
func (t *Trace) Series(c, s int) []float64 {
	x := make([]float64, t.Draws)
	for d := range x {
		x[d] = t.Data[(c*t.Draws+d)*t.Stats+s]
	}
	return x
}

// Diagnostics summarises one statistic over every chain.
type Diagnostics struct {
	Mean float64 `json:"mean"`
	// Var is the variance of the draws about Mean (all chains pooled).
	Var float64 `json:"var"`
	// IAT is the integrated autocorrelation time in draws and ESS the
	// effective sample size, Chains·Draws/IAT; StdErr = sqrt(Var/ESS) is
	// the Monte Carlo standard error of Mean.
	IAT    float64 `json:"iat"`
	ESS    float64 `json:"ess"`
	StdErr float64 `json:"std_err"`
	// RHat is the split potential scale reduction factor; values above
	// about 1.01 say the chains have not mixed.
	RHat float64 `json:"rhat"`
}

// Diagnose returns the diagnostics of statistic s. IAT, ESS, StdErr and
// RHat are NaN when every draw is equal (the variance is zero, so the
// chains say nothing about mixing) or there are fewer than four draws per
// chain.
func (t *Trace) Diagnose(s int) Diagnostics {
	chains := make([][]float64, t.Chains)
	for c := range chains {
		chains[c] = t.Series(c, s)
	}
	return Diagnose(chains)
}

// Diagnose returns the diagnostics of a statistic given its draws on each
// chain (all chains of equal length). The autocorrelation is estimated as
// in Stan (Vehtari et al. 2021, "Rank-normalization, folding, and
// localization"): the chains' autocovariances are averaged and combined
// with the between-chain variance, ρ_t = 1 - (W - mean_c γ_c(t))/var⁺, so
// that chains stuck in different places give a small ESS; the sum of ρ_t
// is truncated by Geyer's initial monotone sequence.
func Diagnose(chains [][]float64) Diagnostics {
	m := len(chains)
	var d Diagnostics
	if m == 0 || len(chains[0]) == 0 {
		return Diagnostics{Mean: math.NaN(), Var: math.NaN(), IAT: math.NaN(), ESS: math.NaN(), StdErr: math.NaN(), RHat: math.NaN()}
	}
	n := len(chains[0])
	var sum float64
	for _, x := range chains {
		for _, v := range x {
			sum += v
		}
	}
	d.Mean = sum / float64(m*n)
	for _, x := range chains {
		for _, v := range x {
			d.Var += (v - d.Mean) * (v - d.Mean)
		}
	}
	d.Var /= float64(m * n)
	d.IAT, d.ESS, d.StdErr, d.RHat = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	if d.Var == 0 || n < 4 {
		return d
	}
	d.RHat = splitRHat(chains)

	acov := make([][]float64, m)
	means := make([]float64, m)
	var w float64
	for c, x := range chains {
		acov[c], means[c] = autocov(x)
		w += acov[c][0] * float64(n) / float64(n-1)
	}
	w /= float64(m)
	var b float64 // between-chain variance of the means, B/n
	if m > 1 {
		for _, mu := range means {
			b += (mu - d.Mean) * (mu - d.Mean)
		}
		b /= float64(m - 1)
	}
	varPlus := float64(n-1)/float64(n)*w + b
	rho := func(t int) float64 {
		var g float64
		for c := range acov {
			g += acov[c][t]
		}
		return 1 - (w-g/float64(m))/varPlus
	}
	// Geyer: sum the pairs ρ_{2k} + ρ_{2k+1} while they are positive,
	// never letting a pair exceed the previous one.
	tau := -1.0
	prev := math.Inf(1)
	for t := 0; t+1 < n; t += 2 {
		p := rho(t) + rho(t+1)
		if p <= 0 {
			break
		}
		p = min(p, prev)
		prev = p
		tau += 2 * p
	}
	// An antithetic chain can give τ below 1/log10(N·M); Stan caps the ESS
	// there too.
	tau = max(tau, 1/math.Log10(float64(m*n)))
	d.IAT = tau
	d.ESS = float64(m*n) / tau
	d.StdErr = math.Sqrt(d.Var / d.ESS)
	return d
}

// autocov returns the biased autocovariance γ(t) = Σ (x_i - x̄)(x_{i+t} - x̄)/n
// for t < n, computed by FFT with zero padding, and the mean x̄.
func autocov(x []float64) ([]float64, float64) {
	n := len(x)
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	size := 1
	for size < 2*n {
		size <<= 1
	}
	buf := make([]float64, size)
	for i, v := range x {
		buf[i] = v - mean
	}
	fft := fourier.NewFFT(size)
	coef := fft.Coefficients(nil, buf)
	for i, c := range coef {
		coef[i] = complex(real(c)*real(c)+imag(c)*imag(c), 0)
	}
	fft.Sequence(buf, coef)
	out := make([]float64, n)
	for t := range out {
		out[t] = buf[t] / float64(size) / float64(n)
	}
	return out, mean
}

// splitRHat returns the split-R̂ of Gelman et al. (BDA3, section 11.4): each
// chain is cut in two halves and R̂ = sqrt(var⁺/W) over the 2m halves.
func splitRHat(chains [][]float64) float64 {
	half := len(chains[0]) / 2
	var parts [][]float64
	for _, x := range chains {
		parts = append(parts, x[:half], x[len(x)-half:])
	}
	m, n := float64(len(parts)), float64(half)
	means := make([]float64, len(parts))
	var grand, w float64
	for k, x := range parts {
		for _, v := range x {
			means[k] += v
		}
		means[k] /= n
		grand += means[k]
		var s float64
		for _, v := range x {
			s += (v - means[k]) * (v - means[k])
		}
		w += s / (n - 1)
	}
	grand /= m
	w /= m
	var b float64
	for _, mu := range means {
		b += (mu - grand) * (mu - grand)
	}
	b *= n / (m - 1)
	if w == 0 {
		if b == 0 {
			return 1
		}
		return math.Inf(1)
	}
	return math.Sqrt(((n-1)/n*w + b/n) / w)
}
