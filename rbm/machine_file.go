package rbm

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"

	"github.com/rbmkit/rbm/internal/atomicfile"
	"github.com/rbmkit/rbm/rbm/layer"
)

// The model file format, version 2, holds a Machine of any unit types. It
// shares version 1's header, with V and H the widths of the layers (for
// Potts units, units × states), and stores every parameter in float64:
//
//	offset  size  field
//	0       8     magic "\x89RBM\r\n\x1a\n"
//	8       4     uint32 format version (2)
//	12      4     uint32 V, visible width
//	16      4     uint32 H, hidden width
//	20      4     uint32 M, length of the metadata
//	24      M     metadata, UTF-8 JSON (Meta, with Layers set)
//	24+M    8VH   W as float64, V×H row-major
//	...           each visible parameter, then each hidden one, in the order
//	              Meta.Layers lists them: width × float64 each
//	end-4   4     uint32 CRC-32 (Castagnoli) of every preceding byte
//
// Binary×binary RBMs are still written as version 1, so their files stay
// byte for byte what they were; every reader of machines reads both.
const machineFileVersion = 2

// LayerInfo describes one layer of a machine in a version 2 model file.
type LayerInfo struct {
	// Type is the registered unit type ("binary", "potts", …), Units the
	// number of units and States their number of values for Potts units.
	Type   string `json:"type"`
	Units  int    `json:"units"`
	States int    `json:"states,omitempty"`
	// Params names the parameters stored, in order; Fixed those that
	// training leaves alone.
	Params []string `json:"params"`
	Fixed  []string `json:"fixed,omitempty"`
}

// Layers describes both layers of a machine.
type Layers struct {
	Visible LayerInfo `json:"visible"`
	Hidden  LayerInfo `json:"hidden"`
}

// ErrMachine is wrapped by the error Decode returns for a version 2 file:
// a machine that is not a binary RBM, which DecodeMachine reads.
var ErrMachine = errors.New("the file holds a machine of general unit types")

// DescribeLayer returns the description of l that a version 2 model file
// records.
func DescribeLayer(l layer.Layer) LayerInfo {
	info := LayerInfo{Type: l.Kind(), Units: l.Units()}
	if t, _ := layer.Lookup(l.Kind()); t.Values == layer.Categories {
		info.States = l.States()
	}
	for _, p := range l.Params() {
		info.Params = append(info.Params, p.Name)
		if p.Fixed {
			info.Fixed = append(info.Fixed, p.Name)
		}
	}
	return info
}

// NewLayer makes the layer info describes, with its parameters at their
// defaults, refusing a description whose parameters are not those this
// build's type has.
func (info LayerInfo) NewLayer() (layer.Layer, error) {
	if info.Units <= 0 || info.Units > maxUnits {
		return nil, fmt.Errorf("%s layer of %d units", info.Type, info.Units)
	}
	// A layer of categorical units is units × states wide: bound that
	// before the layer allocates it.
	if info.States < 0 || uint64(info.Units)*uint64(max(info.States, 1)) > maxUnits {
		return nil, fmt.Errorf("%s layer of %d units with %d states", info.Type, info.Units, info.States)
	}
	learn := len(info.Fixed) == 0
	l, err := layer.New(info.Type, info.Units, layer.Settings{States: info.States, LearnScale: learn})
	if err != nil {
		return nil, err
	}
	ps := l.Params()
	if len(ps) != len(info.Params) {
		return nil, fmt.Errorf("%s layer: parameters %v, this build's are %v", info.Type, info.Params, DescribeLayer(l).Params)
	}
	for k, p := range ps {
		if p.Name != info.Params[k] || p.Fixed != (len(info.Fixed) > 0 && contains(info.Fixed, p.Name)) {
			return nil, fmt.Errorf("%s layer: parameters %v (fixed %v), this build's are %v (fixed %v)",
				info.Type, info.Params, info.Fixed, DescribeLayer(l).Params, DescribeLayer(l).Fixed)
		}
	}
	return l, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// EncodeMachine writes m and meta in the model file format: version 1 for
// two binary layers (see Encode), version 2 otherwise.
func EncodeMachine(w io.Writer, m *Machine, meta *Meta) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if r, ok := m.Binary(); ok {
		if meta != nil && meta.Layers != nil {
			c := *meta
			c.Layers = nil // version 1 files describe no layers
			meta = &c
		}
		return Encode(w, r, meta)
	}
	vw, hw := m.Visible.Width(), m.Hidden.Width()
	if err := CheckFileShape(vw, hw); err != nil {
		return fmt.Errorf("rbm: %w", err)
	}
	c := Meta{}
	if meta != nil {
		c = *meta
	}
	if err := c.check(vw); err != nil {
		return fmt.Errorf("rbm: %w", err)
	}
	c.Layers = &Layers{Visible: DescribeLayer(m.Visible), Hidden: DescribeLayer(m.Hidden)}
	if c.Final != nil {
		f := *c.Final
		f.Seconds = 0
		c.Final = &f
	}
	js, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("rbm: encode metadata: %w", err)
	}
	crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	bw := bufio.NewWriter(io.MultiWriter(w, crc))
	var hdr [headerSize]byte
	copy(hdr[:], fileMagic)
	binary.LittleEndian.PutUint32(hdr[8:], machineFileVersion)
	binary.LittleEndian.PutUint32(hdr[12:], uint32(vw))
	binary.LittleEndian.PutUint32(hdr[16:], uint32(hw))
	binary.LittleEndian.PutUint32(hdr[20:], uint32(len(js)))
	bw.Write(hdr[:])
	bw.Write(js)
	for _, p := range m.paramVectors() {
		if err := binary.Write(bw, binary.LittleEndian, p); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return binary.Write(w, binary.LittleEndian, crc.Sum32())
}

