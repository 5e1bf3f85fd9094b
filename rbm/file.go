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
)

// The model file format, version 1. All integers are little-endian.
//
//	offset  size  field
//	0       8     magic "\x89RBM\r\n\x1a\n"
//	8       4     uint32 format version (1)
//	12      4     uint32 V, visible units
//	16      4     uint32 H, hidden units
//	20      4     uint32 M, length of the metadata
//	24      M     metadata, UTF-8 JSON (the Meta type)
//	24+M    4VH   W as float32, V×H row-major
//	...     4V    b as float32
//	...     4H    c as float32
//	end-4   4     uint32 CRC-32 (Castagnoli) of every preceding byte
//
// The magic's first byte is not ASCII and it holds a CR-LF pair and a
// Ctrl-Z, as PNG's does, so that text-mode transfers are detected. The file
// holds no timestamps or paths: identical training gives identical bytes.
const (
	fileMagic   = "\x89RBM\r\n\x1a\n"
	fileVersion = 1
	headerSize  = 24
	// maxUnits bounds each layer so that a lying header cannot request an
	// absurd allocation; 2^24 units is far beyond any RBM this toolkit
	// trains.
	maxUnits = 1 << 24
	maxMeta  = 1 << 20
)

// Meta is the metadata stored beside a model's parameters.
type Meta struct {
	// ImageRows×ImageCols is the shape of the visible layer when it is an
	// image, zero otherwise.
	ImageRows int `json:"image_rows,omitempty"`
	ImageCols int `json:"image_cols,omitempty"`
	// Binarize records how grey levels were turned into training data.
	Binarize string `json:"binarize,omitempty"`
	// Training is the configuration the model was trained with, Epochs the
	// number of epochs completed, Interrupted whether training stopped
	// early, Stopped why (empty for a signal), and Rows the number of
	// training rows.
	Training    *Config `json:"training,omitempty"`
	Epochs      int     `json:"epochs"`
	Interrupted bool    `json:"interrupted,omitempty"`
	Stopped     string  `json:"stopped,omitempty"`
	Rows        int     `json:"rows,omitempty"`
	// Final holds the monitoring figures of the last epoch, with the wall
	// time removed to keep files reproducible.
	Final *EpochStats `json:"final,omitempty"`
	// BestEpoch, when training kept the parameters of its best held-out
	// estimate rather than its last, is that epoch, and HeldOut its
	// estimate.
	BestEpoch int     `json:"best_epoch,omitempty"`
	HeldOut   *LogLik `json:"held_out,omitempty"`
	// BaseRates holds the visible biases of the base-rate model of the
	// training data (see BaseRates), which annealed importance sampling
	// starts from by default.
	BaseRates []float32 `json:"base_rates,omitempty"`
	// Layers describes the unit types of a machine in a version 2 file;
	// it is absent from version 1 files, whose layers are binary.
	Layers *Layers `json:"layers,omitempty"`
	// Base holds, for a machine, the parameters of its visible layer fitted
	// to the training data's base rates (layer.Layer's Fit), by name: the
	// base model AIS starts from by default.
	Base map[string][]float64 `json:"base,omitempty"`
	// Alphabet, for Potts units trained on aligned sequences, is the
	// characters of the states in order.
	Alphabet string `json:"alphabet,omitempty"`
	// Dequantize records that real-valued units were trained on byte data
	// made continuous, (v + u)/256 with u uniform (dataset.LoadValues);
	// data scored with the model is read the same way.
	Dequantize bool `json:"dequantize,omitempty"`
	// Bytes records that real-valued units were trained on byte data
	// (IDX unsigned or signed bytes), which reading scales to [0, 1]: data
	// scored with the model from a file of other values must be on that
	// scale too.
	Bytes bool `json:"bytes,omitempty"`
	// Scaling, when training standardised real-valued data, is the
	// standardisation it applied.
	Scaling *Scaling `json:"scaling,omitempty"`
}

// MaxLayerWidth is the most values a layer may have in a model file (for
// categorical units, units × states).
const MaxLayerWidth = maxUnits

// ErrFormat is wrapped by every error that Decode returns for a file that is
// not a valid model file.
var ErrFormat = errors.New("not a valid model file")

