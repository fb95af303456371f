package server

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"doorstep/internal/testenv"

	"github.com/chromedp/chromedp"
)

// mapLabel is one name written on a map, as the page shows it.
type mapLabel struct {
	Kind      string  `json:"kind"`
	Text      string  `json:"text"`
	Left      string  `json:"left"` // why it is not shown ("off", "cover", "zoom"); "" when shown
	X0        float64 `json:"x0"`
	Y0        float64 `json:"y0"`
	X1        float64 `json:"x1"`
	Y1        float64 `json:"y1"`
	Size      float64 `json:"size"`
	Hidden    bool    `json:"ariaHidden"` // inside an aria-hidden subtree
	Focusable bool    `json:"focusable"`
	InsideMap bool    `json:"insideMap"`
	Transform string  `json:"transform"`
}

// pageLabelsJS reads every label node of the map with id %q: its kind, text, box on
// screen (getBoundingClientRect, so a turned road name counts with its turned box),
// computed font size, and whether it is out of the accessibility tree and the tab order.
const pageLabelsJS = `(() => {
  const map = document.getElementById(%q);
  const m = map.getBoundingClientRect();
  return [...map.querySelectorAll('.map-label')].map((e) => {
    const r = e.getBoundingClientRect();
    return {kind: e.dataset.kind, text: e.textContent, left: e.hidden ? (e.dataset.left || 'hidden') : '',
      x0: r.left, y0: r.top, x1: r.right, y1: r.bottom, size: parseFloat(getComputedStyle(e).fontSize),
      ariaHidden: Boolean(e.closest('[aria-hidden="true"]')), focusable: e.tabIndex >= 0,
      insideMap: r.left >= m.left - 0.5 && r.top >= m.top - 0.5 && r.right <= m.right + 0.5 && r.bottom <= m.bottom + 0.5,
      transform: getComputedStyle(e).transform};
  });
})()`

// waitLabelsSettled waits until the map with id has stopped moving and its labels
// have been placed for the view it shows (no new placing pass for 300 ms).
func waitLabelsSettled(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	browserRun(t, ctx, "forget the last pass", chromedp.Evaluate[chromedp.Void](`window.__labelPass = undefined`))
	browserWait(t, ctx, "labels settled", fmt.Sprintf(`(() => {
	  const m = document.getElementById(%q);
	  if (!m || m.dataset.moving || !m.dataset.labelPasses) return false;
	  const k = m.dataset.labelPasses;
	  if (window.__labelPass !== k) { window.__labelPass = k; window.__labelPassAt = performance.now(); return false; }
	  return performance.now() - window.__labelPassAt > 300;
	})()`, id))
}

// shownLabels returns the map's labels on screen, and fails on any two that
// overlap, any outside the map, any in the accessibility tree or the tab order,
// and, when minSize is above 0, any smaller than minSize pixels.
func shownLabels(t *testing.T, ctx context.Context, id, where string, minSize float64) []mapLabel {
	t.Helper()
	var shown []mapLabel
	for _, l := range browserEval[[]mapLabel](t, ctx, fmt.Sprintf(pageLabelsJS, id)) {
		if l.Left != "" {
			continue
		}
		if !l.Hidden || l.Focusable {
			t.Errorf("%s: label %q is in the accessibility tree or the tab order", where, l.Text)
		}
		if !l.InsideMap {
			t.Errorf("%s: label %q sticks out of the map", where, l.Text)
		}
		if minSize > 0 && l.Size < minSize {
			t.Errorf("%s: label %q is %.1f px, want at least %g", where, l.Text, l.Size, minSize)
		}
		shown = append(shown, l)
	}
	for i, a := range shown {
		for _, b := range shown[i+1:] {
			// Half a pixel of rounding is not an overlap.
			if a.X0 < b.X1-0.5 && b.X0 < a.X1-0.5 && a.Y0 < b.Y1-0.5 && b.Y0 < a.Y1-0.5 {
				t.Errorf("%s: labels %q and %q overlap: %v and %v", where, a.Text, b.Text,
					[4]float64{a.X0, a.Y0, a.X1, a.Y1}, [4]float64{b.X0, b.Y0, b.X1, b.Y1})
			}
		}
	}
	return shown
}

