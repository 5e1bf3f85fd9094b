package kernel

// SumRows adds scale times each of rows rows of src, ld apart, to dst:
//
//	dst[j] += scale·src[r·ld + j]   for r = 0, 1, …, rows-1 in turn
//
// with each product rounded to float32 before its sum, vectorised where
// the CPU allows; the assembly and the portable loop give the same bits.
// It is the column sum of a matrix, as the bias gradients need.
func SumRows(dst, src []float32, ld, rows int, scale float32) {
	n := len(dst)
	if rows == 0 || n == 0 {
		return
	}
	if ld < n || len(src) < (rows-1)*ld+n {
		panic("kernel: SumRows: src is too short for its rows")
	}
	j := 0
	if n8 := n &^ 7; haveAVX2FMA && n8 > 0 {
		sumRowsAVX2(&dst[0], &src[0], ld, rows, n8, scale)
		j = n8
	}
	for ; j < n; j++ {
		sum := dst[j]
		for r := range rows {
			// The conversion keeps the product rounded on its own, as the
			// assembly rounds it, where the compiler would fuse x*y + z
			// (GOAMD64=v3, arm64): a separate statement does not.
			sum += float32(scale * src[r*ld+j])
		}
		dst[j] = sum
	}
}