// CheckFileShape reports whether a model of visible×hidden units fits the
// model file format, whose readers refuse larger shapes (each layer at most
// 2²⁴ units, 2²⁸ weights) so that a lying header cannot make them allocate
// without bound. Check it before training a model that is to be saved.
func CheckFileShape(visible, hidden int) error {
	if visible <= 0 || hidden <= 0 || visible > maxUnits || hidden > maxUnits || uint64(visible)*uint64(hidden) > maxUnits*16 {
		return fmt.Errorf("a %d×%d model does not fit the model file format (each layer at most %d units, at most %d weights)", visible, hidden, maxUnits, maxUnits*16)
	}
	return nil
}

// Encode writes m and meta in the model file format.
func Encode(w io.Writer, m *RBM, meta *Meta) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := CheckFileShape(m.Visible, m.Hidden); err != nil {
		return fmt.Errorf("rbm: %w", err)
	}
	if meta == nil {
		meta = &Meta{}
	}
	if err := meta.Check(m); err != nil {
		return fmt.Errorf("rbm: %w", err)
	}
	if meta.Final != nil {
		f := *meta.Final
		f.Seconds = 0
		c := *meta
		c.Final = &f
		meta = &c
	}
	js, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("rbm: encode metadata: %w", err)
	}
	crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	bw := bufio.NewWriter(io.MultiWriter(w, crc))
	var hdr [headerSize]byte
	copy(hdr[:], fileMagic)
	binary.LittleEndian.PutUint32(hdr[8:], fileVersion)
	binary.LittleEndian.PutUint32(hdr[12:], uint32(m.Visible))
	binary.LittleEndian.PutUint32(hdr[16:], uint32(m.Hidden))
	binary.LittleEndian.PutUint32(hdr[20:], uint32(len(js)))
	bw.Write(hdr[:])
	bw.Write(js)
	for _, p := range [][]float32{m.W, m.B, m.C} {
		if err := binary.Write(bw, binary.LittleEndian, p); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return binary.Write(w, binary.LittleEndian, crc.Sum32())
}

