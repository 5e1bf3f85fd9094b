package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/rbmkit/rbm/exact"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/spf13/pflag"
)

// maxUnitsHint adds to an error of exact enumeration over its size limit
// the flag that sets the limit.
func maxUnitsHint(err error) error {
	if errors.Is(err, exact.ErrTooLarge) {
		return fmt.Errorf("%w; --max-units sets the limit", err)
	}
	return err
}

// The flag values below check their range as they are parsed, so that a
// value no data could make right is a usage error before any file is read.

// nonNegativeInt is an int flag that refuses negative values.
type nonNegativeInt struct{ p *int }

func nonNegativeIntVar(fs *pflag.FlagSet, p *int, name string, value int, usage string) {
	*p = value
	fs.Var(nonNegativeInt{p}, name, usage)
}

func (v nonNegativeInt) Set(s string) error {
	n, err := strconv.ParseInt(s, 0, strconv.IntSize)
	if err != nil {
		return err
	}
	if n < 0 {
		return fmt.Errorf("must not be negative")
	}
	*v.p = int(n)
	return nil
}

func (v nonNegativeInt) String() string { return strconv.Itoa(*v.p) }
func (v nonNegativeInt) Type() string   { return "int" }

// fraction is a float64 flag that must lie in (0, 1].
type fraction struct{ p *float64 }

func (v fraction) Set(s string) error {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return err
	}
	if !(x > 0 && x <= 1) {
		return fmt.Errorf("must lie in (0, 1]")
	}
	*v.p = x
	return nil
}

func (v fraction) String() string { return strconv.FormatFloat(*v.p, 'g', -1, 64) }
func (v fraction) Type() string   { return "float" }

// binarization is a string flag naming a dataset.Binarize mode.
type binarization struct{ p *string }

func (v binarization) Set(s string) error {
	if _, err := dataset.ParseBinarize(s); err != nil {
		return err
	}
	*v.p = s
	return nil
}

func (v binarization) String() string { return *v.p }
func (v binarization) Type() string   { return "string" }
