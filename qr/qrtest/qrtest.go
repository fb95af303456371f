// Package qrtest reads QR codes back in tests, with ZXing's decoder
// (github.com/makiuchi-d/gozxing), as a phone's camera app would.
package qrtest

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Decode returns the text of the QR code in img, failing tb when there is none.
func Decode(tb testing.TB, img image.Image) string {
	tb.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		tb.Fatalf("decode QR code: %v", err)
	}
	return res.GetText()
}

// DecodePNG is Decode of a PNG image.
func DecodePNG(tb testing.TB, b []byte) string {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	return Decode(tb, img)
}
