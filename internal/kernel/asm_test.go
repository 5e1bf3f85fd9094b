//go:build amd64 && !noasm

package kernel

import (
	"os"
	"regexp"
	"testing"
)

// TestAssemblyAvoidsAVX512Registers guards against the register allocator
// of the generator handing out Y16–Y31, Z or mask registers, which exist
// only with AVX-512 and would fault on the AVX2 CPUs the kernels target.
func TestAssemblyAvoidsAVX512Registers(t *testing.T) {
	src, err := os.ReadFile("kernel_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	bad := regexp.MustCompile(`\b(Y(1[6-9]|2[0-9]|3[01])|X(1[6-9]|2[0-9]|3[01])|Z[0-9]+|K[1-7])\b`)
	for i, line := range regexp.MustCompile(`\n`).Split(string(src), -1) {
		if m := bad.FindString(line); m != "" {
			t.Errorf("kernel_amd64.s:%d uses AVX-512 register %s: %s", i+1, m, line)
		}
	}
}
