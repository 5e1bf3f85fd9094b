package dataset

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
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
