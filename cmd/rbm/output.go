package main

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rbmkit/rbm/internal/atomicfile"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/dataset"
	"github.com/rbmkit/rbm/rbm/idx"
)

// writeMatrix writes m to path in the format its extension names: .npy
// (NumPy, float32, shape rows×cols), .csv (one row per line), .idx or
// .idx.gz (float32 IDX, with the image dimensions restored when shape is
// set) or .png (a grid of images; needs shape).
func writeMatrix(path string, m *rbm.Matrix, shape dataset.Shape) error {
	switch ext := outputFormat(path); ext {
	case "npy":
		return atomicfile.Write(path, func(w io.Writer) error { return dataset.WriteNPY(w, m) })
	case "csv":
		return atomicfile.Write(path, func(w io.Writer) error { return writeCSV(w, m) })
	case "idx", "idx.gz":
		a := dataset.ToIDX(m, shape)
		return idx.WriteFile(path, a, ext == "idx.gz")
	case "png":
		if m.Rows == 0 {
			return fmt.Errorf("%s: no rows to draw", path)
		}
		if shape.Height*shape.Width != m.Cols {
			return fmt.Errorf("%s: rows of %d values are not images (use --shape HxW)", path, m.Cols)
		}
		img := imageGrid(m, shape, false)
		return atomicfile.Write(path, func(w io.Writer) error { return png.Encode(w, img) })
	default:
		return usagef("%s: unknown output format %q (use .npy, .csv, .idx, .idx.gz or .png)", path, ext)
	}
}

// checkOutputFormat reports an output name whose extension writeMatrix
// does not know, before any work is done for it.
func checkOutputFormat(path string) error {
	switch outputFormat(path) {
	case "npy", "csv", "idx", "idx.gz", "png":
		return nil
	}
	if path == "-" {
		return usagef("-o -: results are written to a file, not standard output; its name ends in .npy, .csv, .idx, .idx.gz or .png")
	}
	return usagef("%s: unknown output format %q (use .npy, .csv, .idx, .idx.gz or .png)", path, outputFormat(path))
}

func outputFormat(path string) string {
	base := strings.ToLower(filepath.Base(path))
	if strings.HasSuffix(base, ".idx.gz") {
		return "idx.gz"
	}
	return strings.TrimPrefix(filepath.Ext(base), ".")
}

func writeCSV(w io.Writer, m *rbm.Matrix) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	for r := range m.Rows {
		buf = buf[:0]
		for j, x := range m.Row(r) {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendFloat(buf, float64(x), 'g', -1, 32)
		}
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// imageGrid tiles the rows of m, each a height×width image, into a square
// grid with one-pixel gaps. Values in [0,1] map to grey levels; with
// normalise each tile is first stretched to its own range, the usual way
// to show weight filters.
func imageGrid(m *rbm.Matrix, shape dataset.Shape, normalise bool) *image.Gray {
	h, w := shape.Height, shape.Width
	cols := int(math.Ceil(math.Sqrt(float64(m.Rows))))
	rows := (m.Rows + cols - 1) / cols
	img := image.NewGray(image.Rect(0, 0, cols*(w+1)+1, rows*(h+1)+1))
	for i := range img.Pix {
		img.Pix[i] = 64 // gaps are dark grey, distinct from black pixels
	}
	for t := range m.Rows {
		tile := m.Row(t)
		lo, hi := float32(0), float32(1)
		if normalise {
			lo, hi = tile[0], tile[0]
			for _, x := range tile {
				lo, hi = min(lo, x), max(hi, x)
			}
			if hi == lo {
				hi = lo + 1
			}
		}
		x0, y0 := 1+(t%cols)*(w+1), 1+(t/cols)*(h+1)
		for y := range h {
			for x := range w {
				v := (tile[y*w+x] - lo) / (hi - lo)
				img.SetGray(x0+x, y0+y, color.Gray{Y: uint8(math.Round(float64(255 * min(max(v, 0), 1))))})
			}
		}
	}
	return img
}

// parseShape reads "HxW".
func parseShape(s string) (dataset.Shape, error) {
	hs, ws, ok := strings.Cut(strings.ToLower(s), "x")
	h, err1 := strconv.Atoi(hs)
	w, err2 := strconv.Atoi(ws)
	if !ok || err1 != nil || err2 != nil || h <= 0 || w <= 0 {
		return dataset.Shape{}, usagef("--shape %q: want HEIGHTxWIDTH, e.g. 28x28", s)
	}
	return dataset.Shape{Height: h, Width: w}, nil
}

// imageShape returns the model's image shape, overridden by a --shape flag.
func imageShape(flag string, meta *rbm.Meta, visible int) (dataset.Shape, error) {
	shape := dataset.Shape{Height: meta.ImageRows, Width: meta.ImageCols}
	if flag != "" {
		var err error
		if shape, err = parseShape(flag); err != nil {
			return shape, err
		}
	}
	if shape.Height*shape.Width != visible {
		if flag == "" && shape.Height == 0 {
			return shape, usagef("the model's visible layer is not known to be an image: pass --shape HxW")
		}
		return shape, usagef("image shape %dx%d does not cover the %d visible units", shape.Height, shape.Width, visible)
	}
	return shape, nil
}
