// Package idx reads and writes IDX files, the format of Yann LeCun's
// MNIST distribution and of data sets modelled on it.
//
// An IDX file holds one array of numbers: a header, then the elements.
// The header is a four-byte magic number followed by the dimensions:
//
//	byte 0-1   zero
//	byte 2     element type: 0x08 ubyte, 0x09 sbyte, 0x0B int16,
//	           0x0C int32, 0x0D float32, 0x0E float64
//	byte 3     number of dimensions, n
//	then       n dimension sizes, each a big-endian uint32
//	then       the elements, big-endian, row-major (last index fastest)
//
// For example, the MNIST training images start 00 00 08 03, then 60000,
// 28 and 28: sixty thousand 28×28 ubyte images. The labels start
// 00 00 08 01, then 60000. A file with no dimensions holds one element.
//
// An Array holds a decoded file, its elements in the Go slice type that
// matches the element type, with the header's sizes as Dims. Decode and
// ReadFile accept plain and gzip-compressed files alike, telling them
// apart by their first bytes; Encode, EncodeGzip and WriteFile write them.
// A Reader (NewReader, Open) delivers the elements a chunk at a time, for
// callers that convert the data as it arrives rather than hold it all.
//
// The decoder treats its input as untrusted. It checks a header's claim
// against the data before allocating for it, rejects arrays over
// MaxDataSize, and reports a malformed file as an error matching
// ErrFormat, never by panicking.
package idx
