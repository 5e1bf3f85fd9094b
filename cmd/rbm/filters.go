package main

import (
	"context"
	"fmt"
	"image/png"
	"io"

	"github.com/rbmkit/rbm/internal/atomicfile"
	"github.com/rbmkit/rbm/rbm"
)

func init() {
	register(&command{
		name:    "filters",
		usage:   "[flags] MODEL -o filters.png",
		summary: "Draw each hidden unit's weights as an image, tiled into one PNG (each tile stretched to its own range).",
		example: "  rbm filters mnist64.rbm -o filters.png",
		run:     runFilters,
	})
}

func runFilters(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, lookup("filters"))
	out := fs.StringP("out", "o", "filters.png", "PNG file to write")
	shapeFlag := fs.String("shape", "", "image shape HxW of the visible layer (default: the one recorded in the model)")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	if err := checkFiles(pos, []string{*out}); err != nil {
		return err
	}
	m, meta, err := loadModel(pos[0])
	if err != nil {
		return err
	}
	shape, err := imageShape(*shapeFlag, meta, m.Visible)
	if err != nil {
		return err
	}
	// Row j of the transposed weights is hidden unit j's receptive field.
	filters := &rbm.Matrix{Rows: m.Hidden, Cols: m.Visible, Data: m.Transpose().W}
	img := imageGrid(filters, shape, true)
	if err := atomicfile.Write(*out, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %d filters of %dx%d to %s\n", m.Hidden, shape.Height, shape.Width, *out)
	return nil
}
