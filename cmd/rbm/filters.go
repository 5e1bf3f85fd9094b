package main

import (
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"

	"github.com/rbmkit/rbm/internal/atomicfile"
	"github.com/rbmkit/rbm/rbm"
	"github.com/rbmkit/rbm/rbm/layer"
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
	var filters *rbm.Matrix
	m, meta, err := loadModel(pos[0])
	switch {
	case errors.Is(err, rbm.ErrMachine):
		// A machine's weights, one column per hidden column (state), in
		// float32 for drawing; a visible layer one-hot over states is no
		// image.
		mm, mmeta, err := loadMachineModel(pos[0])
		if err != nil {
			return err
		}
		if valuesOf(mm.Visible.Kind()) == layer.Categories {
			return fmt.Errorf("%s: a %s visible layer is not an image; its weights have no picture", pos[0], mm.Visible.Kind())
		}
		meta = mmeta
		t := mm.Transpose()
		filters = rbm.NewMatrix(t.Visible.Width(), t.Hidden.Width())
		for i, w := range t.W {
			filters.Data[i] = float32(w)
		}
	case err != nil:
		return err
	default:
		// Row j of the transposed weights is hidden unit j's receptive field.
		filters = &rbm.Matrix{Rows: m.Hidden, Cols: m.Visible, Data: m.Transpose().W}
	}
	shape, err := imageShape(*shapeFlag, meta, filters.Cols)
	if err != nil {
		return err
	}
	img := imageGrid(filters, shape, true)
	if err := atomicfile.Write(*out, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %d filters of %dx%d to %s\n", filters.Rows, shape.Height, shape.Width, *out)
	return nil
}