// Decode reads a model written by Encode, verifying its checksum and
// parameters.
func Decode(r io.Reader) (*RBM, *Meta, error) {
	crc := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	tr := io.TeeReader(r, crc)
	var hdr [headerSize]byte
	if _, err := io.ReadFull(tr, hdr[:]); err != nil {
		return nil, nil, fmt.Errorf("%w: header: %v", ErrFormat, truncated(err))
	}
	if string(hdr[:8]) != fileMagic {
		return nil, nil, fmt.Errorf("%w: bad magic (not an rbm model)", ErrFormat)
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v == machineFileVersion {
		return nil, nil, fmt.Errorf("%w: version 2: %w; this command reads binary RBMs (version 1)", ErrFormat, ErrMachine)
	} else if v != fileVersion {
		return nil, nil, fmt.Errorf("%w: format version %d, this build reads version %d", ErrFormat, v, fileVersion)
	}
	vis := binary.LittleEndian.Uint32(hdr[12:])
	hid := binary.LittleEndian.Uint32(hdr[16:])
	metaLen := binary.LittleEndian.Uint32(hdr[20:])
	if vis == 0 || hid == 0 || vis > maxUnits || hid > maxUnits || uint64(vis)*uint64(hid) > maxUnits*16 {
		return nil, nil, fmt.Errorf("%w: implausible shape %d×%d", ErrFormat, vis, hid)
	}
	if metaLen > maxMeta {
		return nil, nil, fmt.Errorf("%w: metadata length %d exceeds %d", ErrFormat, metaLen, maxMeta)
	}
	// Read the metadata and parameters in bounded pieces so a header that
	// lies about sizes fails on the missing bytes, not on the allocation.
	js, err := readN(tr, int(metaLen))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: metadata: %v", ErrFormat, err)
	}
	m := &RBM{Visible: int(vis), Hidden: int(hid)}
	for _, p := range []struct {
		name string
		dst  *[]float32
		n    int
	}{{"W", &m.W, m.Visible * m.Hidden}, {"b", &m.B, m.Visible}, {"c", &m.C, m.Hidden}} {
		raw, err := readN(tr, 4*p.n)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %s: %v", ErrFormat, p.name, err)
		}
		*p.dst = make([]float32, p.n)
		for i := range *p.dst {
			(*p.dst)[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
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
	meta := new(Meta)
	dec := json.NewDecoder(bytes.NewReader(js))
	if err := dec.Decode(meta); err != nil {
		return nil, nil, fmt.Errorf("%w: metadata: %v", ErrFormat, err)
	}
	if err := m.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if err := meta.Check(m); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return m, meta, nil
}

// Check reports metadata that cannot describe model m: an image shape
// that is negative, half given, or does not cover the visible layer,
// negative counts, base rates that are not one finite number per visible
// unit, and a kept epoch outside the epochs trained. (Binarize names a mode of package dataset, which
// checks it where it is used.)
func (meta *Meta) Check(m *RBM) error {
	if meta.Layers != nil || meta.Base != nil {
		return fmt.Errorf("metadata: a binary RBM in a version 1 file has no layer description or base layer (it records base rates)")
	}
	return meta.check(m.Visible)
}

// check is Check for a visible layer of the given width.
func (meta *Meta) check(visible int) error {
	switch r, c := meta.ImageRows, meta.ImageCols; {
	case r < 0 || c < 0 || (r == 0) != (c == 0):
		return fmt.Errorf("metadata: image shape %d×%d is not a shape", r, c)
	case r > 0 && r*c != visible:
		return fmt.Errorf("metadata: image shape %d×%d does not cover the %d visible units", r, c, visible)
	case meta.Epochs < 0 || meta.Rows < 0:
		return fmt.Errorf("metadata: epochs %d and rows %d must not be negative", meta.Epochs, meta.Rows)
	case len(meta.BaseRates) != 0 && len(meta.BaseRates) != visible:
		return fmt.Errorf("metadata: %d base rates for %d visible units", len(meta.BaseRates), visible)
	case meta.BestEpoch < 0 || meta.BestEpoch > meta.Epochs:
		return fmt.Errorf("metadata: best epoch %d is not one of the %d epochs trained", meta.BestEpoch, meta.Epochs)
	}
	for i, b := range meta.BaseRates {
		if math.IsNaN(float64(b)) || math.IsInf(float64(b), 0) {
			return fmt.Errorf("metadata: base rate %d is %v", i, b)
		}
	}
	for name, p := range meta.Base {
		if len(p) != visible {
			return fmt.Errorf("metadata: base %s has %d values for %d visible columns", name, len(p), visible)
		}
		for i, x := range p {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("metadata: base %s[%d] is %v", name, i, x)
			}
		}
	}
	if meta.Scaling != nil {
		if err := meta.Scaling.check(visible); err != nil {
			return fmt.Errorf("metadata: %w", err)
		}
	}
	return nil
}

// readN reads exactly n bytes, growing its buffer only as data arrives.
func readN(r io.Reader, n int) ([]byte, error) {
	const step = 1 << 20
	buf := make([]byte, 0, min(n, step))
	for len(buf) < n {
		k := min(n-len(buf), step)
		buf = append(buf, make([]byte, k)...)
		if _, err := io.ReadFull(r, buf[len(buf)-k:]); err != nil {
			return nil, truncated(err)
		}
	}
	return buf, nil
}

func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("file is truncated")
	}
	return err
}

// SaveFile writes the model to path atomically: it writes a temporary file
// in the same directory and renames it over path, so a failure or an
// interruption never leaves a partial model behind.
func SaveFile(path string, m *RBM, meta *Meta) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Encode(w, m, meta) })
}

// LoadFile reads a model file; its errors name the file.
func LoadFile(path string) (*RBM, *Meta, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	m, meta, err := Decode(bufio.NewReader(f))
	if err != nil {
		if lenErr := checkLength(f); lenErr != nil {
			err = lenErr // says more than where the bytes ran out
		}
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, meta, nil
}

// checkLength compares the length of a model file that failed to decode
// with the length its header implies. A header that passed Decode's own
// checks but disagrees with the file is corrupt (a flipped bit in a size
// field) or describes a file that was cut short; either way, saying so is
// more use than "W: file is truncated".
func checkLength(f *os.File) error {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	var hdr [headerSize]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil || string(hdr[:8]) != fileMagic || binary.LittleEndian.Uint32(hdr[8:]) != fileVersion {
		return nil
	}
	vis := uint64(binary.LittleEndian.Uint32(hdr[12:]))
	hid := uint64(binary.LittleEndian.Uint32(hdr[16:]))
	metaLen := uint64(binary.LittleEndian.Uint32(hdr[20:]))
	want := headerSize + metaLen + 4*(vis*hid+vis+hid) + 4
	if want == uint64(fi.Size()) {
		return nil
	}
	return fmt.Errorf("%w: the header describes a %d×%d model with %d bytes of metadata, %d bytes in all, but the file has %d: a corrupt header or a truncated file",
		ErrFormat, vis, hid, metaLen, want, fi.Size())
}