// paramVectors returns W and every layer parameter in file order.
func (m *Machine) paramVectors() [][]float64 {
	ps := [][]float64{m.W}
	for _, l := range []layer.Layer{m.Visible, m.Hidden} {
		for _, p := range l.Params() {
			ps = append(ps, p.Values)
		}
	}
	return ps
}

// Binary returns m as a binary RBM, its parameters rounded to float32, when
// both its layers are binary: the form a version 1 file and the binary
// kernels take.
func (m *Machine) Binary() (*RBM, bool) {
	bv, ok1 := m.Visible.(*layer.Binary)
	bh, ok2 := m.Hidden.(*layer.Binary)
	if !ok1 || !ok2 {
		return nil, false
	}
	r := New(len(bv.Bias), len(bh.Bias))
	for i, w := range m.W {
		r.W[i] = float32(w)
	}
	for i, b := range bv.Bias {
		r.B[i] = float32(b)
	}
	for j, c := range bh.Bias {
		r.C[j] = float32(c)
	}
	return r, true
}

// DecodeMachine reads a model file of either version: a version 1 file
// gives a machine of two binary layers (see AsMachine).
func DecodeMachine(r io.Reader) (*Machine, *Meta, error) {
	var buf bytes.Buffer
	hdr := make([]byte, headerSize)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, nil, fmt.Errorf("%w: header: %v", ErrFormat, truncated(err))
	}
	if string(hdr[:8]) != fileMagic {
		return nil, nil, fmt.Errorf("%w: bad magic (not an rbm model)", ErrFormat)
	}
	if binary.LittleEndian.Uint32(hdr[8:]) != machineFileVersion {
		buf.Write(hdr)
		rm, meta, err := Decode(io.MultiReader(&buf, r))
		if err != nil {
			return nil, nil, err
		}
		return AsMachine(rm), meta, nil
	}
	crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	crc.Write(hdr)
	tr := io.TeeReader(r, crc)
	vw := binary.LittleEndian.Uint32(hdr[12:])
	hw := binary.LittleEndian.Uint32(hdr[16:])
	metaLen := binary.LittleEndian.Uint32(hdr[20:])
	if vw == 0 || hw == 0 || vw > maxUnits || hw > maxUnits || uint64(vw)*uint64(hw) > maxUnits*16 {
		return nil, nil, fmt.Errorf("%w: implausible shape %d×%d", ErrFormat, vw, hw)
	}
	if metaLen > maxMeta {
		return nil, nil, fmt.Errorf("%w: metadata length %d exceeds %d", ErrFormat, metaLen, maxMeta)
	}
	js, err := readN(tr, int(metaLen))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: metadata: %v", ErrFormat, err)
	}
	meta := new(Meta)
	if err := json.NewDecoder(bytes.NewReader(js)).Decode(meta); err != nil {
		return nil, nil, fmt.Errorf("%w: metadata: %v", ErrFormat, err)
	}
	if meta.Layers == nil {
		return nil, nil, fmt.Errorf("%w: metadata: a version 2 file must describe its layers", ErrFormat)
	}
	v, err := meta.Layers.Visible.NewLayer()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: metadata: visible %v", ErrFormat, err)
	}
	h, err := meta.Layers.Hidden.NewLayer()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: metadata: hidden %v", ErrFormat, err)
	}
	if v.Width() != int(vw) || h.Width() != int(hw) {
		return nil, nil, fmt.Errorf("%w: the header's shape %d×%d disagrees with the layers' widths %d×%d", ErrFormat, vw, hw, v.Width(), h.Width())
	}
	m := NewMachine(v, h)
	for k, p := range m.paramVectors() {
		raw, err := readN(tr, 8*len(p))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: parameter vector %d: %v", ErrFormat, k, err)
		}
		for i := range p {
			p[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	}
	want := crc.Sum32()
	var sum [4]byte
	if _, err := io.ReadFull(r, sum[:]); err != nil {
		return nil, nil, fmt.Errorf("%w: checksum: %v", ErrFormat, truncated(err))
	}
	if got := binary.LittleEndian.Uint32(sum[:]); got != want {
		return nil, nil, fmt.Errorf("%w: checksum mismatch (file corrupted)", ErrFormat)
	}
	if n, _ := io.Copy(io.Discard, io.LimitReader(r, 1)); n > 0 {
		return nil, nil, fmt.Errorf("%w: trailing data after checksum", ErrFormat)
	}
	if err := m.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if err := meta.check(m.Visible.Width()); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return m, meta, nil
}

// SaveMachine writes m to path atomically, as SaveFile does.
func SaveMachine(path string, m *Machine, meta *Meta) error {
	return atomicfile.Write(path, func(w io.Writer) error { return EncodeMachine(w, m, meta) })
}

// LoadMachine reads a model file of either version; its errors name the
// file.
func LoadMachine(path string) (*Machine, *Meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	m, meta, err := DecodeMachine(bufio.NewReader(f))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, meta, nil
}
