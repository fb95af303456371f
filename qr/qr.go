// Package qr draws QR codes of the portal's links — the share link printed on a
// 家门口服务卡 — as SVG for the page and as PNG for anything that wants a picture.
// The symbol itself is made by github.com/yeqown/go-qrcode/v2 (ISO/IEC 18004:
// Reed–Solomon error correction, mask selection); this package only draws its modules.
package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// QuietZone is the light border the standard asks for around a symbol, in modules.
const QuietZone = 4

// Code is an encoded QR symbol. It is immutable and safe for concurrent use.
type Code struct {
	dark [][]bool // rows of modules, true for dark, without the quiet zone
}

// Encode makes the symbol of text in byte mode at error correction level Q (25 %),
// so a card that is folded, stained or taped to a fridge still scans.
func Encode(text string) (*Code, error) {
	if text == "" {
		return nil, errors.New("qr: nothing to encode")
	}
	sym, err := qrcode.NewWith(text,
		qrcode.WithEncodingMode(qrcode.EncModeByte),
		qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionQuart))
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	var m matrixWriter
	if err := sym.Save(&m); err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	return &Code{dark: m.dark}, nil
}

// matrixWriter keeps the symbol's modules: the library's writers draw files and
// terminals, and the portal draws its own SVG and PNG.
type matrixWriter struct{ dark [][]bool }

func (w *matrixWriter) Write(mat qrcode.Matrix) error { w.dark = mat.Bitmap(); return nil }
func (w *matrixWriter) Close() error                  { return nil }

// Size is the symbol's width in modules, quiet zone included.
func (c *Code) Size() int { return len(c.dark) + 2*QuietZone }

// SVG draws the symbol as an SVG image one unit a module, quiet zone included,
// that scales to whatever size it is given: one path of unit squares, crisp at any
// size and on paper. label is its accessible name (<title>).
func (c *Code) SVG(label string) string {
	var b strings.Builder
	n := c.Size()
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img">`, n, n)
	b.WriteString("<title>")
	xmlEscape(&b, label)
	b.WriteString("</title>")
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range c.dark {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			// A run of dark modules in a row is one rectangle.
			end := x
			for end < len(row) && row[end] {
				end++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+QuietZone, y+QuietZone, end-x, end-x)
			x = end
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String()
}

func xmlEscape(b *strings.Builder, s string) {
	strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").WriteString(b, s)
}

// PNG draws the symbol as a black-and-white PNG of scale pixels a module, quiet
// zone included. scale must be at least 1.
func (c *Code) PNG(scale int) ([]byte, error) {
	if scale < 1 {
		return nil, fmt.Errorf("qr: scale %d is not a whole number of pixels a module", scale)
	}
	n := c.Size() * scale
	img := image.NewPaletted(image.Rect(0, 0, n, n), color.Palette{color.White, color.Black})
	for y, row := range c.dark {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := range scale {
				for dx := range scale {
					img.SetColorIndex((x+QuietZone)*scale+dx, (y+QuietZone)*scale+dy, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	return buf.Bytes(), nil
}