// zoomMap zooms the map with id in (steps > 0) or out (steps < 0) by its + and −
// buttons, one step at a time, and waits for its labels.
func zoomMap(t *testing.T, ctx context.Context, id string, steps int) {
	t.Helper()
	button, cmp := "in", ">"
	if steps < 0 {
		button, cmp, steps = "out", "<", -steps
	}
	for range steps {
		before := browserEval[string](t, ctx, fmt.Sprintf(`document.getElementById(%q).dataset.zoom`, id))
		browserRun(t, ctx, "zoom "+button, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('#%s .leaflet-control-zoom-%s').click()`, id, button)))
		browserWait(t, ctx, "zoomed "+button, fmt.Sprintf(`Number(document.getElementById(%q).dataset.zoom) %s %s`, id, cmp, before))
	}
	waitLabelsSettled(t, ctx, id)
}

// labelsOf returns the texts of the labels of kind (of all kinds for "").
func labelsOf(labels []mapLabel, kinds ...string) []string {
	var out []string
	for _, l := range labels {
		for _, k := range kinds {
			if l.Kind == k {
				out = append(out, l.Text)
			}
		}
	}
	return out
}

// TestBrowserMapLabels checks the names on the resident page's map of the sample
// street, on a 360×740 phone and a 1280×800 screen, in normal mode and 长辈模式:
// road names, area names, metro stations and landmarks are written, none overlaps
// another, none is a tab stop or in the accessibility tree, and in 长辈模式 none is
// under 20 px; zoomed in, every area whose name would fit on screen is named; the
// markers of different categories differ in shape, not only colour; the walking
// circle's bands say their minutes on their edges and differ in their edges' dashes;
// in English the bands and landmarks follow the language and the data's names are
// marked zh-Hans.
func TestBrowserMapLabels(t *testing.T) {
	// The short form runs the two furthest apart, a phone in 长辈模式 and a desk
	// screen in normal mode; DOORSTEP_LONG=1 or DOORSTEP_SCREENSHOTS runs all four.
	all := testenv.Long() || os.Getenv("DOORSTEP_SCREENSHOTS") != ""
	for _, screen := range []struct {
		name          string
		width, height int64
		phone         bool
	}{
		{"phone", phoneWidth, phoneHeight, true},
		{"desktop", 1280, 800, false},
	} {
		for _, elder := range []bool{false, true} {
			if !all && elder != screen.phone {
				continue
			}
			mode, minSize := "normal", 0.0
			if elder {
				mode, minSize = "elder", 20
			}
			t.Run(screen.name+"-"+mode, func(t *testing.T) {
				problems := &browserProblems{}
				ctx := newBrowserTab(t, problems)
				base := browserCSPProxy(t, newTestServer(t).URL)
				if screen.phone {
					browserRun(t, ctx, "phone", chromedp.EmulateViewport(screen.width, screen.height, chromedp.EmulateMobile, chromedp.EmulateTouch))
				} else {
					browserRun(t, ctx, "desktop", chromedp.EmulateViewport(screen.width, screen.height))
				}
				browserRun(t, ctx, "open page", chromedp.Navigate(base+"/?lang=zh&mode="+mode))
				browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
				browserWait(t, ctx, "markers", `document.querySelectorAll('.leaflet-services-pane path[data-service]').length >= 60`)
				browserWait(t, ctx, "labels", `Number(document.getElementById('map').dataset.labels) > 0`)
				browserRun(t, ctx, "map into view", chromedp.Evaluate[chromedp.Void](`document.getElementById('map').scrollIntoView({block: 'end'})`))
				waitLabelsSettled(t, ctx, "map")
				where := screen.name + " " + mode + " start"
				start := shownLabels(t, ctx, "map", where, minSize)
				t.Logf("%s: %d labels: %v", where, len(start), labelsOf(start, "main", "minor", "area", "landmark", "neighbour"))
				// A phone shows the whole street small, crowded with symbols: the roads
				// around it are named, its areas once zoomed in (below).
				wantRoads, wantAreas := 2, 8
				switch {
				case screen.phone:
					wantRoads, wantAreas = 1, 0
				case elder: // larger names, fewer fit
					wantAreas = 5
				}
				if roads := labelsOf(start, "main", "minor"); len(roads) < wantRoads {
					t.Errorf("%s: %d road names %v, want at least %d", where, len(roads), roads, wantRoads)
				}
				if areas := labelsOf(start, "area"); len(areas) < wantAreas {
					t.Errorf("%s: %d area names %v, want at least %d", where, len(areas), areas, wantAreas)
				}
				if st := labelsOf(start, "landmark"); !elder && !screen.phone && !strings.Contains(strings.Join(st, " "), "地铁") {
					t.Errorf("%s: no metro station named among %v", where, st)
				}
				pageShot(t, ctx, "labels-"+screen.name+"-"+mode+"-start")

				// Zoomed in on the middle of the street (twice on a phone): landmarks are
				// named, and most areas whose label point is on screen (area names yield
				// only to landmarks and to symbols, and may move off a symbol).
				steps := 1
				if screen.phone {
					steps = 2
				}
				zoomMap(t, ctx, "map", steps)
				where = screen.name + " " + mode + " zoomed in"
				zoomed := shownLabels(t, ctx, "map", where, minSize)
				t.Logf("%s: %d labels: %v", where, len(zoomed), labelsOf(zoomed, "main", "minor", "area", "landmark", "neighbour"))
				wantMarks, perLeft := 2, 4 // area names written for each one left out
				if screen.phone {
					wantMarks, perLeft = 1, 2
				}
				marks := labelsOf(zoomed, "landmark")
				if !elder && len(marks) < wantMarks {
					t.Errorf("%s: %d landmarks named %v, want at least %d", where, len(marks), marks, wantMarks)
				}
				for _, m := range marks {
					if strings.HasPrefix(m, "凉城新村街道") {
						t.Errorf("%s: landmark %q still carries the street's name", where, m)
					}
				}
				areas, left := len(labelsOf(zoomed, "area")), 0
				for _, l := range browserEval[[]mapLabel](t, ctx, fmt.Sprintf(pageLabelsJS, "map")) {
					if l.Kind == "area" && l.Left == "cover" {
						left++
					}
				}
				if !elder && (areas < 3 || left*perLeft > areas) {
					t.Errorf("%s: %d area names written, %d on screen left out; want at least 3 and %d written for each one left out", where, areas, left, perLeft)
				}
				pageShot(t, ctx, "labels-"+screen.name+"-"+mode+"-zoomed")

				// The walking circle: three bands, each edge dashed its own way and
				// labelled with its minutes.
				browserRun(t, ctx, "choose area", chromedp.Evaluate[chromedp.Void](pageChooseArea(6)))
				browserWait(t, ctx, "answer", `document.getElementById('answer-list').dataset.state === 'loaded'`)
				browserRun(t, ctx, "open circle", chromedp.Evaluate[chromedp.Void](`document.getElementById('circle-btn').click()`))
				browserWait(t, ctx, "bands", `document.querySelectorAll('.leaflet-circle-pane path.walk-band').length === 3`)
				browserRun(t, ctx, "map into view", chromedp.Evaluate[chromedp.Void](`document.getElementById('map').scrollIntoView({block: 'end'})`))
				waitLabelsSettled(t, ctx, "map")
				where = screen.name + " " + mode + " circle"
				circle := shownLabels(t, ctx, "map", where, minSize)
				bands := labelsOf(circle, "band")
				// A phone's small map in 长辈模式 may have room for two of the three.
				wantBands := 3
				if screen.phone && elder {
					wantBands = 2
				}
				for _, b := range bands {
					if b != "5分钟" && b != "10分钟" && b != "15分钟" {
						t.Errorf("%s: band label %q", where, b)
					}
				}
				if len(bands) < wantBands {
					t.Errorf("%s: band labels %v, want at least %d of 5分钟, 10分钟 and 15分钟", where, bands, wantBands)
				}
				dashes := browserEval[[]string](t, ctx, `[...document.querySelectorAll('.leaflet-circle-pane path.walk-band')].map((p) => p.getAttribute('stroke-dasharray') || 'solid')`)
				if seen := map[string]bool{}; len(dashes) == 3 {
					for _, d := range dashes {
						seen[d] = true
					}
					if len(seen) != 3 {
						t.Errorf("%s: band edges %v, want three different", where, dashes)
					}
				}
				pageShot(t, ctx, "labels-"+screen.name+"-"+mode+"-circle")

				// In English the band minutes and landmarks follow; data names stay Chinese, marked so.
				browserRun(t, ctx, "switch language", chromedp.Evaluate[chromedp.Void](`document.getElementById('lang-toggle').click()`))
				browserWait(t, ctx, "English", `document.documentElement.lang === 'en'`)
				waitLabelsSettled(t, ctx, "map")
				en := shownLabels(t, ctx, "map", where+" English", minSize)
				t.Logf("%s English: %v", where, labelsOf(en, "band", "landmark"))
				zoomMap(t, ctx, "map", -1)
				pageShot(t, ctx, "labels-"+screen.name+"-"+mode+"-english")
				for _, b := range labelsOf(en, "band") {
					if !strings.HasSuffix(b, " min") {
						t.Errorf("%s English: band label %q", where, b)
					}
				}
				for _, m := range labelsOf(en, "landmark") {
					if strings.HasPrefix(m, "Liangcheng Xincun") {
						t.Errorf("%s English: landmark %q still carries the street's name", where, m)
					}
				}
				if n := browserEval[int](t, ctx, `document.querySelectorAll('#map .map-label-area:not([lang="zh-Hans"]), #map .map-label-road:not([lang="zh-Hans"])').length`); n != 0 {
					t.Errorf("%s English: %d area or road names without lang=zh-Hans", where, n)
				}
				assertPageClean(t, ctx, problems)
			})
		}
	}
}

// TestBrowserMarkerShapes checks that the categories' markers differ in shape: each
// category draws one shape, no two categories the same, and the legend's swatch of a
// category has its marker's shape.
func TestBrowserMarkerShapes(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	base := browserCSPProxy(t, newTestServer(t).URL)
	browserRun(t, ctx, "open page", chromedp.Navigate(base+"/?lang=zh"))
	browserWait(t, ctx, "markers", `document.querySelectorAll('.leaflet-services-pane path[data-service]').length >= 60`)
	type shape struct {
		Category string `json:"category"`
		Shape    string `json:"shape"`
		Corners  int    `json:"corners"` // the path's line commands: 0 for the circle's arcs
		Legend   string `json:"legend"`
	}
	shapes := browserEval[[]shape](t, ctx, `[...document.querySelectorAll('.leaflet-services-pane path[data-service]')].map((p) => ({
	  category: p.dataset.category, shape: p.dataset.shape, corners: (p.getAttribute('d').match(/L/g) || []).length,
	  legend: (document.querySelector('#legend-list li[data-category="' + p.dataset.category + '"] path') || {dataset: {}}).dataset.shape || ''}))`)
	byCategory := map[string]shape{}
	byShape := map[string]string{}
	for _, s := range shapes {
		if prev, ok := byCategory[s.Category]; ok && (prev.Shape != s.Shape || prev.Corners != s.Corners) {
			t.Errorf("%s drawn as both %s and %s", s.Category, prev.Shape, s.Shape)
		}
		byCategory[s.Category] = s
		if s.Legend != s.Shape {
			t.Errorf("%s: marker %q, legend swatch %q", s.Category, s.Shape, s.Legend)
		}
	}
	for cat, s := range byCategory {
		if other, ok := byShape[s.Shape]; ok {
			t.Errorf("%s and %s share the shape %s", cat, other, s.Shape)
		}
		byShape[s.Shape] = cat
	}
	if len(byCategory) != 9 {
		t.Errorf("%d categories on the map, want 9", len(byCategory))
	}
	// Shapes differ in their outlines, not only in a class: the circle is arcs, the
	// square four corners, the triangle three.
	for cat, corners := range map[string]int{"meal_point": 0, "citizen_station": 3, "activity_room": 2} {
		if got := byCategory[cat].Corners; got != corners {
			t.Errorf("%s path has %d line commands, want %d", cat, got, corners)
		}
	}
	if !browserEval[bool](t, ctx, `Boolean(document.querySelector('#legend-list li.legend-metro path'))`) {
		t.Error("the legend has no metro station")
	}
	assertPageClean(t, ctx, problems)
}

// TestBrowserStaffMapLabels checks that the staff editor's pin map writes the same
// names as the resident page — from /api/labels, by the same rules — around a
// listing's pin, in 长辈模式 at 20 px or more, without overlaps.
func TestBrowserStaffMapLabels(t *testing.T) {
	problems := &browserProblems{}
	ctx := newBrowserTab(t, problems)
	p := newStaffPortal(t)
	browserRun(t, ctx, "phone screen", chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch))
	browserRun(t, ctx, "open staff page", chromedp.Navigate(p.url+"/staff?lang=zh&mode=elder"))
	browserWait(t, ctx, "ready", `document.documentElement.dataset.ready === 'true'`)
	staffSignIn(t, ctx, "staff")
	staffClick(t, ctx, fmt.Sprintf(`.listing-button[data-id="%d"]`, p.ownSvc.ID))
	browserRun(t, ctx, "edit form", chromedp.WaitVisible(chromedp.ID("edit-form")))
	browserRun(t, ctx, "map into view", chromedp.Evaluate[chromedp.Void](`document.getElementById('pin-map').scrollIntoView({block: 'center'})`))
	browserWait(t, ctx, "labels", `Number(document.getElementById('pin-map').dataset.labels) > 0`)
	waitLabelsSettled(t, ctx, "pin-map")

	var api struct {
		Features []struct {
			Properties struct{ Kind, Name string } `json:"properties"`
		} `json:"features"`
	}
	browserGetJSON(t, p.url+"/api/labels", &api)
	known := map[string]bool{}
	for _, f := range api.Features {
		known[f.Properties.Kind+":"+f.Properties.Name] = true
	}
	check := func(where string) []mapLabel {
		shown := shownLabels(t, ctx, "pin-map", where, 20)
		for _, l := range shown {
			kind := map[string]string{"main": "road", "minor": "road", "area": "area"}[l.Kind]
			if kind != "" && !known[kind+":"+l.Text] {
				t.Errorf("%s: label %s %q is not one of /api/labels", where, l.Kind, l.Text)
			}
		}
		return shown
	}
	pin := check("staff pin map")
	t.Logf("staff pin map: %v", labelsOf(pin, "main", "minor", "area", "landmark", "neighbour"))
	if len(labelsOf(pin, "area")) == 0 {
		t.Errorf("staff pin map names no residential area: %v", pin)
	}
	pageShot(t, ctx, "labels-staff-elder-pin")
	// Zoomed out to the street, as the resident page opens: roads and areas named.
	zoomMap(t, ctx, "pin-map", -2)
	out := check("staff pin map zoomed out")
	if len(labelsOf(out, "area")) < 2 {
		t.Errorf("staff pin map zoomed out names %v, want at least two areas", labelsOf(out, "area"))
	}
	pageShot(t, ctx, "labels-staff-elder-street")
	assertPageClean(t, ctx, problems)
}
