package gibbs

import (
	"fmt"
	"strings"

	"github.com/rbmkit/rbm/discrete"
)

// Method is the transition kernel a chain (or each replica of a tempering
// chain) applies. The methods are the registered samplers (see Methods):
// RandomScan and Systematic (singlesite.go), Metropolis (metropolis.go)
// and GWG (gwg.go).
type Method uint8

// sampler describes a transition kernel once: everything Run, NewChain,
// ParseMethod and the help texts need to know about it. Each sampler
// registers itself, from the file that defines it, with register.
type sampler struct {
	// name is what ParseMethod (and the command's --sampler) accepts and
	// what Method.String returns.
	name string
	// summary is a one-line description for help texts.
	summary string
	// check, when set, reports why the sampler cannot sample m (say, a
	// gradient it needs is missing); Run and NewChain refuse the model
	// then.
	check func(m discrete.Model) error
	// setup, when set, returns the sampler's per-replica state for a new
	// replica of m, kept as replica.state; r.loc is set already. The state
	// travels with the replica when tempering swaps replicas.
	setup func(m discrete.Model, r *replica) any
	// sweep moves r by one sweep at inverse temperature beta: len(s.free)
	// single-unit updates or proposals (at least one) on the free units
	// s.free, drawing only from s.rng and counting in s.out.accepted each
	// one that changes the state. The proposals and energy evaluations are
	// counted by the caller, one of each per free unit.
	sweep func(s *stepper, r *replica, beta float64)
}

// samplers is the registry, indexed by Method.
var samplers []*sampler

// register makes s the sampler of method m. It is called from the init
// function of the file defining the sampler, and panics when m or s's name
// is taken already or s is incomplete: the package would not initialise,
// so every test catches the mistake.
func register(m Method, s sampler) {
	switch {
	case s.name == "" || s.summary == "" || s.sweep == nil:
		panic(fmt.Sprintf("gibbs: sampler %d (%q) needs a name, a summary and a sweep", m, s.name))
	case m.sampler() != nil:
		panic(fmt.Sprintf("gibbs: method %d registered twice (%q and %q)", m, m.sampler().name, s.name))
	}
	for _, o := range samplers {
		if o != nil && o.name == s.name {
			panic(fmt.Sprintf("gibbs: two samplers named %q", s.name))
		}
	}
	for int(m) >= len(samplers) {
		samplers = append(samplers, nil)
	}
	samplers[m] = &s
}

// sampler returns m's registered sampler, or nil.
func (m Method) sampler() *sampler {
	if int(m) < len(samplers) {
		return samplers[m]
	}
	return nil
}

// samplerFor returns m's sampler after checking that it is registered and
// can sample model.
func samplerFor(m Method, model discrete.Model) (*sampler, error) {
	s := m.sampler()
	if s == nil {
		return nil, fmt.Errorf("unknown method %v", m)
	}
	if s.check != nil {
		if err := s.check(model); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Methods returns the registered methods in increasing order, for help
// texts and for trying every sampler.
func Methods() []Method {
	var ms []Method
	for m, s := range samplers {
		if s != nil {
			ms = append(ms, Method(m))
		}
	}
	return ms
}

// String returns the method's name, the one ParseMethod accepts.
func (m Method) String() string {
	if s := m.sampler(); s != nil {
		return s.name
	}
	return fmt.Sprintf("Method(%d)", uint8(m))
}

// Summary returns a one-line description of the method for help texts, or
// "" for an unregistered one.
func (m Method) Summary() string {
	if s := m.sampler(); s != nil {
		return s.summary
	}
	return ""
}

// ParseMethod returns the method of the given name (see Methods and
// Method.String): "gibbs-random" (RandomScan), "gibbs" (Systematic), "mh"
// (Metropolis) or "gwg" (GWG).
func ParseMethod(s string) (Method, error) {
	for m, smp := range samplers {
		if smp != nil && smp.name == s {
			return Method(m), nil
		}
	}
	return 0, fmt.Errorf("unknown sampler %q (want %s)", s, methodNames())
}

// methodNames lists the registered methods' names: "a, b or c".
func methodNames() string {
	var names []string
	for _, m := range Methods() {
		names = append(names, m.String())
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
