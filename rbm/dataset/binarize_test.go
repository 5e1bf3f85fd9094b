package dataset

import (
	"encoding/json"
	"flag"
	"io"
	"strings"
	"testing"
)

func TestParseBinarizeRoundTrip(t *testing.T) {
	for _, b := range []Binarize{Threshold, Stochastic, Probabilities} {
		got, err := ParseBinarize(b.String())
		if err != nil || got != b {
			t.Errorf("ParseBinarize(%q) = %v, %v; want %v", b.String(), got, err, b)
		}
	}
	for s, want := range map[string]Binarize{"threshold": Threshold, "stochastic": Stochastic, "prob": Probabilities} {
		if got, err := ParseBinarize(s); err != nil || got != want {
			t.Errorf("ParseBinarize(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
}

func TestParseBinarizeUnknown(t *testing.T) {
	for _, s := range []string{"", "Threshold", "probabilities", "bernoulli"} {
		_, err := ParseBinarize(s)
		if err == nil || !strings.Contains(err.Error(), "want threshold, stochastic or prob") {
			t.Errorf("ParseBinarize(%q) error = %v, want one listing the modes", s, err)
		}
	}
}

func TestBinarizeStringUnknown(t *testing.T) {
	if got := Binarize(7).String(); got != "Binarize(7)" {
		t.Errorf("Binarize(7).String() = %q", got)
	}
	if _, err := Binarize(7).MarshalText(); err == nil {
		t.Errorf("MarshalText of an unknown mode succeeded")
	}
}

func TestBinarizeAsFlag(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var mode Binarize
	fs.TextVar(&mode, "binarize", Threshold, "how to binarize")
	if err := fs.Parse([]string{"-binarize", "stochastic"}); err != nil {
		t.Fatal(err)
	}
	if mode != Stochastic {
		t.Errorf("flag set mode %v, want stochastic", mode)
	}
	if err := fs.Parse([]string{"-binarize", "coin"}); err == nil {
		t.Errorf("flag accepted an unknown mode")
	}
}

func TestBinarizeJSON(t *testing.T) {
	out, err := json.Marshal(struct{ Mode Binarize }{Probabilities})
	if err != nil || string(out) != `{"Mode":"prob"}` {
		t.Errorf("json.Marshal = %s, %v", out, err)
	}
	var in struct{ Mode Binarize }
	if err := json.Unmarshal([]byte(`{"Mode":"stochastic"}`), &in); err != nil || in.Mode != Stochastic {
		t.Errorf("json.Unmarshal = %v, %v", in.Mode, err)
	}
}
