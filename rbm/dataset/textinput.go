package dataset

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
	"github.com/rbmkit/rbm/rbm/idx"
)

// gzipMagic opens every gzip stream (RFC 1952); no text file starts with
// its first byte.
var gzipMagic = []byte{0x1f, 0x8b}

// utf8BOM is the byte order mark some editors and spreadsheets put at the
// start of a UTF-8 text file.
var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// textInput returns the text in r: decompressed if r holds a gzip stream,
// and without a leading UTF-8 byte order mark, so that the first field of
// a CSV file or the first '>' of a FASTA file is seen as it is.
func textInput(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, err := br.Peek(len(gzipMagic))
	if err != nil && err != io.EOF {
		return nil, err
	}
	if bytes.Equal(magic, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("decompressing: %w", err)
		}
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	bom, err := br.Peek(len(utf8BOM))
	if err != nil && err != io.EOF {
		return nil, err
	}
	if bytes.Equal(bom, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	return br, nil
}

// openText opens the named file for the Load functions; the caller
// closes it.
func openText(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	return f, nil
}

// readIDX reads the IDX file at path as idx.ReadFile does, with a hint
// when the file is not IDX but text: a data file's format is told by its
// extension, and one that names none is read as IDX, which a CSV file
// named .txt or .tsv fails with only a magic number to say why.
func readIDX(path string) (*idx.Array, error) {
	a, err := idx.ReadFile(path)
	return a, explainIDX(path, err)
}

// explainIDX adds the hint of readIDX to err, an error from reading path
// as IDX, when the file holds text.
func explainIDX(path string, err error) error {
	if err == nil || !errors.Is(err, idx.ErrFormat) || !looksLikeText(path) {
		return err
	}
	return fmt.Errorf("%w; it holds text: CSV files are read by the extension .csv, aligned sequences by .fasta, .fa, .afa, .aln, .a2m or .a3m (each gzipped or not), and any other name as IDX", err)
}

// looksLikeText reports whether the file at path starts with printable
// text, after decompression if gzipped.
func looksLikeText(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	in, err := textInput(f)
	if err != nil {
		return false
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(in, head)
	if n == 0 {
		return false
	}
	for _, c := range head[:n] {
		if c < ' ' && !isSpace(c) || c == 0x7f {
			return false
		}
	}
	return true
}
