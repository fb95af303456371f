package server

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"doorstep/qr/qrtest"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// A5 is 148 × 210 mm: in PDF points (1/72 inch).
const (
	a5WidthPt  = 148 / 25.4 * 72
	a5HeightPt = 210 / 25.4 * 72
)

// printPDF prints the tab's page as the browser's print dialog would, with the
// page size and margins of the page's @page rule.
func printPDF(t *testing.T, ctx context.Context) []byte {
	t.Helper()
	var pdf []byte
	browserRun(t, ctx, "print to PDF", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		yes := true
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes})
		pdf = res.Data
		return err
	}))
	return pdf
}

var (
	pdfPage     = regexp.MustCompile(`/Type\s*/Page\b`)
	pdfMediaBox = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]`)
)

// pdfPages counts a PDF's page objects (/Type /Page, not /Pages) and returns the
// size of each page's MediaBox in points. Chromium writes them uncompressed.
func pdfPages(t *testing.T, pdf []byte) (int, [][2]float64) {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
	}
	var sizes [][2]float64
	for _, m := range pdfMediaBox.FindAllSubmatch(pdf, -1) {
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		sizes = append(sizes, [2]float64{w, h})
	}
	return len(pdfPage.FindAll(pdf, -1)), sizes
}

// saveCardFile writes b to $DOORSTEP_SCREENSHOTS/name when that folder is set.
func saveCardFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if dir := os.Getenv("DOORSTEP_SCREENSHOTS"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// pageSmallestPrintText is the smallest computed font size, in CSS pixels, of any
// element of the cards that shows text of its own, with print media emulated.
const pageSmallestPrintText = `(() => {
  let least = Infinity, where = '';
  for (const el of document.querySelectorAll('.card *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.getClientRects().length === 0) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < least) { least = px; where = el.className || el.tagName; }
  }
  return [least, where];
})()`

// pageCardRoom is the least room left on any card's A5 page, in millimetres, and
// its area: the page's 198 mm between the @page margins less the card's own height
// (measured without its minimum height, which only pushes the footer down).
const pageCardRoom = `(() => {
  let least = Infinity, where = '';
  for (const card of document.querySelectorAll('.card')) {
    card.style.minHeight = '0';
    const room = 198 - card.getBoundingClientRect().height / (96 / 25.4);
    card.style.minHeight = '';
    if (room < least) { least = room; where = card.querySelector('.card-area').textContent; }
  }
  return [least, where];
})()`

// cardRow is one kind of service as a page shows it: its service and whole minutes.
type cardRow struct {
	Category string `json:"category"`
	Name     string `json:"name"`
	Minutes  string `json:"minutes"`
}

// pageAnswerRowsJS reads the resident answer's rows, minutes whole as the page writes them.
const pageAnswerRowsJS = `[...document.querySelectorAll('#answer-list > li.answer-row')].map((r) => {
  const walk = r.querySelector('.walk-minutes');
  const name = r.querySelector('.svc-name');
  return {category: r.dataset.category, name: name ? name.firstChild.textContent : '',
    minutes: walk ? String(Math.max(1, Math.round(Number(walk.dataset.minutes)))) : ''};
}).sort((a, b) => a.category.localeCompare(b.category))`

// pageCardRowsJS reads a card's lines the same way.
const pageCardRowsJS = `[...document.querySelectorAll('.card li.line')].map((r) => {
  const walk = r.querySelector('.walk');
  return {category: r.dataset.category, name: r.querySelector('.svc').textContent, minutes: walk ? walk.dataset.minutes : ''};
}).sort((a, b) => a.category.localeCompare(b.category))`

// TestBrowserCardPrintsOnOneA5Page follows 打印服务卡 from the resident answer for
// 凉城四村 to its 家门口服务卡, which names the same services and minutes, and prints
// it in Chromium: one A5 page, no text under 14 pt, a QR code on the page that
// decodes to the area's share link; and every area's card prints one page each.
func TestBrowserCardPrintsOnOneA5Page(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	base := browserCSPProxy(t, newTestServer(t).URL)
	home := sampleArea(t, base, "凉城四村")

	// The resident page's answer for the area links its card, which names the same
	// services and whole minutes.
	browserRun(t, ctx, "open answer", chromedp.Navigate(base+"/?area="+strconv.FormatInt(home, 10)))
	browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded' && !document.getElementById('answer-print').hidden`)
	onPage := browserEval[[]cardRow](t, ctx, pageAnswerRowsJS)
	href := browserEval[string](t, ctx, `document.getElementById('card-link').getAttribute('href')`)
	if href != "/card/areas/"+strconv.FormatInt(home, 10) {
		t.Errorf("打印服务卡 links %q", href)
	}
	if os.Getenv("DOORSTEP_SCREENSHOTS") != "" {
		saveCardFile(t, "answer-print-link.png", browserRun(t, ctx, "screenshot answer", chromedp.Screenshot(chromedp.ID("answer-print"))))
	}
	browserRun(t, ctx, "follow 打印服务卡", chromedp.Navigate(base+href))
	browserWait(t, ctx, "fonts", `document.readyState === 'complete' && document.fonts.status === 'loaded'`)
	onCard := browserEval[[]cardRow](t, ctx, pageCardRowsJS)
	reportAxe(t, "card", runAxe(t, ctx))
	if len(onPage) != 9 || !slices.Equal(onPage, onCard) {
		t.Errorf("the card says\n%v\nthe answer\n%v", onCard, onPage)
	}
	pdf := printPDF(t, ctx)
	saveCardFile(t, "card-liangcheng-4.pdf", pdf)
	pages, sizes := pdfPages(t, pdf)
	if pages != 1 {
		t.Errorf("the card prints on %d pages, want 1", pages)
	}
	for _, s := range sizes {
		if d0, d1 := s[0]-a5WidthPt, s[1]-a5HeightPt; d0*d0 > 1 || d1*d1 > 1 {
			t.Errorf("page of %.1f × %.1f pt, want A5 (%.1f × %.1f)", s[0], s[1], a5WidthPt, a5HeightPt)
		}
	}
	if len(sizes) != pages {
		t.Errorf("%d MediaBoxes for %d pages", len(sizes), pages)
	}

	// On paper: nothing under 14 pt (18.67 CSS px).
	browserRun(t, ctx, "print media", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	least := browserEval[[]any](t, ctx, pageSmallestPrintText)
	if px, _ := least[0].(float64); px < 14.0*96/72-0.01 {
		t.Errorf("smallest printed text is %.2f px (%v), want at least 14 pt (18.67 px)", px, least[1])
	}

	// The QR code as drawn on the page decodes to the share link.
	want := base + "/?area=" + strconv.FormatInt(home, 10)
	shot := browserRun(t, ctx, "screenshot QR", chromedp.Screenshot(chromedp.CSS(".qr svg")))
	saveCardFile(t, "card-liangcheng-4-qr.png", shot)
	if got := qrtest.DecodePNG(t, shot); got != want {
		t.Errorf("QR code decodes to %q, want %q", got, want)
	}
	assertPageClean(t, ctx, problems)

	// In English too, on one page.
	browserRun(t, ctx, "screen media", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}))
	browserRun(t, ctx, "open English card", chromedp.Navigate(base+"/card/areas/"+strconv.FormatInt(home, 10)+"?lang=en"))
	browserWait(t, ctx, "fonts", `document.readyState === 'complete' && document.fonts.status === 'loaded'`)
	en := printPDF(t, ctx)
	saveCardFile(t, "card-liangcheng-4-en.pdf", en)
	if pages, _ := pdfPages(t, en); pages != 1 {
		t.Errorf("the English card prints on %d pages, want 1", pages)
	}

	// Every area's card, one page each.
	var areas struct {
		Features []struct{} `json:"features"`
	}
	browserGetJSON(t, base+"/api/areas", &areas)
	browserRun(t, ctx, "open all cards", chromedp.Navigate(base+"/card/areas"))
	browserWait(t, ctx, "fonts", `document.readyState === 'complete' && document.fonts.status === 'loaded'`)
	all := printPDF(t, ctx)
	saveCardFile(t, "cards-all-areas.pdf", all)
	if pages, _ := pdfPages(t, all); pages != len(areas.Features) || pages == 0 {
		t.Errorf("all cards print on %d pages, want one for each of the %d areas", pages, len(areas.Features))
	}
	if n := browserEval[int](t, ctx, `document.querySelectorAll('.card').length`); n != len(areas.Features) {
		t.Errorf("%d cards, want %d", n, len(areas.Features))
	}
	// How much room the fullest card has left on paper, laid out as wide as the
	// page's printable width (134 mm, 506 px) with print media.
	browserRun(t, ctx, "page width", chromedp.EmulateViewport(506, 748))
	browserRun(t, ctx, "print media", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	room := browserEval[[]any](t, ctx, pageCardRoom)
	t.Logf("the fullest card (%v) has %.1f mm to spare", room[1], room[0])
	assertPageClean(t, ctx, problems)
}
