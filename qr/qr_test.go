package qr_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strconv"
	"testing"

	"doorstep/qr"
	"doorstep/qr/qrtest"
)

var links = []string{
	"http://localhost:8080/?area=6",
	"https://doorstep.example.org/?area=27&lang=en",
	"http://127.0.0.1:41234/?at=121.466155,31.285653",
}

func TestPNGDecodesToText(t *testing.T) {
	for _, link := range links {
		t.Run(link, func(t *testing.T) {
			c, err := qr.Encode(link)
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.PNG(4)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if got := img.Bounds().Dx(); got != c.Size()*4 {
				t.Errorf("PNG is %d px wide, want %d modules × 4", got, c.Size())
			}
			if got := qrtest.Decode(t, img); got != link {
				t.Errorf("decoded %q, want %q", got, link)
			}
		})
	}
}

// TestSVGDecodesToText draws the SVG's path back onto a bitmap and decodes that.
func TestSVGDecodesToText(t *testing.T) {
	run := regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-\d+z`)
	for _, link := range links {
		t.Run(link, func(t *testing.T) {
			c, err := qr.Encode(link)
			if err != nil {
				t.Fatal(err)
			}
			svg := c.SVG("扫码 <打开>")
			if !bytes.Contains([]byte(svg), []byte("<title>扫码 &lt;打开&gt;</title>")) {
				t.Errorf("SVG title not escaped: %s", svg[:200])
			}
			const scale = 4
			n := c.Size() * scale
			img := image.NewGray(image.Rect(0, 0, n, n))
			for i := range img.Pix {
				img.Pix[i] = 0xff
			}
			runs := run.FindAllStringSubmatch(svg, -1)
			if len(runs) == 0 {
				t.Fatalf("no module runs in %s", svg)
			}
			for _, m := range runs {
				x, _ := strconv.Atoi(m[1])
				y, _ := strconv.Atoi(m[2])
				w, _ := strconv.Atoi(m[3])
				for px := x * scale; px < (x+w)*scale; px++ {
					for py := y * scale; py < (y+1)*scale; py++ {
						img.Set(px, py, color.Black)
					}
				}
			}
			if got := qrtest.Decode(t, img); got != link {
				t.Errorf("decoded %q, want %q", got, link)
			}
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	if _, err := qr.Encode(""); err == nil {
		t.Error("Encode(\"\") succeeded")
	}
	c, err := qr.Encode("x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PNG(0); err == nil {
		t.Error("PNG(0) succeeded")
	}
}
