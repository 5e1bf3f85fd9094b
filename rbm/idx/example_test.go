package idx_test

import (
	"bytes"
	"errors"
	"fmt"
	"log"

	"github.com/rbmkit/rbm/rbm/idx"
)

func ExampleEncode() {
	labels, err := idx.New([]int{4}, []uint8{7, 2, 1, 0})
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if err := idx.Encode(&buf, labels); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("% x\n", buf.Bytes())
	// Output: 00 00 08 01 00 00 00 04 07 02 01 00
}

func ExampleDecode() {
	// Two 2×3 ubyte images: magic 00 00 08 03, sizes 2, 2 and 3, then pixels.
	file := []byte{
		0, 0, 0x08, 3,
		0, 0, 0, 2,
		0, 0, 0, 2,
		0, 0, 0, 3,
		0, 64, 128, 192, 255, 1,
		9, 8, 7, 6, 5, 4,
	}
	images, err := idx.Decode(bytes.NewReader(file))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(images.Type, images.Dims, images.Len(), images.At(4))

	// The same header with the last image cut off.
	_, err = idx.Decode(bytes.NewReader(file[:22]))
	fmt.Println(err)
	fmt.Println(errors.Is(err, idx.ErrFormat))
	// Output:
	// ubyte [2 2 3] 12 255
	// idx: header claims 12 bytes of ubyte data, input has 6
	// true
}
